"""Writing services of the fleet: servers, credentials, host keys, scans and their results."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patchdesk.desk.accounts.models import User
from patchdesk.desk.core.errors import PatchdeskError, ValidationFailedError
from patchdesk.desk.core.secrets import secret_encrypt
from patchdesk.desk.customers.models import Customer
from patchdesk.desk.fleet.mappers import inventory_document_pack
from patchdesk.desk.fleet.models import (
    AuthMethod,
    Credential,
    ElevationChoice,
    HostKey,
    InstalledPackage,
    OutOfScopeSoftware,
    Scan,
    Server,
    TlsPassphrase,
)
from patchdesk.desk.platforms.models import SupportedPlatform
from patchdesk.engine.collect.document import inventory_to_json
from patchdesk.engine.model import Platform
from patchdesk.engine.model.inventory import HostInventory, ScanErrorCode

__all__ = [
    "HostKeyNotPendingError",
    "ServerExistsError",
    "credential_set",
    "host_key_accept",
    "scan_fail",
    "scan_queue",
    "scan_record",
    "scans_request",
    "server_create",
    "tls_passphrase_set",
]


class ServerExistsError(PatchdeskError):
    code = "server_exists"
    message_format = _("The customer already has a server named %(name)s.")


class HostKeyNotPendingError(PatchdeskError):
    code = "host_key_not_pending"
    message_format = _("This host key is not waiting for acceptance.")


@transaction.atomic
def server_create(
    customer: Customer, *, name: str, address: str, ssh_port: int = 22, actor: User | None
) -> Server:
    name = name.strip()
    if not name or not address.strip():
        raise ValidationFailedError(field="name", reason="required")
    if Server.objects.filter(customer=customer, name=name).exists():
        raise ServerExistsError(name=name)
    server = Server.objects.create(
        customer=customer, name=name, address=address.strip(), ssh_port=ssh_port
    )
    audit_record_server(server, actor, "server.create", {"address": server.address})
    return server


def audit_record_server(
    server: Server, actor: User | None, action: str, changes: dict[str, Any]
) -> None:
    from patchdesk.desk.core.services import audit_record

    audit_record(
        actor=actor,
        action=action,
        obj=server,
        changes=changes,
        actor_label="" if actor else "scanner",
    )


@transaction.atomic
def credential_set(
    server: Server,
    *,
    username: str,
    auth_method: AuthMethod,
    secret: str,
    elevation: ElevationChoice,
    key_passphrase: str = "",
    sudo_password: str = "",
    jump_host: str = "",
    actor: User | None,
) -> Credential:
    """Store (replace) how to log in to ``server``. Secrets are encrypted; none is audited."""
    if not username.strip() or not secret:
        raise ValidationFailedError(field="username", reason="user name and secret are required")
    credential, created = Credential.objects.update_or_create(
        server=server,
        defaults={
            "username": username.strip(),
            "auth_method": auth_method,
            "secret": secret_encrypt(secret),
            "key_passphrase": secret_encrypt(key_passphrase) if key_passphrase else None,
            "elevation": elevation,
            "sudo_password": secret_encrypt(sudo_password) if sudo_password else None,
            "jump_host": jump_host.strip(),
            "updated_at": timezone.now(),
            "rejected_at": None,
        },
    )
    audit_record_server(
        server,
        actor,
        "server.credentials_set",
        {
            "username": credential.username,
            "auth_method": auth_method,
            "elevation": elevation,
            "secret": "(replaced)" if not created else "(set)",
        },
    )
    return credential


@transaction.atomic
def tls_passphrase_set(
    server: Server, *, service: str, passphrase: str, actor: User | None
) -> TlsPassphrase:
    if not service.strip() or not passphrase:
        raise ValidationFailedError(field="passphrase", reason="service and passphrase required")
    record, _created = TlsPassphrase.objects.update_or_create(
        server=server,
        service=service.strip(),
        defaults={"passphrase": secret_encrypt(passphrase), "updated_at": timezone.now()},
    )
    audit_record_server(server, actor, "server.passphrase_set", {"service": record.service})
    return record


@transaction.atomic
def host_key_accept(key: HostKey, *, actor: User) -> HostKey:
    """An operator accepts a changed host key: it becomes the pinned one (R14 hard stop)."""
    if key.status != HostKey.Status.PENDING:
        raise HostKeyNotPendingError()
    now = timezone.now()
    HostKey.objects.filter(server=key.server, status=HostKey.Status.PINNED).update(
        status=HostKey.Status.RETIRED, retired_at=now
    )
    key.status = HostKey.Status.PINNED
    key.accepted_at, key.accepted_by = now, actor
    key.save()
    audit_record_server(
        key.server, actor, "server.host_key_accept", {"fingerprint": key.fingerprint}
    )
    return key


@transaction.atomic
def scan_queue(
    servers: Sequence[Server], *, trigger: str, actor: User | None, enqueue: bool = True
) -> list[Scan]:
    """Queue one scan per server and start the job after commit (unless the caller runs
    them itself: ``enqueue=False``)."""
    from patchdesk.desk.fleet.tasks import scans_run

    scans = [
        Scan.objects.create(server=server, trigger=trigger, requested_by=actor)
        for server in servers
    ]
    ids = [scan.pk for scan in scans]
    if ids and enqueue:
        transaction.on_commit(lambda: scans_run.enqueue(ids))
    return scans


@transaction.atomic
def scans_request(servers: Sequence[Server], *, actor: User) -> list[Scan]:
    """An operator asks for scans now (console): queued, audited per server, run after commit."""
    scans = scan_queue(servers, trigger="manual", actor=actor)
    for scan in scans:
        audit_record_server(scan.server, actor, "scan.request", {"scan": scan.pk})
    return scans


def _platform_row(platform: Platform) -> SupportedPlatform:
    row, _created = SupportedPlatform.objects.get_or_create(
        key=platform.key,
        defaults={
            "distro": platform.distro,
            "release": platform.release,
            "name": platform.pretty_name or str(platform),
            "family": platform.family.value,
            "package_format": platform.package_format.value,
        },
    )
    return row


def _host_key_note(server: Server, inventory: HostInventory, now: datetime) -> str:
    """Pin the key on first contact; keep a changed key pending for an operator."""
    key = inventory.host_key
    if key is None:
        return ""
    known = server.host_keys.filter(fingerprint=key.fingerprint).first()
    if inventory.error is not None and inventory.error.code == ScanErrorCode.HOST_KEY_CHANGED:
        if known is None:
            HostKey.objects.create(
                server=server,
                algorithm=key.algorithm,
                public_key=key.public_key,
                fingerprint=key.fingerprint,
                status=HostKey.Status.PENDING,
                first_seen_at=now,
            )
        return "pending"
    if known is None and not server.host_keys.filter(status=HostKey.Status.PINNED).exists():
        HostKey.objects.create(
            server=server,
            algorithm=key.algorithm,
            public_key=key.public_key,
            fingerprint=key.fingerprint,
            status=HostKey.Status.PINNED,
            first_seen_at=now,
            accepted_at=now,
        )
        return "pinned"
    return ""


@transaction.atomic
def scan_fail(scan: Scan, *, code: str, message: str) -> Scan:
    """A scan that could not even start (e.g. no credentials on file)."""
    now = timezone.now()
    scan.status = Scan.Status.FAILED
    scan.started_at = scan.started_at or now
    scan.finished_at = now
    scan.error_code, scan.error_message = code, message
    scan.save()
    audit_record_server(scan.server, None, "scan.failed", {"scan": scan.pk, "error": code})
    return scan


@transaction.atomic
def scan_record(scan: Scan, inventory: HostInventory) -> Scan:
    """Store what a scan found: the inventory, packages, host key, and credential state."""
    server = scan.server
    now = timezone.now()
    scan.started_at, scan.finished_at = inventory.started_at, inventory.finished_at
    host_key = _host_key_note(server, inventory, now)
    credential = Credential.objects.filter(server=server).first()
    if inventory.error is not None:
        scan.status = Scan.Status.FAILED
        scan.error_code = inventory.error.code.value
        scan.error_message = inventory.error.message
        if inventory.error.code == ScanErrorCode.AUTH_REJECTED and credential is not None:
            credential.rejected_at = now
            credential.save(update_fields=["rejected_at"])
        scan.save()
        audit_record_server(
            server,
            None,
            "scan.failed",
            {"scan": scan.pk, "error": scan.error_code, "host_key": host_key},
        )
        return scan
    scan.status = Scan.Status.SUCCEEDED
    scan.platform_key = inventory.platform.key if inventory.platform else ""
    scan.package_count = len(inventory.packages)
    scan.warning_count = sum(warning.count for warning in inventory.warnings)
    scan.is_privileged = inventory.is_privileged
    facts = inventory_to_json(inventory)
    scan.facts = {key: facts.get(key) for key in ("kernel", "restart", "tls", "warnings")}
    scan.document = inventory_document_pack(inventory, generated_at=now)
    scan.save()
    InstalledPackage.objects.filter(server=server).delete()
    InstalledPackage.objects.bulk_create(
        [
            InstalledPackage(
                server=server,
                scan=scan,
                name=p.name,
                version=p.version,
                arch=p.arch,
                source_name=p.source_name,
                source_version=p.source_version,
                origin=p.origin.kind.value,
                origin_label=p.origin.label[:200],
                origin_repository=p.origin.repository[:300],
            )
            for p in inventory.packages
        ],
        batch_size=1000,
    )
    OutOfScopeSoftware.objects.filter(server=server).delete()
    OutOfScopeSoftware.objects.bulk_create(
        [
            OutOfScopeSoftware(
                server=server,
                scan=scan,
                kind=item.kind.value,
                path=item.path[:1000],
                reason=item.reason[:300],
            )
            for item in inventory.out_of_scope
        ]
    )
    server.platform = _platform_row(inventory.platform) if inventory.platform else None
    server.last_scan = scan
    server.save(update_fields=["platform", "last_scan"])
    if credential is not None and credential.rejected_at is not None:
        credential.rejected_at = None
        credential.save(update_fields=["rejected_at"])
    audit_record_server(
        server,
        None,
        "scan.succeeded",
        {"scan": scan.pk, "packages": scan.package_count, "host_key": host_key},
    )
    return scan
