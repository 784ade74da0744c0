"""The periodic jobs of contracts and billing: declared in the settings, and doing their work."""

from __future__ import annotations

from datetime import date
from importlib import import_module

import pytest
from django.conf import settings

from patchdesk.desk.billing.models import BillingMonth
from patchdesk.desk.billing.tasks import billing_previous_month_draft, quotes_expire
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.services import contract_accept, contract_apply
from patchdesk.desk.contracts.tasks import contracts_advance, contracts_eos_warn
from patchdesk_testing.contracts import Clock, Fleet, price_table_make, user_make

pytestmark = pytest.mark.django_db

JOBS = {
    "contracts-advance": ("patchdesk.desk.contracts.tasks.contracts_advance", 3600),
    "contracts-eos-warn": ("patchdesk.desk.contracts.tasks.contracts_eos_warn", 24 * 3600),
    "quotes-expire": ("patchdesk.desk.billing.tasks.quotes_expire", 3600),
    "billing-draft": ("patchdesk.desk.billing.tasks.billing_previous_month_draft", 24 * 3600),
}


def test_the_jobs_are_scheduled_and_importable() -> None:
    declared = {name: (path, interval) for name, path, interval in settings.PATCHDESK_PERIODIC_JOBS}
    for name, (path, interval) in JOBS.items():
        assert declared[name] == (path, interval)
        module, _, attribute = path.rpartition(".")
        assert hasattr(import_module(module), attribute)


def test_jobs_advance_contracts_warn_expire_and_draft_billing(fleet: Fleet, clock: Clock) -> None:
    price_table_make()
    clock.set(2027, 1, 8, 11, 0)
    (contract,) = contract_apply(
        fleet.kaede, servers=[fleet.app2], plan="standard", actor=fleet.kaede_admin
    )
    clock.set(2027, 1, 8, 15, 0)
    contract_accept(contract, actor=user_make("ops-tanaka"))
    clock.set(2027, 1, 12, 0, 5)
    assert contracts_advance.call() == {"activate": 1, "end": 0, "failed": 0}
    assert Contract.objects.get().state == "active"
    assert contracts_eos_warn.call() == 1  # Ubuntu 22.04 ends 2027-04-01: within 90 days
    assert quotes_expire.call() == 0
    clock.set(2027, 2, 1, 3, 0)
    assert billing_previous_month_draft.call() == "generated"
    assert billing_previous_month_draft.call() == "exists"
    assert BillingMonth.objects.get().month == date(2027, 1, 1)


def test_the_billing_draft_job_reports_a_missing_price(fleet: Fleet, clock: Clock) -> None:
    clock.set(2027, 1, 8, 11, 0)
    (contract,) = contract_apply(
        fleet.kaede, servers=[fleet.app1], plan="standard", actor=fleet.kaede_admin
    )
    contract_accept(contract, actor=user_make("ops-tanaka"))
    clock.set(2027, 2, 1, 3, 0)
    assert billing_previous_month_draft.call() == "no_price_table_in_force"
    assert not BillingMonth.objects.exists()
