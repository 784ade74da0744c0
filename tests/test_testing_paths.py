"""The test helpers' locations (tests/patchdesk_testing/paths.py): the PostgreSQL test login
and the shared data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchdesk_testing import paths


def test_postgres_url_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = tmp_path / "postgres-test-url"
    saved.write_text("postgresql://patchdesk_test:pw@127.0.0.1:5432/patchdesk_test\n")
    monkeypatch.setattr(paths, "SAVED_POSTGRES_URL", saved)
    monkeypatch.setenv("PDTEST_POSTGRES_URL", "postgresql://me:secret@db:5433/postgres")
    assert paths.postgres_test_url() == "postgresql://me:secret@db:5433/postgres"
    assert paths.postgres_test_url("patchdesk") == "postgresql://me:secret@db:5433/patchdesk"


def test_postgres_url_saved_by_services_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stock Debian cluster asks for a password on 127.0.0.1: services-up creates the
    patchdesk_test role and saves its URL; the tests use it for every database."""
    saved = tmp_path / "postgres-test-url"
    saved.write_text("postgresql://patchdesk_test:pw@127.0.0.1:5432/patchdesk_test\n")
    monkeypatch.setattr(paths, "SAVED_POSTGRES_URL", saved)
    monkeypatch.delenv("PDTEST_POSTGRES_URL", raising=False)
    assert (
        paths.postgres_test_url() == "postgresql://patchdesk_test:pw@127.0.0.1:5432/patchdesk_test"
    )
    assert paths.postgres_test_url("pdtest_1") == (
        "postgresql://patchdesk_test:pw@127.0.0.1:5432/pdtest_1"
    )


def test_postgres_url_defaults_to_trusted_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "SAVED_POSTGRES_URL", tmp_path / "absent")
    monkeypatch.delenv("PDTEST_POSTGRES_URL", raising=False)
    assert paths.postgres_test_url() == "postgresql://postgres@127.0.0.1:5432/postgres"
    assert paths.postgres_test_url("patchdesk") == "postgresql://postgres@127.0.0.1:5432/patchdesk"


def test_shared_data_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PDTEST_SHARED_DATA", str(tmp_path))
    assert paths.shared_data() == tmp_path
    assert paths.shared_data("cisa-kev", "kev.json") == tmp_path / "cisa-kev" / "kev.json"


def test_shared_data_beside_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "main"
    checkout.mkdir()
    monkeypatch.setattr(paths, "REPO_ROOT", checkout)
    monkeypatch.delenv("PDTEST_SHARED_DATA", raising=False)
    assert paths.shared_data_root() == paths.DEFAULT_SHARED_DATA
    (tmp_path / "shared" / "data").mkdir(parents=True)
    assert paths.shared_data("epss") == tmp_path / "shared" / "data" / "epss"


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_shared_data_fails_never_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PDTEST_SHARED_DATA", str(tmp_path / "absent"))
    with pytest.raises(pytest.fail.Exception) as failed:
        paths.shared_data("cwe")
    assert "needs the shared data" in str(failed.value)
    assert str(tmp_path / "absent") in str(failed.value)
    assert "PDTEST_SHARED_DATA" in str(failed.value)


def test_missing_shared_data_stops_a_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PDTEST_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.delenv("PYTEST_VERSION")
    with pytest.raises(SystemExit, match="does not exist"):
        paths.shared_data("cwe")


def test_no_hardcoded_shared_data_path() -> None:
    """Every test and benchmark asks shared_data(); only paths.py names the default."""
    needle = "/work/" + "shared"  # spelled apart so that this test does not find itself
    offenders = [
        str(path.relative_to(paths.REPO_ROOT))
        for folder in ("tests", "benchmarks", "scripts")
        for path in (paths.REPO_ROOT / folder).rglob("*.py")
        if needle in path.read_text(encoding="utf-8") and path.name != "paths.py"
    ]
    assert offenders == []
