"""Benchmarks with real data: `make bench` (figures go to docs/performance.md)."""

import sys
from pathlib import Path

# The test helpers (shared data and PostgreSQL locations, the testbed) live in tests/.
_TESTS = str(Path(__file__).resolve().parents[1] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
