"""Parse dry runs into transactions: ``apt-get -s``, ``dnf``/``yum --assumeno`` and
``zypper --xmlout ... --dry-run``. Pure functions over untrusted bytes.

A dry run is trusted only when every line that describes a package is understood: a line that
looks like a transaction line but does not parse (or names an invalid package or version)
makes the whole dry run unusable, and the work is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final

from patchdesk.engine import versions
from patchdesk.engine.collect.dpkg import DEB_ARCH, DEB_NAME, DEB_VERSION
from patchdesk.engine.collect.lines import Rejections, describe, iter_lines
from patchdesk.engine.collect.rpm import RPM_ARCH, RPM_NAME
from patchdesk.engine.model.work import TransactionAction, TransactionEntry
from patchdesk.engine.remediate.names import RPM_EVR
from patchdesk.engine.transport.base import CommandResult

__all__ = ["DryRun", "parse_apt_simulation", "parse_dnf_transaction", "parse_zypper_summary"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DryRun:
    """The transaction a dry run showed, or why it cannot be used (``problem``)."""

    entries: tuple[TransactionEntry, ...] = ()
    problem: str | None = None


def _failed(result: CommandResult, what: str) -> DryRun:
    detail = result.stderr_line() or f"exit status {result.exit_status}"
    return DryRun(problem=f"{what} failed: {detail}")


# --- apt ----------------------------------------------------------------------------------------

# Inst libssl3 [3.0.20-1~deb12u2] (3.0.22-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
_APT_INST: Final = re.compile(
    r"Inst (?P<name>\S+) (?:\[(?P<old>[^]\s]+)\] )?"
    r"\((?P<new>\S+) (?P<repo>.*?) ?\[(?P<arch>[^]]+)\]\)(?: \[.*\])?"
)
_APT_REMOVE: Final = re.compile(
    r"(?:Remv|Purg) (?P<name>\S+)(?: \[(?P<old>[^]\s]+)\])?(?: \[.*\])?"
)
_APT_UNAUTHENTICATED: Final = "WARNING: The following packages cannot be authenticated"


def _deb_name(text: str) -> tuple[str, str] | None:
    name, _, arch = text.partition(":")
    if not DEB_NAME.fullmatch(name) or (arch and not DEB_ARCH.fullmatch(arch)):
        return None
    return name, arch


def _deb_version(text: str | None) -> bool:
    if text is None:
        return True
    if not DEB_VERSION.fullmatch(text):
        return False
    try:
        versions.parse("dpkg", text)
    except versions.InvalidVersion:
        return False
    return True


def _apt_entry(line: str) -> TransactionEntry | str:
    """The entry of one ``Inst``/``Remv``/``Purg`` line, or why it is not understood."""
    if match := _APT_INST.fullmatch(line):
        named = _deb_name(match["name"])
        old, new = match["old"], match["new"]
        if named is None or not _deb_version(old) or not _deb_version(new):
            return f"invalid package or version in {describe(line)!r}"
        if old is None:
            action = TransactionAction.INSTALL
        else:
            order = versions.compare("dpkg", new, old)
            action = (
                TransactionAction.UPGRADE
                if order > 0
                else TransactionAction.DOWNGRADE
                if order < 0
                else TransactionAction.REINSTALL
            )
        return TransactionEntry(
            action=action,
            name=named[0],
            arch=named[1] or match["arch"],
            old_version=old or "",
            new_version=new,
            repository=match["repo"][:200],
        )
    if match := _APT_REMOVE.fullmatch(line):
        named = _deb_name(match["name"])
        if named is None or not _deb_version(match["old"]):
            return f"invalid package or version in {describe(line)!r}"
        return TransactionEntry(
            action=TransactionAction.REMOVE,
            name=named[0],
            arch=named[1],
            old_version=match["old"] or "",
        )
    return f"unexpected transaction line {describe(line)!r}"


def parse_apt_simulation(result: CommandResult) -> DryRun:
    """``apt-get -s`` output: ``Inst`` (upgrade, install, downgrade, reinstall) and
    ``Remv``/``Purg`` lines; ``Conf`` lines and apt's chatter are ignored."""
    if result.exit_status != 0 or result.is_truncated:
        return _failed(result, "apt-get -s")
    rejections = Rejections("apt-get -s")
    entries: list[TransactionEntry] = []
    for _, line in iter_lines(result.stdout, rejections):
        if line.startswith(_APT_UNAUTHENTICATED):
            return DryRun(problem="apt would install packages that cannot be authenticated")
        if not line.startswith(("Inst ", "Remv ", "Purg ")):
            continue
        entry = _apt_entry(line)
        if isinstance(entry, str):
            return DryRun(problem=entry)
        entries.append(entry)
    if rejections.count:
        return DryRun(problem=f"unreadable dry-run output: {', '.join(rejections.examples)}")
    return DryRun(entries=tuple(entries))


