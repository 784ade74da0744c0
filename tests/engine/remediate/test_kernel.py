"""Kernel items: a fix for the running kernel ships in a new package (another ABI name on
Debian and Ubuntu, an install-only package on RPM systems). Plans, dry-run reviews on
real-format output, verification, and whole runs replayed from the real testbed run
(``apt-kernel-new-abi``, recorded by ``record_remediation ... kernel``) with the running
kernel changed."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest

from engine.remediate.support import (
    FIXTURES,
    Clock,
    Recorded,
    ReplayConnect,
    load,
    plan_of,
    replay_run,
)
from patchdesk.engine import versions
from patchdesk.engine.collect import commands as collect_commands
from patchdesk.engine.collect.kernel import build_kernel_info
from patchdesk.engine.model.inventory import (
    HostInventory,
    InstalledPackage,
    OriginClass,
    PackageOrigin,
    RpmDetails,
)
from patchdesk.engine.model.platform import OsFamily, PackageFormat, Platform
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemState,
    KernelTarget,
    PlanRefusal,
    PlanRefusalCode,
    RequestedItem,
    VersionBasis,
    WorkPhase,
    WorkPlan,
    WorkReason,
    WorkStatus,
)
from patchdesk.engine.remediate import build_work_plan, commands
from patchdesk.engine.remediate.dryrun import parse_apt_simulation, parse_dnf_transaction
from patchdesk.engine.remediate.items import verify_items
from patchdesk.engine.remediate.reboot import BOOT_ID
from patchdesk.engine.remediate.review import review_transaction
from patchdesk.engine.transport import CommandResult, RecordedCommand

_AT = datetime(2026, 11, 25, tzinfo=UTC)
_ORIGIN = PackageOrigin(kind=OriginClass.OS_VENDOR)


def _deb(
    name: str, version: str, source: str = "linux", source_version: str = ""
) -> InstalledPackage:
    return InstalledPackage(
        name=name,
        version=version,
        arch="amd64",
        source_name=source,
        source_version=source_version or version,
        origin=_ORIGIN,
    )


def _rpm(name: str, version: str, release: str) -> InstalledPackage:
    return InstalledPackage(
        name=name,
        version=f"{version}-{release}",
        arch="x86_64",
        source_name="kernel",
        source_version=f"{version}-{release}",
        origin=_ORIGIN,
        rpm=RpmDetails(epoch=0, version=version, release=release),
    )


def _host(
    distro: str, running: str, *packages: InstalledPackage, kernel: bool = True
) -> HostInventory:
    if distro in ("debian", "ubuntu"):
        family, fmt, release = OsFamily.DEBIAN, PackageFormat.DPKG, "12"
        release = "22.04" if distro == "ubuntu" else "12"
    else:
        family, fmt, release = OsFamily.REDHAT, PackageFormat.RPM, "9.3"
    platform = Platform(
        distro=distro, release=release, family=family, package_format=fmt, arch="x86_64"
    )
    info = build_kernel_info(
        running_release=running,
        running_version="#1 SMP",
        packages=packages,
        family=family,
        compare=lambda a, b: versions.compare(str(fmt), a, b),
    )
    return HostInventory(
        target="ssh://root@h:22",
        started_at=_AT,
        finished_at=_AT,
        hostname="h",
        platform=platform,
        packages=packages,
        kernel=info if kernel else None,
    )


def _plan(requested: list[RequestedItem], inventory: HostInventory, **kwargs: object) -> WorkPlan:
    plan = build_work_plan(requested, inventory, **kwargs)  # type: ignore[arg-type]
    assert isinstance(plan, WorkPlan), plan
    return plan


OLD_IMAGE = _deb("linux-image-6.1.0-18-amd64", "6.1.76-1", "linux-signed-amd64", "6.1.76+1")
NEW_IMAGE = _deb("linux-image-6.1.0-21-amd64", "6.1.90-1", "linux-signed-amd64", "6.1.90+1")
DEBIAN = (
    OLD_IMAGE,
    _deb("linux-image-amd64", "6.1.76-1", "linux-signed-amd64", "6.1.76+1"),
    _deb("linux-headers-amd64", "6.1.76-1"),
    _deb("linux-headers-6.1.0-18-amd64", "6.1.76-1"),
    _deb("linux-headers-6.1.0-18-common", "6.1.76-1"),
    _deb("linux-kbuild-6.1", "6.1.76-1"),
    _deb("linux-image-cloud-amd64", "6.1.76-1", "linux-signed-amd64", "6.1.76+1"),  # not ours
    _deb("libssl3", "3.0.11-1~deb12u2", "openssl"),
)
KERNEL_ITEM = RequestedItem(
    package="linux-image-6.1.0-18-amd64",
    min_version="6.1.90-1",
    basis=VersionBasis.SOURCE,
    advisory_id="DSA-5700-1",
)


# --- plans --------------------------------------------------------------------------------------


def test_the_running_kernel_image_is_a_kernel_item_updated_through_its_metapackages() -> None:
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN)
    ssl = RequestedItem(package="libssl3", min_version="3.0.13-1~deb12u1")
    plan = _plan([KERNEL_ITEM, ssl], inventory)
    kernel, other = plan.items
    assert kernel.state is ItemState.TO_UPDATE
    assert kernel.kernel == KernelTarget(
        flavour="amd64", metapackages=("linux-headers-amd64", "linux-image-amd64")
    )
    assert kernel.installed_version == "6.1.76+1"
    assert other.kernel is None
    # the metapackages of the flavour (never the cloud one), not the ABI package itself
    assert [p.name for p in plan.packages] == [
        "libssl3",
        "linux-headers-amd64",
        "linux-image-amd64",
    ]


def test_the_cloud_flavour_updates_its_own_metapackage() -> None:
    inventory = _host(
        "debian",
        "6.1.0-18-cloud-amd64",
        _deb("linux-image-6.1.0-18-cloud-amd64", "6.1.76-1"),
        _deb("linux-image-cloud-amd64", "6.1.76-1"),
        _deb("linux-image-amd64", "6.1.76-1"),
    )
    item = RequestedItem(package="linux-image-6.1.0-18-cloud-amd64", min_version="6.1.90-1")
    plan = _plan([item], inventory)
    assert plan.items[0].kernel == KernelTarget(
        flavour="cloud-amd64", metapackages=("linux-image-cloud-amd64",)
    )
    assert [p.name for p in plan.packages] == ["linux-image-cloud-amd64"]


def test_ubuntu_metapackages_of_the_flavour() -> None:
    inventory = _host(
        "ubuntu",
        "5.15.0-91-generic",
        _deb("linux-image-5.15.0-91-generic", "5.15.0-91.101", "linux-signed", "5.15.0-91.101"),
        _deb("linux-modules-5.15.0-91-generic", "5.15.0-91.101"),
        _deb("linux-generic", "5.15.0.91.88", "linux-meta"),
        _deb("linux-image-generic", "5.15.0.91.88", "linux-meta"),
        _deb("linux-headers-generic", "5.15.0.91.88", "linux-meta"),
        _deb("linux-image-virtual", "5.15.0.91.88", "linux-meta"),
        _deb("linux-generic-hwe-22.04", "6.5.0.15.15~22.04.8", "linux-meta-hwe-6.5"),
        _deb("linux-tools-generic", "5.15.0.91.88", "linux-meta"),  # not pulled: tools
        _deb("linux-image-lowlatency", "5.15.0.91.88", "linux-meta"),  # another flavour
    )
    item = RequestedItem(package="linux-image-5.15.0-91-generic", min_version="5.15.0-94.104")
    plan = _plan([item], inventory)
    assert plan.items[0].kernel == KernelTarget(
        flavour="generic",
        metapackages=(
            "linux-generic",
            "linux-generic-hwe-22.04",
            "linux-headers-generic",
            "linux-image-generic",
            "linux-image-virtual",
        ),
    )


def test_a_fixed_kernel_already_installed_needs_only_a_reboot() -> None:
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN, NEW_IMAGE)
    plan = _plan([KERNEL_ITEM], inventory)
    assert plan.items[0].state is ItemState.REBOOT_ONLY
    assert plan.packages == ()
    # once it runs, the item is fixed although the old package is still installed
    booted = _host("debian", "6.1.0-21-amd64", *DEBIAN, NEW_IMAGE)
    assert _plan([KERNEL_ITEM], booted).items[0].state is ItemState.ALREADY_FIXED


def test_the_basis_decides_which_installed_kernel_is_fixed() -> None:
    # binary 6.1.90-1 of a signed image is built from source 6.1.90+1: both reach 6.1.90-1
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN, NEW_IMAGE)
    by_binary = dataclasses.replace(KERNEL_ITEM, basis=VersionBasis.BINARY, min_version="6.1.90-2")
    assert _plan([by_binary], inventory).items[0].state is ItemState.TO_UPDATE


def test_without_a_metapackage_the_plan_is_refused_with_kernel_meta_missing() -> None:
    inventory = _host("debian", "6.1.0-18-amd64", OLD_IMAGE, _deb("linux-image-cloud-amd64", "1"))
    refusal = build_work_plan([KERNEL_ITEM], inventory)
    assert isinstance(refusal, PlanRefusal)
    assert refusal.code is PlanRefusalCode.KERNEL_META_MISSING
    assert refusal.params == {"packages": "linux-image-6.1.0-18-amd64", "flavour": "amd64"}
    assert "install the kernel metapackage for the flavour" in refusal.message
    assert refusal.problems == (
        "linux-image-6.1.0-18-amd64: no metapackage of the kernel flavour 'amd64' is installed",
    )


def test_a_kernel_is_recognised_by_the_inventory_kernel_section_not_by_its_name() -> None:
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN, kernel=False)
    plan = _plan([KERNEL_ITEM], inventory)
    assert plan.items[0].kernel is None  # an ordinary package, as before
    assert [p.name for p in plan.packages] == ["linux-image-6.1.0-18-amd64"]


def test_an_rpm_kernel_is_install_only_and_updated_by_its_own_name() -> None:
    old = _rpm("kernel-core", "5.14.0", "362.8.1.el9_3")
    inventory = _host(
        "rocky", "5.14.0-362.8.1.el9_3.x86_64", old, _rpm("kernel", "5.14.0", "362.8.1.el9_3")
    )
    item = RequestedItem(
        package="kernel-core", min_version="5.14.0-362.13.1.el9_3", advisory_id="RLSA-2024:0001"
    )
    plan = _plan([item], inventory)
    assert plan.items[0].kernel == KernelTarget(flavour="kernel-core")
    assert [p.name for p in plan.packages] == ["kernel-core"]
    assert plan.advisory_ids == ("RLSA-2024:0001",)
    new = _rpm("kernel-core", "5.14.0", "362.13.1.el9_3")
    waiting = _host("rocky", "5.14.0-362.8.1.el9_3.x86_64", old, new)
    assert _plan([item], waiting).items[0].state is ItemState.REBOOT_ONLY


# --- dry-run reviews ----------------------------------------------------------------------------

_SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
Building dependency tree...
Reading state information...
The following NEW packages will be installed:
  linux-headers-6.1.0-21-amd64 linux-headers-6.1.0-21-common linux-image-6.1.0-21-amd64
The following packages will be upgraded:
  linux-headers-amd64 linux-image-amd64 linux-kbuild-6.1
3 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.
Inst linux-headers-6.1.0-21-common (6.1.90-1 Debian-Security:12/stable-security [all])
Inst linux-kbuild-6.1 [6.1.76-1] (6.1.90-1 Debian-Security:12/stable-security [amd64])
Inst linux-headers-6.1.0-21-amd64 (6.1.90-1 Debian-Security:12/stable-security [amd64])
Inst linux-headers-amd64 [6.1.76-1] (6.1.90-1 Debian-Security:12/stable-security [amd64])
Inst linux-image-6.1.0-21-amd64 (6.1.90-1 Debian-Security:12/stable-security [amd64])
Inst linux-image-amd64 [6.1.76-1] (6.1.90-1 Debian-Security:12/stable-security [amd64])
{extra}Conf linux-headers-6.1.0-21-common (6.1.90-1 Debian-Security:12/stable-security [all])
Conf linux-image-6.1.0-21-amd64 (6.1.90-1 Debian-Security:12/stable-security [amd64])
Conf linux-image-amd64 (6.1.90-1 Debian-Security:12/stable-security [amd64])
"""
_SOURCES = {
    ("linux-image-6.1.0-21-amd64", "6.1.90-1"): "6.1.90+1",
    ("linux-image-amd64", "6.1.90-1"): "6.1.90+1",
}


