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


@pytest.mark.slow
def test_the_whole_snapshot_imports_without_a_single_rejection() -> None:
    """Every batch, the distro-info tables under their shipped names included (they were once
    taken for endoflife.date's table and rejected whole on every first start)."""
    from datetime import date

    from patchdesk.desk.advisories.models import FeedSync
    from patchdesk.desk.platforms.models import SupportedPlatform

    runs = starter_snapshot_import()
    by_source = {run.source.name: run for run in runs}
    assert {"starter-distro-info-debian", "starter-distro-info-ubuntu"} <= set(by_source)
    assert all(run.status == FeedSync.Status.SUCCEEDED for run in runs)
    assert {name: run.rejected for name, run in by_source.items() if run.rejected} == {}
    assert all(run.rejections == [] for run in runs)
    for name in ("starter-distro-info-debian", "starter-distro-info-ubuntu"):
        run = by_source[name]
        assert run.added + run.changed + run.unchanged > 0, name
    ends = dict(SupportedPlatform.objects.values_list("key", "vendor_support_ends_on"))
    sources = dict(SupportedPlatform.objects.values_list("key", "support_ends_source"))
    # Debian: the service ends with Debian LTS (both tables agree on bookworm).
    assert ends["debian:12"] == date(2028, 6, 30)
    # Ubuntu: distro-info's server date wins over endoflife.date's (2027-04-01).
    assert (ends["ubuntu:22.04"], sources["ubuntu:22.04"]) == (date(2027, 6, 1), "distro-info")
    assert ends["ubuntu:24.04"] is not None
