"""A file whose records are all rejected (or that holds none) imports cleanly and is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchdesk.desk.advisories.models import Advisory, FeedSync
from patchdesk.desk.advisories.sync import feed_file_import
from patchdesk.engine.feeds.detect import FeedFormat
from patchdesk_testing.paths import shared_data

pytestmark = pytest.mark.django_db

DEBIAN_OSV = shared_data("debian-osv-samples")


def _unknown_ecosystem(tmp_path: Path) -> Path:
    """A real Debian OSV record moved to an ecosystem nobody knows."""
    record = json.loads((DEBIAN_OSV / "DSA-3029-1.json").read_text(encoding="utf-8"))
    for entry in record["affected"]:
        entry["package"]["ecosystem"] = "Plan9:4"
    path = tmp_path / "DSA-3029-1.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_a_file_whose_only_record_is_rejected_completes_and_reports_it(tmp_path: Path) -> None:
    (run,) = feed_file_import(_unknown_ecosystem(tmp_path), feed_format=FeedFormat.OSV)
    assert run.status == FeedSync.Status.SUCCEEDED
    assert (run.added, run.changed, run.unchanged) == (0, 0, 0)
    assert run.rejected == len(run.rejections) == 2  # the entry, then the record
    assert {r["record_id"] for r in run.rejections} == {"DSA-3029-1"}
    assert any("Plan9:4" in r["reason"] for r in run.rejections)
    assert not Advisory.objects.exists()


def test_rejected_only_after_real_records_changes_nothing(tmp_path: Path) -> None:
    feed_file_import(DEBIAN_OSV, feed_format=FeedFormat.OSV, source_name="debian")
    before = set(Advisory.objects.values_list("advisory_id", "content_hash"))
    assert len(before) == 5
    (run,) = feed_file_import(
        _unknown_ecosystem(tmp_path), feed_format=FeedFormat.OSV, source_name="debian"
    )
    assert (run.status, run.rejected) == (FeedSync.Status.SUCCEEDED, 2)
    assert set(Advisory.objects.values_list("advisory_id", "content_hash")) == before


@pytest.mark.parametrize(
    ("name", "feed_format"),
    [
        ("empty.jsonl", FeedFormat.OSV),
        ("empty.json", FeedFormat.CSAF),
        ("empty.jsonl", FeedFormat.CVE5),
        ("empty.csv", FeedFormat.KEV),
        ("empty.csv", FeedFormat.EPSS),
        ("empty.csv", FeedFormat.EOL),
    ],
)
def test_an_empty_file_completes_with_a_report(
    tmp_path: Path, name: str, feed_format: FeedFormat
) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    runs = feed_file_import(path, feed_format=feed_format)
    assert runs
    for run in runs:
        assert run.status == FeedSync.Status.SUCCEEDED, run.error
        assert (run.added, run.changed) == (0, 0)
        assert run.rejected == len(run.rejections)
