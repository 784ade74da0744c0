"""Where the tests find things outside the repository: the shared real-world data and the
PostgreSQL test server. No side effects at import, so benchmarks may use it too."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "DEFAULT_POSTGRES_URL",
    "REPO_ROOT",
    "postgres_test_url",
    "shared_data",
    "shared_data_problem",
    "shared_data_root",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED_DATA = Path("/work/shared/data")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Written by scripts/services-up when PostgreSQL does not trust loopback (mode 600, git-ignored).
SAVED_POSTGRES_URL = REPO_ROOT / ".run" / "postgres-test-url"


def shared_data_root() -> Path:
    """``$PDTEST_SHARED_DATA``, else ``<repo>/../shared/data`` if it exists, else
    ``/work/shared/data``. Not checked; see :func:`shared_data`."""
    override = os.environ.get("PDTEST_SHARED_DATA")
    if override:
        return Path(override)
    beside = REPO_ROOT.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    return DEFAULT_SHARED_DATA


def shared_data_problem() -> str | None:
    root = shared_data_root()
    if not root.is_dir():
        return (
            f"the shared data directory {root} does not exist "
            "(set PDTEST_SHARED_DATA to where the shared data lives)"
        )
    return None


def shared_data(*parts: str) -> Path:
    """A path inside the shared data directory.

    A missing directory **fails** (in CI and everywhere else; it is never a skip): inside
    pytest the module or test that asks fails with one clear line, outside it (benchmarks)
    ``SystemExit`` carries the same line.
    """
    problem = shared_data_problem()
    if problem is not None:
        if os.environ.get("PYTEST_VERSION") is None:  # set by pytest for its whole run
            raise SystemExit(problem)
        import pytest

        pytest.fail(
            f"this test needs the shared data, which is not available: {problem}. "
            "Deselect the test with -m or a path to work without it.",
            pytrace=False,
        )
    return shared_data_root().joinpath(*parts)


def postgres_test_url(database: str | None = None) -> str:
    """The PostgreSQL server the tests use: ``$PDTEST_POSTGRES_URL``, else the URL
    scripts/services-up saved for its ``patchdesk_test`` role, else the trusted-loopback
    default. With ``database``, the same server and login for another database."""
    url = os.environ.get("PDTEST_POSTGRES_URL", "")
    if not url and SAVED_POSTGRES_URL.is_file():
        url = SAVED_POSTGRES_URL.read_text(encoding="utf-8").strip()
    url = url or DEFAULT_POSTGRES_URL
    if database is None:
        return url
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))
