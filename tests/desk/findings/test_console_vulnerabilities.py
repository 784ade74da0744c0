"""One vulnerability in the console: facts with their providers, the verdict with every reason,
the advisories and servers, and the operator's override (audited, applied at once)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from patchdesk.desk.advisories.services import epss_import, feed_source_get_or_create, kev_import
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.models import Classification, Finding, PolicyOverride
from patchdesk.engine.feeds.result import ParseResult
from patchdesk.engine.model import EpssScore, KevEntry
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.security import CVE_DOS, CVE_RCE, World

pytestmark = pytest.mark.django_db

URL = f"/console/vulnerabilities/{CVE_RCE}/"


@pytest.fixture
def ops(world: World) -> Client:
    return client_for(world.operator, language="en")


def _levels() -> dict[tuple[str, str], str]:
    return {
        (server, advisory): level
        for server, advisory, level in Finding.objects.values_list(
            "server__name", "advisory__advisory_id", "level"
        )
    }


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Verdict", "Reasons", "Facts", "Remote code execution", "by cna:test"]),
        ("ja", ["判定", "理由", "事実", "リモートコード実行攻撃", "提供元 cna:test"]),
    ],
)
def test_the_page_shows_the_facts_and_every_reason(
    world: World, language: str, words: list[str]
) -> None:
    source = feed_source_get_or_create("kev", kind="kev")
    kev_import(source, ParseResult(records=[KevEntry(cve_id=CVE_RCE, added_on=date(2027, 1, 13))]))
    epss = feed_source_get_or_create("epss", kind="epss")
    epss_import(
        epss,
        ParseResult(
            records=[
                EpssScore(cve_id=CVE_RCE, score=0.91, percentile=0.99, scored_on=date(2027, 1, 13))
            ]
        ),
    )
    html = page(client_for(world.operator, language=language).get(URL))
    for word in words:
        assert word in html
    assert "A heap overflow in OpenSSL." in html
    assert "CWE-787" in html
    assert "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" in html
    assert 'data-rule="rce-memory-corruption"' in html
    verdict = Classification.objects.get(cve_id=CVE_RCE)
    for reason in verdict.reasons:
        if reason["vector_element"]:
            assert reason["vector_element"] in html
    assert verdict.policy_version in html
    assert "0.910" in html
    assert "DSA-9001-1" in html
    assert html.count('<tr id="finding-') == 2  # web1 and app1


def test_an_override_needs_a_reason_and_changes_nothing_without_one(
    world: World, ops: Client
) -> None:
    response = ops.post(URL, {"action": "set", "level": "medium", "reason": "   "})
    assert response.status_code == 200
    assert "Say why: a reason is required for an override." in page(response)
    assert not PolicyOverride.objects.exists()
    assert Classification.objects.get(cve_id=CVE_RCE).level == "high"
    bad_level = ops.post(URL, {"action": "set", "level": "needs_review", "reason": "x"})
    assert "Select a valid choice." in page(bad_level)
    assert not PolicyOverride.objects.exists()


def test_an_override_reclassifies_and_updates_the_findings_at_once(
    world: World, ops: Client
) -> None:
    response = ops.post(
        URL,
        {"action": "set", "level": "medium", "reason": "Only exploitable with a debug flag"},
        follow=True,
    )
    html = page(response)
    assert f"{CVE_RCE} is now Medium by your decision." in html
    assert "Only exploitable with a debug flag" in html
    verdict = Classification.objects.get(cve_id=CVE_RCE)
    assert (verdict.level, verdict.computed_level) == ("medium", "high")
    assert _levels()[("web1", "DSA-9001-1")] == "medium"
    assert _levels()[("app1", "DSA-9001-1")] == "medium"
    entry = AuditEntry.objects.get(action="policy.override")
    assert entry.actor == world.operator
    assert entry.changes["level"] == [None, "medium"]
    # the Standard plan no longer covers it on app1
    detail = page(ops.get(f"/console/servers/{world.app1.pk}/"))
    assert detail.count('data-level="medium" data-state="open" data-coverage="not_covered"') == 2

    cleared = ops.post(URL, {"action": "clear"}, follow=True)
    assert "The override has been removed." in page(cleared)
    assert not PolicyOverride.objects.exists()
    assert Classification.objects.get(cve_id=CVE_RCE).level == "high"
    assert _levels()[("web1", "DSA-9001-1")] == "high"
    assert AuditEntry.objects.filter(action="policy.override_clear").count() == 1


def test_an_override_leaves_other_cves_alone(world: World, ops: Client) -> None:
    ops.post(URL, {"action": "set", "level": "out_of_scope", "reason": "Vendor says no"})
    assert Classification.objects.get(cve_id=CVE_DOS).level == "medium"
    assert _levels()[("web1", "DSA-9002-1")] == "medium"


def test_an_unknown_id_is_a_404(world: World, ops: Client) -> None:
    assert ops.get("/console/vulnerabilities/CVE-1999-0001/").status_code == 404
    response = ops.post("/console/vulnerabilities/CVE-1999-0001/", {"level": "high", "reason": "x"})
    assert response.status_code == 404
    assert not PolicyOverride.objects.exists()
