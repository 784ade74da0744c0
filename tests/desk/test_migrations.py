"""Migrations run on the embedded SQLite and on a real PostgreSQL server, and are complete."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from patchdesk_testing.processes import cli_env, run_cli


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    result = run_cli("manage", "makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_on_sqlite(tmp_path: Path) -> None:
    env = cli_env(tmp_path, database_url="sqlite:///desk.sqlite3")
    result = run_cli("init", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "desk.sqlite3").exists()
    shown = run_cli("manage", "showmigrations", "--plan", env=env)
    assert "[ ]" not in shown.stdout
    assert "[X]  core.0001_initial" in shown.stdout


@pytest.mark.postgres
def test_migrations_on_postgresql(tmp_path: Path, fresh_postgres_database: str) -> None:
    env = cli_env(tmp_path, database_url=fresh_postgres_database)
    result = run_cli("init", env=env)
    assert result.returncode == 0, result.stderr
    assert "Preparing the database at postgresql://" in result.stdout
    with psycopg.connect(fresh_postgres_database) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        operators = connection.execute(
            "SELECT username FROM accounts_user WHERE role = 'operator'"
        ).fetchall()
    assert {
        "accounts_user",
        "core_auditentry",
        "core_periodicjob",
        "django_tasks_database_dbtaskresult",
    } <= tables
    assert operators == [("admin",)]
    # the desk runs on it: a second init only checks
    again = run_cli("init", env=env)
    assert again.returncode == 0, again.stderr
