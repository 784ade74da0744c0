"""The dependency rule: what a dry run may contain besides the planned packages."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from patchdesk.engine.model.inventory import InstalledPackage, OriginClass, PackageOrigin
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import (
    ItemState,
    PackageManager,
    PlannedItem,
    RequestedItem,
    TransactionAction,
    TransactionEntry,
    VersionBasis,
    WorkPlan,
    WorkReason,
)
from patchdesk.engine.remediate.review import describe_entry, review_transaction

_ORIGIN = PackageOrigin(kind=OriginClass.OS_VENDOR)
INSTALLED = [
    InstalledPackage(name=n, version=v, arch="amd64", source_name=s, source_version=sv,
                     origin=_ORIGIN)
    for n, v, s, sv in [
        ("perl", "5.36.0-7+deb12u3", "perl", "5.36.0-7+deb12u3"),
        ("perl-base", "5.36.0-7+deb12u3", "perl", "5.36.0-7+deb12u3"),
        ("libssl3", "3.0.20-1~deb12u2", "openssl", "3.0.20-1~deb12u2"),
        ("bash", "5.2.15-2+b13", "bash", "5.2.15-2"),
        ("zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1"),
    ]
]  # fmt: skip
_ = datetime(2026, 1, 1, tzinfo=UTC)


def _plan(*requests: RequestedItem, **fields: object) -> WorkPlan:
    return WorkPlan(
        target="ssh://root@h:22",
        hostname="h",
        platform_key="debian:12",
        package_format=PackageFormat.DPKG,
        package_manager=PackageManager.APT,
        native_arch="amd64",
        items=tuple(PlannedItem(request=r, state=ItemState.TO_UPDATE) for r in requests),
        packages=(),
        **fields,  # type: ignore[arg-type]
    )


def _up(name: str, new: str, old: str = "1") -> TransactionEntry:
    return TransactionEntry(action=TransactionAction.UPGRADE, name=name, old_version=old,
                            new_version=new)  # fmt: skip


PERL = RequestedItem(package="perl", min_version="5.36.0-7+deb12u4")


def _review(plan: WorkPlan, entries: list[TransactionEntry], planned: list[str]) -> list[str]:
    review = review_transaction(plan, entries, installed=INSTALLED, planned=planned)
    return [str(issue.code) for issue in review.issues]


def test_siblings_of_the_same_source_come_along() -> None:
    entries = [_up("perl", "5.36.0-7+deb12u4"), _up("perl-base", "5.36.0-7+deb12u4")]
    review = review_transaction(_plan(PERL), entries, installed=INSTALLED, planned=["perl"])
    assert review.is_approved
    assert [e.name for e in review.approved] == ["perl", "perl-base"]


def test_an_unrelated_upgrade_is_refused_unless_listed_or_a_full_upgrade() -> None:
    entries = [_up("perl", "5.36.0-7+deb12u4"), _up("zlib1g", "1:1.3")]
    assert _review(_plan(PERL), entries, ["perl"]) == ["dry_run_unexpected_packages"]
    listed = _plan(PERL, allowed_dependencies=("zlib1g",))
    assert _review(listed, entries, ["perl"]) == []
    assert _review(_plan(PERL, full_upgrade=True), entries, ["perl"]) == []


def test_new_packages_need_to_be_listed_even_in_a_full_upgrade() -> None:
    new = TransactionEntry(action=TransactionAction.INSTALL, name="linux-image-6.1.0-99-amd64",
                           new_version="6.1.999-1")  # fmt: skip
    entries = [_up("perl", "5.36.0-7+deb12u4"), new]
    assert _review(_plan(PERL, full_upgrade=True), entries, ["perl"]) == [
        "dry_run_unexpected_packages"
    ]
    allowed = _plan(PERL, allowed_dependencies=("linux-image-6.1.0-99-amd64",))
    assert _review(allowed, entries, ["perl"]) == []


def test_removals_downgrades_reinstalls_and_skips_are_refused() -> None:
    entries = [
        _up("perl", "5.36.0-7+deb12u4"),
        TransactionEntry(action=TransactionAction.REMOVE, name="zlib1g", old_version="1:1.2"),
        TransactionEntry(action=TransactionAction.DOWNGRADE, name="bash",
                         old_version="5.2.15-2+b13", new_version="5.2.15-1"),
        TransactionEntry(action=TransactionAction.REINSTALL, name="perl-base",
                         old_version="5.36.0-7+deb12u3", new_version="5.36.0-7+deb12u3"),
    ]  # fmt: skip
    assert _review(_plan(PERL), entries, ["perl"]) == [
        "dry_run_removes_packages",
        "dry_run_downgrades",
        "dry_run_unexpected_packages",
    ]
    skip = [TransactionEntry(action=TransactionAction.SKIP, name="perl", new_version="5.36.1")]
    assert _review(_plan(PERL), skip, ["perl"]) == ["dry_run_skips_packages", "fix_not_available"]


def test_the_candidate_must_reach_the_minimum_on_the_right_basis() -> None:
    low = [_up("perl", "5.36.0-7+deb12u3.1")]
    review = review_transaction(_plan(PERL), low, installed=INSTALLED, planned=["perl"])
    assert [i.code for i in review.issues] == [WorkReason.FIX_NOT_AVAILABLE]
    assert review.issues[0].params == {
        "package": "perl",
        "minimum": "5.36.0-7+deb12u4",
        "candidate": "5.36.0-7+deb12u3.1",
    }
    # a binNMU: the binary version is above the minimum, its source version is not
    source = RequestedItem(package="bash", min_version="5.2.15-3", basis=VersionBasis.SOURCE)
    entries = [_up("bash", "5.2.15-3+b1", "5.2.15-2+b13")]
    sources = {("bash", "5.2.15-3+b1"): "5.2.15-2.1"}
    refused = review_transaction(
        _plan(source), entries, installed=INSTALLED, planned=["bash"], candidate_sources=sources
    )
    assert [i.code for i in refused.issues] == [WorkReason.FIX_NOT_AVAILABLE]
    sources = {("bash", "5.2.15-3+b1"): "5.2.15-3"}
    approved = review_transaction(
        _plan(source), entries, installed=INSTALLED, planned=["bash"], candidate_sources=sources
    )
    assert approved.is_approved


def test_items_not_to_update_are_not_checked_and_the_message_lists_packages() -> None:
    plan = _plan(PERL)
    fixed = dataclasses.replace(plan.items[0], state=ItemState.ALREADY_FIXED)
    plan = dataclasses.replace(plan, items=(fixed,))
    assert review_transaction(plan, [], installed=INSTALLED, planned=[]).is_approved
    many = [TransactionEntry(action=TransactionAction.REMOVE, name=f"p{i}", old_version="1")
            for i in range(25)]  # fmt: skip
    review = review_transaction(plan, many, installed=INSTALLED, planned=[])
    assert review.issues[0].message.endswith("(+5 more)")
    assert review.issues[0].params["count"] == "25"
    assert describe_entry(_up("a", "2")) == "a 1 -> 2"
