"""``patchdesk scan``: collect server inventories without the desk (no Django, no database).

Targets are ``local``, ``ssh://[user@]host[:port]`` or a saved inventory document (replayed as
it is); ``--targets FILE.toml`` adds more. Host keys are pinned in ``DATA_DIR/known_hosts`` on
first contact; a changed key stops that host until ``--accept-host-key HOST=FINGERPRINT``.
"""

from __future__ import annotations

import getpass
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from patchdesk import __version__
from patchdesk.desk.config import load_config
from patchdesk.engine.collect import (
    CollectOptions,
    InventoryDocumentError,
    LocalTarget,
    OriginRules,
    ScanProgress,
    ScanTarget,
    format_inventory_document,
    open_target,
    read_inventory_document,
    scan_hosts_blocking,
)
from patchdesk.engine.model.inventory import HostInventory, HostKey, ScanErrorCode
from patchdesk.engine.transport import (
    Elevation,
    SshCredentials,
    SshOptions,
    SshTarget,
    known_hosts_name,
    parse_known_hosts,
)

__all__ = ["ScanArguments", "ScanUsageError", "collect", "scan"]

EXIT_HOST_FAILED = 1
EXIT_USAGE = 2
_SUDO_MODES = {
    "none": Elevation.NONE,
    "nopasswd": Elevation.SUDO,
    "password": Elevation.SUDO_PASSWORD,
}


