"""Benchmarks with real data: `make bench` (figures go to docs/performance.md)."""
