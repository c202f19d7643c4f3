"""The two baselines, each in a fresh process: raw pyoxigraph and plain rdflib, reading the graph
dmkg built as one N-Triples file and running the same query text."""

from __future__ import annotations

import gc
import time
from functools import partial
from typing import Any

from kg.bench.engines import BENCH_PARAMS
from kg.bench.measure import Progress, _best, _stderr
from kg.bench.memory import MemorySampler
from kg.store import with_values

__all__ = ["rdflib_queries"]


def _bench_bindings() -> dict[str, dict[str, Any]]:
    """The rdflib terms each canned query is run with (BENCH_PARAMS and the defaults)."""
    from kg.ontology import load_ontology
    from kg.query import bind_params, list_queries
    from kg.terms import TermIndex

    terms = TermIndex(load_ontology())
    return {
        q.name: bind_params(q, BENCH_PARAMS.get(q.name, {}), None, terms)
        for q in list_queries(include_checks=False)
    }


def _ox_rows(store: Any, text: str) -> int:
    return sum(1 for _ in store.query(text))


def _measure_pyoxigraph(spec: dict[str, Any]) -> dict[str, Any]:
    """Raw pyoxigraph: bulk_load the N-Triples (into a store folder with ``--on-disk``; its
    wall and CPU seconds), then the query text with its parameters as a ``VALUES`` row."""
    import pyoxigraph as ox

    from kg.query import load_query

    bindings = _bench_bindings()
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    with MemorySampler() as memory:
        with memory.stage("build"):
            started, cpu = time.perf_counter(), time.process_time()
            store: Any = ox.Store(spec["store"]) if spec.get("store") else ox.Store()
            store.bulk_load(path=spec["ntriples"], format=ox.RdfFormat.N_TRIPLES)
            seconds["build"] = time.perf_counter() - started
            load_cpu = time.process_time() - cpu  # the bulk loader's threads included
        for name, bound in bindings.items():
            # pyoxigraph's substitutions only bind projected variables; a VALUES row works
            # for all (and is the text dmkg sends too)
            text = with_values(load_query(name).text, bound)
            seconds[name], rows[name] = _best(partial(_ox_rows, store, text), spec["repeat"])
    return {
        "seconds": seconds,
        "rows": rows,
        "load_peak_mb": memory.peaks["build"],
        "load_cpu_s": load_cpu,
        "status": {name: "ok" for name in seconds},
    }


def _rdflib_query(graph: Any, text: str, bound: dict[str, Any], repeat: int, conn: Any) -> None:
    """Forked child: run one query ``repeat`` times on the parent's graph, sending
    ("ok", seconds, rows) after each run, or ("failed", message, 0)."""
    from rdflib.term import Variable

    try:
        init = {Variable(k): v for k, v in bound.items()}
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            count = len(list(graph.query(text, initBindings=init)))
            conn.send(("ok", time.perf_counter() - started, count))
    except Exception as exc:  # noqa: BLE001 - reported as a failed baseline query
        conn.send(("failed", f"{type(exc).__name__}: {str(exc)[:200]}", 0))
    finally:
        conn.close()


def _rdflib_runs(
    context: Any, graph: Any, text: str, bound: dict[str, Any], timeout: float, repeat: int
) -> tuple[str, float | str, int]:
    """(status, best seconds or a message, rows) of one query in a forked process; each
    run may take ``timeout`` seconds, and the process is killed at the first that does not
    finish in time (a query with an earlier complete run keeps that run's time)."""
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_rdflib_query, args=(graph, text, bound, repeat, send), daemon=True
    )
    child.start()
    send.close()
    best: tuple[str, float | str, int] = ("timeout", timeout, 0)
    try:
        for _ in range(max(1, repeat)):
            if not receive.poll(timeout):
                break
            try:
                outcome, value, count = receive.recv()
            except EOFError:  # the child died without an answer (e.g. out of memory)
                return "failed", f"the process ended with exit code {child.exitcode}", 0
            if outcome != "ok":
                return outcome, value, count
            if best[0] != "ok" or value < best[1]:
                best = ("ok", float(value), int(count))
        return best
    finally:
        child.kill()
        child.join()
        receive.close()


def rdflib_queries(
    graph: Any,
    queries: dict[str, tuple[str, dict[str, Any]]],
    timeout: float,
    repeat: int = 1,
    progress: Progress = _stderr,
) -> tuple[dict[str, float], dict[str, int], dict[str, str]]:
    """Run each query (text, bindings) on an rdflib graph in a forked process, best of
    ``repeat`` runs, each run killed after ``timeout`` seconds: (seconds, rows, status) by
    query name; a killed query's seconds are the limit and its status is ``timeout``."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    gc.freeze()  # keep the parsed graph out of the children's garbage collections (fewer
    # copy-on-write pages)
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    status: dict[str, str] = {}
    for name, (text, bound) in queries.items():
        outcome, value, count = _rdflib_runs(context, graph, text, bound, timeout, repeat)
        status[name] = outcome
        if outcome == "ok":
            seconds[name], rows[name] = float(value), count
            progress(f"rdflib: query {name}: {seconds[name]:.3f} s")
        elif outcome == "timeout":
            seconds[name] = timeout
            progress(f"rdflib: query {name}: killed after {timeout:g} s")
        else:
            progress(f"rdflib: query {name} failed: {value}")
    return seconds, rows, status


def _measure_rdflib(spec: dict[str, Any]) -> dict[str, Any]:
    """Plain rdflib: parse the N-Triples into a Graph, then the query text with initBindings."""
    from rdflib import Graph

    from kg.query import load_query

    bindings = _bench_bindings()
    prefix = f"[{spec['patients']:,} patients]"
    with MemorySampler() as memory, memory.stage("build"):
        started = time.perf_counter()
        graph = Graph().parse(spec["ntriples"], format="nt")
        parsed = time.perf_counter() - started
    _stderr(f"{prefix} rdflib: parsed {len(graph):,} triples in {parsed:.1f} s")
    queries = {name: (load_query(name).text, bound) for name, bound in bindings.items()}
    seconds, rows, status = rdflib_queries(
        graph, queries, spec["timeout"], spec["repeat"], progress=lambda m: _stderr(f"{prefix} {m}")
    )
    return {
        "seconds": {"build": parsed, **seconds},
        "rows": rows,
        "status": {"build": "ok", **status},
        "load_peak_mb": memory.peaks["build"],
    }
