"""Demandas benchmark suite: run with ``python3 -m benchmarks.run [--quick]`` (see BENCHMARKS.md)."""
