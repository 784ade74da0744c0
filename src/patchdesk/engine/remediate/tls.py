"""Which web servers with a passphrase-protected TLS key the update would force to restart
(R13), decided before anything changes.

A web server is affected when the transaction upgrades one of its own packages (its
maintainer scripts restart it on systemd hosts), or when it is running and maps a file of a
package the transaction replaces (it runs old code until restarted). Paths are compared
across the merged-/usr aliases (``/lib/x`` is ``/usr/lib/x``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.model.inventory import TlsService, WebServer
from patchdesk.engine.model.work import TransactionAction, TransactionEntry

__all__ = ["TlsImpact", "affected_tls_services", "is_web_server_package", "server_of_binary"]

_OWN_PACKAGES: Final = {
    WebServer.APACHE: re.compile(
        r"apache2(?:-bin|-data|-utils)?|httpd(?:-core|-filesystem|-tools)?|mod_[a-z0-9_]+"
        r"|libapache2-mod-[a-z0-9.+-]+"
    ),
    WebServer.NGINX: re.compile(r"nginx(?:-[a-z0-9.+-]+)?|libnginx-mod-[a-z0-9.+-]+"),
}
_BINARIES: Final = {
    "apache2": WebServer.APACHE,
    "httpd": WebServer.APACHE,
    "nginx": WebServer.NGINX,
}
_CHANGING: Final = frozenset(
    {TransactionAction.UPGRADE, TransactionAction.INSTALL, TransactionAction.DOWNGRADE}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsImpact:
    """Why a web server needing a passphrase must restart because of the update.

    ``own_package``: the update replaces the server's own package, whose maintainer scripts
    restart it during the update on systemd hosts (so the passphrase is needed then too).
    """

    why: str
    own_package: bool


def is_web_server_package(server: WebServer, name: str) -> bool:
    return _OWN_PACKAGES[server].fullmatch(name) is not None


def server_of_binary(binary: str) -> WebServer | None:
    return _BINARIES.get(binary)


def _canonical(path: str) -> str:
    return path.removeprefix("/usr") if path.startswith("/usr/") else path


def affected_tls_services(
    services: Iterable[TlsService],
    entries: Iterable[TransactionEntry],
    *,
    mapped: Mapping[str, frozenset[str]],
    replaced_files: frozenset[str],
) -> dict[str, TlsImpact]:
    """``{service: impact}`` for the services needing a passphrase that the transaction affects.

    ``mapped`` is ``{server binary: files its processes map}``; ``replaced_files`` the files
    of the packages the transaction replaces.
    """
    changing = [e.name for e in entries if e.action in _CHANGING]
    replaced = {_canonical(path) for path in replaced_files}
    affected: dict[str, TlsImpact] = {}
    for service in services:
        if not service.needs_passphrase:
            continue
        own = [name for name in changing if is_web_server_package(service.server, name)]
        if own:
            why = f"the update replaces {', '.join(own)}"
            affected[service.service] = TlsImpact(why=why, own_package=True)
            continue
        for binary, paths in sorted(mapped.items()):
            if server_of_binary(binary) is not service.server:
                continue
            hits = sorted(path for path in paths if _canonical(path) in replaced)
            if hits:
                why = f"the running server uses {hits[0]}"
                affected[service.service] = TlsImpact(why=why, own_package=False)
                break
    return affected
