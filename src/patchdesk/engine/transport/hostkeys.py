"""Host keys as values: parse an OpenSSH public key line, and read/write known_hosts lines.

The engine never decides where pinned keys live: the desk keeps them in its database, the
command line in a known_hosts file. These helpers only convert between text and
:class:`~patchdesk.engine.model.inventory.HostKey`.
"""

from __future__ import annotations

from collections.abc import Mapping

import asyncssh

from patchdesk.engine.model.inventory import HostKey

__all__ = [
    "HostKeyFormatError",
    "format_known_hosts_line",
    "host_key_from_asyncssh",
    "known_hosts_name",
    "parse_host_key",
    "parse_known_hosts",
]


class HostKeyFormatError(ValueError):
    """The text is not an OpenSSH public key (``str()`` says why, without the key material)."""


def host_key_from_asyncssh(key: asyncssh.SSHKey) -> HostKey:
    """The :class:`HostKey` of a public key asyncssh observed (the comment is dropped)."""
    algorithm = key.get_algorithm()
    blob = key.export_public_key("openssh").decode("ascii").split()
    return HostKey(
        algorithm=algorithm,
        public_key=f"{blob[0]} {blob[1]}",
        fingerprint=key.get_fingerprint("sha256"),
    )


def parse_host_key(text: str) -> HostKey:
    """Parse ``"ssh-ed25519 AAAA... [comment]"`` into a :class:`HostKey`."""
    fields = text.strip().split()
    if len(fields) < 2:
        raise HostKeyFormatError("expected 'ALGORITHM BASE64-KEY'")
    try:
        key = asyncssh.import_public_key(f"{fields[0]} {fields[1]}")
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise HostKeyFormatError(f"not an OpenSSH public key: {exc}") from None
    return host_key_from_asyncssh(key)


def known_hosts_name(host: str, port: int) -> str:
    """The host field of a known_hosts line: ``host`` on port 22, else ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


def format_known_hosts_line(host: str, port: int, key: HostKey) -> str:
    return f"{known_hosts_name(host, port)} {key.public_key}"


def parse_known_hosts(text: str) -> Mapping[str, tuple[HostKey, ...]]:
    """Plain (unhashed) known_hosts entries by host field; other lines are ignored.

    Comments, ``@cert-authority``/``@revoked`` markers, hashed names (``|1|...``) and lines
    that do not parse are skipped: this reads the files patchdesk itself writes.
    """
    entries: dict[str, list[HostKey]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "@", "|")):
            continue
        fields = line.split()
        if len(fields) < 3:
            continue
        try:
            key = parse_host_key(f"{fields[1]} {fields[2]}")
        except HostKeyFormatError:
            continue
        for name in fields[0].split(","):
            entries.setdefault(name, []).append(key)
    return {name: tuple(keys) for name, keys in entries.items()}
