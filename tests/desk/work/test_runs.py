"""Step 4 by the remediation engine: when a run may start, what is recorded when the engine
refuses or fails (no SSH here: a transport that rejects the login, or none at all), the
per-countermeasure outcome of a partial result, a run lost with its worker, and the console.

The real update over SSH on real hosts is in ``test_runs_testbed.py``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from patchdesk.desk.cases.errors import ServicePausedError
from patchdesk.desk.cases.models import CaseEvent, CaseItem, OutboxMessage
from patchdesk.desk.cases.services import server_pause, standing_consent_set
from patchdesk.desk.core.errors import PermissionDeniedError
from patchdesk.desk.findings.models import Finding
from patchdesk.desk.fleet.models import AuthMethod, ElevationChoice, Scan
from patchdesk.desk.fleet.services import credential_set
from patchdesk.desk.work import remediation
from patchdesk.desk.work.errors import (
    WorkOrderClosedError,
    WorkRunActiveError,
    WorkWindowNotOpenError,
)
from patchdesk.desk.work.models import WorkOrder, WorkRun
from patchdesk.desk.work.remediation import work_runs_execute, work_runs_recover
from patchdesk.desk.work.run_prepare import PreparedRun, prepare_run
from patchdesk.desk.work.run_record import record_run
from patchdesk.desk.work.services import (
    work_order_result_record,
    work_order_schedule,
    work_run_request,
)
from patchdesk.desk.work.services.runs import standing_consent_runs_queue
from patchdesk.engine.model.work import (
    ItemOutcome,
    ItemResult,
    PackageChange,
    RequestedItem,
    WorkIssue,
    WorkReason,
    WorkResult,
    WorkStatus,
)
from patchdesk.engine.transport import AuthenticationRejectedError, Transport
from patchdesk_testing.contracts import Clock, client_for, jst, page
from patchdesk_testing.service_flow import (
    HIGH_ADVISORY,
    MEDIUM_ADVISORY,
    FlowWorld,
    announce,
    request_countermeasure,
)

pytestmark = pytest.mark.django_db

SECRET = "s3cret-login-password"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _order(flow: FlowWorld, *advisory_ids: str) -> WorkOrder:
    """web1's countermeasures for ``advisory_ids``, booked Friday 2027-01-15 10:00-12:00."""
    announce(flow, *advisory_ids)
    items = [
        request_countermeasure(flow, advisory_id, flow.fleet.sakura, flow.fleet.sakura_admin)
        for advisory_id in advisory_ids
    ]
    return work_order_schedule(items, starts_at=jst(2027, 1, 15, 10, 0), actor=flow.operator)


def _login(flow: FlowWorld) -> None:
    credential_set(
        flow.web1,
        username="deploy",
        auth_method=AuthMethod.PASSWORD,
        secret=SECRET,
        elevation=ElevationChoice.SUDO_PASSWORD,
        sudo_password=SECRET,
        actor=flow.operator,
    )


def _claimed(
    flow: FlowWorld, clock: Clock, *advisory_ids: str
) -> tuple[WorkOrder, WorkRun, PreparedRun]:
    """web1's order for ``advisory_ids`` in its window, its run queued, claimed and prepared
    (as the job would, before the engine runs)."""
    order = _order(flow, *advisory_ids)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)
    (claimed,) = remediation._claim(None, clock.now)
    return order, run, prepare_run(claimed)


def _engine_result(
    clock: Clock, status: WorkStatus, *items: ItemResult, **fields: Any
) -> WorkResult:
    """What the engine would return for web1, 42 s of work."""
    return WorkResult(
        target="ssh://deploy@web1.example.jp:22",
        hostname="web1",
        status=status,
        started_at=clock.now,
        finished_at=clock.now + timedelta(seconds=42),
        items=items,
        is_changed=True,
        apply_started=True,
        **fields,
    )


@asynccontextmanager
async def _rejecting(target: object) -> AsyncIterator[Transport]:
    raise AuthenticationRejectedError(f"deploy@web1: password {SECRET} rejected")
    yield  # pragma: no cover


