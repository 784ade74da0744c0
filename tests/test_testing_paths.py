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
