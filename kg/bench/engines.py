"""Raw engines side by side: rdflib's and Oxigraph's load and query times on the same data.

``dmkg bench --engines`` (and the README's engine table) come from :func:`benchmark_engines`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rdflib import Graph
from rdflib.term import Variable

from kg.store.oxigraph import OxigraphStore

__all__ = ["BENCH_PARAMS", "benchmark_engines", "replicate"]


#: parameters for the canned queries that need some, in the benchmark
BENCH_PARAMS = {"patients-matching": {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash"}}


def replicate(graph: Graph, copies: int) -> bytes:
    """The graph ``copies`` times as N-Triples, each copy's data IRIs (patients, records,
    publications, ...) and blank nodes renamed, the ontology shared: a bigger graph of the
    same shape, for timing."""
    from kg.namespaces import DATA

    base = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    prefix = f"<{DATA}"
    parts = []
    for k in range(copies):
        text = base.replace(prefix, f"{prefix}copy{k}/") if k else base
        parts.append(re.sub(r"_:(\w+)", rf"_:c{k}x\1", text))
    return "".join(parts).encode("utf-8")


def benchmark_engines(
    graph: Graph,
    scales: Iterable[int] = (1, 100),
    repeat: int = 3,
    rdflib_max_scale: int = 10,
    progress: Any = None,
) -> list[dict[str, Any]]:
    """Seconds to load the graph (N-Triples) and to run each canned query, on rdflib's
    in-memory store and on an in-process Oxigraph store (:class:`OxigraphStore`, what
    ``dmkg query`` uses); best of ``repeat`` runs. rdflib runs the queries only up to
    ``rdflib_max_scale`` copies (beyond, a single query can take hours). ``rows`` is the row
    count, or both counts where the engines differ."""
    import time

    from kg.query import bind_params, list_queries
    from kg.store.memory import prepare

    results: list[dict[str, Any]] = []
    for scale in scales:
        data = replicate(graph, scale)
        started = time.perf_counter()
        rdf = Graph().parse(data=data, format="nt")
        rdflib_load = time.perf_counter() - started
        started = time.perf_counter()
        ox = OxigraphStore.from_bytes(data)
        oxigraph_load = time.perf_counter() - started
        triples = len(rdf)
        del data
        if progress:
            progress(f"scale {scale}: {triples:,} triples loaded")
        results.append(
            {
                "scale": scale,
                "triples": triples,
                "step": "load N-Triples",
                "rdflib_s": round(rdflib_load, 3),
                "oxigraph_s": round(oxigraph_load, 3),
                "rows": None,
            }
        )
        for query in list_queries(include_checks=False):
            bound = bind_params(query, BENCH_PARAMS.get(query.name, {}), rdf)
            runs: dict[str, Any] = {
                "oxigraph": lambda q=query, b=bound, o=ox: len(o.select(q.text, b).rows)
            }
            if scale <= rdflib_max_scale:
                runs["rdflib"] = lambda q=query, b=bound, g=rdf: len(
                    list(
                        g.query(
                            prepare(q.text, q.name),
                            initBindings={Variable(k): v for k, v in b.items()},
                        )
                    )
                )
            seconds: dict[str, float | None] = {"rdflib": None}
            rows: dict[str, int] = {}
            for engine, run in runs.items():
                best = float("inf")
                for _ in range(max(1, repeat)):
                    started = time.perf_counter()
                    rows[engine] = run()
                    best = min(best, time.perf_counter() - started)
                seconds[engine] = round(best, 3)
            if progress:
                progress(f"scale {scale}: {query.name} done")
            counts = sorted(set(rows.values()))
            results.append(
                {
                    "scale": scale,
                    "triples": triples,
                    "step": query.name,
                    "rdflib_s": seconds["rdflib"],
                    "oxigraph_s": seconds["oxigraph"],
                    "rows": counts[0]
                    if len(counts) == 1
                    else f"{rows.get('rdflib')} vs {rows['oxigraph']}",
                }
            )
    return results
