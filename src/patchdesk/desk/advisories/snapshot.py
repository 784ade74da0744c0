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
    with tempfile.TemporaryDirectory(prefix="patchdesk-snapshot-") as scratch:
        for item in manifest:
            path = base / item["file"]
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != item["sha256"]:
                raise SnapshotDamagedError(f"{path} is missing or damaged (SHA-256 differs)")
            feed_format = FeedFormat(item["format"])
            if feed_format in _NEEDS_PLAIN_FILE and path.suffix == ".xz":
                plain = Path(scratch) / path.stem
                with lzma.open(path) as packed, plain.open("wb") as out:
                    shutil.copyfileobj(packed, out)
                path = plain
            if progress is not None:
                progress(f"  {item['file']} ({feed_format.value})")
            name = "starter-" + item["file"].split(".")[0]
            runs += feed_file_import(
                path, feed_format=feed_format, source_name=name, trigger="snapshot"
            )
    return runs
