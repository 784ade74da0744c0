"""Reading OSV exports: single files, directories, zip archives, JSON Lines (.xz, .gz)."""

from __future__ import annotations

import gzip
import json
import lzma
import shutil
import zipfile
from pathlib import Path

from patchdesk.engine.feeds.osv_files import (
    iter_osv_export,
    parse_osv_json,
    parse_osv_jsonl,
    read_osv_export,
)
from patchdesk.engine.feeds.result import Rejection
from patchdesk_testing.paths import shared_data

DATA = shared_data()
SAMPLES = DATA / "almalinux-osv" / "samples-almalinux9"
SAMPLE_IDS = sorted(
    json.loads(path.read_text(encoding="utf-8"))["id"] for path in SAMPLES.glob("*.json")
)


def test_a_single_file() -> None:
    result = read_osv_export(SAMPLES / "ALSA-2024-4312.json", source="osv:almalinux")
    assert [a.id for a in result.records] == ["ALSA-2024:4312"]
    assert result.rejected == []


def test_a_directory_in_sorted_order_ignoring_other_files(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "advisories" / "almalinux9")
    (tmp_path / "README.md").write_text("not a record", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{", encoding="utf-8")
    result = read_osv_export(tmp_path, source="osv:almalinux")
    assert sorted(a.id for a in result.records) == SAMPLE_IDS
    assert len(SAMPLE_IDS) == 11
    assert result.rejected == []
    again = read_osv_export(tmp_path, source="osv:almalinux")
    assert again.records == result.records  # deterministic


def test_a_zip_export_with_a_non_json_member(tmp_path: Path) -> None:
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path in sorted(SAMPLES.glob("*.json")):
            out.write(path, path.name)
        out.writestr("notes.txt", "hello")
        out.writestr("broken.json", '{"id": "ALSA-2099:1", "affected": [')
        out.writestr("dir/", "")
    result = read_osv_export(archive, source="osv:almalinux")
    assert sorted(a.id for a in result.records) == SAMPLE_IDS
    reasons = {r.location: r.reason for r in result.rejected}
    assert reasons["all.zip:notes.txt"] == "zip member is not a .json OSV record"
    assert reasons["all.zip:broken.json"].startswith("not valid JSON")
    assert len(result.rejected) == 2


def test_jsonl_plain_gzip_and_xz(tmp_path: Path) -> None:
    lines = [
        json.dumps(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(SAMPLES.glob("*.json"))
    ]
    text = ("\n".join(lines) + "\n\n").encode()
    (tmp_path / "a.jsonl").write_bytes(text)
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(text))
    (tmp_path / "c.ndjson.xz").write_bytes(lzma.compress(text))
    for name in ("a.jsonl", "b.jsonl.gz", "c.ndjson.xz"):
        result = read_osv_export(tmp_path / name, source="osv:almalinux")
        assert sorted(a.id for a in result.records) == SAMPLE_IDS, name
        assert result.rejected == [], name


def test_jsonl_bad_lines_are_rejected_with_their_line_number() -> None:
    good = (SAMPLES / "ALSA-2024-4312.json").read_bytes().replace(b"\n", b"")
    lines = [good, b'{"id": "ALSA-2099:2",', b"[]", b"42", b"\xff\xfe", good]
    items = list(parse_osv_jsonl(lines, source="osv:t", location="x.jsonl"))
    rejections = [item for item in items if isinstance(item, Rejection)]
    assert [r.location for r in rejections] == [
        "x.jsonl line 2",
        "x.jsonl line 4",
        "x.jsonl line 5",
    ]
    assert len(items) - len(rejections) == 2  # "[]" is an empty array of records


def test_a_truncated_xz_export_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    data = (DATA / "almalinux-osv" / "almalinux10.osv.jsonl.xz").read_bytes()
    damaged = tmp_path / "almalinux10.osv.jsonl.xz"
    damaged.write_bytes(data[: len(data) // 2])
    items = list(iter_osv_export(damaged, source="osv:almalinux"))
    rejections = [item for item in items if isinstance(item, Rejection)]
    assert len(rejections) == 1
    assert "unreadable file" in rejections[0].reason
    assert 100 < len(items) - 1 < 660  # the first half of the 660 records


def test_a_json_array_and_garbage() -> None:
    record = json.loads((SAMPLES / "ALSA-2024-4312.json").read_text(encoding="utf-8"))
    result = parse_osv_json(json.dumps([record, {"id": 1}]).encode(), source="s", location="l")
    assert [a.id for a in result.records] == ["ALSA-2024:4312"]
    assert [r.location for r in result.rejected] == ["l[1]"]
    truncated = parse_osv_json(b'{"id": "ALSA', source="s", location="t.json")
    assert truncated.records == []
    assert truncated.rejected[0].reason.startswith("not valid JSON")


def test_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "all.zip"
    fake.write_bytes(b"PK\x03\x04 not really")
    result = read_osv_export(fake, source="osv:t")
    assert result.records == []
    assert "unreadable file" in result.rejected[0].reason