def test_a_run_starts_only_inside_the_window_of_an_active_order(
    flow: FlowWorld, clock: Clock
) -> None:
    order = _order(flow, HIGH_ADVISORY)
    with pytest.raises(WorkWindowNotOpenError, match="can run only inside it"):
        work_run_request(order, actor=flow.operator, enqueue=False)
    with pytest.raises(PermissionDeniedError):
        work_run_request(order, actor=flow.fleet.sakura_admin, enqueue=False)
    clock.set(2027, 1, 15, 12, 0)  # the window's end
    with pytest.raises(WorkWindowNotOpenError):
        work_run_request(order, actor=flow.operator, enqueue=False)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)
    order.refresh_from_db()
    assert (run.status, order.status) == ("queued", "in_progress")
    assert order.items.get().state == "in_progress"
    assert run.restart_services == ["*"]
    with pytest.raises(WorkRunActiveError):
        work_run_request(order, actor=flow.operator, enqueue=False)
    work_order_result_record(order, outcome="done", notes="by hand", actor=flow.operator)
    with pytest.raises(WorkOrderClosedError):
        work_run_request(order, actor=flow.operator, enqueue=False)


def test_a_paused_service_is_never_worked_on(flow: FlowWorld, clock: Clock) -> None:
    order = _order(flow, HIGH_ADVISORY)
    server_pause(flow.web1, reason="auth_rejected", source="scanner")
    clock.set(2027, 1, 15, 10, 30)
    with pytest.raises(ServicePausedError):
        work_run_request(order, actor=flow.operator, enqueue=False)
    assert not WorkRun.objects.exists()


def test_no_credentials_refuses_the_run_and_the_countermeasure_goes_back(
    flow: FlowWorld, clock: Clock
) -> None:
    order = _order(flow, HIGH_ADVISORY)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)
    scans = Scan.objects.count()
    (done,) = work_runs_execute()
    assert done.pk == run.pk
    run.refresh_from_db()
    order.refresh_from_db()
    assert (run.status, run.reason_code) == ("refused", "no_credentials")
    assert (order.status, order.reason_code) == ("failed", "no_credentials")
    assert order.items.get().state == "failed"
    # in the customer's language (Sakura reads Japanese)
    assert order.result_notes == "このサーバーの認証情報が登録されていません。"
    assert OutboxMessage.objects.filter(kind="work_failed").count() == 1
    assert Scan.objects.count() == scans  # nothing ran: no rescan
    assert work_runs_execute() == []  # each queued run is taken once


def test_rejected_credentials_refuse_the_run_pause_the_service_and_leak_nothing(
    flow: FlowWorld, clock: Clock
) -> None:
    _login(flow)
    order = _order(flow, HIGH_ADVISORY)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)
    work_runs_execute(connect=_rejecting)
    run.refresh_from_db()
    order.refresh_from_db()
    assert (run.status, run.reason_code) == ("refused", "auth_rejected")
    assert order.status == "failed"
    assert flow.web1.service_state.is_paused  # R14: both sides are told
    assert OutboxMessage.objects.filter(kind="paused").exists()
    record = gzip.decompress(bytes(run.document)).decode()
    assert json.loads(record)["result"]["status"] == "refused"
    stored = record + json.dumps(run.issues) + order.result_notes
    assert SECRET not in stored
    assert "rejected" in run.issues[0]["message"]


