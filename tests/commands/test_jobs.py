"""Jobs on the real backends: the embedded database worker and Redis workers."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.conf import settings

from patchdesk_testing.plugin import REDIS_URL
from patchdesk_testing.processes import background, cli_env, run_cli


def test_database_worker_runs_queued_jobs(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    with background("worker", env=env, log_path=tmp_path / "worker.log") as worker:
        ping = run_cli("jobs", "ping", "--count", "2", "--timeout", "60", env=env)
        assert ping.returncode == 0, ping.stderr + worker.output()


def test_ping_without_a_worker_fails_clearly(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    assert run_cli("init", env=env).returncode == 0
    ping = run_cli("jobs", "ping", "--timeout", "2", env=env)
    assert ping.returncode == 1
    assert "not executed within 2 s: is a worker running?" in ping.stderr


@pytest.mark.redis
def test_redis_job_runs_exactly_once_with_two_workers(
    tmp_path: Path, redis_available: None
) -> None:
    import redis
    from rq import Worker

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    env = cli_env(tmp_path, redis_url=REDIS_URL)
    assert run_cli("init", env=env).returncode == 0
    with (
        background("worker", env=env, log_path=tmp_path / "w1.log") as first,
        background("worker", env=env, log_path=tmp_path / "w2.log") as second,
    ):
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=client)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(Worker.all(connection=client)) == 2, first.output() + second.output()
        ping = run_cli("jobs", "ping", "--count", "40", "--timeout", "90", env=env)
        assert ping.returncode == 0, ping.stderr + first.output() + second.output()
        time.sleep(2)  # a duplicate execution would show up as a second row per token
        with sqlite3.connect(tmp_path / "patchdesk.sqlite3") as db:
            rows = db.execute(
                "SELECT token, COUNT(*) FROM core_workerheartbeat WHERE token LIKE 'ping-%' "
                "GROUP BY token"
            ).fetchall()
            workers = db.execute(
                "SELECT COUNT(DISTINCT worker) FROM core_workerheartbeat WHERE backend='redis'"
            ).fetchone()[0]
    assert len(rows) == 40
    assert {count for _, count in rows} == {1}
    assert workers >= 1
    client.flushdb()


@pytest.mark.postgres
def test_two_schedulers_started_together_enqueue_each_run_once(
    tmp_path: Path, fresh_postgres_database: str
) -> None:
    import psycopg

    env = cli_env(tmp_path, database_url=fresh_postgres_database)
    assert run_cli("init", env=env).returncode == 0
    with (
        background("scheduler", "--poll", "0.2", env=env, log_path=tmp_path / "s1.log") as one,
        background("scheduler", "--poll", "0.2", env=env, log_path=tmp_path / "s2.log") as two,
    ):
        time.sleep(8)
        assert one.process.poll() is None, one.output()
        assert two.process.poll() is None, two.output()
    with psycopg.connect(fresh_postgres_database) as connection:
        counts = dict(
            connection.execute(
                "SELECT task_path, COUNT(*) FROM django_tasks_database_dbtaskresult "
                "GROUP BY task_path"
            ).fetchall()
        )
    declared = {path for _, path, _ in settings.PATCHDESK_PERIODIC_JOBS}
    assert len(declared) >= 2
    assert counts == dict.fromkeys(declared, 1), one.output() + two.output()
