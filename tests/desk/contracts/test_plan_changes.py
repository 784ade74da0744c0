"""Plan changes (S2): Kaede's admin upgrades app1 from Standard to the Security Update Service;
an operator accepts; the new plan takes effect on the next business day, the Standard contract
ends the day before with reason "plan changed" (no month-end rule, no minimum term)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from patchdesk.desk.contracts.errors import ContractError
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import (
    contract_history,
    contract_plan_change,
    earliest_cancellation_for,
    server_contract_on,
    server_plan_on,
)
from patchdesk.desk.contracts.services import (
    contract_accept,
    contract_apply,
    contract_cancellation_request,
    contract_plan_change_request,
    contract_reject,
    contracts_advance_due,
)
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.customers.services import contact_add
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk_testing.contracts import Clock, Fleet, contract_running, user_make

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def test_s2_upgrade_takes_effect_on_the_next_business_day(
    fleet: Fleet, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    standard = contract_running(fleet, clock)
    contact_add(fleet.kaede, name="Ito", email="ito@kaede.example", actor=None)
    operator = user_make("ops-tanaka")
    clock.set(2027, 3, 10, 9, 0)  # Wednesday
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    assert (upgrade.state, upgrade.plan, upgrade.previous_id) == (
        "applied",
        "security_update",
        standard.pk,
    )
    assert (upgrade.specification.version, upgrade.channel) == ("1.0", "portal")
    assert contract_plan_change(standard) == upgrade
    # Accepted on Friday 12 March: Monday the 15th.
    clock.set(2027, 3, 12, 17, 30)
    with django_capture_on_commit_callbacks(execute=True):
        contract_accept(upgrade, actor=operator)
    upgrade.refresh_from_db()
    standard.refresh_from_db()
    assert (upgrade.state, upgrade.start_date) == ("accepted", date(2027, 3, 15))
    # The old contract runs until the day before, with its reason, though it is no month end
    # and the minimum term does not matter.
    assert (standard.state, standard.ended_on, standard.end_reason) == (
        "active",
        date(2027, 3, 14),
        "plan_changed",
    )
    assert earliest_cancellation_for(standard, today=date(2027, 3, 12)) is None
    # Coverage and the plan on each day, before the contracts job even ran.
    for day, plan in [
        (date(2027, 3, 12), "standard"),
        (date(2027, 3, 14), "standard"),
        (date(2027, 3, 15), "security_update"),
        (date(2027, 6, 1), "security_update"),
    ]:
        assert server_plan_on(fleet.app1, on=day) == plan, day
    assert server_contract_on(fleet.app1, on=date(2027, 3, 14)) == standard
    assert server_contract_on(fleet.app1, on=date(2027, 3, 15)) == upgrade
    # The customer is told, in Japanese, with the date.
    (notice,) = mail.outbox
    assert notice.to == ["ito@kaede.example"]
    assert "2027年3月15日" in notice.body
    assert "2027年3月14日" in notice.body
    # Monday the 15th: the job activates the one and ends the other.
    clock.set(2027, 3, 15, 0, 5)
    assert contracts_advance_due() == {"activate": 1, "end": 1, "failed": 0}
    upgrade.refresh_from_db()
    standard.refresh_from_db()
    assert (upgrade.state, standard.state) == ("active", "ended")
    assert (standard.ended_on, standard.end_reason) == (date(2027, 3, 14), "plan_changed")
    assert [e.action for e in contract_history(upgrade)] == [
        "contract.plan_change_request",
        "contract.plan_change_accept",
        "contract.activate",
    ]
    assert [e.action for e in contract_history(standard)][-2:] == [
        "contract.plan_change_scheduled",
        "contract.end",
    ]
    # The minimum term counts from the start of the service, not of the new plan.
    assert earliest_cancellation_for(upgrade, today=date(2027, 3, 15)) == date(2027, 4, 30)


def test_downgrade_uses_the_same_rules(fleet: Fleet, clock: Clock) -> None:
    sus = contract_running(fleet, clock, plan="security_update")
    clock.set(2027, 2, 3, 10, 0)
    downgrade = contract_plan_change_request(sus, plan="standard", actor=fleet.kaede_admin)
    contract_accept(downgrade, actor=user_make("ops-tanaka"))
    assert server_plan_on(fleet.app1, on=date(2027, 2, 3)) == "security_update"
    assert server_plan_on(fleet.app1, on=date(2027, 2, 4)) == "standard"


def test_an_operator_records_it_for_the_customer_marked_as_such(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    operator = user_make("ops-tanaka")
    clock.set(2027, 3, 10, 9, 0)
    upgrade = contract_plan_change_request(
        standard,
        plan="security_update",
        actor=operator,
        channel="order_form",
        order_reference="FAX 2027-03-09",
    )
    assert (upgrade.channel, upgrade.applied_by, upgrade.order_reference) == (
        "order_form",
        operator,
        "FAX 2027-03-09",
    )


def test_rejection_keeps_the_old_plan_and_allows_a_new_request(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    contract_reject(upgrade, actor=user_make("ops-tanaka"), reason="Payment details missing.")
    standard.refresh_from_db()
    assert (standard.state, standard.ended_on) == ("active", None)
    assert [e.action for e in contract_history(upgrade)][-1] == "contract.plan_change_reject"
    assert server_plan_on(fleet.app1, on=date(2027, 6, 1)) == "standard"
    again = contract_plan_change_request(standard, plan="security_update", actor=fleet.kaede_admin)
    assert again.state == "applied"


def _refusal(contract: Contract, **kwargs: Any) -> ContractError:
    before = Contract.objects.count()
    with pytest.raises(ContractError) as caught:
        contract_plan_change_request(contract, **{"plan": "security_update", **kwargs})
    assert Contract.objects.count() == before
    return caught.value


def test_refusals_say_why_and_change_nothing(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    admin = fleet.kaede_admin
    clock.set(2027, 3, 10, 9, 0)
    # The same plan.
    error = _refusal(standard, plan="standard", actor=admin)
    assert error.code == "plan_unchanged"
    # A change already pending.
    contract_plan_change_request(standard, plan="security_update", actor=admin)
    error = _refusal(standard, actor=admin)
    assert error.code == "plan_change_pending"
    assert "app1" in error.message


def test_a_contract_not_in_service_cannot_change(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 8, 11, 0)
    (applied,) = contract_apply(
        fleet.kaede, servers=[fleet.app1], plan="standard", actor=fleet.kaede_admin
    )
    error = _refusal(applied, actor=fleet.kaede_admin)
    assert error.code == "plan_change_not_active"


def test_a_pending_cancellation_refuses_and_says_what_to_do(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    contract_cancellation_request(standard, cancel_on=date(2027, 4, 30), actor=fleet.kaede_admin)
    error = _refusal(standard, actor=fleet.kaede_admin)
    assert error.code == "plan_change_after_cancellation"
    assert "withdraw the cancellation" in error.message


def test_a_cancellation_is_refused_while_a_change_is_in_progress(
    fleet: Fleet, clock: Clock
) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    contract_plan_change_request(standard, plan="security_update", actor=fleet.kaede_admin)
    with pytest.raises(ContractError) as caught:
        contract_cancellation_request(
            standard, cancel_on=date(2027, 4, 30), actor=fleet.kaede_admin
        )
    assert caught.value.code == "cancellation_during_plan_change"


def test_past_vendor_end_of_support_refuses(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    SupportedPlatform.objects.filter(key="debian:12").update(
        vendor_support_ends_on=date(2027, 3, 10)
    )
    error = _refusal(standard, actor=fleet.kaede_admin)
    assert error.code == "platform_past_end_of_support"


def test_acceptance_after_the_vendor_end_of_support_is_refused(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    SupportedPlatform.objects.filter(key="debian:12").update(
        vendor_support_ends_on=date(2027, 3, 10)
    )
    with pytest.raises(ContractError) as caught:
        contract_accept(upgrade, actor=user_make("ops-tanaka"))
    assert caught.value.code == "start_after_end_of_support"
    standard.refresh_from_db()
    assert standard.ended_on is None


def test_double_submission_makes_one_request(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    key = uuid.uuid4()
    first = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin, submission_key=key
    )
    second = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin, submission_key=key
    )
    assert first == second
    assert Contract.objects.filter(previous=standard).count() == 1


def test_the_database_allows_one_change_per_contract(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    upgrade.pk = None
    upgrade.submission_key = None
    with pytest.raises(IntegrityError), transaction.atomic():
        upgrade.save()


def test_members_and_other_companies_cannot(fleet: Fleet, clock: Clock) -> None:
    standard = contract_running(fleet, clock)
    clock.set(2027, 3, 10, 9, 0)
    kaede_member = user_make("kaede-member", customer=fleet.kaede, customer_role="member")
    for actor in (fleet.sakura_admin, fleet.sakura_member, kaede_member):
        with pytest.raises(PermissionDeniedError):
            contract_plan_change_request(standard, plan="security_update", actor=actor)
    with pytest.raises(PermissionDeniedError):
        contract_plan_change_request(
            standard, plan="security_update", actor=fleet.kaede_admin, channel="order_form"
        )
    upgrade = contract_plan_change_request(
        standard, plan="security_update", actor=fleet.kaede_admin
    )
    with pytest.raises(PermissionDeniedError):
        contract_accept(upgrade, actor=fleet.kaede_admin)
