"""Importing advisories and CVE facts: incremental, idempotent, all-or-nothing, reported."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from patchdesk.desk.advisories import mappers
from patchdesk.desk.advisories.models import (
    Advisory,
    AffectedPackage,
    CvssAssessment,
    FeedSync,
    Vulnerability,
    VulnerabilityCwe,
)
from patchdesk.desk.advisories.services import (
    advisories_import,
    epss_import,
    feed_source_get_or_create,
    kev_import,
    vulnerabilities_import,
)
from patchdesk.desk.core.models import AuditEntry
from patchdesk.engine import versions
from patchdesk.engine.feeds.result import ParseResult, Rejection
from patchdesk.engine.model import (
    Advisory as EngineAdvisory,
)
from patchdesk.engine.model import (
    AffectedPackage as EngineAffected,
)
from patchdesk.engine.model import (
    CvssScore,
    EpssScore,
    FixStatus,
    KevEntry,
    PackageFormat,
    PackageNameKind,
    VendorSeverity,
)
from patchdesk.engine.model import (
    Vulnerability as EngineVulnerability,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def affected(package: str, fixed: str | None, *, platform: str = "almalinux:9") -> EngineAffected:
    debian = platform.startswith("debian")
    return EngineAffected(
        platform_key=platform,
        package=package,
        name_kind=PackageNameKind.SOURCE if debian else PackageNameKind.BINARY,
        version_format=PackageFormat.DPKG if debian else PackageFormat.RPM,
        status=FixStatus.FIXED if fixed else FixStatus.NO_FIX_YET,
        fixed_version=fixed,
    )


def advisory(advisory_id: str, *packages: EngineAffected, summary: str = "") -> EngineAdvisory:
    return EngineAdvisory(
        id=advisory_id,
        source="osv:almalinux",
        summary=summary or f"Important: {advisory_id}",
        published_at=T0,
        vendor_severity=VendorSeverity.HIGH,
        cve_ids=("CVE-2024-6387",),
        affected=packages,
    )


def result(*records: EngineAdvisory) -> ParseResult[EngineAdvisory]:
    return ParseResult(records=list(records))


def test_import_twice_changes_nothing_the_second_time() -> None:
    source = feed_source_get_or_create("almalinux-osv", kind="osv")
    records = result(
        advisory(
            "ALSA-2024:4312",
            affected("openssh", "8.7p1-38.el9_4.1"),
            affected("openssh-server", "8.7p1-38.el9_4.1"),
        ),
        advisory("ALSA-2024:0001", affected("curl", "7.76.1-26.el9_3.2")),
    )
    first = advisories_import(source, records, now=T0)
    assert (first.added, first.changed, first.unchanged, first.rejected) == (2, 0, 0, 0)
    assert first.status == FeedSync.Status.SUCCEEDED
    row = AffectedPackage.objects.get(package="openssh")
    assert bytes(row.fixed_key) == versions.sort_key("rpm", "8.7p1-38.el9_4.1")
    snapshot = list(Advisory.objects.values_list("pk", "updated_at", "content_hash"))

    second = advisories_import(source, records, now=T0 + timedelta(days=1))
    assert (second.added, second.changed, second.unchanged) == (0, 0, 2)
    assert list(Advisory.objects.values_list("pk", "updated_at", "content_hash")) == snapshot
    assert AffectedPackage.objects.count() == 3
    assert AuditEntry.objects.filter(action="feed.import").count() == 2


def test_a_changed_advisory_is_updated_and_keeps_its_confirmation_date() -> None:
    source = feed_source_get_or_create("almalinux-osv", kind="osv")
    advisories_import(source, result(advisory("ALSA-1", affected("curl", "1.0-1.el9"))), now=T0)
    later = T0 + timedelta(days=3)
    run = advisories_import(
        source,
        result(advisory("ALSA-1", affected("curl", "1.0-2.el9"), summary="Moderate: revised")),
        now=later,
    )
    assert (run.added, run.changed, run.unchanged) == (0, 1, 0)
    row = Advisory.objects.get(advisory_id="ALSA-1")
    assert row.summary == "Moderate: revised"
    assert row.first_seen_at == T0, "confirmed-at is when patchdesk first saw it"
    assert row.updated_at == later
    assert list(row.affected.values_list("fixed_version", flat=True)) == ["1.0-2.el9"]


def test_invalid_versions_are_rejected_duplicates_merged_and_the_rest_imports() -> None:
    source = feed_source_get_or_create("almalinux-osv", kind="osv")
    parsed = result(
        advisory(
            "ALSA-2", affected("good", "1.0-1.el9"), affected("bad", "x:1.0", platform="debian:12")
        ),
        advisory("ALSA-3", affected("curl", "1.0-1.el9")),
        advisory("ALSA-3", affected("curl", "9.9-9.el9")),
    )
    parsed.rejected.append(
        Rejection(source="osv:almalinux", record_id="line 7", reason="not valid JSON")
    )
    run = advisories_import(source, parsed, now=T0)
    assert (run.added, run.rejected) == (2, 2)
    reasons = {(r["record_id"], r["reason"].split(":")[0]) for r in run.rejections}
    assert ("line 7", "not valid JSON") in reasons
    assert any(r["record_id"] == "ALSA-2" and "bad" in r["reason"] for r in run.rejections)
    assert set(AffectedPackage.objects.values_list("package", flat=True)) == {"good", "curl"}
    # two pieces of ALSA-3 (e.g. one per release's file) are merged, neither is dropped
    curl = AffectedPackage.objects.filter(package="curl").values_list("fixed_version", flat=True)
    assert sorted(curl) == ["1.0-1.el9", "9.9-9.el9"]


def test_a_failed_import_leaves_the_previous_data_intact(monkeypatch: pytest.MonkeyPatch) -> None:
    source = feed_source_get_or_create("almalinux-osv", kind="osv")
    advisories_import(source, result(advisory("ALSA-1", affected("curl", "1.0-1.el9"))), now=T0)
    calls = {"n": 0}
    original = mappers.affected_rows

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mappers, "affected_rows", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        advisories_import(
            source,
            result(
                advisory("ALSA-1", affected("curl", "2.0-1.el9"), summary="changed"),
                advisory("ALSA-9", affected("sudo", "1.9-1.el9")),
            ),
            now=T0 + timedelta(days=1),
        )
    assert list(Advisory.objects.values_list("advisory_id", "summary")) == [
        ("ALSA-1", "Important: ALSA-1")
    ]
    assert list(AffectedPackage.objects.values_list("fixed_version", flat=True)) == ["1.0-1.el9"]
    failed = FeedSync.objects.order_by("-pk").first()
    assert failed is not None
    assert (failed.status, failed.error) == (FeedSync.Status.FAILED, "disk full")


def cve(
    source: str, cwes: tuple[str, ...], *scores: CvssScore, text: str = ""
) -> EngineVulnerability:
    return EngineVulnerability(
        cve_id="CVE-2024-6387",
        source=source,
        description=text,
        cwe_ids=cwes,
        cwe_provider="cna:redhat" if source == "cve5" else "nvd",
        cvss=scores,
    )


CNA = CvssScore(
    version="3.1",
    vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
    base_score=8.1,
    provider="cna:redhat",
)
NVD = CvssScore(
    version="3.1",
    vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
    base_score=8.1,
    provider="nvd",
)


def test_facts_from_several_sources_are_merged_per_cve() -> None:
    cve5 = feed_source_get_or_create("cve5", kind="cve5")
    nvd = feed_source_get_or_create("nvd", kind="nvd")
    vulnerabilities_import(cve5, ParseResult(records=[cve("cve5", ("CWE-364",), CNA, text="race")]))
    vulnerabilities_import(nvd, ParseResult(records=[cve("nvd", ("CWE-362",), NVD)]))
    row = Vulnerability.objects.get(cve_id="CVE-2024-6387")
    assert row.description == "race", "an empty description never overwrites a known one"
    assert row.sources == ["cve5", "nvd"]
    assert set(row.cwes.values_list("cwe_id", "provider")) == {
        ("CWE-364", "cna:redhat"),
        ("CWE-362", "nvd"),
    }
    again = vulnerabilities_import(
        cve5, ParseResult(records=[cve("cve5", ("CWE-364",), CNA, text="race")])
    )
    assert (again.added, again.changed, again.unchanged) == (0, 0, 1)
    revised = vulnerabilities_import(
        cve5, ParseResult(records=[cve("cve5", ("CWE-787",), text="revised")])
    )
    assert revised.changed == 1
    assert set(VulnerabilityCwe.objects.values_list("cwe_id", flat=True)) == {"CWE-787", "CWE-362"}
    assert list(CvssAssessment.objects.values_list("provider", flat=True)) == ["nvd"]


def test_kev_catalogue_is_complete_and_epss_scores_are_set() -> None:
    kev = feed_source_get_or_create("kev", kind="kev")
    entries = [
        KevEntry(cve_id="CVE-2024-6387", added_on=date(2024, 7, 3)),
        KevEntry(cve_id="CVE-2021-44228", added_on=date(2021, 12, 10)),
    ]
    kev_import(kev, ParseResult(records=entries))
    assert Vulnerability.objects.filter(kev_added_on__isnull=False).count() == 2
    damaged: ParseResult[KevEntry] = ParseResult(
        rejected=[Rejection(source="kev", record_id="kev.json", reason="not valid JSON")]
    )
    kev_import(kev, damaged)
    assert Vulnerability.objects.filter(kev_added_on__isnull=False).count() == 2
    partial = ParseResult(records=entries[1:], rejected=damaged.rejected)
    kev_import(kev, partial)
    assert Vulnerability.objects.get(cve_id="CVE-2024-6387").kev_added_on is not None
    kev_import(kev, ParseResult(records=entries[1:]))
    assert Vulnerability.objects.get(cve_id="CVE-2024-6387").kev_added_on is None
    epss = feed_source_get_or_create("epss", kind="epss")
    epss_import(
        epss,
        ParseResult(records=[EpssScore(cve_id="CVE-2021-44228", score=0.97, percentile=0.99)]),
    )
    assert Vulnerability.objects.get(cve_id="CVE-2021-44228").epss_score == 0.97


def test_content_hash_ignores_nothing_that_matters() -> None:
    one = advisory("ALSA-1", affected("curl", "1.0-1.el9"))
    assert mappers.content_hash(one) == mappers.content_hash(dataclasses.replace(one))
    assert mappers.content_hash(one) != mappers.content_hash(
        dataclasses.replace(one, cve_ids=("CVE-2024-0001",))
    )
