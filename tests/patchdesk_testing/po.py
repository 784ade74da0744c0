"""A small reader of gettext .po files, for checking that the Japanese catalogue is complete."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(slots=True)
class PoEntry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    context: str = ""


def po_read(path: Path) -> list[PoEntry]:
    """Entries of a .po file (the header entry excluded)."""
    entries: list[PoEntry] = []
    current = PoEntry()
    target: str | None = None

    def finish() -> None:
        nonlocal current
        if current.msgid or current.msgstr:
            entries.append(current)
        current = PoEntry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            target = keyword
            if keyword.startswith("msgstr"):
                current.msgstr.append("")
        if target == "msgid":
            current.msgid += text
        elif target == "msgid_plural":
            current.msgid_plural += text
        elif target == "msgctxt":
            current.context += text
        elif target is not None and target.startswith("msgstr"):
            current.msgstr[-1] += text
    finish()
    return [entry for entry in entries if entry.msgid]
