"""Per-server service state: the customer's standing consent (R7) and the pause while the
provider cannot log in (R14), with the portal's credential and passphrase updates (R13)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from patchdesk.desk.accounts.models import User
from patchdesk.desk.cases.choices import EventKind, PauseReason
from patchdesk.desk.cases.common import event_add, now_or, service_state_get
from patchdesk.desk.cases.models import CaseItem, ServerServiceState
from patchdesk.desk.cases.notices import notify_customer, notify_operators
from patchdesk.desk.contracts.services._common import check_may_act_for
from patchdesk.desk.core.services import audit_record
from patchdesk.desk.fleet.models import AuthMethod, Credential, ElevationChoice, Server
from patchdesk.desk.fleet.services import credential_set, scan_queue, tls_passphrase_set
from patchdesk.engine.workflow.states import CLOSED_STATES

__all__ = [
    "server_credentials_update",
    "server_passphrase_update",
    "server_pause",
    "server_resume",
    "standing_consent_set",
]


@transaction.atomic
def standing_consent_set(
    server: Server, *, enabled: bool, actor: User, now: datetime | None = None
) -> ServerServiceState:
    """ "Apply High automatically in the next business-hours window" for this server."""
    check_may_act_for(actor, server.customer)
    state = service_state_get(server, lock=True)
    if state.standing_consent == enabled:
        return state
    before = state.standing_consent
    state.standing_consent = enabled
    state.consent_set_at, state.consent_set_by = now_or(now), actor
    state.save()
    audit_record(
        actor=actor,
        action="server.standing_consent",
        obj=server,
        changes={"standing_consent": [before, enabled]},
    )
    return state


def _open_items(server: Server) -> list[CaseItem]:
    return list(
        CaseItem.objects.filter(server=server)
        .exclude(state__in=[s.value for s in CLOSED_STATES])
        .select_related("case")
    )


@transaction.atomic
def server_pause(server: Server, *, reason: str, source: str, now: datetime | None = None) -> bool:
    """Pause the service (no request, no work) and tell both sides; False if already paused."""
    state = service_state_get(server, lock=True)
    if state.is_paused:
        return False
    now = now_or(now)
    state.paused_at, state.pause_reason = now, reason
    state.save()
    audit_record(
        actor=None,
        actor_label=source,
        action="server.service_pause",
        obj=server,
        changes={"paused": [False, True], "reason": reason},
    )
    for item in _open_items(server):
        event_add(
            item.case,
            kind=EventKind.SERVICE,
            actor=None,
            actor_label=source,
            item=item,
            params={"server": server.name, "paused": True, "reason": reason},
            now=now,
        )
    context = {"event": "paused", "server": server, "reason": PauseReason(reason).label}
    key = f"paused:{server.pk}:{now.timestamp():.0f}"
    notify_customer(server.customer, template="customer_notice", key=key, context=context, now=now)
    notify_operators(
        event="paused", key=f"ops-{key}", context=context, customer=server.customer, now=now
    )
    return True


@transaction.atomic
def server_resume(
    server: Server, *, actor: User | None, source: str, now: datetime | None = None
) -> bool:
    """Lift the pause (we can log in again, or an operator decided); False if not paused.
    Standing-consent items that waited are booked now."""
    state = service_state_get(server, lock=True)
    if not state.is_paused:
        return False
    now = now_or(now)
    since = state.paused_at
    state.paused_at, state.pause_reason, state.resumed_at = None, "", now
    state.save()
    audit_record(
        actor=actor,
        actor_label="" if actor else source,
        action="server.service_resume",
        obj=server,
        changes={"paused": [True, False], "since": since.isoformat() if since else ""},
    )
    for item in _open_items(server):
        event_add(
            item.case,
            kind=EventKind.SERVICE,
            actor=actor,
            actor_label="" if actor else source,
            item=item,
            params={"server": server.name, "paused": False},
            now=now,
        )
    context = {"event": "resumed", "server": server}
    key = f"resumed:{server.pk}:{now.timestamp():.0f}"
    notify_customer(server.customer, template="customer_notice", key=key, context=context, now=now)
    if state.standing_consent:
        from patchdesk.desk.work.services import standing_consent_book_waiting

        standing_consent_book_waiting(server, now=now)
    return True


@transaction.atomic
def server_credentials_update(
    server: Server,
    *,
    actor: User,
    username: str,
    auth_method: AuthMethod,
    secret: str,
    elevation: ElevationChoice,
    key_passphrase: str = "",
    sudo_password: str = "",
    jump_host: str = "",
    now: datetime | None = None,
) -> Credential:
    """The customer tells us a changed password or key (R14): stored encrypted, a scan checks
    it at once, and the pause (if any) lifts when that scan logs in."""
    check_may_act_for(actor, server.customer)
    credential = credential_set(
        server,
        username=username,
        auth_method=auth_method,
        secret=secret,
        elevation=elevation,
        key_passphrase=key_passphrase,
        sudo_password=sudo_password,
        jump_host=jump_host,
        actor=actor,
    )
    scan_queue([server], trigger="credentials", actor=actor)
    now = now_or(now)
    notify_operators(
        event="credentials",
        key=f"ops-credentials:{server.pk}:{now.timestamp():.0f}",
        context={"server": server, "author": actor.get_username()},
        customer=server.customer,
        now=now,
    )
    return credential


@transaction.atomic
def server_passphrase_update(
    server: Server, *, actor: User, service: str, passphrase: str, now: datetime | None = None
) -> None:
    """The customer registers the SSL passphrase a web server needs to restart (R13)."""
    check_may_act_for(actor, server.customer)
    record = tls_passphrase_set(server, service=service, passphrase=passphrase, actor=actor)
    now = now_or(now)
    notify_operators(
        event="passphrase",
        key=f"ops-passphrase:{server.pk}:{record.service}:{now.timestamp():.0f}",
        context={"server": server, "service": record.service, "author": actor.get_username()},
        customer=server.customer,
        now=now,
    )