def _review(extra: str = "", *, image: str = "6.1.90-1", sources: dict | None = None) -> list[str]:
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN)
    plan = _plan([KERNEL_ITEM], inventory)
    text = _SIMULATION.format(extra=extra).replace(
        "Inst linux-image-6.1.0-21-amd64 (6.1.90-1", f"Inst linux-image-6.1.0-21-amd64 ({image}"
    )
    dry_run = parse_apt_simulation(
        CommandResult(command="", exit_status=0, stdout=text.encode(), stderr=b"")
    )
    assert dry_run.problem is None
    review = review_transaction(
        plan,
        dry_run.entries,
        installed=inventory.packages,
        planned=[p.name for p in plan.packages],
        candidate_sources=_SOURCES if sources is None else sources,
    )
    return [f"{i.code}: {i.params.get('packages', '')}" for i in review.issues]


def test_the_new_abi_packages_of_the_flavour_are_accepted() -> None:
    assert _review() == []


@pytest.mark.parametrize(
    "name",
    [
        "firmware-misc-nonfree",  # unrelated
        "linux-image-6.1.0-21-amd64-dbg",  # never a debug image
        "linux-image-6.1.0-21-rt-amd64",  # another flavour
        "linux-headers-6.1.0-21-cloud-amd64",
    ],
)
def test_anything_else_new_still_refuses_the_run(name: str) -> None:
    line = f"Inst {name} (6.1.90-1 Debian-Security:12/stable-security [amd64])\n"
    assert _review(line) == [f"dry_run_unexpected_packages: {name}"]


