"""Throughput measurements: `make bench` (python -m benchmarks.run)."""
