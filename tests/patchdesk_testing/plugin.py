"""pytest plugin for patchdesk, loaded before Django (``-p patchdesk_testing.plugin``).

At import it gives the test run its own settings: a temporary data directory, a fixed secret
key, and the database chosen by ``PDTEST_DATABASE`` (``sqlite``, the default, or ``postgres``).
The developer's own ``PATCHDESK_*`` variables are removed so they cannot leak into tests.

Tests that need a real service (PostgreSQL, Redis, chromium, the SSH testbed) call
:func:`require` and **fail** when it is missing; they never skip. Deselect them with ``-m``
when working without the service, e.g. ``pytest -m "not testbed"``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from patchdesk_testing.paths import postgres_test_url

pytest_plugins = ["patchdesk_testing.testbed.fixtures"]  # the SSH testbed's fixtures

POSTGRES_URL = postgres_test_url()  # $PDTEST_POSTGRES_URL, scripts/services-up's role, or trust
REDIS_URL = os.environ.get("PDTEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_SECRET_KEY = "patchdesk-tests-only-" + "k" * 40
TEST_ENCRYPTION_KEY = (
    "cGF0Y2hkZXNrLXRlc3RzLW9ubHktMzItYnl0ZXMtISE="  # b"patchdesk-tests-only-32-bytes-!!"
)

for _name in [name for name in os.environ if name.startswith("PATCHDESK_")]:
    del os.environ[_name]
_DATA_DIR = tempfile.mkdtemp(prefix="patchdesk-test-")
(Path(_DATA_DIR) / "static").mkdir()
os.environ["PATCHDESK_DATA_DIR"] = _DATA_DIR
os.environ["PATCHDESK_SECRET_KEY"] = TEST_SECRET_KEY
os.environ["PATCHDESK_ENCRYPTION_KEYS"] = TEST_ENCRYPTION_KEY
if os.environ.get("PDTEST_DATABASE", "sqlite") == "postgres":
    os.environ["PATCHDESK_DATABASE_URL"] = postgres_test_url("patchdesk")


def postgres_url(database: str) -> str:
    """The test server's URL for another database name."""
    return postgres_test_url(database)


def postgres_problem() -> str | None:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"cannot connect to {POSTGRES_URL}: {str(exc).strip()}"
    return None


def redis_problem() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"cannot reach {REDIS_URL}: {exc}"
    return None


def chromium_problem() -> str | None:
    if shutil.which("chromium") is None:
        return "chromium is not installed (Debian package chromium; `make debs`)"
    return None


def require(service: str, problem: str | None) -> None:
    """Fail the test (never skip) when a real service it needs is missing."""
    if problem:
        pytest.fail(
            f"this test needs {service}, which is not available: {problem}. "
            "`make test` installs and starts it; deselect with -m to work without it.",
            pytrace=False,
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_available() -> None:
    require("PostgreSQL", postgres_problem())


@pytest.fixture(scope="session")
def redis_available() -> None:
    require("Redis", redis_problem())


@pytest.fixture
def fresh_postgres_database(postgres_available: None) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; its URL. Dropped afterwards."""
    import uuid

    import psycopg

    name = f"pdtest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(name)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
