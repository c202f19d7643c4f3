"""``dmkg publish``: put the built graph into a named graph of a remote SPARQL 1.1 store.

And ``dmkg bench-store``, which times the embedded engines. The remote options
(``--endpoint``, ``--user``/``--password``, ``--auth``, ``--timeout``) are the ones every
read command takes (:mod:`kg.cli.common`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kg.cli.common import (
    DEFAULT_GRAPH_IRI,
    EPILOG,
    add_remote_arguments,
    endpoint_from_args,
    open_location,
)

__all__ = ["add_parser"]

_EPILOG = (
    "exit codes: 0 ok; 2 usage error or a remote that fails (down, slow, HTTP error, "
    "wrong credentials; the target graph is then left as it was); 130 interrupted"
)


def _cmd_publish(args: argparse.Namespace) -> int:
    from kg.build.publish import publish

    endpoint = endpoint_from_args(args)
    graph = open_location(args.source).rdf
    report = publish(
        graph,
        endpoint,
        args.graph,
        chunk_size=args.chunk_size,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(report.text())
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from kg.bench.engines import benchmark_engines
    from kg.query.render import render_dicts

    rows = benchmark_engines(
        open_location(args.source).rdf,
        scales=args.scale,
        repeat=args.repeat,
        rdflib_max_scale=args.rdflib_max_scale,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    columns = ["scale", "triples", "step", "rdflib_s", "oxigraph_s", "rows"]
    print(render_dicts(columns, rows, args.format))
    return 0


def add_parser(sub: Any) -> None:
    from kg.build import DEFAULT_CHUNK_SIZE

    publish = sub.add_parser(
        "publish",
        help="load the built graph into a remote SPARQL 1.1 store",
        description="Load the built graph into a named graph of a remote SPARQL 1.1 store, "
        "safely: into a new temporary graph first (Graph Store Protocol PUT with "
        "--gsp-endpoint, else SPARQL Update INSERT DATA in chunks), then the triple count is "
        "checked, then one 'MOVE <temporary> TO <graph>' replaces the target. A failure at any "
        "step leaves the target graph as it was. Progress goes to standard error.",
        epilog=_EPILOG,
    )
    add_remote_arguments(publish, required=True)
    publish.add_argument(
        "--graph",
        default=DEFAULT_GRAPH_IRI,
        metavar="IRI",
        help=f"the named graph to replace (default: {DEFAULT_GRAPH_IRI})",
    )
    publish.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="SPARQL 1.1 Update endpoint (default: the query endpoint, or "
        ".../update when it ends in /query, as on Oxigraph and Fuseki)",
    )
    publish.add_argument(
        "--gsp-endpoint",
        metavar="URL",
        help="Graph Store Protocol endpoint to load with one PUT, e.g. "
        "http://127.0.0.1:7878/store (default: load by SPARQL Update)",
    )
    publish.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help=f"triples per INSERT DATA request (default {DEFAULT_CHUNK_SIZE})",
    )
    publish.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help="built graph file or folder to publish (default: build/, or the "
        "bundled graph built in memory)",
    )
    publish.set_defaults(func=_cmd_publish)
    _add_bench_store(sub)


def _add_bench_store(sub: Any) -> None:
    bench = sub.add_parser(
        "bench-store",
        help="time the embedded engines (rdflib, Oxigraph) on the graph",
        description="Load the graph into rdflib's in-memory store and into an in-process "
        "Oxigraph store (pyoxigraph), at the given scales (the graph copied N times with "
        "renamed data IRIs), and time the load and every canned query on each.",
        epilog=EPILOG,
    )
    bench.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[1, 100],
        metavar="N",
        help="copies of the graph (default: 1 100)",
    )
    bench.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="runs per query; the best is kept (default 3)",
    )
    bench.add_argument(
        "--rdflib-max-scale",
        type=int,
        default=10,
        metavar="N",
        help="run rdflib's queries only up to this scale (default 10: at 100 "
        "copies one query takes hours)",
    )
    bench.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    bench.add_argument(
        "--from", dest="source", metavar="PATH", help="built graph file or folder (default: build/)"
    )
    bench.set_defaults(func=_cmd_bench)
