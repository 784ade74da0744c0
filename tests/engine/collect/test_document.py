"""The inventory document: round trip, atomic write, and validation with clear places."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.collect.support import recording, replay
from patchdesk.engine.collect import (
    SCHEMA_VERSION,
    InventoryDocumentError,
    format_inventory_document,
    parse_inventory_document,
    read_inventory_document,
    write_inventory_document,
)
from patchdesk.engine.model.inventory import HostInventory, ScanError, ScanErrorCode

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _hosts() -> list[HostInventory]:
    failed = HostInventory(
        target="ssh://root@web9:22",
        started_at=AT,
        finished_at=AT,
        error=ScanError(code=ScanErrorCode.TIMEOUT, message="web9: timeout", params={"t": "15"}),
    )
    return [
        replay(recording("debian12-scenarios-deploy-sudo")),
        replay(recording("debian12-unprivileged")),
        failed,
    ]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    hosts = _hosts()
    path = tmp_path / "out" / "inventory.json"
    write_inventory_document(path, hosts, generated_at=AT, generator="patchdesk test")
    document = read_inventory_document(path)
    assert document.hosts == tuple(hosts)
    assert (document.generated_at, document.generator) == (AT, "patchdesk test")
    assert document.schema_version == SCHEMA_VERSION
    assert [p.name for p in path.parent.iterdir()] == ["inventory.json"]  # no temp files


def test_documented_fields_are_present() -> None:
    data = json.loads(format_inventory_document(_hosts(), generated_at=AT, generator="t"))
    host = data["hosts"][0]
    assert set(host) >= {
        "target", "platform", "packages", "kernel", "restart", "out_of_scope", "tls",
        "error", "warnings", "host_key",
    }  # fmt: skip
    package = host["packages"][0]
    assert set(package) == {"name", "version", "arch", "source_name", "source_version", "origin"}
    assert set(package["origin"]) == {"kind", "repository", "label"}


def _mutated(change: str) -> str:
    data = json.loads(format_inventory_document(_hosts(), generated_at=AT, generator="t"))
    host = data["hosts"][0]
    if change == "version":
        host["packages"][3]["version"] = "1:"
    elif change == "schema":
        data["schema_version"] = 2
    elif change == "naive":
        host["started_at"] = "2026-11-25T12:00:00"
    elif change == "enum":
        host["packages"][0]["origin"]["kind"] = "somewhere"
    elif change == "missing":
        del host["target"]
    elif change == "type":
        host["is_privileged"] = "yes"
    elif change == "kind":
        data["schema"] = "something.else"
    return json.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("schema", "schema_version: version 2 is not supported"),
        ("naive", "hosts[0].started_at: timestamp without a time zone"),
        ("enum", "hosts[0].packages[0].origin.kind: unknown value 'somewhere'"),
        ("missing", "hosts[0].target: missing"),
        ("type", "hosts[0].is_privileged: expected true or false"),
        ("kind", "schema: not a patchdesk.inventory document"),
    ],
)
def test_invalid_documents_name_the_place(change: str, message: str) -> None:
    with pytest.raises(InventoryDocumentError, match=re.escape(message)):
        parse_inventory_document(_mutated(change))


def test_an_unparsable_version_is_a_per_package_warning_not_a_refusal() -> None:
    """Only structure is fatal: a package whose version does not parse is kept (the matcher
    reports it as cannot evaluate) and its host gets one counted warning naming the place."""
    document = parse_inventory_document(_mutated("version"))
    host = document.hosts[0]
    assert document.hosts[1:] == tuple(_hosts()[1:])
    assert len(host.packages) == len(_hosts()[0].packages)
    assert host.packages[3].version == "1:"
    (warning,) = [w for w in host.warnings if w.code == "invalid_version"]
    assert (warning.source, warning.count) == ("inventory-document", 1)
    assert warning.examples[0].startswith("hosts[0].packages[3].version: invalid dpkg version '1:'")
    assert "cannot be evaluated" in warning.message


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(InventoryDocumentError, match="cannot read"):
        read_inventory_document(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InventoryDocumentError, match=re.escape(f"{bad}: not JSON")):
        read_inventory_document(bad)


def test_naive_generation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_inventory_document([], generated_at=datetime(2026, 1, 1), generator="t")  # noqa: DTZ001