def test_a_new_kernel_below_the_minimum_is_no_fix() -> None:
    sources = {("linux-image-6.1.0-21-amd64", "6.1.85-1"): "6.1.85+1"}
    assert _review(image="6.1.85-1", sources=sources) == ["fix_not_available: "]


def test_without_a_new_kernel_image_the_fix_is_not_available() -> None:
    inventory = _host("debian", "6.1.0-18-amd64", *DEBIAN)
    plan = _plan([KERNEL_ITEM], inventory)
    review = review_transaction(
        plan, [], installed=inventory.packages, planned=["linux-image-amd64"]
    )
    assert [i.code for i in review.issues] == [WorkReason.FIX_NOT_AVAILABLE]


def test_dnf_lists_an_install_only_kernel_as_installing_and_the_review_accepts_it() -> None:
    old = _rpm("kernel-core", "5.14.0", "362.8.1.el9_3")
    inventory = _host(
        "rocky",
        "5.14.0-362.8.1.el9_3.x86_64",
        old,
        _rpm("kernel-modules-core", "5.14.0", "362.8.1.el9_3"),
    )
    item = RequestedItem(package="kernel-core", min_version="5.14.0-362.13.1.el9_3")
    plan = _plan([item], inventory)
    output = (FIXTURES / "dnf-kernel-installonly.txt").read_bytes()
    dry_run = parse_dnf_transaction(
        CommandResult(command="", exit_status=1, stdout=output, stderr=b"Operation aborted.\n")
    )
    assert dry_run.problem is None
    assert [(str(e.action), e.name) for e in dry_run.entries] == [
        ("install", "kernel-core"),
        ("install", "kernel-modules-core"),
    ]
    review = review_transaction(
        plan, dry_run.entries, installed=inventory.packages, planned=["kernel-core"]
    )
    assert review.is_approved, review.issues
    assert [e.name for e in review.approved] == ["kernel-core", "kernel-modules-core"]
    higher = dataclasses.replace(item, min_version="5.14.0-362.18.1.el9_3")
    review = review_transaction(
        _plan([higher], inventory),
        dry_run.entries,
        installed=inventory.packages,
        planned=["kernel-core"],
    )
    assert [i.code for i in review.issues] == [WorkReason.FIX_NOT_AVAILABLE]


