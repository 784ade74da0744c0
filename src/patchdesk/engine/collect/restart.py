"""Reboot and service-restart checks: parse ``/var/run/reboot-required``, ``needrestart -b``,
``needs-restarting -r/-s`` and, as a fallback, deleted files still mapped by processes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from patchdesk.engine.collect.dpkg import DEB_NAME
from patchdesk.engine.collect.lines import Rejections, describe, iter_lines, split_sections
from patchdesk.engine.model.inventory import ServiceRestart

__all__ = [
    "NeedrestartReport",
    "RebootHint",
    "parse_deleted_maps",
    "parse_needrestart",
    "parse_needs_restarting_reboot",
    "parse_needs_restarting_services",
    "parse_reboot_required_file",
]

_UNIT: Final = re.compile(r"[A-Za-z0-9:_.@\\-]{1,200}\.(?:service|socket|scope|timer|target)")
_SERVICE: Final = re.compile(r"[A-Za-z0-9:_.@\\-]{1,200}")  # unit, or init script without systemd
_NEEDRESTART_LINE: Final = re.compile(r"NEEDRESTART-([A-Z]+): ?(.*)")
_MAPS_LINE: Final = re.compile(
    r"/proc/(?P<pid>\d{1,10})/maps:\S+ \S+ \S+ \S+ \d+ +(?P<path>/.*) \(deleted\)"
)
_PROC_LINE: Final = re.compile(r"/proc/(?P<pid>\d{1,10})/(?:comm|cgroup):(?P<value>.*)")
_CODE_PREFIXES: Final = (
    "/usr/",
    "/lib/",
    "/lib32/",
    "/lib64/",
    "/libx32/",
    "/bin/",
    "/sbin/",
    "/opt/",
)
_DATA_PREFIXES: Final = ("/usr/share/", "/usr/lib/locale/")
_KERNEL_PENDING: Final = {"2": "ABI-compatible kernel upgrade", "3": "kernel version upgrade"}


@dataclass(frozen=True, slots=True, kw_only=True)
class RebootHint:
    """One source's answer to "does this host need a reboot?"."""

    is_required: bool
    reasons: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NeedrestartReport:
    reboot: RebootHint | None  # None: needrestart could not tell (KSTA 0)
    services: tuple[ServiceRestart, ...]


def parse_reboot_required_file(data: bytes) -> tuple[RebootHint, Rejections]:
    """Output of :data:`~patchdesk.engine.collect.commands.REBOOT_REQUIRED_FILE`."""
    rejections = Rejections("reboot-required")
    lines = [line for _, line in iter_lines(data, rejections)]
    if not lines or lines[0] != "reboot-required":
        return RebootHint(is_required=False), rejections
    packages = []
    for line_no, name in enumerate(lines[1:], start=2):
        if DEB_NAME.fullmatch(name.strip()):
            packages.append(name.strip())
        else:
            rejections.reject(line_no, f"invalid package name {describe(name)!r}")
    return (
        RebootHint(
            is_required=True,
            reasons=("/var/run/reboot-required",),
            packages=tuple(dict.fromkeys(packages)),
        ),
        rejections,
    )


def parse_needrestart(data: bytes) -> tuple[NeedrestartReport, Rejections]:
    """``needrestart -b``: kernel status (KSTA), microcode status (UCSTA), services (SVC)."""
    rejections = Rejections("needrestart")
    values: dict[str, list[str]] = {}
    for line_no, line in iter_lines(data, rejections):
        match = _NEEDRESTART_LINE.fullmatch(line.strip())
        if match is None:
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
            continue
        values.setdefault(match.group(1), []).append(match.group(2).strip())
    kernel_state = next(iter(values.get("KSTA", [])), "0")
    microcode_state = next(iter(values.get("UCSTA", [])), "0")
    reasons = []
    if kernel_state in _KERNEL_PENDING:
        expected = next(iter(values.get("KEXP", [])), "")
        reasons.append(f"needrestart: {_KERNEL_PENDING[kernel_state]} pending ({expected})")
    if microcode_state == "2":
        reasons.append("needrestart: CPU microcode update pending")
    reboot = None
    if kernel_state in ("1", "2", "3"):
        reboot = RebootHint(is_required=bool(reasons), reasons=tuple(reasons))
    services = []
    for unit in values.get("SVC", []):
        if _SERVICE.fullmatch(unit):
            services.append(ServiceRestart(name=unit))
        else:
            rejections.reject(0, f"invalid unit name {describe(unit)!r}")
    return NeedrestartReport(reboot=reboot, services=tuple(services)), rejections


