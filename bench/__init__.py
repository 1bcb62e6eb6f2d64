"""Benchmarks: scripts that load realistic data and print tables (not tests)."""
