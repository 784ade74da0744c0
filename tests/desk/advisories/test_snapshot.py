"""The starter snapshot refuses damaged files instead of importing them."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from patchdesk.desk.advisories.models import Advisory
from patchdesk.desk.advisories.snapshot import SnapshotDamagedError, starter_snapshot_import

pytestmark = pytest.mark.django_db

SHIPPED = Path(str(resources.files("patchdesk").joinpath("data", "starter")))


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "starter"
    shutil.copytree(SHIPPED, copy)
    target = copy / "almalinux10.osv.jsonl.xz"
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(SnapshotDamagedError, match=r"almalinux10\.osv\.jsonl\.xz"):
        starter_snapshot_import(directory=copy)
    assert Advisory.objects.count() == Advisory.objects.filter(source="osv").count()


def test_the_manifest_names_every_shipped_file() -> None:
    import json

    manifest = json.loads((SHIPPED / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = {item["file"] for item in manifest}
    shipped = {p.name for p in SHIPPED.iterdir()} - {"MANIFEST.json", "PROVENANCE.md"}
    assert listed == shipped
    assert all(item["license"] and item["source"] for item in manifest)
