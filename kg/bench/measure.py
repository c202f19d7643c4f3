"""The measurement of dmkg itself, in a fresh process: draw a registry, build it, run each
canned query."""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kg.bench.engines import BENCH_PARAMS
from kg.bench.memory import MemorySampler
from kg.bench.validate import measure_validate
from kg.errors import DmkgError

__all__ = ["Progress"]


Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, rows = math.inf, 0
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - started)
    return best, rows


def _dmkg_rows(store: Any, name: str, params: dict[str, str], terms: Any) -> int:
    from kg.query import run_query

    return len(run_query(store, name, params, terms=terms).rows)


# build_store announces each stage as "[name] what ..." and ends it with "[name] done in"
_START = re.compile(r"\[([^\]\s]+)\] (?!done in )")
_END = re.compile(r"\[([^\]\s]+)\] done in ")


def _measure_dmkg(spec: dict[str, Any]) -> dict[str, Any]:
    """Generate, build and query one registry (in this process and its workers)."""
    import pyoxigraph as ox

    from kg.api import KnowledgeGraph
    from kg.build.store import build_store
    from kg.ontology import load_ontology
    from kg.query import list_queries
    from kg.sources.synth import write_registry
    from kg.store import OxigraphStore
    from kg.terms import TermIndex

    patients, prefix = spec["patients"], f"[{spec['patients']:,} patients]"
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    with MemorySampler() as memory:

        def progress(message: str) -> None:
            if (end := _END.match(message)) is not None:
                memory.end(end.group(1))
            elif (start := _START.match(message)) is not None:
                memory.begin(start.group(1))
            _stderr(f"{prefix} {message}")

        _stderr(f"{prefix} [generate] drawing the registry ...")
        with memory.stage("generate"):
            started = time.perf_counter()
            folder = write_registry(Path(spec["registry"]), patients=patients, seed=spec["seed"])
            seconds["generate"] = time.perf_counter() - started
        measure_validate(folder, memory, seconds, lambda m: _stderr(f"{prefix} {m}"))
        target = Path(spec["store"]) if spec.get("store") else None
        with memory.stage("build"):
            started = time.perf_counter()
            result = build_store([folder], target, workers=spec["workers"], progress=progress)
            seconds["build"] = time.perf_counter() - started
        build = list(result.stages)  # in the order they ran
        missing = [s for s in build if s not in memory.peaks]
        if missing or not build:
            raise DmkgError(
                "no memory peak for the build stage(s) "
                f"{', '.join(missing) or '(none reported)'}: kg.build.store no "
                "longer announces its stages as '[name] ...' / '[name] done in'"
            )
        seconds.update(result.stages)
        # the steps inside load+validate, summed over the batches (a process's own peak)
        seconds.update(result.steps)
        terms = TermIndex(load_ontology())
        # the store as every command opens it (kg.api.open_graph), on the build's read handle
        wrapped = KnowledgeGraph(OxigraphStore(result.store), origin=str(target or "store")).store
        for query in list_queries(include_checks=False):
            params = BENCH_PARAMS.get(query.name, {})
            run = partial(_dmkg_rows, wrapped, query.name, params, terms)
            with memory.stage(query.name):
                seconds[query.name], rows[query.name] = _best(run, spec["repeat"])
        _stderr(f"{prefix} [queries] {len(rows)} canned queries done")
        peaks = {**memory.peaks, **result.step_peaks_mb}
    commands: dict[str, float] = {}
    if target is not None:  # each query as a user's 'dmkg query NAME --store DIR'
        from kg.bench.commands import time_commands

        commands, printed = time_commands(target, BENCH_PARAMS, list(rows), spec["repeat"])
        wrong = {n: (printed[n], rows[n]) for n in rows if printed[n] != rows[n]}
        if wrong:
            raise DmkgError(f"'dmkg query' printed other row counts than run_query: {wrong}")
        _stderr(f"{prefix} [commands] {len(commands)} 'dmkg query NAME --store' commands done")
    result.store.dump(spec["ntriples"], format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return {
        "seconds": seconds,
        "peaks": peaks,
        "rows": rows,
        "commands": commands,
        "build": build,
        "steps": list(result.steps),
        "batches": result.batches,
        "batch_workers": result.workers,
        "triples": result.triples,
        "data_triples": result.data_triples,
        "inferred": result.inferred,
        "patients_in_graph": result.patients,
    }
