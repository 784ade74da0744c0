"""Steps 1 and 2 (R6, S2): new advisories listed for review, confirmed with the response
policy, announced per OS release to every customer running it; resends never duplicate."""

from __future__ import annotations

from datetime import date

import pytest

from patchdesk.desk.cases.choices import AnnouncementState
from patchdesk.desk.cases.errors import AnnouncementNotPendingError, AnnouncementNotSentError
from patchdesk.desk.cases.models import Announcement, Case, CaseEvent, FlowSettings, OutboxMessage
from patchdesk.desk.cases.services import (
    announcement_confirm,
    announcement_dismiss,
    announcement_resend,
    announcements_discover,
    announcements_follow_late_findings,
)
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.services import contract_cancellation_request, contracts_advance_due
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.findings.refresh import findings_refresh
from patchdesk_testing.contracts import Clock
from patchdesk_testing.fleet import scan_with
from patchdesk_testing.inventory import pkg
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    LOCAL_ADVISORY,
    MEDIUM_ADVISORY,
    FlowWorld,
)

pytestmark = pytest.mark.django_db


def _confirm(flow: FlowWorld, advisory_id: str) -> Announcement:
    announcement = flow.announcement(advisory_id)
    return announcement_confirm(
        announcement,
        actor=flow.operator,
        response_policy_ja=announcement.response_policy_ja,
        response_policy_en=announcement.response_policy_en,
    )


def test_new_high_and_medium_advisories_are_listed_for_review(flow: FlowWorld) -> None:
    listed = announcements_discover()
    assert {(a.advisory.advisory_id, a.platform_key, a.level) for a in listed} == {
        (HIGH_ADVISORY, "debian:12", "high"),
        (MEDIUM_ADVISORY, "debian:12", "medium"),
    }  # S7: the local privilege escalation is out of scope: not announced
    assert not Announcement.objects.filter(advisory__advisory_id=LOCAL_ADVISORY).exists()
    assert {a.state for a in listed} == {AnnouncementState.PENDING_REVIEW}
    medium = flow.announcement(MEDIUM_ADVISORY)
    assert "Security Update Service" in medium.response_policy_en
    assert "セキュリティアップデートサービス" in medium.response_policy_ja
    assert announcements_discover() == []  # listed once
    assert not Case.objects.exists()  # nothing announced before an operator confirms


def test_auto_confirm_per_level_announces_without_review(flow: FlowWorld) -> None:
    FlowSettings.objects.filter(pk=1).update(auto_confirm_high=True)
    announcements_discover()
    high, medium = flow.announcement(HIGH_ADVISORY), flow.announcement(MEDIUM_ADVISORY)
    assert (high.state, high.is_auto_confirmed, high.confirmed_by) == ("sent", True, None)
    assert medium.state == AnnouncementState.PENDING_REVIEW
    assert Case.objects.filter(announcement=high).count() == 3


def test_the_first_run_does_not_announce_history(flow: FlowWorld, clock: Clock) -> None:
    FlowSettings.objects.filter(pk=1).update(announce_from=None)
    assert announcements_discover() == []
    assert FlowSettings.objects.get(pk=1).announce_from == clock.now
    assert announcements_discover() == []  # the advisories were confirmed before


def test_medium_goes_to_security_update_customers_per_os_release(flow: FlowWorld) -> None:
    """S2: Sakura (web1 affected) and Momiji (mail1 not affected) are told; Kaede sees it in
    the portal only, as not covered by the Standard plan."""
    announcements_discover()
    announcement = flow.announcement(MEDIUM_ADVISORY)
    announcement_confirm(
        announcement,
        actor=flow.operator,
        response_policy_ja="中レベル: ご依頼に応じて対策します。",
        response_policy_en="Medium: we update on your request.",
    )
    announcement.refresh_from_db()
    assert announcement.state == AnnouncementState.SENT
    assert announcement.response_policy_en == "Medium: we update on your request."
    sakura = flow.case(MEDIUM_ADVISORY, flow.fleet.sakura)
    momiji = flow.case(MEDIUM_ADVISORY, flow.momiji)
    kaede = flow.case(MEDIUM_ADVISORY, flow.fleet.kaede)
    assert (sakura.delivery, momiji.delivery, kaede.delivery) == (
        "announce",
        "announce",
        "portal_only",
    )
    assert [(i.server.name, i.state, i.is_affected) for i in sakura.items.all()] == [
        ("web1", "awaiting_request", True)
    ]
    assert [(i.server.name, i.state) for i in momiji.items.all()] == [("mail1", "not_applicable")]
    assert momiji.is_closed  # S3: nothing affected, the case closes as not applicable
    assert [(i.server.name, i.state, i.is_affected) for i in kaede.items.all()] == [
        ("app1", "not_applicable", True)
    ]
    mails = set(OutboxMessage.objects.filter(channel="email").values_list("recipient", flat=True))
    assert mails == {"sato@sakura-web.example", "mia@momiji.example"}  # not Kaede
    assert CaseEvent.objects.filter(case=sakura, kind="announced").count() == 1
    # 2027-01-14 + 5 business days = Thursday 21st, 18:00 in Tokyo
    assert sakura.request_deadline_at.isoformat() == "2027-01-21T09:00:00+00:00"
    assert AuditEntry.objects.filter(action="announcement.confirm").count() == 1