class ScanUsageError(Exception):
    """A bad argument, file or variable: one line, exit status 2."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanArguments:
    targets: tuple[str, ...]
    targets_file: Path | None = None
    output: Path | None = None
    output_format: str = "json"
    user: str | None = None
    identities: tuple[Path, ...] = ()
    identity_passphrase_env: str | None = None
    password_env: str | None = None
    sudo: str = "none"
    sudo_password_env: str | None = None
    jump: str | None = None
    concurrency: int = 50
    connect_timeout_s: float = 15.0
    command_timeout_s: float = 300.0
    known_hosts: Path | None = None
    accept_host_keys: tuple[str, ...] = ()
    provider_origins: tuple[str, ...] = ()
    provider_repos: tuple[str, ...] = ()
    progress: bool | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)


def _env(environ: Mapping[str, str], name: str | None, what: str) -> str | None:
    if not name:
        return None
    if name not in environ:
        raise ScanUsageError(f"{what}: environment variable {name} is not set")
    return environ[name]


def _read_key(path: Path) -> str:
    try:
        return path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScanUsageError(f"cannot read identity file {path}: {exc}") from None


def _text(settings: Mapping[str, object], key: str) -> str | None:
    value = settings.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ScanUsageError(f"{key} must be a string")
    return value


def _credentials(
    settings: Mapping[str, object], environ: Mapping[str, str], user: str
) -> SshCredentials:
    """Credentials from CLI options or a TOML table (``identity``, ``password_env`` ...)."""
    identity = settings.get("identity") or []
    identities = [identity] if isinstance(identity, str) else identity
    if not isinstance(identities, list) or not all(isinstance(p, str) for p in identities):
        raise ScanUsageError("identity must be a file name or a list of them")
    sudo = _text(settings, "sudo") or "none"
    if sudo not in _SUDO_MODES:
        raise ScanUsageError(f"sudo must be one of {', '.join(_SUDO_MODES)}, not {sudo!r}")
    return SshCredentials(
        username=user,
        password=_env(environ, _text(settings, "password_env"), "password"),
        private_keys=tuple(_read_key(Path(p)) for p in identities),
        key_passphrase=_env(environ, _text(settings, "identity_passphrase_env"), "key passphrase"),
        elevation=_SUDO_MODES[sudo],
        sudo_password=_env(environ, _text(settings, "sudo_password_env"), "sudo password"),
    )


def _ssh_target(url: str, settings: Mapping[str, object], environ: Mapping[str, str]) -> SshTarget:
    parts = urlsplit(url)
    try:
        port = parts.port or int(str(settings.get("port") or 22))
    except ValueError:
        raise ScanUsageError(f"invalid port in {url!r}") from None
    if parts.scheme != "ssh" or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ScanUsageError(f"not an ssh://[user@]host[:port] target: {url!r}")
    user = parts.username or _text(settings, "user") or getpass.getuser()
    jump = _text(settings, "jump")
    return SshTarget(
        host=parts.hostname,
        port=port,
        credentials=_credentials(settings, environ, user),
        jump=_ssh_target(jump, {**settings, "jump": None}, environ) if jump else None,
    )


def _cli_settings(args: ScanArguments) -> dict[str, object]:
    return {
        "user": args.user,
        "identity": [str(p) for p in args.identities],
        "identity_passphrase_env": args.identity_passphrase_env,
        "password_env": args.password_env,
        "sudo": args.sudo,
        "sudo_password_env": args.sudo_password_env,
        "jump": args.jump,
    }


def _targets_file(
    path: Path, defaults: Mapping[str, object], environ: Mapping[str, str]
) -> list[ScanTarget]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScanUsageError(f"cannot read targets file {path}: {exc}") from None
    table, entries = data.get("defaults", {}), data.get("target", [])
    if not isinstance(table, dict) or not isinstance(entries, list):
        raise ScanUsageError(f"{path}: expected a [defaults] table and [[target]] tables")
    base = {**defaults, **table}
    targets: list[ScanTarget] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("host"), str):
            raise ScanUsageError(f"{path}: [[target]] number {number} needs a host")
        settings = {**base, **entry}
        host = entry["host"]
        url = (
            host
            if host.startswith("ssh://")
            else f"ssh://[{host}]"
            if ":" in host
            else f"ssh://{host}"
        )
        try:
            targets.append(_ssh_target(url, settings, environ))
        except ScanUsageError as exc:
            raise ScanUsageError(f"{path}: target {host}: {exc}") from None
    return targets


def _parse_targets(args: ScanArguments) -> tuple[list[ScanTarget], list[HostInventory]]:
    settings = _cli_settings(args)
    live: list[ScanTarget] = []
    saved: list[HostInventory] = []
    for text in args.targets:
        if text == "local":
            live.append(
                LocalTarget(
                    elevation=_SUDO_MODES.get(args.sudo, Elevation.NONE),
                    sudo_password=_env(args.environ, args.sudo_password_env, "sudo password"),
                )
            )
        elif text.startswith("ssh://"):
            live.append(_ssh_target(text, settings, args.environ))
        elif Path(text).is_file():
            try:
                saved.extend(read_inventory_document(Path(text)).hosts)
            except InventoryDocumentError as exc:
                raise ScanUsageError(f"not an inventory document: {exc}") from None
        else:
            raise ScanUsageError(
                f"unknown target {text!r}: expected local, ssh://[user@]host[:port] "
                "or an inventory file"
            )
    if args.targets_file is not None:
        live.extend(_targets_file(args.targets_file, settings, args.environ))
    if not live and not saved:
        raise ScanUsageError("no targets")
    return live, saved


class KnownHosts:
    """The command line's pinned host keys (an OpenSSH-format known_hosts file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        self.keys = dict(parse_known_hosts(text))
        self.pinned: list[str] = []

    def pin(self, target: SshTarget, key: HostKey) -> None:
        name = known_hosts_name(target.host, target.port)
        current = self.keys.get(name, ())
        if key in current:
            return
        self.keys[name] = (key,)
        self.pinned.append(f"{name} {key.fingerprint}")
        lines = [f"{n} {k.public_key}" for n, keys in sorted(self.keys.items()) for k in keys]
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        self.path.chmod(0o600)

    def apply(self, target: SshTarget, accepted: Mapping[str, str]) -> SshTarget:
        name = known_hosts_name(target.host, target.port)
        pinned = next(iter(self.keys.get(name, ())), None)
        jump = self.apply(target.jump, accepted) if target.jump else None
        accept = accepted.get(name) or accepted.get(target.host)
        return replace(target, host_key=pinned, accept_fingerprint=accept, jump=jump)


