"""``dmkg publish``: put the built graph into a named graph of a remote SPARQL 1.1 store.

Also the options every command that talks to a remote store shares (``--endpoint``,
``--user``/``--password``, ``--auth``, ``--timeout``), used by ``dmkg query`` and
``dmkg sparql`` too, and ``dmkg bench-store``, which times the embedded engines.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from kg.errors import UsageError
from kg.store import DEFAULT_GRAPH_IRI, DEFAULT_TIMEOUT, Endpoint, RemoteStore, graph_iri

__all__ = ["add_parser", "add_remote_arguments", "endpoint_from_args", "remote_store"]

_EPILOG = (
    "exit codes: 0 ok; 2 usage error or a remote that fails (down, slow, HTTP error, "
    "wrong credentials; the target graph is then left as it was); 130 interrupted"
)


def add_remote_arguments(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--endpoint`` and the credentials and timeout that go with it."""
    group = parser.add_argument_group("remote SPARQL store")
    group.add_argument(
        "--endpoint",
        metavar="URL",
        required=required,
        help="SPARQL 1.1 query endpoint, e.g. http://127.0.0.1:7878/query "
        "(Oxigraph), http://127.0.0.1:8890/sparql (Virtuoso), "
        "http://127.0.0.1:3030/dmkg/query (Fuseki), "
        "http://127.0.0.1:7200/repositories/dmkg (GraphDB)",
    )
    group.add_argument(
        "--user", metavar="NAME", help="user name for HTTP authentication (default: $DMKG_USER)"
    )
    group.add_argument(
        "--password",
        metavar="SECRET",
        help="password (default: $DMKG_PASSWORD; the variable keeps it out of the process list)",
    )
    group.add_argument(
        "--auth",
        choices=("basic", "digest"),
        default="basic",
        help="HTTP authentication scheme (Virtuoso's /sparql-auth: digest)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a request after this long (default {DEFAULT_TIMEOUT:g})",
    )


def endpoint_from_args(args: argparse.Namespace) -> Endpoint:
    """An :class:`Endpoint` from the parsed options and ``DMKG_USER``/``DMKG_PASSWORD``."""
    user = args.user or os.environ.get("DMKG_USER") or None
    password = args.password or os.environ.get("DMKG_PASSWORD") or None
    if bool(user) != bool(password):
        raise UsageError(
            "give both a user and a password (--user/--password or DMKG_USER/"
            "DMKG_PASSWORD), or neither"
        )
    return Endpoint(
        args.endpoint,
        update_url=getattr(args, "update_endpoint", None),
        gsp_url=getattr(args, "gsp_endpoint", None),
        user=user,
        password=password,
        auth=args.auth,
        timeout=args.timeout,
    )


def remote_store(args: argparse.Namespace) -> RemoteStore:
    """The remote store of ``dmkg query/sparql --endpoint``: ``--graph`` names the graph IRI
    (default: the one ``dmkg publish`` writes; ``--graph default`` reads the endpoint's own
    default graph)."""
    graph = args.graph if args.graph is not None else DEFAULT_GRAPH_IRI
    if graph == "default":
        return RemoteStore(endpoint_from_args(args), None)
    return RemoteStore(endpoint_from_args(args), graph_iri(graph, "--graph (with --endpoint)"))


def _cmd_publish(args: argparse.Namespace) -> int:
    from kg.cli.entry import load_graph
    from kg.build.publish import publish

    endpoint = endpoint_from_args(args)
    graph = load_graph(args.source)
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
    from kg.cli.entry import load_graph
    from kg.query.render import render_dicts
    from kg.bench.engines import benchmark_engines

    rows = benchmark_engines(
        load_graph(args.source),
        scales=args.scale,
        repeat=args.repeat,
        rdflib_max_scale=args.rdflib_max_scale,
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    columns = ["scale", "triples", "step", "rdflib_s", "oxigraph_s", "rows"]
    print(render_dicts(columns, rows, args.format))
    return 0


def add_parser(sub: Any) -> None:
    from kg.cli.entry import EPILOG
    from kg.build.publish import DEFAULT_CHUNK_SIZE

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