# --- verification -------------------------------------------------------------------------------


def _verify(running: str, *packages: InstalledPackage, rebooted: bool = False) -> ItemOutcome:
    plan = _plan([KERNEL_ITEM], _host("debian", "6.1.0-18-amd64", *DEBIAN))
    after = _host("debian", running, *packages)
    (result,) = verify_items(
        plan.items, after.packages, PackageFormat.DPKG, kernel=after.kernel, rebooted=rebooted
    )
    return result.outcome


def test_a_fixed_kernel_installed_but_not_running_is_fixed_pending_reboot() -> None:
    assert _verify("6.1.0-18-amd64", *DEBIAN, NEW_IMAGE) is ItemOutcome.FIXED_PENDING_REBOOT
    assert _verify("6.1.0-21-amd64", *DEBIAN, NEW_IMAGE) is ItemOutcome.FIXED
    assert _verify("6.1.0-18-amd64", *DEBIAN) is ItemOutcome.NOT_FIXED
    # rebooted, and still the old kernel runs (the boot loader's default): not fixed
    assert _verify("6.1.0-18-amd64", *DEBIAN, NEW_IMAGE, rebooted=True) is ItemOutcome.NOT_FIXED


def test_an_rpm_kernel_is_fixed_once_the_new_instance_runs() -> None:
    old, new = (
        _rpm("kernel-core", "5.14.0", "362.8.1.el9_3"),
        _rpm("kernel-core", "5.14.0", "362.13.1.el9_3"),
    )
    item = RequestedItem(package="kernel-core", min_version="5.14.0-362.13.1.el9_3")
    plan = _plan([item], _host("rocky", "5.14.0-362.8.1.el9_3.x86_64", old))
    for running, outcome in (
        ("5.14.0-362.8.1.el9_3.x86_64", ItemOutcome.FIXED_PENDING_REBOOT),
        ("5.14.0-362.13.1.el9_3.x86_64", ItemOutcome.FIXED),
    ):
        after = _host("rocky", running, old, new)
        (result,) = verify_items(plan.items, after.packages, PackageFormat.RPM, kernel=after.kernel)
        assert result.outcome is outcome
        assert result.version_after == "5.14.0-362.13.1.el9_3"


