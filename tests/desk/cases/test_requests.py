"""Step 3 (R7, R16): requests and declines per server or for all, on the customer's behalf,
double submissions, and every refusal with its reason — nothing changes when refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.utils import translation

from patchdesk.desk.cases.errors import (
    AlreadyRequestedError,
    CaseClosedError,
    CaseError,
    DisclaimersNotAcceptedError,
    NotAffectedError,
    NotCoveredError,
    OffHoursWindowInvalidError,
    ServicePausedError,
    TooLateError,
    WindowNotOfferedError,
)
from patchdesk.desk.cases.models import Case, CaseEvent, CaseItem, FlowSettings, OutboxMessage
from patchdesk.desk.cases.services import (
    RequestChoice,
    case_decline,
    case_request,
    case_verify,
    requests_expire_due,
    server_pause,
)
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.work.selectors import window_offers
from patchdesk.desk.work.services import work_order_result_record, work_order_schedule
from patchdesk_testing.contracts import Clock, client_for, jst, page
from patchdesk_testing.service_flow import HIGH_ADVISORY, MEDIUM_ADVISORY, FlowWorld

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


OK = RequestChoice(accept_disclaimers=True)


def _states(case: Case) -> list[tuple[str, str]]:
    return [(i.server.name, i.state) for i in case.items.order_by("server__name")]


def test_medium_without_the_contract_is_refused_with_the_reason(announced: FlowWorld) -> None:
    case = announced.case(MEDIUM_ADVISORY, announced.fleet.kaede)
    for servers in ([announced.app1], None):
        with pytest.raises(NotCoveredError) as refused:
            case_request(case, servers=servers, actor=announced.fleet.kaede_admin, choice=OK)
        assert "covered only by the Security Update Service" in refused.value.message
        assert "app1 has the Standard plan" in refused.value.message
    assert _states(case) == [("app1", "not_applicable")]


def test_not_affected_and_foreign_servers_are_refused(announced: FlowWorld) -> None:
    momiji = announced.case(MEDIUM_ADVISORY, announced.momiji)
    with pytest.raises(NotAffectedError, match="mail1 does not have the affected package"):
        case_request(momiji, servers=[announced.mail1], actor=announced.momiji_admin, choice=OK)
    with pytest.raises(NotAffectedError):
        case_request(momiji, servers=[announced.web1], actor=announced.operator, choice=OK)


def test_a_double_submission_creates_one_request(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    choice = RequestChoice(accept_disclaimers=True, submission_key="form-1")
    first = case_request(case, servers=None, actor=announced.fleet.sakura_admin, choice=choice)
    again = case_request(case, servers=None, actor=announced.fleet.sakura_admin, choice=choice)
    assert [i.pk for i in first] == [i.pk for i in again]
    assert CaseEvent.objects.filter(case=case, kind="requested").count() == 1
    assert OutboxMessage.objects.filter(case=case, kind="request_received").count() == 1
    with pytest.raises(AlreadyRequestedError, match="web1 is already requested"):
        case_request(
            case,
            servers=[announced.web1],
            actor=announced.fleet.sakura_admin,
            choice=RequestChoice(accept_disclaimers=True, submission_key="form-2"),
        )
    (item,) = first
    assert (item.specification.version, item.terms.version) == ("1.0", "1.0")  # type: ignore[union-attr]
    assert (item.requested_by, item.is_on_behalf) == (announced.fleet.sakura_admin, False)


def test_late_requests_are_refused_and_unanswered_cases_close(
    announced: FlowWorld, clock: Clock
) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.kaede)
    clock.set(2027, 1, 21, 18, 1)
    with pytest.raises(TooLateError) as refused:
        case_request(case, servers=None, actor=announced.fleet.kaede_admin, choice=OK)
    assert "ended on Jan. 21, 2027, 6 p.m." in refused.value.message
    assert requests_expire_due() >= 1
    case.refresh_from_db()
    assert (_states(case), case.is_closed) == ([("app1", "not_requested")], True)
    with pytest.raises(TooLateError):
        case_request(case, servers=[announced.app1], actor=announced.fleet.kaede_admin, choice=OK)
    assert CaseEvent.objects.filter(case=case, kind="expired").count() == 1


def test_disclaimers_windows_and_off_hours_are_checked(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    admin = announced.fleet.sakura_admin
    with pytest.raises(DisclaimersNotAcceptedError):
        case_request(case, servers=None, actor=admin, choice=RequestChoice())
    with pytest.raises(OffHoursWindowInvalidError):  # entirely in business hours: no quote
        case_request(
            case,
            servers=None,
            actor=admin,
            choice=RequestChoice(
                window_kind="off_hours",
                accept_disclaimers=True,
                off_hours_starts_at=jst(2027, 1, 15, 10, 0),
                off_hours_ends_at=jst(2027, 1, 15, 12, 0),
            ),
        )
    with pytest.raises(OffHoursWindowInvalidError):  # in the past
        case_request(
            case,
            servers=None,
            actor=admin,
            choice=RequestChoice(
                window_kind="off_hours",
                accept_disclaimers=True,
                off_hours_starts_at=jst(2027, 1, 9, 10, 0),
                off_hours_ends_at=jst(2027, 1, 9, 12, 0),
            ),
        )
    with pytest.raises(WindowNotOfferedError, match="not entirely in business hours"):
        case_request(
            case,
            servers=None,
            actor=admin,
            choice=RequestChoice(accept_disclaimers=True, window_starts_at=jst(2027, 1, 15, 17, 0)),
        )
    assert _states(case) == [("web1", "awaiting_request")]


def test_a_full_window_is_refused(announced: FlowWorld) -> None:
    FlowSettings.objects.filter(pk=1).update(capacity_per_window=1)
    kaede = announced.case(HIGH_ADVISORY, announced.fleet.kaede)
    (item,) = case_request(kaede, servers=None, actor=announced.fleet.kaede_admin, choice=OK)
    first = window_offers()[0]
    work_order_schedule([item], starts_at=first.starts_at, actor=announced.operator)
    assert window_offers()[0].starts_at > first.starts_at  # no longer offered
    sakura = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    with pytest.raises(WindowNotOfferedError, match="every operator is already booked"):
        case_request(
            sakura,
            servers=None,
            actor=announced.fleet.sakura_admin,
            choice=RequestChoice(accept_disclaimers=True, window_starts_at=first.starts_at),
        )


def test_paused_service_closed_items_and_permissions(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    with pytest.raises(PermissionDeniedError):  # a member reads, the admins act
        case_request(case, servers=None, actor=announced.fleet.sakura_member, choice=OK)
    with pytest.raises(PermissionDeniedError):  # another company
        case_request(case, servers=None, actor=announced.fleet.kaede_admin, choice=OK)
    server_pause(announced.web1, reason="auth_rejected", source="test")
    with pytest.raises(ServicePausedError, match="web1 is paused"):
        case_request(case, servers=None, actor=announced.fleet.sakura_admin, choice=OK)

    kaede = announced.case(HIGH_ADVISORY, announced.fleet.kaede)
    (item,) = case_request(kaede, servers=None, actor=announced.fleet.kaede_admin, choice=OK)
    order = work_order_schedule(
        [item], starts_at=window_offers()[0].starts_at, actor=announced.operator
    )
    work_order_result_record(order, outcome="done", notes="", actor=announced.operator)
    case_verify(kaede, actor=announced.fleet.kaede_admin)
    with pytest.raises(CaseClosedError, match="app1 is closed"):
        case_request(kaede, servers=[announced.app1], actor=announced.fleet.kaede_admin, choice=OK)


def test_decline_change_of_mind_and_operator_on_behalf(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.kaede)
    case_decline(case, servers=None, actor=announced.fleet.kaede_admin, reason="Frozen system")
    assert _states(case) == [("app1", "declined")]
    case.refresh_from_db()
    assert case.is_closed
    (item,) = case_request(
        case,
        servers=None,
        actor=announced.operator,
        choice=RequestChoice(accept_disclaimers=True, received_via="Phone, 2027-01-14, Mr. Kaede"),
    )
    assert (item.state, item.is_on_behalf, item.received_via) == (
        "requested",
        True,
        "Phone, 2027-01-14, Mr. Kaede",
    )
    case.refresh_from_db()
    assert not case.is_closed


def test_off_hours_requests_wait_for_a_quote(announced: FlowWorld) -> None:
    case = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    saturday = (jst(2027, 1, 16, 10, 0), jst(2027, 1, 16, 12, 0))
    (item,) = case_request(
        case,
        servers=None,
        actor=announced.fleet.sakura_admin,
        choice=RequestChoice(
            window_kind="off_hours",
            accept_disclaimers=True,
            off_hours_starts_at=saturday[0],
            off_hours_ends_at=saturday[1],
        ),
    )
    assert (item.state, item.preferred_starts_at) == ("quote_pending", saturday[0])
    with pytest.raises(CaseError):  # no window is booked before the quote is accepted
        work_order_schedule(
            [item], starts_at=window_offers()[0].starts_at, actor=announced.operator
        )


def test_portal_refusals_are_explained_in_the_users_language(announced: FlowWorld) -> None:
    sakura = announced.case(HIGH_ADVISORY, announced.fleet.sakura)
    client = client_for(announced.fleet.sakura_admin, language="ja")
    response = client.post(
        f"/portal/cases/{sakura.pk}/request/",
        {"servers": [announced.web1.pk], "scope": "selected", "window_kind": "business"},
        follow=True,
    )
    assert "作業をご依頼の前に、免責事項をお読みのうえ同意してください。" in page(response)
    kaede = announced.case(MEDIUM_ADVISORY, announced.fleet.kaede)
    client = client_for(announced.fleet.kaede_admin, language="en")
    response = client.post(
        f"/portal/cases/{kaede.pk}/request/",
        {"scope": "all", "window_kind": "business", "accept_disclaimers": "on"},
        follow=True,
    )
    assert "Medium vulnerabilities are covered only by the Security Update Service" in page(
        response
    )
    member = client_for(announced.fleet.sakura_member)
    assert member.post(f"/portal/cases/{sakura.pk}/request/", {"scope": "all"}).status_code == 403
    assert CaseItem.objects.filter(state="requested").count() == 0


def test_portal_request_in_business_hours_records_the_choice(announced: FlowWorld) -> None:
    sakura = announced.case(MEDIUM_ADVISORY, announced.fleet.sakura)
    client = client_for(announced.fleet.sakura_admin, language="ja")
    detail = page(client.get(f"/portal/cases/{sakura.pk}/"))
    assert 'id="request-form"' in detail
    assert "仕様書 1.0" in detail
    window = window_offers()[1]
    data = {
        "servers": [announced.web1.pk],
        "scope": "selected",
        "window_kind": "business",
        "window": window.starts_at.isoformat(),
        "accept_disclaimers": "on",
        "submission_key": "portal-1",
    }
    response = client.post(f"/portal/cases/{sakura.pk}/request/", data, follow=True)
    assert "web1 の作業依頼を承りました" in page(response)
    client.post(f"/portal/cases/{sakura.pk}/request/", data)  # a double click
    item = sakura.items.get()
    assert (item.state, item.preferred_starts_at) == ("requested", window.starts_at)
    assert isinstance(item.requested_at, datetime)
    assert CaseEvent.objects.filter(case=sakura, kind="requested").count() == 1
