"""Applying (R10), accepting with the next business day as start (R11), rejecting (S1)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from patchdesk.desk.contracts.errors import ApplicationRefusedError, ContractError
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.selectors import contract_history
from patchdesk.desk.contracts.services import contract_accept, contract_apply, contract_reject
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.customers.services import contact_add
from patchdesk_testing.contracts import Clock, Fleet, user_make

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]


def test_s1_sakura_applies_for_two_servers_and_starts_on_tuesday(
    fleet: Fleet, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    contact_add(fleet.sakura, name="Sato", email="sato@sakura.example", actor=None)
    clock.set(2027, 1, 8, 11, 0)  # Friday
    contracts = contract_apply(
        fleet.sakura,
        servers=[fleet.web1, fleet.db1],
        plan="security_update",
        actor=fleet.sakura_admin,
    )
    assert [c.state for c in contracts] == ["applied", "applied"]
    assert {c.specification.version for c in contracts} == {"1.0"}
    assert {c.terms.version for c in contracts} == {"1.0"}

    operator = user_make("ops-tanaka")
    clock.set(2027, 1, 8, 15, 0)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = [contract_accept(c, actor=operator) for c in contracts]
    # Monday 2027-01-11 is Coming of Age Day.
    assert {c.start_date for c in accepted} == {date(2027, 1, 12)}
    assert {c.state for c in accepted} == {"accepted"}
    history = contract_history(contracts[0])
    assert [e.action for e in history] == ["contract.apply", "contract.accept"]
    assert [e.actor for e in history] == [fleet.sakura_admin, operator]
    # The contact is told, in Japanese (the default), with the start date.
    assert len(mail.outbox) == 2
    assert "2027年1月12日" in mail.outbox[0].body
    assert mail.outbox[0].to == ["sato@sakura.example"]


def test_s1_legacy1_cannot_be_applied_for_and_nothing_changes(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 8, 11, 0)
    with pytest.raises(ApplicationRefusedError) as caught:
        contract_apply(
            fleet.sakura,
            servers=[fleet.web1, fleet.legacy1],
            plan="security_update",
            actor=fleet.sakura_admin,
        )
    (reason,) = caught.value.reasons
    assert reason.code == "platform_past_end_of_support"
    with translation.override("en"):
        assert reason.message == (
            "legacy1: the vendor's support for CentOS 7 ended on June 30, 2024, so the service "
            "cannot be applied for."
        )
    with translation.override("ja"):
        assert "2024年6月30日" in reason.message
        assert "legacy1" in reason.message
    assert not Contract.objects.exists()
    assert not AuditEntry.objects.filter(action="contract.apply").exists()


def test_a_double_submission_makes_one_application(fleet: Fleet, clock: Clock) -> None:
    key = uuid.uuid4()
    first = contract_apply(
        fleet.sakura,
        servers=[fleet.web1],
        plan="standard",
        actor=fleet.sakura_admin,
        submission_key=key,
    )
    again = contract_apply(
        fleet.sakura,
        servers=[fleet.web1],
        plan="standard",
        actor=fleet.sakura_admin,
        submission_key=key,
    )
    assert [c.pk for c in again] == [c.pk for c in first]
    assert Contract.objects.count() == 1
    assert AuditEntry.objects.filter(action="contract.apply").count() == 1


def test_one_open_contract_per_server(fleet: Fleet, clock: Clock) -> None:
    contract_apply(fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin)
    with pytest.raises(ApplicationRefusedError) as caught:
        contract_apply(
            fleet.sakura, servers=[fleet.web1, fleet.db1], plan="standard", actor=fleet.sakura_admin
        )
    assert [r.code for r in caught.value.reasons] == ["already_applied"]
    assert Contract.objects.count() == 1


def test_members_and_other_customers_cannot_apply(fleet: Fleet, clock: Clock) -> None:
    with pytest.raises(PermissionDeniedError):
        contract_apply(
            fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_member
        )
    with pytest.raises(PermissionDeniedError):
        contract_apply(fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.kaede_admin)
    with pytest.raises(PermissionDeniedError):
        contract_apply(
            fleet.sakura,
            servers=[fleet.web1],
            plan="standard",
            actor=fleet.sakura_admin,
            channel="order_form",
        )
    assert not Contract.objects.exists()


def test_an_operator_enters_an_order_form(fleet: Fleet, clock: Clock) -> None:
    operator = user_make("ops-tanaka")
    (contract,) = contract_apply(
        fleet.kaede,
        servers=[fleet.app1],
        plan="standard",
        actor=operator,
        channel="order_form",
        order_reference="OF-2027-0042",
    )
    assert contract.channel == "order_form"
    assert contract.applied_by == operator
    assert contract.order_reference == "OF-2027-0042"


def test_acceptance_on_28_december_starts_on_4_january(fleet: Fleet, clock: Clock) -> None:
    clock.set(2026, 12, 28, 10, 30)
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.db1], plan="standard", actor=fleet.sakura_admin
    )
    clock.set(2026, 12, 28, 17, 45)
    assert contract_accept(contract, actor=user_make("ops-tanaka")).start_date == date(2027, 1, 4)


def test_an_acceptance_after_end_of_support_is_refused(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 3, 30, 11, 0)  # Ubuntu 22.04 ends 2027-04-01 (Thursday)
    (contract,) = contract_apply(
        fleet.kaede, servers=[fleet.app2], plan="standard", actor=fleet.kaede_admin
    )
    clock.set(2027, 4, 1, 11, 0)  # the start would be Friday 2 April
    with pytest.raises(ContractError) as caught:
        contract_accept(contract, actor=user_make("ops-tanaka"))
    assert caught.value.code == "start_after_end_of_support"
    contract.refresh_from_db()
    assert contract.state == "applied"


def test_rejection_needs_a_reason_and_frees_the_server(fleet: Fleet, clock: Clock) -> None:
    operator = user_make("ops-tanaka")
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin
    )
    with pytest.raises(Exception, match="reason"):
        contract_reject(contract, actor=operator, reason="  ")
    rejected = contract_reject(contract, actor=operator, reason="No SSH access yet")
    assert rejected.state == "rejected"
    with pytest.raises(ContractError) as caught:
        contract_accept(rejected, actor=operator)
    assert caught.value.code == "transition_not_allowed"
    # a new application is possible
    contract_apply(fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin)
    assert Contract.objects.filter(server=fleet.web1).count() == 2


def test_customers_cannot_accept(fleet: Fleet, clock: Clock) -> None:
    (contract,) = contract_apply(
        fleet.sakura, servers=[fleet.web1], plan="standard", actor=fleet.sakura_admin
    )
    with pytest.raises(PermissionDeniedError):
        contract_accept(contract, actor=fleet.sakura_admin)