# --- whole runs, replayed from the real testbed run ---------------------------------------------

RUNNING = b"6.18.44-fc-v657"  # the testbed machine's own kernel, as recorded
FIXED_RELEASE = b"1.0.0-2-pdtest"
BEFORE = b"0b7f1c52-3a3e-4d8e-9d51-6f0c2f1f9a11\n"
AFTER = b"5e2d8a90-7c41-4b6f-8f0e-2a9b3c4d5e6f\n"


def _identity(recorded: Recorded, index: int) -> bytes:
    answers = [c for c in recorded.commands if c.command == collect_commands.IDENTITY]
    return answers[index].stdout


def _booted(recorded: Recorded, index: int) -> Recorded:
    """The ``index``-th scan sees the fixed kernel running."""
    stdout = _identity(recorded, index).replace(RUNNING, FIXED_RELEASE)
    return recorded.with_answer(
        lambda c: c.command == collect_commands.IDENTITY, index=index, stdout=stdout
    )


def _with_reboot(recorded: Recorded) -> Recorded:
    first = recorded.connections[0]
    extra = (
        RecordedCommand(command=BOOT_ID, stdout=BEFORE),
        RecordedCommand(command=commands.reboot(), as_root=True, stdout=b"scheduled\n"),
    )
    return dataclasses.replace(
        recorded, connections=(dataclasses.replace(first, commands=first.commands + extra),)
    )


def _back(recorded: Recorded, *, booted: bool) -> Recorded:
    """The connection after the reboot: a new boot id, then the server as after the update."""
    after = recorded.keeping(-1)
    if booted:
        after = _booted(after, 0)
    (connection,) = after.connections
    rest = tuple(c for c in connection.commands if c.command != BOOT_ID)
    back = dataclasses.replace(
        connection, commands=(RecordedCommand(command=BOOT_ID, stdout=AFTER), *rest)
    )
    return dataclasses.replace(after, connections=(back,))


async def _no_sleep(seconds: float) -> None:
    del seconds


def _applies(connect: ReplayConnect) -> list[str]:
    return [c for c, _, _ in connect.calls if "--no-remove install --only-upgrade" in c]


def test_the_recorded_run_installs_the_new_abi_and_waits_for_a_reboot() -> None:
    recorded = load("apt-kernel-new-abi")
    result, connect = asyncio.run(replay_run(recorded))
    assert result.status is WorkStatus.DONE, result.issues
    assert [i.outcome for i in result.items] == [ItemOutcome.FIXED_PENDING_REBOOT]
    assert result.reboot_required is True
    assert not result.rebooted
    assert [(c.name, c.before, c.after, c.is_expected) for c in result.changes] == [
        ("linux-image-1.0.0-2-pdtest", "", "1.0.0-2", True),
        ("linux-image-pdtest", "1.0.0-1", "1.0.0-2", True),
    ]
    # only the metapackage is named, pinned; apt pulls in the new ABI package
    (apply,) = _applies(connect)
    assert apply.endswith(" install --only-upgrade linux-image-pdtest=1.0.0-2")
    assert not any(c == commands.reboot() for c, _, _ in connect.calls)


