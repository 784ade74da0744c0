"""Recording scans: packages, host keys pinned then held for review, credentials refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.core.secrets import secret_decrypt
from patchdesk.desk.fleet.models import (
    AuthMethod,
    Credential,
    ElevationChoice,
    HostKey,
    InstalledPackage,
    Scan,
)
from patchdesk.desk.fleet.services import (
    HostKeyNotPendingError,
    ServerExistsError,
    credential_set,
    host_key_accept,
    scan_record,
    server_create,
)
from patchdesk.engine.model.inventory import ScanError, ScanErrorCode
from patchdesk_testing.accounts import customer_make, operator_make
from patchdesk_testing.fleet import KEY_B, scan_with, server_make
from patchdesk_testing.inventory import DEBIAN, host, pkg

pytestmark = pytest.mark.django_db


def test_a_successful_scan_replaces_the_package_list_and_pins_the_host_key() -> None:
    server = server_make()
    first = scan_with(
        server, pkg("bash", "5.2.15-2+b2", source_version="5.2.15-2"), pkg("zsh", "5.9-4")
    )
    assert first.status == Scan.Status.SUCCEEDED
    assert first.platform_key == "debian:12"
    assert set(server.packages.values_list("name", flat=True)) == {"bash", "zsh"}
    pinned = server.host_keys.get()
    assert (pinned.status, pinned.fingerprint) == (HostKey.Status.PINNED, "SHA256:aaa")
    second = scan_with(server, pkg("bash", "5.2.15-2+b3", source_version="5.2.15-2"))
    assert list(InstalledPackage.objects.filter(server=server).values_list("name", "version")) == [
        ("bash", "5.2.15-2+b3")
    ]
    server.refresh_from_db()
    assert server.last_scan == second
    assert server.platform is not None
    assert server.platform.key == "debian:12"
    assert server.host_keys.count() == 1


def test_a_changed_host_key_is_held_for_an_operator() -> None:
    server = server_make()
    scan_with(server, pkg("bash", "5.2"))
    changed = host(DEBIAN, target="ssh://root@web1.example.jp:22")
    changed = replace(
        changed,
        host_key=KEY_B,
        error=ScanError(code=ScanErrorCode.HOST_KEY_CHANGED, message="host key changed"),
    )
    failed = scan_record(Scan.objects.create(server=server, trigger="test"), changed)
    assert (failed.status, failed.error_code) == (Scan.Status.FAILED, "host_key_changed")
    pending = server.host_keys.get(status=HostKey.Status.PENDING)
    assert pending.fingerprint == "SHA256:bbb"
    assert server.packages.count() == 1, "a failed scan changes no inventory"
    operator = operator_make()
    host_key_accept(pending, actor=operator)
    assert server.host_keys.get(status=HostKey.Status.PINNED).fingerprint == "SHA256:bbb"
    assert server.host_keys.get(fingerprint="SHA256:aaa").status == HostKey.Status.RETIRED
    with pytest.raises(HostKeyNotPendingError):
        host_key_accept(pending, actor=operator)
    assert AuditEntry.objects.filter(action="server.host_key_accept").count() == 1


def test_refused_credentials_are_flagged_until_a_scan_works_again() -> None:
    server = server_make()
    credential_set(
        server,
        username="alice",
        auth_method=AuthMethod.PASSWORD,
        secret="alice-pw-123",
        elevation=ElevationChoice.SUDO_PASSWORD,
        actor=None,
    )
    stored = Credential.objects.get(server=server)
    assert b"alice-pw-123" not in bytes(stored.secret)
    assert secret_decrypt(stored.secret) == "alice-pw-123"
    refused = replace(
        host(DEBIAN),
        error=ScanError(code=ScanErrorCode.AUTH_REJECTED, message="authentication rejected"),
    )
    scan_record(Scan.objects.create(server=server, trigger="test"), refused)
    stored.refresh_from_db()
    assert stored.rejected_at is not None
    scan_with(server, pkg("bash", "5.2"))
    stored.refresh_from_db()
    assert stored.rejected_at is None
    entry = AuditEntry.objects.get(action="server.credentials_set")
    assert "alice-pw-123" not in str(entry.changes)


def test_server_names_are_unique_per_customer() -> None:
    customer = customer_make()
    server_create(customer, name="web1", address="10.0.0.1", actor=None)
    with pytest.raises(ServerExistsError):
        server_create(customer, name="web1", address="10.0.0.2", actor=None)
    other = customer_make(code="kaede", name="Kaede Trading")
    assert server_create(other, name="web1", address="10.0.0.3", actor=None).pk
