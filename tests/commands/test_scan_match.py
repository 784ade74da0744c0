"""``patchdesk scan`` end to end without the desk: inventories matched against the local store."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from patchdesk.engine.collect import write_inventory_document
from patchdesk.engine.feeds.native import write_native_advisories
from patchdesk_testing.inventory import ALMA, DEBIAN, fix, host, pkg
from patchdesk_testing.paths import shared_data
from patchdesk_testing.processes import cli_env, run_cli

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def _store(tmp_path: Path) -> dict[str, str]:
    env = cli_env(tmp_path / "data")
    assert run_cli("init", env=env).returncode == 0
    advisories = tmp_path / "advisories.jsonl"
    write_native_advisories(
        [
            replace(fix("DSA-EXPAT", "expat", "2.5.0-1+deb12u2"), cve_ids=("CVE-2099-1001",)),
            fix(
                "ALSA-SSH",
                "openssh",
                "8.7p1-38.el9_4.1",
                platform="almalinux:9",
                kind=__import__(
                    "patchdesk.engine.model", fromlist=["PackageNameKind"]
                ).PackageNameKind.BINARY,
                fmt=__import__(
                    "patchdesk.engine.model", fromlist=["PackageFormat"]
                ).PackageFormat.RPM,
            ),
        ],
        advisories,
    )
    imported = run_cli("feeds", "import", str(advisories), env=env)
    assert imported.returncode == 0, imported.stderr
    return env


def test_inventory_files_are_matched_and_reported_as_json(tmp_path: Path) -> None:
    env = _store(tmp_path)
    inventories = tmp_path / "inventories.json"
    write_inventory_document(
        inventories,
        [
            host(DEBIAN, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"), target="ssh://web1"),
            host(ALMA, pkg("openssh", "8.7p1-38.el9", arch="x86_64"), target="ssh://db1"),
            host(DEBIAN, pkg("libexpat1", "2.5.0-1+deb12u2", source="expat"), target="ssh://mail1"),
        ],
        generated_at=NOW,
        generator="test",
    )
    result = run_cli("scan", str(inventories), "--format", "json", env=env)
    report = json.loads(result.stdout)
    servers = {server["target"]: server for server in report["servers"]}
    web1 = servers["ssh://web1"]
    assert web1["platform"] == "debian:12"
    (finding,) = web1["findings"]
    assert finding["package"] == "libexpat1"
    assert finding["installed_version"] == "2.5.0-1+deb12u1"
    assert finding["fixed_version"] == "2.5.0-1+deb12u2"
    assert finding["advisory_ids"] == ["DSA-EXPAT"]
    assert finding["cve_ids"] == ["CVE-2099-1001"]
    assert finding["level"] == "needs_review"
    assert finding["reasons"][0]["rule_id"] == "insufficient-facts"
    assert servers["ssh://db1"]["findings"][0]["advisory_ids"] == ["ALSA-SSH"]
    assert servers["ssh://mail1"]["findings"] == []
    assert result.returncode == 0, "needs_review alone is not actionable"


def test_actionable_findings_set_the_exit_status_and_csv_table_work(tmp_path: Path) -> None:
    env = _store(tmp_path)
    cve = tmp_path / "CVE-2099-1001.json"
    record = json.loads(
        shared_data("nvd-cve5-samples", "cve-json5", "CVE-2024-3094.json").read_text()
    )
    record["cveMetadata"]["cveId"] = "CVE-2099-1001"
    cve.write_text(json.dumps(record), encoding="utf-8")
    assert run_cli("feeds", "import", "--kind", "cve5", str(cve), env=env).returncode == 0
    inventories = tmp_path / "web1.json"
    write_inventory_document(
        inventories,
        [host(DEBIAN, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"), target="ssh://web1")],
        generated_at=NOW,
        generator="test",
    )
    table = run_cli("scan", str(inventories), "--format", "table", env=env)
    assert table.returncode == 3, table.stdout + table.stderr
    assert "[high]" in table.stdout
    assert "libexpat1 2.5.0-1+deb12u1 -> 2.5.0-1+deb12u2  DSA-EXPAT" in table.stdout
    csv = run_cli("scan", str(inventories), "--format", "csv", env=env)
    assert csv.stdout.splitlines()[1].startswith("ssh://web1,debian:12,libexpat1,2.5.0-1+deb12u1,")
    explained = run_cli("policy", "explain", "CVE-2099-1001", "--format", "json", env=env)
    verdict = json.loads(explained.stdout)[0]
    assert verdict["level"] == "high"
    assert verdict["reasons"][0]["rule_id"] == "cvss-full-compromise"
    mechanism = next(r for r in verdict["reasons"] if r["rule_id"] == "cwe-without-attack-type")
    assert mechanism["cwe_id"] == "CWE-506"


def test_a_platform_without_advisories_is_reported_as_cannot_evaluate(tmp_path: Path) -> None:
    env = _store(tmp_path)
    inventories = tmp_path / "ubuntu.json"
    ubuntu = replace(DEBIAN, distro="ubuntu", release="22.04", codename="jammy")
    write_inventory_document(
        inventories,
        [host(ubuntu, pkg("bash", "5.1-6ubuntu1"), target="ssh://app2")],
        generated_at=NOW,
        generator="test",
    )
    result = run_cli("scan", str(inventories), "--format", "json", env=env)
    server = json.loads(result.stdout)["servers"][0]
    assert server["cannot_evaluate"] == [
        {
            "package": "bash",
            "version": "5.1-6ubuntu1",
            "reason": "no advisories for ubuntu:22.04 in the advisory store",
        }
    ]
    assert result.returncode == 4, "nothing at all could be evaluated"
    assert "nothing could be evaluated" in result.stderr


def test_exit_4_only_when_nothing_at_all_could_be_evaluated(tmp_path: Path) -> None:
    env = _store(tmp_path)
    ubuntu = replace(DEBIAN, distro="ubuntu", release="22.04", codename="jammy")
    mixed = tmp_path / "mixed.json"
    write_inventory_document(
        mixed,
        [
            host(ubuntu, pkg("bash", "5.1-6ubuntu1"), target="ssh://app2"),
            host(DEBIAN, pkg("zsh", "5.9-4"), target="ssh://mail1"),
        ],
        generated_at=NOW,
        generator="test",
    )
    result = run_cli("scan", str(mixed), "--format", "json", env=env)
    assert result.returncode == 0, "mail1's packages were evaluated"
    unparsable = tmp_path / "unparsable.json"
    write_inventory_document(
        unparsable,
        [host(DEBIAN, pkg("zsh", "5.9-4"), target="ssh://mail1")],
        generated_at=NOW,
        generator="test",
    )
    data = json.loads(unparsable.read_text(encoding="utf-8"))
    data["hosts"][0]["packages"][0]["version"] = "1:"
    unparsable.write_text(json.dumps(data), encoding="utf-8")
    assert run_cli("scan", str(unparsable), env=env).returncode == 4
    helped = run_cli("scan", "--help", env=env)
    assert "4  nothing could be evaluated" in helped.stdout


def test_this_machine_is_scanned_and_matched(tmp_path: Path) -> None:
    env = _store(tmp_path)
    result = run_cli("scan", "local", "--format", "json", env=env)
    assert result.returncode in (0, 3), result.stderr
    server = json.loads(result.stdout)["servers"][0]
    assert server["target"] == "local"
    assert server["error"] is None
    assert server["platform"].startswith("debian:")


def test_a_package_whose_version_does_not_parse_cannot_be_evaluated(tmp_path: Path) -> None:
    """The rest of the inventory is still matched; the bad package is reported with its
    reason, and the host carries a counted warning."""
    env = _store(tmp_path)
    inventories = tmp_path / "web1.json"
    write_inventory_document(
        inventories,
        [
            host(
                DEBIAN,
                pkg("zsh", "5.9-4"),
                pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"),
                target="ssh://web1",
            )
        ],
        generated_at=NOW,
        generator="test",
    )
    data = json.loads(inventories.read_text(encoding="utf-8"))
    data["hosts"][0]["packages"][0]["version"] = "1:"
    inventories.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("scan", str(inventories), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    (server,) = json.loads(result.stdout)["servers"]
    assert [f["package"] for f in server["findings"]] == ["libexpat1"]
    (bad,) = server["cannot_evaluate"]
    assert (bad["package"], bad["version"]) == ("zsh", "1:")
    assert bad["reason"].startswith("invalid version")
    (warning,) = server["warnings"]
    assert (warning["code"], warning["count"]) == ("invalid_version", 1)
    assert warning["examples"][0].startswith("hosts[0].packages[0].version: invalid dpkg")
    table = run_cli("scan", str(inventories), "--format", "table", env=env)
    assert "cannot evaluate 1 package(s)" in table.stdout
    assert "warnings: 1" in table.stdout


def test_a_server_past_its_vendors_end_of_support_is_reported_out_of_service(
    tmp_path: Path,
) -> None:
    env = _store(tmp_path)
    eol = run_cli("feeds", "import", str(shared_data("endoflife", "os_eol.csv")), env=env)
    assert eol.returncode == 0, eol.stderr
    inventories = tmp_path / "inventories.json"
    buster = replace(DEBIAN, release="10")
    write_inventory_document(
        inventories,
        [
            host(buster, pkg("libexpat1", "2.2.6-2+deb10u1", source="expat"), target="ssh://old"),
            host(DEBIAN, pkg("libexpat1", "2.5.0-1+deb12u1", source="expat"), target="ssh://web1"),
        ],
        generated_at=NOW,
        generator="test",
    )
    result = run_cli("scan", str(inventories), "--format", "json", env=env)
    servers = {s["target"]: s for s in json.loads(result.stdout)["servers"]}
    assert (servers["ssh://old"]["support_ends_on"], servers["ssh://old"]["out_of_service"]) == (
        "2024-06-30",
        True,
    )
    assert (servers["ssh://web1"]["support_ends_on"], servers["ssh://web1"]["out_of_service"]) == (
        "2028-06-30",
        False,
    )
    table = run_cli("scan", str(inventories), "--format", "table", env=env).stdout
    assert "out of service: vendor support ended on 2024-06-30" in table
    assert table.count("out of service") == 1
