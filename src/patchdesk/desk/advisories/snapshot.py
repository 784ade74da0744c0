"""The starter snapshot shipped with patchdesk (``patchdesk/data/starter``), imported once.

On the first start of an installation whose advisory store is empty, ``patchdesk init`` imports
it so the desk works offline at once. The files are checked against ``MANIFEST.json``.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from patchdesk.desk.advisories.models import Advisory, FeedSync
from patchdesk.desk.advisories.sync import feed_file_import
from patchdesk.engine.feeds.detect import FeedFormat

__all__ = ["SnapshotDamagedError", "advisory_store_is_empty", "starter_snapshot_import"]

_NEEDS_PLAIN_FILE = {FeedFormat.KEV, FeedFormat.EPSS, FeedFormat.EOL}


class SnapshotDamagedError(Exception):
    """A snapshot file is missing or does not match its manifest."""


def _directory() -> Path:
    return Path(str(resources.files("patchdesk").joinpath("data", "starter")))


def advisory_store_is_empty() -> bool:
    return not Advisory.objects.exists()


def starter_snapshot_import(
    *, directory: Path | None = None, progress: Callable[[str], None] | None = None
) -> list[FeedSync]:
    """Import every file of the snapshot; each file is one all-or-nothing import."""
    base = directory or _directory()
    manifest = json.loads((base / "MANIFEST.json").read_text(encoding="utf-8"))
    runs: list[FeedSync] = []
    batches: dict[str, list[dict[str, str]]] = {}
    for item in manifest:
        batches.setdefault(item.get("batch") or item["file"].split(".")[0], []).append(item)
    with tempfile.TemporaryDirectory(prefix="patchdesk-snapshot-") as scratch:
        for name, items in batches.items():
            feed_format = FeedFormat(items[0]["format"])
            paths = [_checked(base / item["file"], item["sha256"], feed_format, Path(scratch))
                     for item in items]  # fmt: skip
            if progress is not None:
                progress(f"  {', '.join(item['file'] for item in items)} ({feed_format.value})")
            runs += feed_file_import(
                paths, feed_format=feed_format, source_name=f"starter-{name}", trigger="snapshot"
            )
    return runs


def _checked(path: Path, sha256: str, feed_format: FeedFormat, scratch: Path) -> Path:
    """The file, verified; a plain copy when its reader does not read xz."""
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise SnapshotDamagedError(f"{path} is missing or damaged (SHA-256 differs)")
    if feed_format not in _NEEDS_PLAIN_FILE or path.suffix != ".xz":
        return path
    plain = scratch / path.stem
    with lzma.open(path) as packed, plain.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return plain
