"""Writing services of the core app: the audit log and worker heartbeats."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from patchdesk.desk.core.models import AuditEntry, WorkerHeartbeat

if TYPE_CHECKING:
    from patchdesk.desk.accounts.models import User

__all__ = ["audit_record", "heartbeat_record", "worker_identity"]


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    message: str = "",
    actor_label: str = "",
) -> AuditEntry:
    """Record one state change. Must run inside the transaction that makes the change.

    ``actor`` is the person who acted (``None`` for the system, then ``actor_label`` names the
    component, e.g. ``"scheduler"``). ``changes`` maps a field to ``[before, after]`` or to a
    value; it must be JSON-serialisable and must never hold a secret.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record() must run inside the transaction of the change")
    label = actor_label or (actor.get_username() if actor is not None else "system")
    entry = AuditEntry(
        actor=actor,
        actor_label=label[:150],
        action=action,
        changes=dict(changes or {}),
        message=message,
    )
    if obj is not None:
        entry.object_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def worker_identity() -> str:
    """``host:pid`` of the current process, to tell workers apart."""
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def heartbeat_record(*, token: str, backend: str) -> WorkerHeartbeat:
    """Note that this worker process just executed a job (heartbeats are not audited)."""
    return WorkerHeartbeat.objects.create(token=token, worker=worker_identity(), backend=backend)
