"""Minimal apps the benchmarks compare Demandas against (same toolkit, nothing of ours)."""
