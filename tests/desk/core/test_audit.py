"""The audit log: written inside the change's transaction, append-only."""

from __future__ import annotations

import pytest
from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.core.services import audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_audit_entry_names_actor_object_and_changes() -> None:
    user = User.objects.create(username="ops1", role="operator")  # no customer: an operator
    with transaction.atomic():
        entry = audit_record(
            actor=user, action="user.language", obj=user, changes={"language": ["", "ja"]}
        )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_label == "ops1"
    assert stored.object_type is not None
    assert stored.object_type.model == "user"
    assert stored.object_id == str(user.pk)
    assert stored.changes == {"language": ["", "ja"]}


def test_audit_outside_a_transaction_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="x.y")
    assert AuditEntry.objects.count() == 0


def test_audit_entries_are_append_only() -> None:
    with transaction.atomic():
        entry = audit_record(actor=None, action="system.check", actor_label="scheduler")
    entry.message = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()


class _DoomedChangeError(Exception):
    pass


def _change_that_fails() -> None:
    with transaction.atomic():
        audit_record(actor=None, action="doomed.change")
        raise _DoomedChangeError


def test_a_rolled_back_change_leaves_no_audit_entry() -> None:
    with pytest.raises(_DoomedChangeError):
        _change_that_fails()
    assert not AuditEntry.objects.filter(action="doomed.change").exists()
