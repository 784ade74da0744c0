"""Racing double submissions make one request; two outbox jobs at once send each notice once.

The races need a database server: on PostgreSQL (``PDTEST_DATABASE=postgres``, run by
``make test``) two threads really run together. On the embedded SQLite (one writer at a time)
the same code is exercised sequentially.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from patchdesk.desk.cases.models import CaseEvent, CaseItem, OutboxMessage
from patchdesk.desk.cases.services import (
    RequestChoice,
    announcement_confirm,
    announcements_discover,
    case_request,
)
from patchdesk_testing.service_flow import HIGH_ADVISORY, FlowWorld, deliver, smtp_server

ON_POSTGRES = os.environ.get("PDTEST_DATABASE", "sqlite") == "postgres"


def _announce(flow: FlowWorld) -> None:
    announcements_discover()
    announcement = flow.announcement(HIGH_ADVISORY)
    announcement_confirm(
        announcement, actor=flow.operator, response_policy_ja="方針", response_policy_en="Policy"
    )


def _race(work: Callable[[], Any], *, threads: int = 2) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(threads)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertions
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results, errors


def _submit(flow: FlowWorld) -> list[int]:
    case = flow.case(HIGH_ADVISORY, flow.fleet.sakura)
    items = case_request(
        case,
        servers=[flow.web1],
        actor=flow.fleet.sakura_admin,
        choice=RequestChoice(accept_disclaimers=True, submission_key="double-click"),
    )
    return [item.pk for item in items]


@pytest.mark.django_db
def test_the_same_submission_twice_is_one_request(flow: FlowWorld) -> None:
    _announce(flow)
    assert _submit(flow) == _submit(flow)
    assert CaseEvent.objects.filter(kind="requested").count() == 1


if ON_POSTGRES:

    @pytest.mark.django_db(transaction=True)
    def test_two_racing_submissions_make_one_request(flow: FlowWorld) -> None:
        _announce(flow)
        results, errors = _race(lambda: _submit(flow))
        assert errors == []
        assert results[0] == results[1]
        assert CaseItem.objects.filter(state="requested").count() == 1
        assert CaseEvent.objects.filter(kind="requested").count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_two_outbox_jobs_at_once_send_each_notice_once(flow: FlowWorld) -> None:
        _announce(flow)
        with smtp_server() as smtp, smtp.settings():
            results, errors = _race(deliver, threads=3)
            assert errors == []
            assert sum(results) == 3
            assert sorted(str(m["To"]) for m in smtp.messages) == sorted(
                OutboxMessage.objects.values_list("recipient", flat=True)
            )
