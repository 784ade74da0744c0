"""Servers and their credentials ⇄ engine scan targets; stored scans ⇄ inventories."""

from __future__ import annotations

import gzip
from datetime import datetime

from patchdesk.desk.core.secrets import secret_decrypt
from patchdesk.desk.fleet.models import AuthMethod, Credential, HostKey, Scan, Server
from patchdesk.engine.collect import (
    LocalTarget,
    ScanTarget,
    format_inventory_document,
    parse_inventory_document,
)
from patchdesk.engine.model.inventory import HostInventory
from patchdesk.engine.model.inventory import HostKey as EngineHostKey
from patchdesk.engine.transport import Elevation, SshCredentials, SshTarget

__all__ = [
    "LOCAL_ADDRESS",
    "MissingCredentialsError",
    "inventory_document_pack",
    "inventory_from_scan",
    "scan_target_for",
]

LOCAL_ADDRESS = "local"  # a server row for the machine patchdesk runs on


class MissingCredentialsError(Exception):
    """The server has no credentials on file: it cannot be reached over SSH."""


def _pinned_key(server: Server) -> EngineHostKey | None:
    key = server.host_keys.filter(status=HostKey.Status.PINNED).first()
    if key is None:
        return None
    return EngineHostKey(
        algorithm=key.algorithm, public_key=key.public_key, fingerprint=key.fingerprint
    )


def _credentials(credential: Credential) -> SshCredentials:
    secret = secret_decrypt(credential.secret)
    is_key = credential.auth_method == AuthMethod.KEY
    return SshCredentials(
        username=credential.username,
        password=None if is_key else secret,
        private_keys=(secret,) if is_key else (),
        key_passphrase=secret_decrypt(credential.key_passphrase)
        if credential.key_passphrase
        else None,
        elevation=Elevation(credential.elevation),
        sudo_password=secret_decrypt(credential.sudo_password)
        if credential.sudo_password
        else None,
    )


def _jump(text: str, credentials: SshCredentials) -> SshTarget | None:
    if not text:
        return None
    user, _, rest = text.rpartition("@")
    host, _, port = rest.partition(":")
    hop = SshCredentials(
        username=user or credentials.username,
        password=credentials.password,
        private_keys=credentials.private_keys,
        key_passphrase=credentials.key_passphrase,
    )
    return SshTarget(host=host, port=int(port or 22), credentials=hop)


def scan_target_for(server: Server, *, accept_fingerprint: str | None = None) -> ScanTarget:
    """How to reach ``server``: the local machine, or SSH with its decrypted credentials."""
    if server.address == LOCAL_ADDRESS:
        return LocalTarget()
    credential = Credential.objects.filter(server=server).first()
    if credential is None:
        raise MissingCredentialsError(str(server))
    credentials = _credentials(credential)
    return SshTarget(
        host=server.address,
        port=server.ssh_port,
        credentials=credentials,
        host_key=_pinned_key(server),
        accept_fingerprint=accept_fingerprint,
        jump=_jump(credential.jump_host, credentials),
    )


def inventory_document_pack(inventory: HostInventory, *, generated_at: datetime) -> bytes:
    """One host's inventory document, gzip-compressed for storage with its scan."""
    text = format_inventory_document(
        [inventory], generated_at=generated_at, generator="patchdesk desk"
    )
    return gzip.compress(text.encode("utf-8"), mtime=0)


def inventory_from_scan(scan: Scan) -> HostInventory | None:
    """The inventory a stored scan produced (None when it kept none)."""
    if not scan.document:
        return None
    text = gzip.decompress(bytes(scan.document)).decode("utf-8")
    hosts = parse_inventory_document(text).hosts
    return hosts[0] if hosts else None