def test_each_countermeasure_follows_its_own_verified_fix(flow: FlowWorld, clock: Clock) -> None:
    """One order, two advisories on web1: the rescan verifies the High one fixed and not the
    Medium one: the order is partly done, the High countermeasure waits for the customer's
    verification and the Medium one goes back to be scheduled; each case hears its own."""
    order, run, prepared = _claimed(flow, clock, HIGH_ADVISORY, MEDIUM_ADVISORY)
    assert prepared.refusal == ("no_credentials", "web1: no credentials on file")
    high = CaseItem.objects.get(case=flow.case(HIGH_ADVISORY, flow.fleet.sakura))
    medium = CaseItem.objects.get(case=flow.case(MEDIUM_ADVISORY, flow.fleet.sakura))
    findings = {f.advisory.advisory_id: f for f in Finding.objects.filter(server=flow.web1)}
    assert set(prepared.requests) == {high.pk, medium.pk}
    assert prepared.requests[high.pk] == [f"{high.pk}:{findings[HIGH_ADVISORY].pk}"]

    def item(case_item: CaseItem, outcome: ItemOutcome, after: str) -> ItemResult:
        finding = findings[case_item.case.announcement.advisory.advisory_id]
        request = RequestedItem(
            package=finding.package,
            min_version=finding.fixed_version,
            item_id=f"{case_item.pk}:{finding.pk}",
        )
        return ItemResult(request=request, outcome=outcome, version_after=after)

    result = _engine_result(
        clock,
        WorkStatus.PARTIAL,
        item(high, ItemOutcome.FIXED, "3.0.11-1~deb12u2"),
        item(medium, ItemOutcome.NOT_FIXED, "3.0.11-1~deb12u2"),
        issues=(WorkIssue(code=WorkReason.NOT_FIXED, message="openssl below 3.0.13-1~deb12u1"),),
        changes=(
            PackageChange(
                name="libssl3",
                arch="amd64",
                before="3.0.11-1~deb12u1",
                after="3.0.11-1~deb12u2",
                is_expected=True,
            ),
        ),
        reboot_required=False,
    )
    record_run(prepared, result, clock.now)
    run.refresh_from_db()
    order.refresh_from_db()
    high.refresh_from_db()
    medium.refresh_from_db()
    assert (run.status, run.reason_code) == ("partial", "not_fixed")
    assert run.summary["changes"][0]["after"] == "3.0.11-1~deb12u2"
    assert order.status == "partial"
    assert (high.state, medium.state) == ("done", "failed")
    assert high.verification_deadline_at is not None
    assert order.result_notes.splitlines() == [
        "更新しました: libssl3 3.0.11-1~deb12u1 → 3.0.11-1~deb12u2",
        "再スキャンの結果、依頼された修正の一部が適用されていません。",
    ]
    sent = set(OutboxMessage.objects.values_list("case", "kind"))
    assert {(high.case_id, "work_done"), (medium.case_id, "work_failed")} <= sent
    assert {(high.case_id, "work_failed"), (medium.case_id, "work_done")}.isdisjoint(sent)
    assert CaseEvent.objects.filter(item=high, kind="work_done").count() == 1


def test_a_kernel_fix_waiting_for_a_reboot_is_done_and_the_notes_say_so(
    flow: FlowWorld, clock: Clock
) -> None:
    """The engine's ``fixed_pending_reboot`` (a fixed kernel installed, not yet running) counts
    as done; the notes tell the customer a reboot is required."""
    order, run, prepared = _claimed(flow, clock, HIGH_ADVISORY)
    high = CaseItem.objects.get(case=flow.case(HIGH_ADVISORY, flow.fleet.sakura))
    finding = Finding.objects.get(server=flow.web1, advisory__advisory_id=HIGH_ADVISORY)
    request = RequestedItem(
        package=finding.package,
        min_version=finding.fixed_version,
        item_id=f"{high.pk}:{finding.pk}",
    )
    result = _engine_result(
        clock,
        WorkStatus.DONE,
        ItemResult(request=request, outcome=ItemOutcome.FIXED_PENDING_REBOOT),
        reboot_required=True,
    )
    record_run(prepared, result, clock.now)
    run.refresh_from_db()
    order.refresh_from_db()
    high.refresh_from_db()
    assert run.status == "done"
    assert (order.status, high.state) == ("done", "done")
    assert "更新を完了するにはサーバーの再起動が必要です。" in order.result_notes.splitlines()


def test_a_run_lost_with_its_worker_is_recorded_as_failed(flow: FlowWorld, clock: Clock) -> None:
    order = _order(flow, HIGH_ADVISORY)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)
    remediation._claim(None, clock.now)  # the worker took it, then died
    assert work_runs_recover(now=clock.now + timedelta(hours=1)) == 0
    assert work_runs_recover(now=clock.now + remediation.RUN_STALE_AFTER + timedelta(1)) == 1
    run.refresh_from_db()
    order.refresh_from_db()
    assert (run.status, run.reason_code) == ("failed", "worker_lost")
    assert (order.status, order.items.get().state) == ("failed", "failed")