# --- dnf and yum --------------------------------------------------------------------------------

_RPM_SECTIONS: Final = {
    "Upgrading": TransactionAction.UPGRADE,
    "Updating": TransactionAction.UPGRADE,  # yum
    "Updating for dependencies": TransactionAction.UPGRADE,  # yum
    "Upgrading dependencies": TransactionAction.UPGRADE,
    "Installing": TransactionAction.INSTALL,
    "Installing dependencies": TransactionAction.INSTALL,
    "Installing weak dependencies": TransactionAction.INSTALL,
    "Installing for dependencies": TransactionAction.INSTALL,  # yum
    "Installing group/module packages": TransactionAction.INSTALL,
    "Removing": TransactionAction.REMOVE,
    "Removing dependent packages": TransactionAction.REMOVE,
    "Removing unused dependencies": TransactionAction.REMOVE,
    "Removing for dependencies": TransactionAction.REMOVE,  # yum
    "Erasing": TransactionAction.REMOVE,  # yum
    "Downgrading": TransactionAction.DOWNGRADE,
    "Reinstalling": TransactionAction.REINSTALL,
    "Skipping packages with conflicts": TransactionAction.SKIP,
    "Skipping packages with broken dependencies": TransactionAction.SKIP,
}
_SIZE: Final = re.compile(r"\d+(?:\.\d+)?")
_SIZE_UNITS: Final = frozenset({"k", "M", "G", "T"})
_NOTHING_TO_DO: Final = ("Nothing to do.", "No packages marked for update", "No packages marked")


def _rpm_valid(name: str, arch: str, version: str) -> bool:
    if not (RPM_NAME.fullmatch(name) and RPM_ARCH.fullmatch(arch) and RPM_EVR.fullmatch(version)):
        return False
    try:
        versions.parse("rpm", version)
    except versions.InvalidVersion:
        return False
    return True


def _rpm_section(action: TransactionAction, tokens: list[str]) -> list[TransactionEntry] | str:
    """Entries from a section's tokens: ``NAME ARCH VERSION REPO SIZE [UNIT]`` each (dnf wraps
    long lines, so tokens are read across lines), and ``replacing NAME.ARCH VERSION``."""
    entries: list[TransactionEntry] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "replacing":
            if i + 2 >= len(tokens):
                return "incomplete 'replacing' entry"
            name, _, arch = tokens[i + 1].rpartition(".")
            version = tokens[i + 2]
            if not _rpm_valid(name, arch, version):
                return f"invalid replaced package {describe(tokens[i + 1])!r}"
            entries.append(
                TransactionEntry(
                    action=TransactionAction.REMOVE, name=name, arch=arch, old_version=version
                )
            )
            i += 3
            continue
        if i + 4 >= len(tokens):
            return f"incomplete entry {describe(' '.join(tokens[i:]))!r}"
        name, arch, version, repo, size = tokens[i : i + 5]
        if not _rpm_valid(name, arch, version) or not _SIZE.fullmatch(size):
            return f"unexpected entry {describe(' '.join(tokens[i : i + 5]))!r}"
        i += 5
        if i < len(tokens) and tokens[i] in _SIZE_UNITS:
            i += 1
        removed = action is TransactionAction.REMOVE
        entries.append(
            TransactionEntry(
                action=action,
                name=name,
                arch=arch,
                old_version=version if removed else "",
                new_version="" if removed else version,
                repository=repo[:200],
            )
        )
    return entries