def test_high_goes_to_every_customer_on_the_release(flow: FlowWorld) -> None:
    announcements_discover()
    _confirm(flow, HIGH_ADVISORY)
    cases = Case.objects.filter(announcement=flow.announcement(HIGH_ADVISORY))
    assert {(c.customer.code, c.delivery) for c in cases} == {
        ("sakura-web", "announce"),
        ("kaede-trading", "announce"),
        ("momiji-clinic", "announce"),
    }
    kaede = flow.case(HIGH_ADVISORY, flow.fleet.kaede)
    assert [(i.server.name, i.state) for i in kaede.items.all()] == [("app1", "awaiting_request")]


def test_resend_never_duplicates_and_reaches_new_contacts(flow: FlowWorld) -> None:
    announcements_discover()
    announcement = _confirm(flow, HIGH_ADVISORY)
    before = OutboxMessage.objects.count()
    announcement_resend(announcement, actor=flow.operator)
    assert OutboxMessage.objects.count() == before
    flow.momiji.contacts.create(name="Night desk", email="night@momiji.example", language="en")
    announcement_resend(announcement, actor=flow.operator)
    assert OutboxMessage.objects.count() == before + 1
    assert OutboxMessage.objects.filter(recipient="night@momiji.example").count() == 1
    assert Case.objects.filter(announcement=announcement).count() == 3


def test_confirming_twice_dismissing_and_customers_are_refused(flow: FlowWorld) -> None:
    announcements_discover()
    _confirm(flow, HIGH_ADVISORY)
    with pytest.raises(AnnouncementNotPendingError):
        _confirm(flow, HIGH_ADVISORY)
    medium = flow.announcement(MEDIUM_ADVISORY)
    with pytest.raises(AnnouncementNotSentError):
        announcement_resend(medium, actor=flow.operator)
    with pytest.raises(PermissionDeniedError):
        announcement_confirm(
            medium,
            actor=flow.fleet.sakura_admin,
            response_policy_ja="x",
            response_policy_en="x",
        )
    announcement_dismiss(medium, actor=flow.operator, reason="Not a package we update")
    medium.refresh_from_db()
    assert (medium.state, medium.dismissed_reason) == ("dismissed", "Not a package we update")
    assert not Case.objects.filter(announcement=medium).exists()


def test_a_server_whose_contract_ended_is_no_longer_announced_to(
    flow: FlowWorld, clock: Clock
) -> None:
    """Coverage is the same for announcements as for findings: Sakura's Security Update
    Service for web1 (its only Debian 12 server) ended before the advisories are announced, so
    Sakura gets no case for them at all, while Momiji (in service) and Kaede still do."""
    contract = Contract.objects.get(server=flow.web1)
    clock.set(2027, 1, 20, 10, 0)
    contract_cancellation_request(
        contract, cancel_on=date(2027, 2, 28), actor=flow.fleet.sakura_admin
    )
    clock.set(2027, 3, 1, 10, 0)
    assert contracts_advance_due()["end"] == 1
    announcements_discover()
    for advisory_id in (MEDIUM_ADVISORY, HIGH_ADVISORY):
        _confirm(flow, advisory_id)
        cases = Case.objects.filter(announcement=flow.announcement(advisory_id))
        assert {c.customer.code for c in cases} == {"kaede-trading", "momiji-clinic"}
    assert flow.case(MEDIUM_ADVISORY, flow.fleet.kaede).delivery == "portal_only"
    app1 = flow.case(HIGH_ADVISORY, flow.fleet.kaede).items.get()
    assert (app1.is_actionable, app1.state) == (True, "awaiting_request")


def test_a_server_found_affected_later_gets_its_countermeasure_and_one_notice(
    flow: FlowWorld, clock: Clock
) -> None:
    """S3, later: Momiji's mail1 lacked OpenSSL when the High advisory was announced (the case
    closed as not applicable); a week later a scan finds libssl3 on it. The periodic job opens
    the countermeasure for request, reopens the case with fresh time to answer and tells
    Momiji once."""
    announcements_discover()
    _confirm(flow, HIGH_ADVISORY)
    case = flow.case(HIGH_ADVISORY, flow.momiji)
    assert case.is_closed
    assert announcements_follow_late_findings() == 0
    clock.set(2027, 1, 21, 11, 0)
    scan_with(flow.mail1, pkg("libssl3", "3.0.11-1~deb12u1", source="openssl"))
    findings_refresh()
    assert announcements_follow_late_findings() == 1
    case.refresh_from_db()
    item = case.items.get()
    assert (item.state, item.is_affected, item.is_actionable) == ("awaiting_request", True, True)
    assert not case.is_closed
    assert case.request_deadline_at.isoformat() == "2027-01-28T09:00:00+00:00"  # 5 business days
    assert CaseEvent.objects.filter(case=case, kind="became_affected").count() == 1
    notices = OutboxMessage.objects.filter(case=case, channel="email")
    assert notices.count() == 2  # the announcement, then once more for mail1
    assert announcements_follow_late_findings() == 0
    announcement_resend(flow.announcement(HIGH_ADVISORY), actor=flow.operator)
    assert OutboxMessage.objects.filter(case=case, channel="email").count() == 2
