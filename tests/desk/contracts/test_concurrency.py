"""A form submitted twice at the same moment (two requests racing) makes one application.

The race itself needs a database server: on PostgreSQL (``PDTEST_DATABASE=postgres``, run by
``make test``) two threads really submit together. The embedded SQLite serialises writers
(``BEGIN IMMEDIATE``), and its in-memory test database cannot host the race, so there the
losing side of the race is reproduced deterministically: its duplicate check runs before the
winner's rows are visible and its insert hits the uniqueness constraint.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

import pytest
from django.db import connection

from patchdesk.desk.contracts.errors import ApplicationRefusedError
from patchdesk.desk.contracts.models import Contract
from patchdesk.desk.contracts.services import applications, contract_apply
from patchdesk.desk.core.models import AuditEntry
from patchdesk_testing.contracts import Fleet

ON_POSTGRES = os.environ.get("PDTEST_DATABASE", "sqlite") == "postgres"


def _apply(fleet: Fleet, key: uuid.UUID) -> list[Contract]:
    return contract_apply(
        fleet.sakura,
        servers=[fleet.web1, fleet.db1],
        plan="security_update",
        actor=fleet.sakura_admin,
        submission_key=key,
    )


@pytest.mark.django_db
def test_the_loser_of_a_race_returns_the_winners_application(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = uuid.uuid4()
    winner = _apply(fleet, key)
    real = Contract.objects
    calls = {"n": 0}

    class Blind:
        """The first lookup by submission key sees nothing, as if the winner had not committed."""

        def filter(self, *args: Any, **kwargs: Any) -> Any:
            if "submission_key" in kwargs and calls["n"] == 0:
                calls["n"] += 1
                return real.none()
            return real.filter(*args, **kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(applications.Contract, "objects", Blind())
    loser = _apply(fleet, key)
    monkeypatch.undo()
    assert sorted(c.pk for c in loser) == sorted(c.pk for c in winner)
    assert Contract.objects.count() == 2
    assert AuditEntry.objects.filter(action="contract.apply").count() == 2


@pytest.mark.django_db
def test_another_submission_for_the_same_servers_is_refused(fleet: Fleet) -> None:
    _apply(fleet, uuid.uuid4())
    with pytest.raises(ApplicationRefusedError):
        _apply(fleet, uuid.uuid4())
    assert Contract.objects.count() == 2


if ON_POSTGRES:

    @pytest.mark.django_db(transaction=True)
    def test_two_racing_submissions_make_one_application(fleet: Fleet) -> None:
        key = uuid.uuid4()
        barrier = threading.Barrier(2)
        results: list[list[int]] = []
        errors: list[BaseException] = []

        def submit() -> None:
            try:
                barrier.wait(timeout=10)
                results.append(sorted(c.pk for c in _apply(fleet, key)))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert len(results) == 2
        assert results[0] == results[1]
        assert Contract.objects.count() == 2
        assert AuditEntry.objects.filter(action="contract.apply").count() == 2