def parse_needs_restarting_reboot(
    data: bytes, exit_status: int | None
) -> tuple[RebootHint | None, Rejections]:
    """``needs-restarting -r``: exit status 1 means a reboot is required; None if it failed."""
    rejections = Rejections("needs-restarting -r")
    if exit_status not in (0, 1):
        return None, rejections
    reasons = []
    for _, line in iter_lines(data, rejections):
        item = line.strip()
        if item.startswith("* ") and DEB_NAME.fullmatch(item[2:].strip().lower()):
            reasons.append(f"needs-restarting: {item[2:].strip()} updated since boot")
    if exit_status == 1 and not reasons:
        reasons.append("needs-restarting -r")
    return RebootHint(is_required=exit_status == 1, reasons=tuple(reasons)), rejections


def parse_needs_restarting_services(data: bytes) -> tuple[tuple[ServiceRestart, ...], Rejections]:
    """``needs-restarting -s``: one systemd unit per line (other chatter is ignored)."""
    rejections = Rejections("needs-restarting -s")
    units = [
        line.strip() for _, line in iter_lines(data, rejections) if _UNIT.fullmatch(line.strip())
    ]
    return tuple(ServiceRestart(name=unit) for unit in dict.fromkeys(units)), rejections


def _unit_of(cgroup_lines: Iterable[str]) -> str:
    for line in cgroup_lines:
        path = line.rsplit(":", 1)[-1]
        unit = path.rstrip("/").rsplit("/", 1)[-1]
        if unit.endswith(".service") and _UNIT.fullmatch(unit):
            return unit
    return ""


def parse_deleted_maps(
    data: bytes, *, is_truncated: bool = False
) -> tuple[tuple[ServiceRestart, ...], Rejections]:
    """Services (or processes) still running code deleted from disk, from
    :data:`~patchdesk.engine.collect.commands.PROC_MAPS_DELETED`.

    Only executables and libraries count (paths under /usr, /lib*, /bin, /sbin, /opt, but not
    /usr/share or locale data); a process is named by its systemd unit when it has one.
    """
    rejections = Rejections("proc-maps")
    lines = list(iter_lines(data, rejections, is_truncated=is_truncated))
    sections = split_sections(lines, "patchdesk", rejections)
    deleted: dict[int, set[str]] = {}
    for line in sections.get("maps", []):
        match = _MAPS_LINE.fullmatch(line)
        if match is None:
            rejections.reject(0, f"unexpected maps line {describe(line)!r}")
            continue
        path = match.group("path")
        if path.startswith(_CODE_PREFIXES) and not path.startswith(_DATA_PREFIXES):
            deleted.setdefault(int(match.group("pid")), set()).add(path)
    names: dict[int, str] = {}
    for line in sections.get("comm", []):
        if match := _PROC_LINE.fullmatch(line):
            names[int(match.group("pid"))] = match.group("value")[:64]
    cgroups: dict[int, list[str]] = {}
    for line in sections.get("cgroup", []):
        if match := _PROC_LINE.fullmatch(line):
            cgroups.setdefault(int(match.group("pid")), []).append(match.group("value"))
    grouped: dict[str, tuple[list[int], set[str]]] = {}
    for pid, paths in sorted(deleted.items()):
        name = _unit_of(cgroups.get(pid, [])) or names.get(pid, "") or f"pid {pid}"
        pids, files = grouped.setdefault(name, ([], set()))
        pids.append(pid)
        files.update(paths)
    services = tuple(
        ServiceRestart(name=name, pids=tuple(pids), deleted_files=tuple(sorted(files)))
        for name, (pids, files) in sorted(grouped.items())
    )
    return services, rejections
