"""Benchmarks at national scale: data generator, measurements, load and fault runs (issue 9).

`make bench` / `make bench-quick` run `bench/run.py` against a throwaway PostgreSQL; see its
docstring for what is measured and how. Nothing here is imported by the portal.
"""