def test_a_rescan_that_finds_the_fixed_kernel_running_makes_the_item_fixed() -> None:
    result, _ = asyncio.run(replay_run(_booted(load("apt-kernel-new-abi"), 1)))
    assert result.status is WorkStatus.DONE, result.issues
    assert [(i.outcome, i.version_after) for i in result.items] == [(ItemOutcome.FIXED, "1.0.0-2")]
    assert result.reboot_required is not True


def test_an_allowed_reboot_boots_the_fixed_kernel() -> None:
    recorded = _with_reboot(load("apt-kernel-new-abi"))
    plan = asyncio.run(plan_of(recorded, allow_reboot=True))
    connect = ReplayConnect([*recorded.connections, *_back(recorded, booted=True).connections])
    result, _ = asyncio.run(replay_run(recorded, plan=plan, connect=connect, sleep=_no_sleep))
    assert result.status is WorkStatus.DONE, result.issues
    assert result.rebooted
    assert [i.outcome for i in result.items] == [ItemOutcome.FIXED]
    assert any(c == commands.reboot() for c, _, _ in connect.calls)


def test_a_reboot_that_does_not_boot_the_fixed_kernel_is_not_a_fix() -> None:
    recorded = _with_reboot(load("apt-kernel-new-abi"))
    plan = asyncio.run(plan_of(recorded, allow_reboot=True))
    connect = ReplayConnect([*recorded.connections, *_back(recorded, booted=False).connections])
    result, _ = asyncio.run(replay_run(recorded, plan=plan, connect=connect, sleep=_no_sleep))
    assert result.status is WorkStatus.PARTIAL
    assert [i.code for i in result.issues] == [WorkReason.NOT_FIXED]
    assert "check the boot loader's default" in result.issues[0].message
    assert [i.outcome for i in result.items] == [ItemOutcome.NOT_FIXED]


def test_a_retry_with_the_fixed_kernel_installed_only_reboots_when_allowed() -> None:
    recorded = load("apt-kernel-new-abi")
    after = _with_reboot(recorded.keeping(-1))  # the server as the update left it
    waiting = asyncio.run(plan_of(after, allow_reboot=False))
    assert waiting.items[0].state is ItemState.REBOOT_ONLY
    result, connect = asyncio.run(replay_run(after, plan=waiting))
    assert result.status is WorkStatus.DONE
    assert [i.outcome for i in result.items] == [ItemOutcome.FIXED_PENDING_REBOOT]
    assert not any(
        s.phase in (WorkPhase.DRY_RUN, WorkPhase.APPLY, WorkPhase.REBOOT) for s in result.steps
    )
    allowed = asyncio.run(plan_of(after, allow_reboot=True))
    connect = ReplayConnect([*after.connections, *_back(recorded, booted=True).connections])
    result, _ = asyncio.run(replay_run(after, plan=allowed, connect=connect, sleep=_no_sleep))
    assert result.status is WorkStatus.DONE, result.issues
    assert result.rebooted
    assert [i.outcome for i in result.items] == [ItemOutcome.FIXED]
    assert _applies(connect) == []


def test_a_metapackage_removed_since_the_plan_refuses_the_run() -> None:
    recorded = load("apt-kernel-new-abi")
    plan = asyncio.run(plan_of(recorded))
    listing = next(c for c in recorded.commands if c.command == collect_commands.DPKG_QUERY)
    kept = b"\n".join(
        line for line in listing.stdout.split(b"\n") if b"\tlinux-image-pdtest\t" not in line
    )
    gone = recorded.with_answer(lambda c: c.command == collect_commands.DPKG_QUERY, stdout=kept)
    result, connect = asyncio.run(replay_run(gone, plan=plan, clock=Clock()))
    assert result.status is WorkStatus.REFUSED
    assert [i.code for i in result.issues] == [WorkReason.KERNEL_META_MISSING]
    assert _applies(connect) == []
