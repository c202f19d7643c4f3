"""Temporary: the old module path of the stores while the callers move to :mod:`kg.store`."""

from kg.bench.engines import BENCH_PARAMS, benchmark_engines, replicate
from kg.store import *
from kg.store import __all__ as _all

__all__ = [*_all, "BENCH_PARAMS", "benchmark_engines", "replicate"]
