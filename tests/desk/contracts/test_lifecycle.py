"""Activation, cancellation (S6), the end, and the end-of-support warning (R11-R13)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from patchdesk.desk.contracts.errors import ContractError
from patchdesk.desk.contracts.models import CancellationRequest, Contract
from patchdesk.desk.contracts.selectors import contract_history, server_plan_on
from patchdesk.desk.contracts.services import (
    contract_accept,
    contract_apply,
    contract_cancellation_request,
    contract_cancellation_withdraw,
    contracts_advance_due,
    contracts_eos_warn_due,
)
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.customers.services import contact_add
from patchdesk.desk.fleet.models import Server
from patchdesk.desk.platforms.services import platform_update
from patchdesk_testing.contracts import Clock, Fleet, user_make

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def started(
    fleet: Fleet, clock: Clock, *servers: Server, plan: str = "security_update"
) -> list[Contract]:
    """S1: applied Friday 2027-01-08, accepted 15:00, started Tuesday 2027-01-12."""
    operator = user_make("ops-tanaka")
    customer = servers[0].customer
    admin = fleet.sakura_admin if customer == fleet.sakura else fleet.kaede_admin
    clock.set(2027, 1, 8, 11, 0)
    contracts = contract_apply(customer, servers=list(servers), plan=plan, actor=admin)
    clock.set(2027, 1, 8, 15, 0)
    for contract in contracts:
        contract_accept(contract, actor=operator)
    clock.set(2027, 1, 12, 0, 5)
    contracts_advance_due()
    return [Contract.objects.get(pk=c.pk) for c in contracts]


def test_activation_on_the_start_date_and_not_before(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 8, 11, 0)
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin
    )
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(contract, actor=user_make("ops-tanaka"))
    clock.set(2027, 1, 11, 23, 59)
    assert contracts_advance_due() == {"activate": 0, "end": 0, "failed": 0}
    clock.set(2027, 1, 12, 0, 1)
    assert contracts_advance_due() == {"activate": 1, "end": 0, "failed": 0}
    contract.refresh_from_db()
    assert contract.state == "active"
    assert contract_history(contract).last().actor_label == "contracts job"  # type: ignore[union-attr]
    # Coverage (R11): only from the start date.
    assert server_plan_on(fleet.web1, on=date(2027, 1, 11)) is None
    assert server_plan_on(fleet.web1, on=date(2027, 1, 12)) == "standard"


def test_s6_cancellations(
    fleet: Fleet, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    contact_add(fleet.sakura, name="Sato", email="sato@sakura.example", actor=None)
    web1, db1 = started(fleet, clock, fleet.web1, fleet.db1)
    # 2027-02-15: db1 on 2027-03-31 is allowed.
    clock.set(2027, 2, 15, 10, 0)
    with django_capture_on_commit_callbacks(execute=True):
        request = contract_cancellation_request(
            db1, cancel_on=date(2027, 3, 31), actor=fleet.sakura_admin
        )
    assert request.cancel_on == date(2027, 3, 31)
    assert (request.specification.version, request.terms.version) == ("1.0", "1.0")
    db1.refresh_from_db()
    assert db1.state == "cancellation_requested"
    # the same request again (a double click) changes nothing
    again = contract_cancellation_request(
        db1, cancel_on=date(2027, 3, 31), actor=fleet.sakura_admin
    )
    assert again.pk == request.pk
    assert CancellationRequest.objects.count() == 1

    # 2027-03-05: web1 on 2027-03-31 is refused; the earliest is 2027-04-30.
    clock.set(2027, 3, 5, 10, 0)
    with pytest.raises(ContractError) as caught:
        contract_cancellation_request(web1, cancel_on=date(2027, 3, 31), actor=fleet.sakura_admin)
    assert caught.value.code == "cancellation_too_late"
    assert caught.value.params["earliest"] == date(2027, 4, 30)
    with translation.override("en"):
        assert caught.value.message == (
            "A cancellation on March 31, 2027 had to be requested by Feb. 28, 2027, the last day "
            "of the month before. The earliest possible cancellation date is April 30, 2027."
        )
    with translation.override("ja"):
        assert "2027年4月30日" in caught.value.message
    web1.refresh_from_db()
    assert web1.state == "active"

    # The end: db1's last day is 2027-03-31; from 1 April it has ended.
    clock.set(2027, 3, 31, 23, 0)
    assert contracts_advance_due()["end"] == 0
    clock.set(2027, 4, 1, 0, 5)
    assert contracts_advance_due()["end"] == 1
    db1.refresh_from_db()
    assert (db1.state, db1.ended_on, db1.end_reason) == ("ended", date(2027, 3, 31), "cancelled")
    request.refresh_from_db()
    assert request.state == "completed"
    assert server_plan_on(fleet.db1, on=date(2027, 3, 31)) == "security_update"
    assert server_plan_on(fleet.db1, on=date(2027, 4, 1)) is None
    (notice,) = mail.outbox
    assert notice.to == ["sato@sakura.example"]
    assert "2027年3月31日" in notice.body


def test_minimum_term_refusal_names_the_earliest_date(fleet: Fleet, clock: Clock) -> None:
    (web1,) = started(fleet, clock, fleet.web1)
    clock.set(2027, 1, 12, 12, 0)
    with pytest.raises(ContractError) as caught:
        contract_cancellation_request(web1, cancel_on=date(2027, 1, 31), actor=fleet.sakura_admin)
    assert caught.value.code == "cancellation_too_late"
    assert caught.value.params["earliest"] == date(2027, 2, 28)
    request = contract_cancellation_request(
        web1, cancel_on=date(2027, 2, 28), actor=fleet.sakura_admin
    )
    assert request.cancel_on == date(2027, 2, 28)


def test_a_month_end_is_required(fleet: Fleet, clock: Clock) -> None:
    (web1,) = started(fleet, clock, fleet.web1)
    clock.set(2027, 2, 15, 10, 0)
    with pytest.raises(ContractError) as caught:
        contract_cancellation_request(web1, cancel_on=date(2027, 3, 15), actor=fleet.sakura_admin)
    assert caught.value.code == "cancellation_date_not_month_end"
    assert caught.value.field == "cancel_on"


def test_members_cannot_cancel_and_only_operators_withdraw(fleet: Fleet, clock: Clock) -> None:
    (web1,) = started(fleet, clock, fleet.web1)
    clock.set(2027, 2, 15, 10, 0)
    with pytest.raises(PermissionDeniedError):
        contract_cancellation_request(web1, cancel_on=date(2027, 3, 31), actor=fleet.sakura_member)
    with pytest.raises(PermissionDeniedError):
        contract_cancellation_request(web1, cancel_on=date(2027, 3, 31), actor=fleet.kaede_admin)
    contract_cancellation_request(web1, cancel_on=date(2027, 3, 31), actor=fleet.sakura_admin)
    with pytest.raises(PermissionDeniedError):
        contract_cancellation_withdraw(web1, actor=fleet.sakura_admin)
    operator = user_make("ops-suzuki")
    withdrawn = contract_cancellation_withdraw(web1, actor=operator, reason="customer called")
    assert withdrawn.state == "active"
    assert CancellationRequest.objects.get().state == "withdrawn"
    clock.set(2027, 4, 1, 0, 5)
    assert contracts_advance_due()["end"] == 0


def test_a_cancellation_on_the_start_day_activates_first(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 8, 11, 0)
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin
    )
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(contract, actor=user_make("ops-tanaka"))
    clock.set(2027, 1, 12, 0, 1)  # the job has not run yet
    contract_cancellation_request(contract, cancel_on=date(2027, 2, 28), actor=fleet.sakura_admin)
    assert [e.action for e in contract_history(contract)] == [
        "contract.apply",
        "contract.accept",
        "contract.activate",
        "contract.cancellation_request",
    ]


def test_end_of_support_warning_and_end(
    fleet: Fleet, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    # Kaede's app2 runs Ubuntu 22.04, whose standard security support ends 2027-04-01.
    contact_add(fleet.kaede, name="Kim", email="kim@kaede.example", language="en", actor=None)
    (app2,) = started(fleet, clock, fleet.app2, plan="standard")
    clock.set(2027, 1, 12, 9, 0)  # 79 days before: inside the default 90 days
    with django_capture_on_commit_callbacks(execute=True):
        assert contracts_eos_warn_due() == 1
        assert contracts_eos_warn_due() == 0  # once
    (message,) = mail.outbox
    assert message.to == ["kim@kaede.example"]
    assert message.subject == "The service for app2 ends on April 1, 2027 (vendor end of support)"
    # A cancellation after the end is pointless and refused.
    clock.set(2027, 2, 1, 10, 0)
    with pytest.raises(ContractError) as caught:
        contract_cancellation_request(app2, cancel_on=date(2027, 4, 30), actor=fleet.kaede_admin)
    assert caught.value.code == "cancellation_after_service_end"
    clock.set(2027, 4, 2, 0, 5)
    assert contracts_advance_due()["end"] == 1
    app2.refresh_from_db()
    assert (app2.state, app2.ended_on, app2.end_reason) == (
        "ended",
        date(2027, 4, 1),
        "end_of_support",
    )


def test_a_new_end_of_support_date_is_warned_again(fleet: Fleet, clock: Clock) -> None:
    (app2,) = started(fleet, clock, fleet.app2, plan="standard")
    clock.set(2027, 1, 12, 9, 0)
    assert contracts_eos_warn_due() == 1
    operator = user_make("ops-suzuki")
    platform = fleet.app2.platform
    assert platform is not None
    platform_update(
        platform,
        vendor_support_ends_on=date(2027, 3, 31),
        is_offered=True,
        price_class="",
        actor=operator,
    )
    assert contracts_eos_warn_due() == 1
    assert app2.pk