def parse_dnf_transaction(result: CommandResult) -> DryRun:
    """The transaction table of ``dnf``/``yum ... --assumeno``: exit 1 with "Operation
    aborted." when there is a transaction, exit 0 and "Nothing to do." when there is none."""
    err = result.stderr.decode("utf-8", "replace")
    out = result.stdout.decode("utf-8", "replace")
    aborted = "Operation aborted" in err or "Exiting on user command" in out + err
    nothing = any(text in out + err for text in _NOTHING_TO_DO)
    if result.is_truncated or not (
        (result.exit_status == 1 and (aborted or nothing)) or result.exit_status == 0
    ):
        return _failed(result, "dry run")
    rejections = Rejections("dry run")
    sections: list[tuple[TransactionAction, list[str]]] = []
    current: list[str] | None = None
    for _, line in iter_lines(result.stdout, rejections):
        if not line.startswith(" "):
            header = line.rstrip().removesuffix(":")
            if line.rstrip().endswith(":") and header in _RPM_SECTIONS:
                current = []
                sections.append((_RPM_SECTIONS[header], current))
            elif line.startswith(("Transaction Summary", "Total", "=")):
                current = None
            elif current is not None and not line.startswith("("):
                return DryRun(problem=f"unexpected line in transaction {describe(line)!r}")
            continue
        if current is not None:
            current.extend(line.split())
    if rejections.count:
        return DryRun(problem=f"unreadable dry-run output: {', '.join(rejections.examples)}")
    entries: list[TransactionEntry] = []
    for action, tokens in sections:
        parsed = _rpm_section(action, tokens)
        if isinstance(parsed, str):
            return DryRun(problem=parsed)
        entries.extend(parsed)
    return DryRun(entries=tuple(entries))


# --- zypper -------------------------------------------------------------------------------------

_ZYPPER_SECTIONS: Final = {
    "to-upgrade": TransactionAction.UPGRADE,
    "to-install": TransactionAction.INSTALL,
    "to-remove": TransactionAction.REMOVE,
    "to-downgrade": TransactionAction.DOWNGRADE,
    "to-reinstall": TransactionAction.REINSTALL,
}


def parse_zypper_summary(result: CommandResult) -> DryRun:
    """``<install-summary>`` of ``zypper --xmlout ... --dry-run``; package solvables only
    (patches are how, not what). Exit 0, 100-103 (patches available/needed) are normal."""
    if result.is_truncated or result.exit_status not in (0, 100, 101, 102, 103):
        return _failed(result, "zypper dry run")
    try:
        root = ET.fromstring(result.stdout)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        return DryRun(problem=f"zypper output is not XML: {exc}")
    errors = [m.text or "" for m in root.iter("message") if m.get("type") == "error"]
    if errors:
        return DryRun(problem=f"zypper: {describe(errors[0])}")
    entries: list[TransactionEntry] = []
    for summary in root.iter("install-summary"):
        for section in summary:
            action = _ZYPPER_SECTIONS.get(section.tag)
            if action is None:
                continue
            for solvable in section.iter("solvable"):
                if solvable.get("type", "package") != "package":
                    continue
                name, arch = solvable.get("name", ""), solvable.get("arch", "")
                new, old = solvable.get("edition", ""), solvable.get("edition-old", "")
                if action is TransactionAction.REMOVE:
                    new, old = "", new
                if not _rpm_valid(name, arch, new or old) or (old and not RPM_EVR.fullmatch(old)):
                    return DryRun(problem=f"invalid solvable {describe(name)!r}")
                entries.append(
                    TransactionEntry(
                        action=action,
                        name=name,
                        arch=arch,
                        old_version=old,
                        new_version=new,
                        repository=solvable.get("repository", "")[:200],
                    )
                )
    return DryRun(entries=tuple(entries))
