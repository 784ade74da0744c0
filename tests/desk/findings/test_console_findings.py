"""The console's findings: coverage per plan (R2, R11), filters, and state changes by
operators (risk accepted / not applicable with a note, reopen), each audited."""

from __future__ import annotations

import pytest
from django.test import Client

from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.models import Finding, FindingState
from patchdesk.desk.findings.selectors import finding_list, finding_rows
from patchdesk.desk.findings.services import (
    FindingNoteRequiredError,
    FindingStateChangeError,
    finding_state_set,
)
from patchdesk_testing.contracts import Clock, client_for, page
from patchdesk_testing.security import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(world: World) -> Client:
    return client_for(world.operator, language="en")


def _finding(server: str, advisory: str) -> Finding:
    return Finding.objects.get(server__name=server, advisory__advisory_id=advisory)


def test_coverage_follows_the_level_and_the_plan_on_the_confirmed_day(world: World) -> None:
    rows = {
        (row.finding.server.name, row.finding.advisory.advisory_id): row.coverage
        for row in finding_rows(finding_list(actor=world.operator))
    }
    assert rows == {
        ("web1", "DSA-9001-1"): "actionable",  # High, Security Update Service
        ("web1", "DSA-9002-1"): "actionable",  # Medium, Security Update Service
        ("web1", "DSA-9003-1"): "out_of_scope",  # local attack vector
        ("app1", "DSA-9001-1"): "actionable",  # High, Standard
        ("app1", "DSA-9002-1"): "not_covered",  # Medium, Standard
        ("app1", "DSA-9003-1"): "out_of_scope",
    }


def test_a_medium_confirmed_before_the_start_is_not_covered(world: World, clock: Clock) -> None:
    finding = _finding("web1", "DSA-9002-1")
    finding.advisory.first_seen_at = clock.set(2027, 1, 11, 12, 0)  # the day before the start
    finding.advisory.save(update_fields=["first_seen_at"])
    clock.set(2027, 1, 14, 10, 0)
    (row,) = finding_rows([_finding("web1", "DSA-9002-1")])
    assert row.coverage == "not_covered"


def test_the_vendor_end_of_support_ends_the_service(world: World) -> None:
    platform = world.web1.platform
    assert platform is not None
    platform.vendor_support_ends_on = platform.vendor_support_ends_on.replace(year=2026)
    platform.save(update_fields=["vendor_support_ends_on"])
    (row,) = finding_rows([_finding("web1", "DSA-9001-1")])
    assert row.coverage == "out_of_service"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["<h1>Findings</h1>", "Actionable", "Not covered by the plan", "Out of scope"]),
        ("ja", ["<h1>検出結果</h1>", "対応対象", "プランの対象外", "対象外"]),
    ],
)
def test_the_findings_page_renders_in_both_languages(
    world: World, language: str, words: list[str]
) -> None:
    html = page(client_for(world.operator, language=language).get("/console/findings/"))
    for word in words:
        assert word in html
    assert html.count('<tr id="finding-') == 6


def test_filters(world: World, ops: Client) -> None:
    def rows(query: str) -> set[tuple[str, str]]:
        html = page(ops.get(f"/console/findings/?{query}"))
        found = set()
        for finding in Finding.objects.select_related("server", "advisory"):
            if f'<tr id="finding-{finding.pk}"' in html:
                found.add((finding.server.name, finding.advisory.advisory_id))
        return found

    assert rows("level=high") == {("web1", "DSA-9001-1"), ("app1", "DSA-9001-1")}
    assert rows(f"customer={world.fleet.kaede.pk}") == {
        ("app1", "DSA-9001-1"),
        ("app1", "DSA-9002-1"),
        ("app1", "DSA-9003-1"),
    }
    assert rows(f"server={world.web1.pk}&level=medium") == {("web1", "DSA-9002-1")}
    assert rows("actionable=on") == {
        ("web1", "DSA-9001-1"),
        ("web1", "DSA-9002-1"),
        ("app1", "DSA-9001-1"),
    }
    assert rows("state=risk_accepted") == set()
    Finding.objects.filter(server__name="app1").update(state=FindingState.FIXED)
    assert (
        rows("page=1")
        == rows("")
        == {
            ("web1", "DSA-9001-1"),
            ("web1", "DSA-9002-1"),
            ("web1", "DSA-9003-1"),
        }
    ), "the default (open) holds on every page"
    assert len(rows("state=")) == 6, "all states on request"
    partial = page(ops.get("/console/findings/?level=high", HTTP_HX_REQUEST="true"))
    assert partial.startswith('<div id="finding-results">')


