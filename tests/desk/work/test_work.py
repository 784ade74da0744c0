"""Step 4: work orders in business hours with the operators' capacity, standing consent,
off-hours through an accepted quote, reminders, cancellations, results and auto-close."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from patchdesk.desk.billing.services import quote_accept, quote_decline
from patchdesk.desk.cases.errors import CaseError, WindowNotOfferedError
from patchdesk.desk.cases.models import CaseEvent, FlowSettings, OutboxMessage
from patchdesk.desk.cases.services import (
    RequestChoice,
    case_quote_draft,
    case_request,
    item_problem_report,
    item_problem_resolve,
    quotes_sync,
    standing_consent_set,
    verifications_close_due,
)
from patchdesk.desk.work.errors import (
    ItemsNotSchedulableError,
    WorkOrderClosedError,
    WorkOutcomeInvalidError,
)
from patchdesk.desk.work.models import WorkOrder
from patchdesk.desk.work.services import (
    work_order_cancel,
    work_order_result_record,
    work_order_schedule,
    work_reminders_send,
)
from patchdesk_testing.contracts import Clock, client_for, jst, page
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    MEDIUM_ADVISORY,
    FlowWorld,
)
from patchdesk_testing.service_flow import announce as _announce
from patchdesk_testing.service_flow import request_countermeasure as _request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_standing_consent_books_high_in_the_next_window(flow: FlowWorld) -> None:
    standing_consent_set(flow.web1, enabled=True, actor=flow.fleet.sakura_admin)
    _announce(flow, HIGH_ADVISORY, MEDIUM_ADVISORY)
    high = flow.case(HIGH_ADVISORY, flow.fleet.sakura).items.get()
    assert (high.state, high.by_standing_consent) == ("scheduled", True)
    assert (high.requested_by, high.specification.version) == (  # type: ignore[union-attr]
        flow.fleet.sakura_admin,
        "1.0",
    )
    order = WorkOrder.objects.get(items=high)
    assert (order.starts_at, order.is_standing_consent) == (jst(2027, 1, 15, 10, 0), True)
    medium = flow.case(MEDIUM_ADVISORY, flow.fleet.sakura).items.get()
    assert medium.state == "awaiting_request"  # Medium always waits for the customer
    mail = OutboxMessage.objects.get(
        kind="announcement", recipient="sato@sakura-web.example", case=high.case
    )
    assert "事前承諾により依頼済み" in mail.subject
    assert OutboxMessage.objects.filter(kind="scheduled", case=high.case).count() == 1


def test_capacity_per_window_is_respected(flow: FlowWorld) -> None:
    FlowSettings.objects.filter(pk=1).update(capacity_per_window=1)
    _announce(flow, HIGH_ADVISORY)
    web1 = _request(flow, HIGH_ADVISORY, flow.fleet.sakura, flow.fleet.sakura_admin)
    app1 = _request(flow, HIGH_ADVISORY, flow.fleet.kaede, flow.fleet.kaede_admin)
    ten = jst(2027, 1, 15, 10, 0)
    work_order_schedule([web1], starts_at=ten, actor=flow.operator)
    for start in (ten, jst(2027, 1, 15, 11, 0)):  # the same window, or overlapping it
        with pytest.raises(WindowNotOfferedError, match="every operator is already booked"):
            work_order_schedule([app1], starts_at=start, actor=flow.operator)
    order = work_order_schedule([app1], starts_at=jst(2027, 1, 15, 12, 0), actor=flow.operator)
    assert order.operator == flow.operator
    load = page(client_for(flow.operator).get("/console/work/?day=2027-01-15"))
    assert 'data-hour="10"' in load
    assert "1 / 1" in load


def test_only_business_hours_and_one_server_per_order(flow: FlowWorld) -> None:
    _announce(flow, HIGH_ADVISORY)
    web1 = _request(flow, HIGH_ADVISORY, flow.fleet.sakura, flow.fleet.sakura_admin)
    app1 = _request(flow, HIGH_ADVISORY, flow.fleet.kaede, flow.fleet.kaede_admin)
    for start in (jst(2027, 1, 15, 17, 0), jst(2027, 1, 16, 10, 0), jst(2027, 1, 14, 9, 0)):
        with pytest.raises(WindowNotOfferedError):
            work_order_schedule([web1], starts_at=start, actor=flow.operator)
    with pytest.raises(ItemsNotSchedulableError):
        work_order_schedule([web1, app1], starts_at=jst(2027, 1, 15, 10, 0), actor=flow.operator)
    awaiting = flow.case(HIGH_ADVISORY, flow.momiji).items.get()  # not requested: never booked
    with pytest.raises(ItemsNotSchedulableError):
        work_order_schedule([awaiting], starts_at=jst(2027, 1, 15, 10, 0), actor=flow.operator)
    assert not WorkOrder.objects.exists()


def test_reminders_the_business_day_before(flow: FlowWorld, clock: Clock) -> None:
    _announce(flow, HIGH_ADVISORY)
    web1 = _request(flow, HIGH_ADVISORY, flow.fleet.sakura, flow.fleet.sakura_admin)
    app1 = _request(flow, HIGH_ADVISORY, flow.fleet.kaede, flow.fleet.kaede_admin)
    friday = work_order_schedule([web1], starts_at=jst(2027, 1, 15, 10, 0), actor=flow.operator)
    monday = work_order_schedule([app1], starts_at=jst(2027, 1, 18, 14, 0), actor=flow.operator)
    assert friday.reminder_due_at == jst(2027, 1, 14, 10, 0)  # booked after it: no reminder
    assert work_reminders_send() == 0
    clock.set(2027, 1, 15, 9, 59)
    assert work_reminders_send() == 0
    clock.set(2027, 1, 15, 10, 0)
    assert work_reminders_send() == 1
    monday.refresh_from_db()
    assert monday.reminder_sent_at == clock.now
    assert OutboxMessage.objects.filter(kind="reminder").count() == 1
    friday.refresh_from_db()
    assert friday.reminder_sent_at is None


def test_cancel_fail_reschedule_done_and_results_are_safe_to_repeat(flow: FlowWorld) -> None:
    _announce(flow, HIGH_ADVISORY)
    item = _request(flow, HIGH_ADVISORY, flow.fleet.sakura, flow.fleet.sakura_admin)
    first = work_order_schedule([item], starts_at=jst(2027, 1, 15, 10, 0), actor=flow.operator)
    work_order_cancel(first, actor=flow.operator, reason="Operator ill")
    item.refresh_from_db()
    assert item.state == "requested"
    with pytest.raises(WorkOrderClosedError):
        work_order_result_record(first, outcome="done", notes="", actor=flow.operator)
    second = work_order_schedule([item], starts_at=jst(2027, 1, 15, 13, 0), actor=flow.operator)
    with pytest.raises(WorkOutcomeInvalidError):
        work_order_result_record(second, outcome="partly", notes="", actor=flow.operator)
    work_order_result_record(
        second,
        outcome="failed",
        notes="apt lock held",
        actor=None,
        reason_code="package_manager_locked",
    )
    work_order_result_record(second, outcome="failed", notes="apt lock held", actor=None)
    item.refresh_from_db()
    assert item.state == "failed"
    assert OutboxMessage.objects.filter(kind="work_failed").count() == 1
    third = work_order_schedule([item], starts_at=jst(2027, 1, 18, 10, 0), actor=flow.operator)
    work_order_result_record(third, outcome="done", notes="Updated.", actor=flow.operator)
    work_order_result_record(third, outcome="done", notes="Updated.", actor=flow.operator)
    item.refresh_from_db()
    assert item.state == "done"
    assert CaseEvent.objects.filter(item=item, kind="work_done").count() == 1
    kinds = list(CaseEvent.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds.count("scheduled") == 3
    assert kinds.count("unscheduled") == 1


def test_verification_closes_by_itself_and_problems_reopen(flow: FlowWorld, clock: Clock) -> None:
    _announce(flow, HIGH_ADVISORY)
    web1 = _request(flow, HIGH_ADVISORY, flow.fleet.sakura, flow.fleet.sakura_admin)
    app1 = _request(flow, HIGH_ADVISORY, flow.fleet.kaede, flow.fleet.kaede_admin)
    for item, start in ((web1, jst(2027, 1, 15, 10, 0)), (app1, jst(2027, 1, 15, 13, 0))):
        order = work_order_schedule([item], starts_at=start, actor=flow.operator)
        clock.now = start
        work_order_result_record(order, outcome="done", notes="", actor=flow.operator)
    item_problem_report(app1, actor=flow.fleet.kaede_admin, text="Mail is not sent any more.")
    clock.set(2027, 1, 20, 18, 1)  # three business days after Friday
    assert verifications_close_due() == 1
    web1.refresh_from_db()
    app1.refresh_from_db()
    assert (web1.state, web1.is_auto_verified) == ("verified", True)
    web1.case.refresh_from_db()
    assert web1.case.is_closed
    assert app1.state == "problem_reported"
    item_problem_resolve(app1, actor=flow.operator, text="Postfix restarted; mail flows.")
    app1.refresh_from_db()
    assert app1.state == "verified"
    assert OutboxMessage.objects.filter(kind="resolved").count() == 1


def test_off_hours_work_is_booked_only_by_an_accepted_quote(flow: FlowWorld) -> None:
    _announce(flow, HIGH_ADVISORY)
    sakura = flow.case(HIGH_ADVISORY, flow.fleet.sakura)
    saturday = (jst(2027, 1, 16, 10, 0), jst(2027, 1, 16, 12, 0))
    (item,) = case_request(
        sakura,
        servers=None,
        actor=flow.fleet.sakura_admin,
        choice=RequestChoice(
            window_kind="off_hours",
            accept_disclaimers=True,
            off_hours_starts_at=saturday[0],
            off_hours_ends_at=saturday[1],
        ),
    )
    quote = case_quote_draft(sakura, server=flow.web1, actor=flow.operator)
    assert (quote.state, quote.work_starts_at, quote.total > 0) == ("sent", saturday[0], True)
    assert not WorkOrder.objects.exists()
    client = client_for(flow.fleet.sakura_admin, language="en")
    response = client.post(
        f"/portal/cases/{sakura.pk}/quote_accept/", {"item": item.pk}, follow=True
    )
    assert f"Quote {quote.number} accepted" in page(response)
    item.refresh_from_db()
    order = WorkOrder.objects.get(quote=quote)
    assert (item.state, order.kind, order.starts_at) == ("scheduled", "off_hours", saturday[0])
    assert quotes_sync() == 0  # already followed


def test_a_quote_answered_in_the_quotes_page_is_followed(flow: FlowWorld) -> None:
    _announce(flow, HIGH_ADVISORY)
    cases = [flow.case(HIGH_ADVISORY, c) for c in (flow.fleet.sakura, flow.fleet.kaede)]
    admins = [flow.fleet.sakura_admin, flow.fleet.kaede_admin]
    servers = [flow.web1, flow.app1]
    quotes = []
    for case, admin, server in zip(cases, admins, servers, strict=True):
        case_request(
            case,
            servers=None,
            actor=admin,
            choice=RequestChoice(
                window_kind="off_hours",
                accept_disclaimers=True,
                off_hours_starts_at=jst(2027, 1, 16, 10, 0),
                off_hours_ends_at=jst(2027, 1, 16, 11, 0),
            ),
        )
        quotes.append(case_quote_draft(case, server=server, actor=flow.operator))
    quote_accept(quotes[0], actor=flow.fleet.sakura_admin)
    quote_decline(quotes[1], actor=flow.fleet.kaede_admin, reason="Too expensive")
    assert quotes_sync() == 0  # followed at once by billing's hook; the job finds nothing
    web1, app1 = (case.items.get() for case in cases)
    assert (web1.state, app1.state, app1.quote) == ("scheduled", "awaiting_request", None)
    with pytest.raises(CaseError):
        case_quote_draft(cases[1], server=flow.app1, actor=flow.operator)  # nothing pending


def test_console_pages_for_operators_only(flow: FlowWorld) -> None:
    standing_consent_set(flow.web1, enabled=True, actor=flow.fleet.sakura_admin)
    _announce(flow, HIGH_ADVISORY)
    order = WorkOrder.objects.get()
    operator = client_for(flow.operator, language="en")
    for url in (
        "/console/work/",
        f"/console/work/{order.pk}/",
        "/console/cases/",
        "/console/review/",
        "/console/cases/outbox/",
        "/console/cases/settings/",
        f"/console/cases/{order.items.get().case_id}/",
        f"/console/cases/customers/{flow.fleet.sakura.pk}/notifications/",
        f"/console/review/announcements/{flow.announcement(HIGH_ADVISORY).pk}/",
    ):
        assert operator.get(url).status_code == 200, url
        assert client_for(flow.fleet.sakura_admin).get(url).status_code == 403, url
    response = operator.post(
        f"/console/work/{order.pk}/result/",
        {"outcome": "done", "notes": "Updated openssl."},
        follow=True,
    )
    assert "The result is recorded" in page(response)
    order.refresh_from_db()
    assert order.status == "done"
