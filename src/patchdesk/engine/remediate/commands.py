"""Every command the update work runs on a server, per package manager.

Commands are built only from fixed text and values validated by
:mod:`~patchdesk.engine.remediate.names` (or parsed and validated from the server's own
output), each quoted with :func:`shlex.quote`. Every script sets ``LC_ALL=C`` (parsable output)
and a ``PATH`` without ``/usr/local``. Package transactions are non-interactive and keep the
existing configuration files. ``docs/remediation.md`` lists them for customers' reviews.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Final

from patchdesk.engine.model.inventory import WebServer
from patchdesk.engine.model.platform import PackageFormat
from patchdesk.engine.model.work import PackageManager

__all__ = [
    "APT_SHOWAUTO",
    "DISK_FREE",
    "PRELUDE",
    "STAGE_DIR",
    "STAGE_SECRET",
    "TOOLS",
    "WEB_SERVER_MAPS",
    "apt_candidates",
    "apt_check",
    "apt_install",
    "apt_mark_auto",
    "apt_simulate",
    "apt_update",
    "package_files",
    "reboot",
    "restart_service",
    "rpm_lock_wait",
    "rpm_refresh",
    "rpm_transaction",
    "with_tls_passphrases",
    "zypper_transaction",
]

PRELUDE: Final = "LC_ALL=C; export LC_ALL; PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH; "

_APT_ENV: Final = (
    PRELUDE + "DEBIAN_FRONTEND=noninteractive; export DEBIAN_FRONTEND; "
    # needrestart's apt hook must never restart anything: the work decides restarts
    "NEEDRESTART_SUSPEND=1; NEEDRESTART_MODE=l; UCF_FORCE_CONFFOLD=1; "
    "export NEEDRESTART_SUSPEND NEEDRESTART_MODE UCF_FORCE_CONFFOLD; "
)
_APT_KEEP_CONFIG: Final = "-o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef"

TOOLS: Final = (
    PRELUDE + "for t in apt-get apt-mark dpkg dnf yum zypper rpm systemctl service df; do "
    'command -v "$t" >/dev/null 2>&1 && echo "$t"; done; '
    "[ -d /run/systemd/system ] && echo systemd-running; true"
)
"""The package-management and service tools present (one name per line)."""

DISK_FREE: Final = PRELUDE + "df -Pk /var /usr / 2>/dev/null; true"
"""Free space (KiB) of the filesystems package updates write to."""


def _quoted(tokens: Iterable[str]) -> str:
    return " ".join(shlex.quote(token) for token in tokens)


# --- apt ----------------------------------------------------------------------------------------


def apt_check(lock_wait_s: int) -> str:
    """Take the dpkg lock (waiting up to ``lock_wait_s``) and check the package database is
    consistent (no interrupted run, no broken dependencies). Changes nothing. Root."""
    return _APT_ENV + f"apt-get -q -o DPkg::Lock::Timeout={lock_wait_s:d} check"


def apt_update(lock_wait_s: int) -> str:
    """Refresh the package indexes (changes no package). Root."""
    return _APT_ENV + f"apt-get -q -o DPkg::Lock::Timeout={lock_wait_s:d} update"


def apt_simulate(tokens: Sequence[str], *, full_upgrade: bool) -> str:
    """The dry run: what ``install --only-upgrade TOKENS`` (or ``upgrade``) would do."""
    base = _APT_ENV + "apt-get -s -q -y --no-install-recommends -o Debug::NoLocking=1 "
    if full_upgrade:
        return base + "upgrade"
    return base + "install --only-upgrade " + _quoted(tokens)


def apt_candidates(pins: Sequence[str]) -> str:
    """Package, version and source of candidate versions (``name=version``)."""
    return PRELUDE + "apt-cache show --no-all-versions " + _quoted(pins)


APT_SHOWAUTO: Final = PRELUDE + "apt-mark showauto"
"""Packages marked as automatically installed (restored after the update)."""


def apt_install(pins: Sequence[str], *, lock_wait_s: int) -> str:
    """Upgrade exactly ``name=version`` as the dry run showed: only upgrades, never a removal
    (``--no-remove`` aborts), the existing configuration files kept. Root."""
    return (
        _APT_ENV + f"apt-get -q -y {_APT_KEEP_CONFIG} -o DPkg::Lock::Timeout={lock_wait_s:d} "
        "--no-install-recommends --no-remove install --only-upgrade " + _quoted(pins)
    )


def apt_mark_auto(names: Sequence[str]) -> str:
    """Mark packages automatically installed again (``apt-get install`` marks them manual)."""
    return PRELUDE + "apt-mark auto " + _quoted(names)


# --- dnf and yum --------------------------------------------------------------------------------

_RPM_LOCKS: Final = {
    PackageManager.DNF: (
        "/var/lib/dnf/rpmdb_lock.pid",
        "/var/cache/dnf/metadata_lock.pid",
        "/var/cache/dnf/download_lock.pid",
        "/var/log/log_lock.pid",
    ),
    PackageManager.YUM: ("/var/run/yum.pid",),
    PackageManager.ZYPPER: ("/run/zypp.pid", "/var/run/zypp.pid"),
}


def rpm_lock_wait(manager: PackageManager, wait_s: int) -> str:
    """Wait until no live process holds the package manager's lock (its pid files), up to
    ``wait_s``; prints ``free`` (exit 0) or ``locked PID NAME`` (exit 75)."""
    files = _quoted(_RPM_LOCKS[manager])
    return PRELUDE + (
        f"i=0; while :; do h=''; for f in {files}; do [ -r \"$f\" ] || continue; "
        'p=$(head -c 32 "$f" | tr -cd 0-9); '
        '[ -n "$p" ] && [ -d "/proc/$p" ] && h="$p $(cat "/proc/$p/comm" 2>/dev/null)"; done; '
        '[ -z "$h" ] && { echo free; exit 0; }; '
        f'[ "$i" -ge {wait_s:d} ] && {{ echo "locked $h"; exit 75; }}; '
        "sleep 2; i=$((i + 2)); done"
    )


def rpm_refresh(manager: PackageManager) -> str:
    """Refresh the repository metadata (changes no package). Root."""
    if manager is PackageManager.ZYPPER:
        return PRELUDE + "zypper --non-interactive --quiet refresh"
    return PRELUDE + f"{manager} -q -y makecache"


def rpm_transaction(
    manager: PackageManager,
    names: Sequence[str],
    *,
    advisories: Sequence[str],
    full_upgrade: bool,
    dry_run: bool,
) -> str:
    """``dnf``/``yum upgrade``: by advisory when every item names one, else security updates
    of exactly ``names``; weak dependencies off. The dry run answers no (``--assumeno``)."""
    answer = "--assumeno" if dry_run else "-y"
    command = f"{manager} {answer} --setopt=install_weak_deps=False upgrade"
    if full_upgrade:
        return PRELUDE + command
    selector = [f"--advisory={a}" for a in advisories] if advisories else ["--security"]
    return PRELUDE + f"{command} {_quoted(selector)} -- {_quoted(names)}"


def zypper_transaction(
    names: Sequence[str], *, cves: Sequence[str], full_upgrade: bool, dry_run: bool
) -> str:
    """``zypper patch --cve`` (patches fixing the CVEs), else ``update`` of exactly ``names``;
    XML output for the parser, no recommended packages."""
    base = PRELUDE + "zypper --non-interactive --xmlout "
    dry = " --dry-run" if dry_run else ""
    if full_upgrade:
        return base + f"update{dry} --no-recommends"
    if cves:
        return base + f"patch{dry} " + _quoted(f"--cve={cve}" for cve in cves)
    return base + f"update{dry} --no-recommends -- " + _quoted(names)


# --- web servers and TLS passphrases (R13) ------------------------------------------------------

WEB_SERVER_MAPS: Final = PRELUDE + (
    'for d in /proc/[0-9]*; do e=$(readlink "$d/exe" 2>/dev/null) || continue; '
    'case "$e" in */apache2|*/httpd|*/nginx) '
    'awk -v s="${e##*/}" \'$6 ~ /^\\// {print s "\\t" $6}\' "$d/maps" 2>/dev/null;; esac; '
    "done | sort -u; true"
)
"""Files mapped by running web server processes (``SERVER<TAB>PATH``). Root."""


def package_files(package_format: PackageFormat, names: Sequence[str]) -> str:
    """The files the named packages own (the union; unknown names are ignored)."""
    tool = "dpkg -L" if package_format is PackageFormat.DPKG else "rpm -ql"
    return PRELUDE + f"{tool} {_quoted(names)} 2>/dev/null; true"


STAGE_SECRET: Final = (
    PRELUDE + 'umask 077; d=$(mktemp -d /tmp/patchdesk.XXXXXXXXXX) && cat > "$d/p" && '
    "printf '%s\\n' \"$d\""
)
"""Run as the login user with a passphrase on stdin: writes it to a new private directory
(mode 0700) and prints the directory. Root commands cannot take stdin (sudo reads it)."""

STAGE_DIR: Final = re.compile(r"/tmp/patchdesk\.[A-Za-z0-9]{10}")  # noqa: S108 - on the server
"""What :data:`STAGE_SECRET` prints (checked before it is used in a command)."""

_TLS_RUN_DIR: Final = "/run/patchdesk-tls"
_OVERRIDES: Final = {
    WebServer.APACHE: (
        ("/etc/apache2/conf-enabled", "/etc/httpd/conf.d"),
        "SSLPassPhraseDialog exec:{dir}/{name}.ask",
    ),
    WebServer.NGINX: (("/etc/nginx/conf.d",), "ssl_password_file {dir}/{name}.pass;"),
}
_OVERRIDE_FILE: Final = "zzz-patchdesk-passphrase.conf"


def with_tls_passphrases(command: str, staged: Sequence[tuple[WebServer, str, str]]) -> str:
    """Run ``command`` (as root) while the web servers can read their passphrases.

    ``staged`` holds ``(server, service, stage directory)``. For the duration of the command
    only, a passphrase file in ``/run/patchdesk-tls`` (mode 0600) and a last configuration
    file (Apache: ``SSLPassPhraseDialog exec:`` a script printing it; nginx:
    ``ssl_password_file``) let the server start unattended; both, and the stage directory, are
    removed when the script ends, however it ends.
    """
    setup, cleanup = [], [f"rm -rf {_TLS_RUN_DIR}"]
    for server, service, stage in staged:
        if not STAGE_DIR.fullmatch(stage):
            raise ValueError(f"unexpected stage directory {stage!r}")
        name = shlex.quote(service)
        directories, line = _OVERRIDES[server]
        text = line.format(dir=_TLS_RUN_DIR, name=service)
        secret, ask = f"{_TLS_RUN_DIR}/{name}.pass", f"{_TLS_RUN_DIR}/{name}.ask"
        setup.append(
            f"cat {stage}/p > {secret} && rm -rf {stage} || exit 70; "
            f"printf '#!/bin/sh\\ncat %s\\n' {secret} > {ask}; chmod 0700 {ask}; "
        )
        for directory in directories:
            target = f"{directory}/{_OVERRIDE_FILE}"
            setup.append(f"[ -d {directory} ] && printf '%s\\n' {shlex.quote(text)} > {target}; ")
            cleanup.append(f"rm -f {target}")
        cleanup.append(f"rm -rf {stage}")
    return (
        PRELUDE + f"cleanup() {{ {'; '.join(dict.fromkeys(cleanup))}; }}; "
        "trap cleanup EXIT; trap 'exit 143' HUP INT TERM; umask 077; "
        f"mkdir -p {_TLS_RUN_DIR} || exit 70; " + "".join(setup) + f"( {command} )"
    )


# --- restarts and reboot ------------------------------------------------------------------------


def restart_service(service: str) -> str:
    """Restart one service: ``systemctl restart`` when systemd runs, else its init script
    (``service NAME restart``). Root."""
    name = service.removesuffix(".service")
    unit = shlex.quote(service if "." in service else f"{service}.service")
    quoted = shlex.quote(name)
    return PRELUDE + (
        f"if [ -d /run/systemd/system ]; then systemctl restart {unit}; "
        f"elif [ -x /etc/init.d/{quoted} ]; then "
        f"if command -v service >/dev/null 2>&1; then service {quoted} restart; "
        f"else /etc/init.d/{quoted} restart; fi; "
        f"else echo 'no such service' >&2; exit 5; fi"
    )


def reboot() -> str:
    """Schedule a reboot two seconds later and return at once (the session ends). Root."""
    return PRELUDE + (
        "setsid sh -c 'sleep 2; if [ -d /run/systemd/system ]; then systemctl reboot; "
        "else shutdown -r now; fi' </dev/null >/dev/null 2>&1 & echo scheduled"
    )
