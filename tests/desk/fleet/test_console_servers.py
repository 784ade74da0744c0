"""The console's server pages: the list with its flags and filters, scans on request, adding a
server, and one server's facts, credentials, host keys, SSL passphrases, scans, findings,
packages and out-of-scope software. Secrets never come back in a page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from patchdesk.desk.core.models import AuditEntry
from patchdesk.desk.fleet.models import (
    AuthMethod,
    Credential,
    ElevationChoice,
    HostKey,
    Scan,
    Server,
    TlsPassphrase,
)
from patchdesk.desk.fleet.services import credential_set, scan_record
from patchdesk.engine.model.inventory import (
    InstalledKernel,
    KernelInfo,
    OriginClass,
    OutOfScopeItem,
    OutOfScopeKind,
    RestartCheckMethod,
    RestartInfo,
    ScanError,
    ScanErrorCode,
    ServiceRestart,
    TlsKey,
    TlsService,
    WebServer,
)
from patchdesk_testing.contracts import client_for, page
from patchdesk_testing.fleet import KEY_A, KEY_B, scan_with
from patchdesk_testing.inventory import DEBIAN, host, pkg
from patchdesk_testing.security import World

pytestmark = pytest.mark.django_db

SECRET_KEY_TEXT = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-very-secret\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


@pytest.fixture
def ops(world: World) -> Client:
    return client_for(world.operator, language="en")


def _detail(client: Client, server: Server) -> str:
    response = client.get(f"/console/servers/{server.pk}/")
    assert response.status_code == 200
    return page(response)


@pytest.mark.parametrize(
    ("language", "heading", "high"),
    [("en", "<h1>Servers</h1>", "High"), ("ja", "<h1>サーバー</h1>", "高")],
)
def test_the_server_list_renders_in_both_languages(
    world: World, language: str, heading: str, high: str
) -> None:
    html = page(client_for(world.operator, language=language).get("/console/servers/"))
    assert heading in html
    assert f"{high} 1" in html
    for name in ("web1", "db1", "legacy1", "app1", "app2"):
        assert f'data-server="{name}"' in html


def test_the_list_shows_findings_credentials_keys_and_service_end(
    world: World, ops: Client
) -> None:
    credential_set(
        world.web1,
        username="deploy",
        auth_method=AuthMethod.PASSWORD,
        secret="pw-web1-secret",
        elevation=ElevationChoice.SUDO,
        actor=world.operator,
    )
    refused = replace(
        host(DEBIAN),
        error=ScanError(code=ScanErrorCode.AUTH_REJECTED, message="authentication rejected"),
    )
    scan_record(Scan.objects.create(server=world.web1, trigger="test"), refused)
    changed = replace(
        host(DEBIAN),
        host_key=KEY_B,
        error=ScanError(code=ScanErrorCode.HOST_KEY_CHANGED, message="host key changed"),
    )
    scan_record(Scan.objects.create(server=world.app1, trigger="test"), changed)
    html = page(ops.get("/console/servers/"))
    web1 = html[html.index('data-server="web1"') :].split("</tr>")[0]
    assert 'data-high="1" data-medium="1" data-review="0"' in web1
    assert 'data-credentials="rejected"' in web1
    assert "rejected since" in web1
    assert 'data-scan-status="failed"' in web1
    assert "Authentication rejected" in web1
    app1 = html[html.index('data-server="app1"') :].split("</tr>")[0]
    assert 'data-flag="pending-key"' in app1
    assert 'data-credentials="missing"' in app1
    legacy1 = html[html.index('data-server="legacy1"') :].split("</tr>")[0]
    assert 'data-flag="out-of-service"' in legacy1
    assert "never scanned" in legacy1
    assert "pw-web1-secret" not in html


def test_filters_by_customer_platform_and_problem(world: World, ops: Client) -> None:
    kaede = page(ops.get(f"/console/servers/?customer={world.fleet.kaede.pk}"))
    assert 'data-server="app1"' in kaede
    assert 'data-server="web1"' not in kaede
    alma = world.fleet.db1.platform
    assert alma is not None
    only_alma = page(ops.get(f"/console/servers/?platform={alma.pk}"))
    assert 'data-server="db1"' in only_alma
    assert 'data-server="web1"' not in only_alma
    missing = page(ops.get("/console/servers/?problem=missing_credentials"))
    assert 'data-server="web1"' in missing
    assert 'data-server="web1"' not in page(ops.get("/console/servers/?problem=pending_key"))
    scan_record(
        Scan.objects.create(server=world.app1, trigger="test"),
        replace(
            host(DEBIAN),
            host_key=KEY_B,
            error=ScanError(code=ScanErrorCode.HOST_KEY_CHANGED, message="changed"),
        ),
    )
    pending = ops.get("/console/servers/?problem=pending_key", HTTP_HX_REQUEST="true")
    partial = page(pending)
    assert partial.startswith('<div id="server-table">')
    assert "<html" not in partial
    assert 'data-server="app1"' in partial
    assert 'data-server="web1"' not in partial
    assert 'data-server="app1"' in page(ops.get("/console/servers/?problem=failed_scan"))


def test_scans_are_queued_for_the_selected_or_all_servers_and_audited(
    world: World, ops: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    before = Scan.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        response = ops.post(
            "/console/servers/scan/",
            {"servers": [world.web1.pk, world.app1.pk], "scope": "selected"},
            follow=True,
        )
    assert "Scans queued: 2." in page(response)
    assert len(callbacks) == 1, "one background job for the batch, started after commit"
    queued = Scan.objects.filter(status=Scan.Status.QUEUED)
    assert set(queued.values_list("server__name", flat=True)) == {"web1", "app1"}
    assert set(queued.values_list("trigger", "requested_by")) == {("manual", world.operator.pk)}
    assert AuditEntry.objects.filter(action="scan.request").count() == 2
    ops.post("/console/servers/scan/", {"scope": "all"})
    assert Scan.objects.count() == before + 2 + Server.objects.filter(is_managed=True).count()


def test_scanning_nothing_is_refused(world: World, ops: Client) -> None:
    before = Scan.objects.count()
    response = ops.post("/console/servers/scan/", {"scope": "selected"})
    assert response.status_code == 400
    assert "Select at least one server." in page(response)
    assert Scan.objects.count() == before


def test_adding_a_server(world: World, ops: Client) -> None:
    data = {
        "customer": world.fleet.kaede.pk,
        "name": "app3",
        "address": "192.0.2.30",
        "ssh_port": "2222",
    }
    response = ops.post("/console/servers/new/", data)
    server = Server.objects.get(name="app3")
    assert response.status_code == 302
    assert response["Location"] == f"/console/servers/{server.pk}/"
    assert (server.customer, server.address, server.ssh_port) == (
        world.fleet.kaede,
        "192.0.2.30",
        2222,
    )
    assert AuditEntry.objects.filter(action="server.create", object_id=str(server.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "app1"}, "The customer already has a server named app1."),
        ({"address": "host name with spaces"}, "Enter a host name or an IP address."),
        ({"ssh_port": "70000"}, "Ensure this value is less than or equal to 65535."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_server_input_shows_the_error_and_adds_nothing(
    world: World, ops: Client, changes: dict[str, str], message: str
) -> None:
    data = {"customer": world.fleet.kaede.pk, "name": "app3", "address": "192.0.2.30"}
    data.update({"ssh_port": "22", **changes})
    before = Server.objects.count()
    response = ops.post("/console/servers/new/", data)
    assert response.status_code == 200
    assert message in page(response)
    assert Server.objects.count() == before


def _rich_inventory() -> object:
    inventory = host(
        DEBIAN,
        pkg("libssl3", "3.0.11-1~deb12u1", source="openssl"),
        pkg("zsh", "5.9-4"),
        pkg("acme-agent", "2.1-1", origin=OriginClass.THIRD_PARTY),
        target="ssh://root@web1.sakura-web.example:22",
    )
    return replace(
        inventory,
        host_key=KEY_A,
        kernel=KernelInfo(
            running_release="6.1.0-17-amd64",
            running_package="linux-image-6.1.0-17-amd64",
            is_running_packaged=True,
            installed=(
                InstalledKernel(
                    package="linux-image-6.1.0-17-amd64",
                    version="6.1.69-1",
                    kernel_release="6.1.0-17-amd64",
                ),
                InstalledKernel(
                    package="linux-image-6.1.0-18-amd64",
                    version="6.1.76-1",
                    kernel_release="6.1.0-18-amd64",
                ),
            ),
            newer_installed=("6.1.0-18-amd64",),
        ),
        restart=RestartInfo(
            reboot_required=True,
            reboot_reasons=("a newer kernel is installed",),
            services=(ServiceRestart(name="apache2.service"),),
            method=RestartCheckMethod.NEEDRESTART,
        ),
        tls=(
            TlsService(
                server=WebServer.APACHE,
                service="apache2",
                passphrase_source="builtin",
                keys=(
                    TlsKey(
                        path="/etc/ssl/private/shop.key",
                        config_file="/etc/apache2/sites-enabled/shop.conf",
                        line=12,
                        is_encrypted=True,
                    ),
                ),
                needs_passphrase=True,
            ),
        ),
        out_of_scope=(
            OutOfScopeItem(
                kind=OutOfScopeKind.EXECUTABLE,
                path="/usr/local/bin/php",
                reason="under /usr/local, owned by no package",
            ),
        ),
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Facts", "Running kernel", "Scan history", "Out-of-scope software", "High"]),
        ("ja", ["事実", "稼働中のカーネル", "スキャン履歴", "対象外のソフトウェア", "高"]),
    ],
)
def test_the_server_page_shows_the_facts_of_the_last_scan(
    world: World, language: str, words: list[str]
) -> None:
    scan_with(world.web1, inventory=_rich_inventory())  # type: ignore[arg-type]
    html = _detail(client_for(world.operator, language=language), world.web1)
    for word in words:
        assert word in html
    assert "6.1.0-17-amd64" in html
    assert "6.1.0-18-amd64" in html
    assert "apache2.service" in html
    assert "/usr/local/bin/php" in html
    assert "acme-agent" in html
    assert '<div data-service="apache2">' in html
    assert "libssl3" in html
    assert 'data-coverage="actionable"' in html


def test_credentials_are_saved_audited_and_never_shown_back(world: World, ops: Client) -> None:
    data = {
        "username": "deploy",
        "auth_method": "key",
        "secret": SECRET_KEY_TEXT,
        "key_passphrase": "kp-top-secret",
        "elevation": "sudo_password",
        "sudo_password": "sudo-top-secret",
        "jump_host": "jump@bastion.example:2222",
    }
    response = ops.post(f"/console/servers/{world.web1.pk}/credentials/", data, follow=True)
    html = page(response)
    assert "The credentials have been saved." in html
    credential = Credential.objects.get(server=world.web1)
    assert (credential.username, credential.elevation) == ("deploy", "sudo_password")
    for secret in ("very-secret", "kp-top-secret", "sudo-top-secret"):
        assert secret not in html
        assert secret not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert "set on" in html
    assert "sudo password on file" in html
    assert "jump@bastion.example:2222" in html
    entry = AuditEntry.objects.get(action="server.credentials_set")
    assert entry.actor == world.operator


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"secret": ""}, "This field is required."),
        ({"sudo_password": ""}, "Enter the sudo password for this way of root."),
        ({"secret": "not a key but typed-secret-123"}, "This does not look like a private key."),
        ({"jump_host": "jump host with spaces"}, "Write the jump host as user@host:port."),
    ],
)
def test_bad_credentials_are_refused_and_the_secrets_not_echoed(
    world: World, ops: Client, changes: dict[str, str], field_error: str
) -> None:
    data = {
        "username": "deploy",
        "auth_method": "key",
        "secret": SECRET_KEY_TEXT,
        "elevation": "sudo_password",
        "sudo_password": "sudo-top-secret",
        **changes,
    }
    response = ops.post(f"/console/servers/{world.web1.pk}/credentials/", data)
    html = page(response)
    assert response.status_code == 200
    assert field_error in html
    for secret in ("very-secret", "sudo-top-secret", "typed-secret-123"):
        assert secret not in html
    assert not Credential.objects.filter(server=world.web1).exists()
    assert not AuditEntry.objects.filter(action="server.credentials_set").exists()


def test_rejected_credentials_are_shown_with_their_date(world: World, ops: Client) -> None:
    credential_set(
        world.web1,
        username="deploy",
        auth_method=AuthMethod.PASSWORD,
        secret="pw-web1-secret",
        elevation=ElevationChoice.NONE,
        actor=world.operator,
    )
    refused = replace(
        host(DEBIAN),
        error=ScanError(code=ScanErrorCode.AUTH_REJECTED, message="authentication rejected"),
    )
    scan_record(Scan.objects.create(server=world.web1, trigger="test"), refused)
    html = _detail(ops, world.web1)
    assert "rejected at Jan. 14, 2027" in html
    assert "Authentication rejected" in html
    assert "authentication rejected" in html
    assert "pw-web1-secret" not in html


def test_a_changed_host_key_is_a_hard_stop_until_accepted(world: World, ops: Client) -> None:
    changed = replace(
        host(DEBIAN),
        host_key=KEY_B,
        error=ScanError(code=ScanErrorCode.HOST_KEY_CHANGED, message="host key changed"),
    )
    scan_record(Scan.objects.create(server=world.web1, trigger="test"), changed)
    html = _detail(ops, world.web1)
    assert 'id="host-key-stop"' in html
    assert "SHA256:bbb" in html
    pending = HostKey.objects.get(server=world.web1, status=HostKey.Status.PENDING)
    url = f"/console/servers/{world.web1.pk}/host-keys/{pending.pk}/accept/"
    refused = ops.post(url, {})
    assert "This field is required." in page(refused)
    pending.refresh_from_db()
    assert pending.status == HostKey.Status.PENDING
    accepted = ops.post(url, {"confirm": "on"}, follow=True)
    assert "The host key SHA256:bbb is now pinned." in page(accepted)
    assert 'id="host-key-stop"' not in page(accepted)
    assert HostKey.objects.get(server=world.web1, status=HostKey.Status.PINNED).pk == pending.pk
    assert AuditEntry.objects.filter(action="server.host_key_accept").count() == 1
    assert ops.post(url, {"confirm": "on"}).status_code == 404, "no longer pending"


def test_ssl_passphrases_are_write_only(world: World, ops: Client) -> None:
    scan_with(world.web1, inventory=_rich_inventory())  # type: ignore[arg-type]
    assert "needs a passphrase; none on file" in _detail(ops, world.web1)
    url = f"/console/servers/{world.web1.pk}/passphrases/"
    bad = ops.post(url, {"service": "apache2; rm -rf /", "passphrase": "tls-top-secret"})
    assert "Enter the service's name, e.g. apache2." in page(bad)
    assert "tls-top-secret" not in page(bad)
    assert not TlsPassphrase.objects.exists()
    response = ops.post(url, {"service": "apache2", "passphrase": "tls-top-secret"}, follow=True)
    html = page(response)
    assert "The SSL passphrase for apache2 has been saved." in html
    assert "needs a passphrase; one is on file" in html
    assert "tls-top-secret" not in html
    assert AuditEntry.objects.filter(action="server.passphrase_set").count() == 1


def test_scan_history_and_packages_by_page(world: World, ops: Client) -> None:
    many = [pkg(f"pkg{i:03d}", "1.0-1") for i in range(130)]
    scan_with(world.web1, *many)
    failed = replace(
        host(DEBIAN),
        error=ScanError(code=ScanErrorCode.UNREACHABLE, message="connection refused"),
    )
    scan_record(Scan.objects.create(server=world.web1, trigger="test"), failed)
    html = _detail(ops, world.web1)
    assert "Unreachable" in html
    assert "connection refused" in html
    assert "Page 1 of 2 (130 packages)" in html
    assert "pkg000" in html
    assert "pkg129" not in html
    partial = ops.get(
        f"/console/servers/{world.web1.pk}/?section=packages&packages=2", HTTP_HX_REQUEST="true"
    )
    second = page(partial)
    assert second.startswith('<section class="card" id="packages">')
    assert "pkg129" in second
    assert "pkg000" not in second


def test_one_server_can_be_scanned_now(world: World, ops: Client) -> None:
    response = ops.post(f"/console/servers/{world.web1.pk}/scan/", follow=True)
    assert "A scan of web1 has been queued." in page(response)
    assert Scan.objects.filter(server=world.web1, status=Scan.Status.QUEUED).count() == 1


def test_an_unknown_server_is_a_404(world: World, ops: Client) -> None:
    assert ops.get("/console/servers/999999/").status_code == 404
