"""Software the service does not update (R5): executables and libraries under /usr/local and
/opt, and running processes, whose files no package owns. Pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from patchdesk.engine.collect.commands import MAX_LOCAL_FILES
from patchdesk.engine.collect.lines import Rejections, describe, iter_lines, iter_records
from patchdesk.engine.model.inventory import OutOfScopeItem, OutOfScopeKind

__all__ = [
    "build_out_of_scope",
    "ownership_candidates",
    "parse_local_software",
    "parse_owned_paths",
    "parse_process_binaries",
]

_LOCAL_ROOTS: Final = ("/usr/local/", "/opt/")
_MERGED_DIRS: Final = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_DELETED: Final = " (deleted)"


def _is_clean_path(path: str) -> bool:
    return path.startswith("/") and "\\" not in path and "/../" not in path + "/"


def parse_local_software(
    data: bytes, *, is_truncated: bool = False
) -> tuple[list[str], Rejections, bool]:
    """Paths found under /usr/local and /opt (NUL-separated ``find -print0`` output).

    Returns the paths, the rejections, and whether the list was cut at
    :data:`~patchdesk.engine.collect.commands.MAX_LOCAL_FILES`.
    """
    rejections = Rejections("find /usr/local /opt")
    paths: list[str] = []
    for number, path in iter_records(data, rejections, separator=b"\0", is_truncated=is_truncated):
        if not path.startswith(_LOCAL_ROOTS) or not _is_clean_path(path):
            rejections.reject(number, f"unexpected path {describe(path)!r}")
            continue
        paths.append(path)
    is_cut = len(paths) > MAX_LOCAL_FILES
    return paths[:MAX_LOCAL_FILES], rejections, is_cut


def parse_process_binaries(
    data: bytes, *, is_truncated: bool = False
) -> tuple[dict[str, list[int]], Rejections]:
    """``binary path → pids`` of running processes (kernel threads and deleted binaries are
    left out: the latter are a restart matter, not an ownership one)."""
    rejections = Rejections("process binaries")
    binaries: dict[str, list[int]] = {}
    for line_no, line in iter_lines(data, rejections, is_truncated=is_truncated):
        proc, sep, path = line.partition("\t")
        pid_text = proc.removeprefix("/proc/")
        if not sep or not proc.startswith("/proc/") or not pid_text.isdigit():
            rejections.reject(line_no, f"unexpected line {describe(line)!r}")
            continue
        if not path or path.endswith(_DELETED):
            continue
        if not _is_clean_path(path):
            rejections.reject(line_no, f"unexpected binary path {describe(path)!r}")
            continue
        binaries.setdefault(path, []).append(int(pid_text))
    return binaries, rejections


def _aliases(path: str) -> list[str]:
    """The same file under merged-/usr and classic names (``/usr/bin/sh`` and ``/bin/sh``)."""
    for directory in _MERGED_DIRS:
        if path.startswith(f"/usr/{directory}/"):
            return [path, path.removeprefix("/usr")]
        if path.startswith(f"/{directory}/"):
            return [path, f"/usr{path}"]
    return [path]


def ownership_candidates(paths: Iterable[str]) -> list[str]:
    """The lines to send to the ownership check: every path and its merged-/usr alias."""
    return list(dict.fromkeys(alias for path in paths for alias in _aliases(path)))


def parse_owned_paths(data: bytes) -> tuple[set[str], Rejections]:
    """The paths the ownership check printed (those a package owns)."""
    rejections = Rejections("package file ownership")
    owned = {line for _, line in iter_lines(data, rejections) if _is_clean_path(line)}
    return owned, rejections


def _root_of(path: str) -> str:
    return "/usr/local" if path.startswith("/usr/local/") else "/opt"


def _is_library(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".so") or ".so." in name


def build_out_of_scope(
    *,
    local_files: Iterable[str],
    process_binaries: Mapping[str, list[int]],
    owned: set[str],
) -> tuple[OutOfScopeItem, ...]:
    """Out-of-scope items: unowned files under /usr/local and /opt, then unowned processes."""

    def is_owned(path: str) -> bool:
        return any(alias in owned for alias in _aliases(path))

    items = [
        OutOfScopeItem(
            kind=OutOfScopeKind.LIBRARY if _is_library(path) else OutOfScopeKind.EXECUTABLE,
            path=path,
            reason=f"under {_root_of(path)}, owned by no package",
        )
        for path in sorted(local_files)
        if not is_owned(path)
    ]
    items.extend(
        OutOfScopeItem(
            kind=OutOfScopeKind.PROCESS,
            path=path,
            reason="running binary owned by no package",
            pids=tuple(sorted(pids)),
        )
        for path, pids in sorted(process_binaries.items())
        if not is_owned(path)
    )
    return tuple(items)
