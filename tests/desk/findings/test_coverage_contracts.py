"""Coverage follows the contract in service today (R2, R11, R13): a Medium finding is acted on
only under a Security Update Service contract still in service that started by the day the
advisory was confirmed; a High one on any server with a contract in service. The console
findings list, the portal security page and the judge agree."""

from __future__ import annotations

from datetime import date

import pytest

from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import server_contract_on, server_plan_on
from patchdesk.desk.contracts.services import (
    contract_accept,
    contract_cancellation_request,
    contract_plan_change_request,
    contracts_advance_due,
)
from patchdesk.desk.findings.models import Finding
from patchdesk.desk.findings.selectors import (
    CoverageJudge,
    finding_list,
    finding_rows,
    server_security_get,
)
from patchdesk_testing.contracts import Clock, client_for, page
from patchdesk_testing.security import World

pytestmark = pytest.mark.django_db

HIGH, MEDIUM = "DSA-9001-1", "DSA-9002-1"


def _coverage(world: World, server: str) -> dict[str, str]:
    findings = finding_list(actor=world.operator).filter(server__name=server)
    return {
        row.finding.advisory.advisory_id: row.coverage
        for row in finding_rows(findings)
        if row.finding.advisory.advisory_id in {HIGH, MEDIUM}
    }


def _console_actionable(world: World) -> set[tuple[str, str]]:
    html = page(client_for(world.operator, language="en").get("/console/findings/?actionable=on"))
    return {
        (finding.server.name, finding.advisory.advisory_id)
        for finding in Finding.objects.select_related("server", "advisory")
        if f'<tr id="finding-{finding.pk}"' in html
    }


def _web1_contract(world: World) -> Contract:
    return Contract.objects.get(server=world.web1)


def _cancel_web1_at_february_end(world: World, clock: Clock) -> None:
    clock.set(2027, 1, 20, 10, 0)
    contract_cancellation_request(
        _web1_contract(world), cancel_on=date(2027, 2, 28), actor=world.fleet.sakura_admin
    )


def test_a_cancelled_contract_still_covers_until_its_last_day(world: World, clock: Clock) -> None:
    _cancel_web1_at_february_end(world, clock)
    clock.set(2027, 2, 28, 17, 0)
    assert _web1_contract(world).state == "cancellation_requested"
    assert _coverage(world, "web1") == {HIGH: "actionable", MEDIUM: "actionable"}
    assert {("web1", HIGH), ("web1", MEDIUM)} <= _console_actionable(world)


def test_an_ended_security_update_service_covers_nothing(world: World, clock: Clock) -> None:
    _cancel_web1_at_february_end(world, clock)
    # 1 March, before the contracts job ran: the last day has passed all the same.
    clock.set(2027, 3, 1, 0, 0)
    assert _web1_contract(world).state == "cancellation_requested"
    assert server_contract_on(world.web1, on=date(2027, 3, 1)) is None
    assert _coverage(world, "web1") == {HIGH: "no_contract", MEDIUM: "no_contract"}
    # ... and after it ended the contract.
    clock.set(2027, 3, 1, 0, 5)
    assert contracts_advance_due()["end"] == 1
    assert _web1_contract(world).state == "ended"
    assert _coverage(world, "web1") == {HIGH: "no_contract", MEDIUM: "no_contract"}
    # The plan on the day the advisory was confirmed was the Security Update Service: that is
    # not enough once the contract has ended.
    assert server_plan_on(world.web1, on=date(2027, 1, 13)) == "security_update"
    assert not {row for row in _console_actionable(world) if row[0] == "web1"}
    security = server_security_get(world.web1.pk, actor=world.operator, customer=world.fleet.sakura)
    assert security.plan is None
    assert (security.actionable, security.not_covered) == ([], [])
    html = page(
        client_for(world.fleet.sakura_admin, language="en").get("/portal/servers/security/")
    )
    web1 = html[html.index('data-server="web1"') :]
    web1 = web1[: web1.index("</section>")]
    assert 'data-level="high"' not in web1
    assert 'data-level="medium"' not in web1


def test_standard_covers_high_not_medium(world: World) -> None:
    assert _coverage(world, "app1") == {HIGH: "actionable", MEDIUM: "not_covered"}
    security = server_security_get(world.app1.pk, actor=world.operator, customer=world.fleet.kaede)
    assert [row.finding.advisory.advisory_id for row in security.actionable] == [HIGH]
    assert [row.finding.advisory.advisory_id for row in security.not_covered] == [MEDIUM]


def test_a_contract_started_after_the_confirmation_does_not_cover_the_medium(
    world: World, clock: Clock
) -> None:
    contract = _web1_contract(world)
    Contract.objects.filter(pk=contract.pk).update(start_date=date(2027, 1, 14))
    assert _coverage(world, "web1") == {HIGH: "actionable", MEDIUM: "not_covered"}
    assert ("web1", MEDIUM) not in _console_actionable(world)


def test_a_server_without_any_contract_is_not_acted_on(world: World) -> None:
    Contract.objects.filter(server=world.app1).update(state="rejected")
    judge = CoverageJudge()
    assert judge.contract_today(world.app1) is None
    assert judge.plan_today(world.app1) is None
    assert _coverage(world, "app1") == {HIGH: "no_contract", MEDIUM: "no_contract"}
    html = page(client_for(world.operator, language="en").get("/console/findings/"))
    assert "No contract in service" in html


def test_an_upgrade_covers_only_mediums_confirmed_from_its_effective_day(
    world: World, clock: Clock
) -> None:
    """S2: Kaede upgrades app1 to the Security Update Service. The Medium confirmed on the 13th
    stays not covered (R11); one confirmed on or after the effective day would be."""
    standard = Contract.objects.get(server=world.app1)
    clock.set(2027, 1, 14, 10, 0)  # Thursday
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=world.fleet.kaede_admin
    )
    contract_accept(upgrade, actor=world.operator)  # effective Friday the 15th
    assert server_plan_on(world.app1, on=date(2027, 1, 14)) == "standard"
    assert server_plan_on(world.app1, on=date(2027, 1, 15)) == "security_update"
    assert _coverage(world, "app1") == {HIGH: "actionable", MEDIUM: "not_covered"}
    clock.set(2027, 1, 15, 9, 0)  # before the contracts job: the new contract is in service
    assert server_contract_on(world.app1, on=date(2027, 1, 15)) == upgrade
    assert _coverage(world, "app1") == {HIGH: "actionable", MEDIUM: "not_covered"}
    contracts_advance_due()
    assert _coverage(world, "app1") == {HIGH: "actionable", MEDIUM: "not_covered"}
    assert ("app1", MEDIUM) not in _console_actionable(world)
    judge = CoverageJudge()
    assert judge.plan_covering(world.app1, date(2027, 1, 13)) == "standard"
    assert judge.plan_covering(world.app1, date(2027, 1, 15)) == "security_update"
