"""Which web servers need a TLS passphrase to start (R13): Apache and nginx configuration.

Apache: ``SSLCertificateKeyFile`` names the keys (or ``SSLCertificateFile`` when the key is in
the certificate file); ``SSLPassPhraseDialog`` says how the passphrase is obtained. ``builtin``
(the default) and Debian's ``exec:/usr/share/apache2/ask-for-passphrase`` ask a person; any
other ``exec:`` or ``|`` program supplies it. nginx: ``ssl_certificate_key`` names the keys;
``ssl_password_file`` supplies passphrases, and without it nginx asks on the terminal.

Whether a key is encrypted is decided on the host by its PEM header
(:func:`~patchdesk.engine.collect.commands.tls_key_check`); the key never leaves the host.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.collect.lines import Rejections, describe, iter_lines
from patchdesk.engine.model.inventory import TlsKey, TlsService, WebServer

__all__ = [
    "TlsDirective",
    "build_tls_services",
    "key_paths_to_check",
    "parse_tls_config",
    "parse_tls_key_states",
]

_GREP_LINE: Final = re.compile(r"(?P<file>/[^:]+):(?P<line>\d{1,7}):(?P<text>.*)")
_SERVERS: Final = (
    ("/etc/apache2/", WebServer.APACHE, "apache2", "/etc/apache2"),
    ("/etc/httpd/", WebServer.APACHE, "httpd", "/etc/httpd"),
    ("/etc/nginx/", WebServer.NGINX, "nginx", "/etc/nginx"),
)
_INTERACTIVE_DIALOGS: Final = frozenset({"builtin", "exec:/usr/share/apache2/ask-for-passphrase"})
_KEY_STATES: Final = frozenset({"encrypted", "plain", "nokey", "missing", "unreadable"})
_MAX_PATH: Final = 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class TlsDirective:
    server: WebServer
    service: str
    server_root: str
    config_file: str
    line: int
    name: str  # lower-cased directive name
    value: str


def _unquote(value: str) -> str:
    value = value.strip().removesuffix(";").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_tls_config(data: bytes) -> tuple[list[TlsDirective], Rejections]:
    """TLS directives from :data:`~patchdesk.engine.collect.commands.TLS_CONFIG` output."""
    rejections = Rejections("web server TLS configuration")
    directives = []
    for line_no, line in iter_lines(data, rejections):
        match = _GREP_LINE.fullmatch(line)
        server = None
        if match:
            server = next((s for s in _SERVERS if match.group("file").startswith(s[0])), None)
        if match is None or server is None:
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
            continue
        words = match.group("text").strip().split(None, 1)
        if len(words) != 2:
            continue
        _, kind, service, root = server
        directives.append(
            TlsDirective(
                server=kind,
                service=service,
                server_root=root,
                config_file=match.group("file"),
                line=int(match.group("line")),
                name=words[0].lower(),
                value=_unquote(words[1]),
            )
        )
    return directives, rejections


def _key_path(directive: TlsDirective) -> str | None:
    """The absolute key path, or None when it cannot be known statically (variables)."""
    value = directive.value
    if not value or "$" in value or len(value) > _MAX_PATH or value.startswith("data:"):
        return None
    if any(not ch.isprintable() for ch in value):
        return None
    return posixpath.normpath(posixpath.join(directive.server_root, value))


def _key_directives(directives: Iterable[TlsDirective]) -> list[TlsDirective]:
    """Directives naming a private key: key files, and certificate files of Apache config
    files that name no key file (the key is then inside the certificate file)."""
    chosen = []
    files_with_key = {d.config_file for d in directives if d.name in ("sslcertificatekeyfile",)}
    for d in directives:
        if d.name in ("sslcertificatekeyfile", "ssl_certificate_key") or (
            d.name == "sslcertificatefile" and d.config_file not in files_with_key
        ):
            chosen.append(d)
    return chosen


def key_paths_to_check(directives: Iterable[TlsDirective]) -> list[str]:
    """The distinct key paths whose encryption state the host is asked about."""
    paths = (_key_path(d) for d in _key_directives(list(directives)))
    return list(dict.fromkeys(path for path in paths if path is not None))


def parse_tls_key_states(
    data: bytes, requested: Iterable[str]
) -> tuple[dict[str, str], Rejections]:
    """``path → state`` from :func:`~patchdesk.engine.collect.commands.tls_key_check` output;
    only the paths that were asked about are kept."""
    rejections = Rejections("TLS key check")
    wanted = set(requested)
    states: dict[str, str] = {}
    for line_no, line in iter_lines(data, rejections):
        state, sep, path = line.partition("\t")
        if not sep or state not in _KEY_STATES or path not in wanted:
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
            continue
        states[path] = state
    return states, rejections


def _is_encrypted(state: str | None) -> bool | None:
    if state == "encrypted":
        return True
    if state in ("plain", "nokey"):
        return False
    return None


def build_tls_services(
    directives: Iterable[TlsDirective], key_states: Mapping[str, str] | None
) -> tuple[tuple[TlsService, ...], list[str]]:
    """One :class:`TlsService` per web server that names TLS keys, and the directives skipped
    (keys named through variables) for a warning. ``key_states`` is None when the keys could
    not be checked (no privileges): ``is_encrypted`` is then unknown."""
    by_service: dict[str, list[TlsDirective]] = {}
    for directive in directives:
        by_service.setdefault(directive.service, []).append(directive)
    services = []
    skipped = []
    for service, items in by_service.items():
        server = items[0].server
        if server is WebServer.APACHE:
            dialogs = [d.value for d in items if d.name == "sslpassphrasedialog"]
            source = dialogs[-1] if dialogs else "builtin"
            is_interactive = source in _INTERACTIVE_DIALOGS
        else:
            files = [d.value for d in items if d.name == "ssl_password_file"]
            source = f"ssl_password_file:{files[-1]}" if files else "prompt"
            is_interactive = not files
        keys: dict[str, TlsKey] = {}
        for directive in _key_directives(items):
            path = _key_path(directive)
            if path is None:
                skipped.append(f"{directive.config_file}:{directive.line}")
                continue
            state = None if key_states is None else key_states.get(path)
            if directive.name == "sslcertificatefile" and state != "encrypted":
                continue  # a certificate file without an encrypted key in it
            keys.setdefault(
                path,
                TlsKey(
                    path=path,
                    config_file=directive.config_file,
                    line=directive.line,
                    is_encrypted=_is_encrypted(state),
                ),
            )
        if not keys:
            continue
        has_encrypted = any(key.is_encrypted for key in keys.values())
        services.append(
            TlsService(
                server=server,
                service=service,
                passphrase_source=source,
                keys=tuple(keys.values()),
                needs_passphrase=has_encrypted and is_interactive,
            )
        )
    return tuple(services), skipped
