"""Off-hours quotes (R4, R8) answered on the portal's quotes page, not on the case page: the
case follows in the transaction of the answer (window booked, or back to waiting for a
request), without waiting for the job ``cases-deadlines``; the job then changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection

import patchdesk.desk.cases.services.quotes as case_quotes
from patchdesk.desk.billing.models import Quote
from patchdesk.desk.billing.tasks import quotes_expire
from patchdesk.desk.cases.models import CaseEvent, CaseItem
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcements_discover,
    case_quote_draft,
    case_request,
)
from patchdesk.desk.cases.tasks import cases_deadlines
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.work.models import WorkOrder
from patchdesk_testing.contracts import Clock, client_for, jst
from patchdesk_testing.service_flow import HIGH_ADVISORY, FlowWorld

pytestmark = pytest.mark.django_db

SATURDAY = (jst(2027, 1, 16, 10, 0), jst(2027, 1, 16, 12, 0))


def _quoted(flow: FlowWorld) -> tuple[CaseItem, Quote]:
    """Sakura asks for Saturday morning for web1; the operator sends the quote."""
    announcements_discover()
    announcement_confirm(
        flow.announcement(HIGH_ADVISORY),
        actor=flow.operator,
        response_policy_ja="方針",
        response_policy_en="Policy",
    )
    case = flow.case(HIGH_ADVISORY, flow.fleet.sakura)
    (item,) = case_request(
        case,
        servers=None,
        actor=flow.fleet.sakura_admin,
        choice=RequestChoice(
            window_kind="off_hours",
            accept_disclaimers=True,
            off_hours_starts_at=SATURDAY[0],
            off_hours_ends_at=SATURDAY[1],
        ),
    )
    quote = case_quote_draft(case, server=flow.web1, actor=flow.operator)
    item.refresh_from_db()
    assert (item.state, item.quote_id, quote.state) == ("quote_pending", quote.pk, "sent")
    return item, quote


def _snapshot() -> tuple[int, int, int, list[tuple[int, str, int | None]]]:
    return (
        AuditEntry.objects.count(),
        CaseEvent.objects.count(),
        WorkOrder.objects.count(),
        list(CaseItem.objects.order_by("pk").values_list("pk", "state", "quote_id")),
    )


def _the_job_changes_nothing() -> None:
    before = _snapshot()
    assert cases_deadlines.call()["quotes"] == 0
    assert _snapshot() == before


def _quote_events(item: CaseItem) -> list[str]:
    return [
        event.params.get("state")
        for event in CaseEvent.objects.filter(item=item, kind="quote").order_by("pk")
    ]


def test_accepting_on_the_quotes_page_books_the_window_at_once(flow: FlowWorld) -> None:
    item, quote = _quoted(flow)
    client = client_for(flow.fleet.sakura_admin, language="en")
    response = client.post(f"/portal/quotes/{quote.pk}/accept/")
    assert response.status_code == 302
    item.refresh_from_db()
    quote.refresh_from_db()
    assert (quote.state, item.state) == ("accepted", "scheduled")
    order = WorkOrder.objects.get(quote=quote)
    assert (order.kind, order.starts_at, order.ends_at) == ("off_hours", *SATURDAY)
    assert list(order.items.all()) == [item]
    assert _quote_events(item) == ["sent", "accepted"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "quote.accept" in actions
    _the_job_changes_nothing()


def test_declining_on_the_quotes_page_puts_the_item_back_at_once(flow: FlowWorld) -> None:
    item, quote = _quoted(flow)
    client = client_for(flow.fleet.sakura_admin, language="en")
    response = client.post(f"/portal/quotes/{quote.pk}/decline/", {"reason": "Too expensive"})
    assert response.status_code == 302
    item.refresh_from_db()
    quote.refresh_from_db()
    assert (quote.state, item.state, item.quote_id) == ("declined", "awaiting_request", None)
    assert not WorkOrder.objects.exists()
    assert _quote_events(item) == ["sent", "declined"]
    _the_job_changes_nothing()
    # the customer may ask again until the deadline
    (again,) = case_request(
        item.case,
        servers=None,
        actor=flow.fleet.sakura_admin,
        choice=RequestChoice(accept_disclaimers=True),
    )
    assert again.state == "requested"


def test_a_quote_expired_by_the_billing_job_puts_the_item_back_at_once(
    flow: FlowWorld, clock: Clock
) -> None:
    item, quote = _quoted(flow)
    clock.set(2027, 1, 16, 10, 30)  # the quoted window has begun: too late to accept
    assert quotes_expire.call() == 1
    item.refresh_from_db()
    quote.refresh_from_db()
    assert (quote.state, item.state, item.quote_id) == ("expired", "awaiting_request", None)
    _the_job_changes_nothing()


def test_a_failed_follow_up_leaves_the_answer_and_the_job_follows_it_later(
    flow: FlowWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    item, quote = _quoted(flow)

    def broken(quote_id: int, **kwargs: object) -> bool:
        with connection.cursor() as cursor:  # a database error: PostgreSQL aborts the
            cursor.execute("SELECT * FROM no_such_table")  # transaction but for the savepoint
        return True

    monkeypatch.setattr(case_quotes, "quote_items_follow", broken)
    client = client_for(flow.fleet.sakura_admin, language="en")
    assert client.post(f"/portal/quotes/{quote.pk}/accept/").status_code == 302
    quote.refresh_from_db()
    item.refresh_from_db()
    assert (quote.state, item.state) == ("accepted", "quote_pending")  # the answer stands
    assert f"following the answer to quote={quote.pk} failed" in caplog.text
    monkeypatch.undo()
    assert cases_deadlines.call()["quotes"] == 1
    item.refresh_from_db()
    assert item.state == "scheduled"
    assert WorkOrder.objects.filter(quote=quote).count() == 1
    _the_job_changes_nothing()