def test_state_changes_need_a_note_and_are_audited(world: World) -> None:
    finding = _finding("web1", "DSA-9002-1")
    with pytest.raises(FindingNoteRequiredError):
        finding_state_set(finding, state=FindingState.RISK_ACCEPTED, note=" ", actor=world.operator)
    finding_state_set(
        finding, state=FindingState.RISK_ACCEPTED, note="WAF rule in place", actor=world.operator
    )
    finding.refresh_from_db()
    assert (finding.state, finding.state_note) == ("risk_accepted", "WAF rule in place")
    finding_state_set(finding, state=FindingState.OPEN, note="", actor=world.operator)
    entries = AuditEntry.objects.filter(action="finding.state_set", object_id=str(finding.pk))
    assert [entry.changes["state"] for entry in entries.order_by("pk")] == [
        ["open", "risk_accepted"],
        ["risk_accepted", "open"],
    ]
    with pytest.raises(FindingStateChangeError) as refused:
        finding_state_set(finding, state=FindingState.OPEN, note="", actor=world.operator)
    assert refused.value.code == "finding_state_invalid"


def test_a_fixed_finding_cannot_be_changed_by_hand(world: World) -> None:
    finding = _finding("web1", "DSA-9001-1")
    Finding.objects.filter(pk=finding.pk).update(state=FindingState.FIXED)
    with pytest.raises(FindingStateChangeError):
        finding_state_set(
            finding, state=FindingState.NOT_APPLICABLE, note="gone", actor=world.operator
        )
    assert not AuditEntry.objects.filter(action="finding.state_set").exists()


def test_only_operators_change_states(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        finding_state_set(
            _finding("web1", "DSA-9001-1"),
            state=FindingState.NOT_APPLICABLE,
            note="not ours",
            actor=world.fleet.sakura_admin,
        )


def test_the_state_form_swaps_the_row_with_htmx(world: World, ops: Client) -> None:
    finding = _finding("app1", "DSA-9002-1")
    url = f"/console/findings/{finding.pk}/state/"
    missing = ops.post(url, {"state": "not_applicable", "note": ""}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 200
    assert "Say why: a note is required for this state." in page(missing)
    finding.refresh_from_db()
    assert finding.state == "open"
    row = ops.post(
        url, {"state": "not_applicable", "note": "zsh only, no TLS"}, HTTP_HX_REQUEST="true"
    )
    html = page(row)
    assert html.startswith(f'<tr id="finding-{finding.pk}"')
    assert 'data-state="not_applicable"' in html
    assert "zsh only, no TLS" in html
    assert "libssl3 on app1: not applicable." in html
    reopened = ops.post(url, {"state": "open", "next": "/console/findings/?level=medium"})
    assert reopened.status_code == 302
    assert reopened["Location"] == "/console/findings/?level=medium"
    finding.refresh_from_db()
    assert finding.state == "open"
    assert AuditEntry.objects.filter(action="finding.state_set").count() == 2


def test_an_invalid_transition_without_htmx_is_a_400_page(world: World, ops: Client) -> None:
    finding = _finding("app1", "DSA-9002-1")
    response = ops.post(
        f"/console/findings/{finding.pk}/state/", {"state": "open", "next": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    html = page(response)
    assert "A finding cannot go from “open” to “open”." in html
    assert "javascript:alert(1)" not in html


def test_state_change_of_an_unknown_finding_is_a_404(world: World, ops: Client) -> None:
    assert ops.post("/console/findings/999999/state/", {"state": "open"}).status_code == 404


def test_a_state_change_from_the_server_page_returns_to_it(world: World, ops: Client) -> None:
    finding = _finding("web1", "DSA-9002-1")
    server_page = page(ops.get(f"/console/servers/{world.web1.pk}/"))
    assert f'name="next" value="/console/servers/{world.web1.pk}/"' in server_page
    response = ops.post(
        f"/console/findings/{finding.pk}/state/",
        {
            "state": "risk_accepted",
            "note": "Behind the VPN",
            "next": f"/console/servers/{world.web1.pk}/",
        },
    )
    assert response["Location"] == f"/console/servers/{world.web1.pk}/"
    assert "Behind the VPN" in page(ops.get(response["Location"]))
