"""``patchdesk policy explain``: only CVE ids are explained; anything else is refused with one
line each and exit status 2, while the valid ids of the same call are still explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patchdesk.commands.policy import cve_ids_split
from patchdesk_testing.processes import cli_env, run_cli


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    environment = cli_env(tmp_path_factory.mktemp("policy") / "data")
    assert run_cli("init", env=environment).returncode == 0
    return environment


def test_ids_are_normalised_and_non_cve_values_refused() -> None:
    assert cve_ids_split([" cve-2024-3094 ", "CVE-2024-3094", "CVE-2021-44228"]) == (
        ["CVE-2024-3094", "CVE-2021-44228"],
        [],
    )
    assert cve_ids_split(["nonsense", "CVE-24-1", "CVE-2024-123", "DSA-5000-1", ""]) == (
        [],
        ["nonsense", "CVE-24-1", "CVE-2024-123", "DSA-5000-1", ""],
    )
    assert cve_ids_split(["cve-2024-1234567"]) == (["CVE-2024-1234567"], [])


def test_a_non_cve_id_is_refused_with_exit_2(env: dict[str, str]) -> None:
    result = run_cli("policy", "explain", "nonsense", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "patchdesk policy explain: refused 'nonsense': not a CVE id (CVE-YYYY-NNNN)"
    ]
    assert "NONSENSE" not in result.stderr


def test_valid_ids_are_explained_and_the_refused_ones_named(env: dict[str, str]) -> None:
    result = run_cli("policy", "explain", "cve-2099-0001", "nonsense", "CVE-1", env=env)
    assert result.returncode == 2
    assert result.stdout.startswith("CVE-2099-0001: needs_review")
    assert result.stderr.splitlines() == [
        "patchdesk policy explain: refused 'nonsense': not a CVE id (CVE-YYYY-NNNN)",
        "patchdesk policy explain: refused 'CVE-1': not a CVE id (CVE-YYYY-NNNN)",
    ]
    as_json = run_cli("policy", "explain", "nonsense", "CVE-2099-0001", "--format", "json", env=env)
    assert as_json.returncode == 2
    assert [verdict["cve_id"] for verdict in json.loads(as_json.stdout)] == ["CVE-2099-0001"]
    assert "refused 'nonsense'" in as_json.stderr


def test_valid_ids_alone_exit_0(env: dict[str, str]) -> None:
    result = run_cli("policy", "explain", "CVE-2099-0001", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_help_names_the_refusal(tmp_path: Path) -> None:
    result = run_cli("policy", "explain", "--help", env=cli_env(tmp_path))
    assert "CVE-YYYY-NNNN" in result.stdout
    assert "exit status is 2" in " ".join(result.stdout.split())
