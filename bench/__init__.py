"""Benchmarks: figures printed against a baseline measured in the same run, never asserted."""