def _accepted(values: Sequence[str]) -> dict[str, str]:
    accepted = {}
    for value in values:
        host, sep, fingerprint = value.rpartition("=")
        if not sep or not host or not fingerprint.startswith("SHA256:"):
            raise ScanUsageError(f"--accept-host-key wants HOST[:PORT]=SHA256:..., not {value!r}")
        if ":" in host and not host.startswith("["):
            name, _, port = host.rpartition(":")
            host = known_hosts_name(name, int(port)) if port.isdigit() else host
        accepted[host] = fingerprint
    return accepted


def _report(progress: ScanProgress) -> None:
    inventory = progress.inventory
    status = (
        f"{inventory.error.code}: {inventory.error.message}"
        if inventory.error
        else f"ok, {inventory.platform}, {len(inventory.packages)} packages"
    )
    click.echo(
        f"[{progress.done}/{progress.total}] {inventory.target}: {status} "
        f"({inventory.duration_s:.1f} s)",
        err=True,
    )


def _table(hosts: Sequence[HostInventory]) -> str:
    rows = []
    for host in hosts:
        if host.error:
            rows.append(f"{host.target}\t{host.error.code}\t{host.error.message}")
            continue
        passphrase = ",".join(s.service for s in host.tls if s.needs_passphrase) or "-"
        reboot = {True: "reboot", False: "-", None: "?"}[
            host.restart.reboot_required if host.restart else None
        ]
        rows.append(
            f"{host.target}\tok\t{host.platform.key if host.platform else '-'}\t"
            f"{len(host.packages)} packages\t{len(host.out_of_scope)} out of scope\t"
            f"passphrase: {passphrase}\t{reboot}"
        )
    return "".join(f"{row}\n" for row in rows)


def collect(args: ScanArguments) -> tuple[list[HostInventory], list[HostInventory]] | None:
    """Scan the live targets and read the saved ones: (all hosts, freshly scanned ones).

    None after a usage error (already reported)."""
    try:
        live, saved = _parse_targets(args)
        accepted = _accepted(args.accept_host_keys)
    except ScanUsageError as exc:
        click.echo(f"patchdesk scan: {exc}", err=True)
        return None
    known = KnownHosts(args.known_hosts or load_config().data_dir / "known_hosts")
    live = [known.apply(t, accepted) if isinstance(t, SshTarget) else t for t in live]
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    ssh_options = SshOptions(
        connect_timeout_s=args.connect_timeout_s, command_timeout_s=args.command_timeout_s
    )
    results = scan_hosts_blocking(
        live,
        clock=lambda: datetime.now(UTC),
        concurrency=args.concurrency,
        ssh_options=ssh_options,
        collect_options=CollectOptions(
            origin_rules=OriginRules(
                apt_origins=args.provider_origins, repo_ids=args.provider_repos
            )
        ),
        on_progress=_report if show_progress else None,
        connect=open_target(ssh_options, on_host_key=known.pin),
    )
    hosts = [*saved, *results]
    for line in known.pinned:
        click.echo(f"patchdesk scan: pinned host key {line}", err=True)
    for host in results:
        if host.error is not None and host.error.code is ScanErrorCode.HOST_KEY_CHANGED:
            name = host.error.params.get("host", "HOST")
            seen = host.host_key.fingerprint if host.host_key else "SHA256:..."
            click.echo(
                f"patchdesk scan: {host.error.message}. If the change is expected, run again "
                f"with --accept-host-key {name}={seen}",
                err=True,
            )
        elif host.error is not None and not show_progress:
            click.echo(f"patchdesk scan: {host.error.message}", err=True)
    return hosts, results


def scan(args: ScanArguments) -> int:
    """Collect inventories only; exit status 0 all hosts scanned, 1 some failed, 2 usage."""
    collected = collect(args)
    if collected is None:
        return EXIT_USAGE
    hosts, results = collected
    text = (
        format_inventory_document(
            hosts, generated_at=datetime.now(UTC), generator=f"patchdesk {__version__}"
        )
        if args.output_format == "json"
        else _table(hosts)
    )
    if args.output is None:
        click.echo(text, nl=False)
    else:
        args.output.write_text(text, encoding="utf-8")
    return EXIT_HOST_FAILED if any(h.error is not None for h in results) else 0
