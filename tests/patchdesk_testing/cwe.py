"""A CWE hierarchy read straight from the shared data's derived CSV, independent of the
project's own catalogue loader (so policy tests do not test one loader with itself)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from patchdesk_testing.paths import shared_data

HIERARCHY_CSV = shared_data("cwe", "cwe_v4.14_hierarchy.csv")


class CsvCweHierarchy:
    def __init__(self, path: Path = HIERARCHY_CSV) -> None:
        self._parents: dict[str, tuple[str, ...]] = {}
        self._members: dict[str, frozenset[str]] = {}
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                parents = [p.rstrip("*") for p in row["parents_view1000"].split(";") if p]
                self._parents[row["cwe_id"]] = tuple(parents)
                if row["kind"] == "category":
                    self._members[row["cwe_id"]] = frozenset(
                        m for m in row["members"].split(";") if m
                    )

    @functools.cache  # noqa: B019 - one instance per test session
    def ancestors(self, cwe_id: str) -> frozenset[str]:
        found: set[str] = set()
        pending = list(self._parents.get(cwe_id, ()))
        while pending:
            parent = pending.pop()
            if parent not in found:
                found.add(parent)
                pending.extend(self._parents.get(parent, ()))
        return frozenset(found)

    def is_a(self, cwe_id: str, target: str) -> bool:
        if cwe_id == target or target in self.ancestors(cwe_id):
            return True
        members = self._members.get(target)
        if members is None:
            return False
        return bool(members & ({cwe_id} | self.ancestors(cwe_id)))