def test_console_run_form_progress_and_record(flow: FlowWorld, clock: Clock) -> None:
    _login(flow)
    order = _order(flow, HIGH_ADVISORY)
    operator = client_for(flow.operator, language="en")
    assert "window open now" not in page(operator.get("/console/work/?day=2027-01-15"))
    clock.set(2027, 1, 15, 10, 30)
    listing = page(operator.get("/console/work/?day=2027-01-15"))
    assert "1 work order has its window open now." in listing
    detail = page(operator.get(f"/console/work/{order.pk}/"))
    assert "Run the update now" in detail
    response = operator.post(
        f"/console/work/{order.pk}/run/",
        {"restart": "listed", "services": "apache2, postfix"},
        follow=True,
    )
    assert "The update is queued" in page(response)
    run = WorkRun.objects.get()
    assert (run.restart_services, run.allow_reboot) == (["apache2", "postfix"], False)
    polling = operator.get(f"/console/work/{order.pk}/runs/?polling=1")
    assert 'hx-trigger="every 2s"' in page(polling)
    assert "HX-Refresh" not in polling
    assert "Run the update now" not in page(operator.get(f"/console/work/{order.pk}/"))
    bad = operator.post(
        f"/console/work/{order.pk}/run/", {"restart": "listed", "services": "a;rm -rf /"}
    )
    assert bad.status_code == 302
    assert WorkRun.objects.count() == 1
    work_runs_execute(connect=_rejecting)
    ended = operator.get(f"/console/work/{order.pk}/runs/?polling=1")
    assert ended["HX-Refresh"] == "true"
    record = page(operator.get(f"/console/work/runs/{run.pk}/"))
    assert "auth_rejected" in record
    assert "The server rejected our credentials" in record
    assert SECRET not in record
    customer = client_for(flow.fleet.sakura_admin)
    for url in (f"/console/work/runs/{run.pk}/", f"/console/work/{order.pk}/runs/"):
        assert customer.get(url).status_code == 403
    assert customer.post(f"/console/work/{order.pk}/run/", {"restart": "all"}).status_code == 403


def test_run_due_queues_every_order_whose_window_is_open(flow: FlowWorld, clock: Clock) -> None:
    order = _order(flow, HIGH_ADVISORY)
    operator = client_for(flow.operator, language="en")
    response = operator.post("/console/work/run-due/", follow=True)
    assert "No work order has its window open now." in page(response)
    clock.set(2027, 1, 15, 11, 0)
    response = operator.post("/console/work/run-due/", follow=True)
    assert "1 work orders queued." in page(response)
    assert WorkRun.objects.get().order == order


def test_standing_consent_orders_start_by_themselves_when_the_window_opens(
    flow: FlowWorld, clock: Clock
) -> None:
    standing_consent_set(flow.web1, enabled=True, actor=flow.fleet.sakura_admin)
    announce(flow, HIGH_ADVISORY)
    order = WorkOrder.objects.get(is_standing_consent=True)
    manual = _order(flow, MEDIUM_ADVISORY)  # booked by an operator: never started alone
    clock.now = order.starts_at - timedelta(minutes=1)
    assert standing_consent_runs_queue() == []
    clock.now = max(order.starts_at, manual.starts_at) + timedelta(minutes=1)
    assert clock.now < min(order.ends_at, manual.ends_at)  # both windows are open
    (run,) = standing_consent_runs_queue()
    assert (run.order, run.requested_by, run.restart_services) == (order, None, ["*"])
    assert standing_consent_runs_queue() == []  # queued once
    assert not WorkRun.objects.filter(order=manual).exists()


def test_a_defect_while_preparing_ends_only_that_run(
    flow: FlowWorld, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _login(flow)
    order = _order(flow, HIGH_ADVISORY)
    clock.set(2027, 1, 15, 10, 30)
    run = work_run_request(order, actor=flow.operator, enqueue=False)

    def broken(token: object) -> str:
        raise ValueError("no key decrypts this secret")

    monkeypatch.setattr("patchdesk.desk.fleet.mappers.secret_decrypt", broken)
    work_runs_execute(connect=_rejecting)
    run.refresh_from_db()
    order.refresh_from_db()
    assert (run.status, run.reason_code) == ("refused", "internal_error")
    assert run.issues[0]["message"] == "preparing the run: ValueError"
    assert (order.status, order.items.get().state) == ("failed", "failed")
