"""``patchdesk init``, ``serve``, ``operator create`` and ``config``, run as real processes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from patchdesk_testing.processes import background, cli_env, free_port, run_cli, wait_http


def test_init_prepares_everything_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = cli_env(data)
    first = run_cli("init", env=env)
    assert first.returncode == 0, first.stderr
    assert "Created the first operator. Log in as 'admin'" in first.stdout
    assert (data / "secret_key").exists()
    assert "password:" in (data / "initial-operator.txt").read_text()
    with sqlite3.connect(data / "patchdesk.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        operators = db.execute(
            "SELECT username FROM accounts_user WHERE role='operator'"
        ).fetchall()
        actions = db.execute("SELECT action FROM core_auditentry").fetchall()
    assert operators == [("admin",)]
    assert actions == [("operator.create",), ("policy.activate",)]

    second = run_cli("init", env=env)
    assert second.returncode == 0, second.stderr
    assert "Created the first operator" not in second.stdout
    assert "initial-operator.txt" in second.stdout


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"database_url": "mysql://x/y"}, "PATCHDESK_DATABASE_URL: unsupported scheme 'mysql'"),
        ({"languages": "ja,de"}, "PATCHDESK_LANGUAGES: unknown language 'de'"),
        (
            {"database_url": "postgresql://postgres@127.0.0.1:1/patchdesk"},
            "PATCHDESK_DATABASE_URL: cannot connect to postgresql://postgres@127.0.0.1:1/patchdesk",
        ),
        ({"redis_url": "redis://127.0.0.1:1/0"}, "PATCHDESK_REDIS_URL: cannot reach Redis"),
    ],
)
def test_broken_setting_stops_with_one_line_and_creates_nothing(
    tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    data = tmp_path / "data"
    result = run_cli("init", env=cli_env(data, **settings))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert not data.exists(), "nothing may be created when a setting is broken"


def test_unwritable_data_dir_stops_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    result = run_cli("init", env=cli_env(blocker / "data"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"patchdesk: configuration error: PATCHDESK_DATA_DIR: {blocker / 'data'} is not "
        "writable: Not a directory"
    ]


def test_config_check_and_show_hide_secrets(tmp_path: Path) -> None:
    env = cli_env(tmp_path, redis_url="redis://:hunter2hunter2@127.0.0.1:1/0")
    shown = run_cli("config", "show", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "hunter2" not in shown.stdout
    assert "redis://:***@127.0.0.1:1/0" in shown.stdout
    checked = run_cli("config", "check", env=env)
    assert checked.returncode == 2
    assert "PATCHDESK_REDIS_URL: cannot reach Redis" in checked.stderr


def test_operator_create_validates_the_password(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    weak = run_cli(
        "operator", "create", "tanaka", "--password-env", "PD_PW", env={**env, "PD_PW": "123"}
    )
    assert weak.returncode == 1
    assert "The password is not acceptable" in weak.stderr
    good = run_cli(
        "operator",
        "create",
        "tanaka",
        "--password-env",
        "PD_PW",
        env={**env, "PD_PW": "correct-horse-battery-staple"},
    )
    assert good.returncode == 0, good.stderr
    again = run_cli("operator", "create", "Tanaka", env=env)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_worker_refuses_an_unprepared_database(tmp_path: Path) -> None:
    result = run_cli("worker", "--burst", env=cli_env(tmp_path))
    assert result.returncode == 2
    assert "the database is not prepared: run `patchdesk init`" in result.stderr


def test_serve_runs_the_desk_and_an_embedded_worker(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(tmp_path / "data", listen=f"127.0.0.1:{port}")
    with background("serve", env=env, log_path=tmp_path / "serve.log") as server:
        health = wait_http(f"http://127.0.0.1:{port}/health/", process=server)
        assert '"status": "ok"' in health
        login_page = wait_http(f"http://127.0.0.1:{port}/accounts/login/", process=server)
        assert "patchdesk" in login_page
        ping = run_cli("jobs", "ping", "--count", "3", "--timeout", "60", env=env)
        assert ping.returncode == 0, ping.stderr + server.output()
        assert ping.stdout.count("executed by") == 3
    assert "job worker: embedded" in server.output()


def test_command_messages_follow_the_terminal_locale(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    japanese = run_cli("operator", "create", "admin", env={**env, "LANG": "ja_JP.UTF-8"})
    assert "ユーザー名 admin は既に使われています。" in japanese.stderr
    english = run_cli("operator", "create", "admin", env={**env, "LANG": "C.UTF-8", "LC_ALL": ""})
    assert "A user named admin already exists." in english.stderr


def test_first_start_imports_the_starter_snapshot_once(tmp_path: Path) -> None:
    env = {**cli_env(tmp_path), "PATCHDESK_STARTER_SNAPSHOT": "true"}
    first = run_cli("init", env=env, timeout_s=300)
    assert first.returncode == 0, first.stderr
    assert "importing the starter advisory snapshot" in first.stdout
    with sqlite3.connect(tmp_path / "patchdesk.sqlite3") as db:
        sources = dict(
            db.execute(
                "SELECT source, COUNT(*) FROM advisories_advisory GROUP BY source"
            ).fetchall()
        )
        rejected = db.execute("SELECT SUM(rejected) FROM advisories_feedsync").fetchone()[0]
        platforms = {row[0] for row in db.execute("SELECT key FROM platforms_supportedplatform")}
        kev = db.execute(
            "SELECT COUNT(*) FROM advisories_vulnerability WHERE kev_added_on IS NOT NULL"
        ).fetchone()[0]
        levels = dict(
            db.execute("SELECT level, COUNT(*) FROM findings_classification GROUP BY level")
        )
    # the complete AlmaLinux 8, 9 and 10 databases: 5,680 records, 43 ids listed in two
    # releases' files are merged into one advisory each
    assert sources["osv"] == 5637
    assert sources["debian-changelog"] > 150
    assert {"debian:12", "almalinux:9", "ubuntu:22.04"} <= platforms
    assert kev == 1404
    assert levels["high"] > 0
    assert levels["medium"] > 0
    assert rejected is not None
    second = run_cli("init", env=env)
    assert "starter advisory snapshot" not in second.stdout
