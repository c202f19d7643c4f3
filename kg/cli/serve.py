"""``dmkg serve``: the web app and SPARQL endpoint; ``dmkg docs``: the ontology as HTML.

Both are thin: they load the graph (or the ontology) the way every other command does and
call :func:`kg.web.create_app` and :func:`kg.docs.write_docs`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kg.cli.common import EPILOG, add_graph_arguments, open_from_args, positive
from kg.errors import UsageError

__all__ = ["add_parser"]


def _cmd_serve(args: argparse.Namespace) -> int:
    from kg.web import create_app
    from kg.web.server import serve

    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port}: expected a TCP port from 1 to 65535")
    graph = open_from_args(args)
    local = {"127.0.0.1", "localhost", "::1"}
    hosts = sorted(local | {args.host}) if args.host in local else None
    app = create_app(
        graph,
        timeout=args.timeout,
        row_limit=args.row_limit,
        workers=args.workers,
        allowed_hosts=hosts,
    )
    print(
        f"dmkg: serving {len(graph):,} triples on http://{args.host}:{args.port}/ "
        f"(SPARQL endpoint: /sparql; query limit {args.timeout:g} s, {args.row_limit} rows, "
        f"{args.workers} workers); Ctrl+C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        serve(app, args.host, args.port, log_level=args.log_level)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    finally:
        app.state.pool.close()
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from kg.docs import OntologyIndex, write_docs
    from kg.ontology import load_ontology

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder")
    ontology = load_ontology()
    written = write_docs(out, ontology)
    index = OntologyIndex(ontology)
    print(
        f"documented {len(index.terms('class'))} classes, {len(index.properties())} "
        f"properties and {len(index.terms('individual'))} individuals"
    )
    print("wrote: " + ", ".join(str(p) for p in written))
    return 0


def add_parser(sub: Any) -> None:
    """Add ``serve`` and ``docs`` to the ``dmkg`` command."""
    serve = sub.add_parser(
        "serve",
        help="browse the graph and the ontology in a web page; SPARQL endpoint",
        description="Start a local web app: the ontology browser, a page per patient and per "
        "source, the canned queries as forms, a SPARQL editor, and a read-only SPARQL 1.1 "
        "Protocol endpoint at /sparql. Each query runs in a worker process that is stopped "
        "when it passes the time limit.",
        epilog=EPILOG,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000)")
    add_graph_arguments(serve, remote=False)  # its --timeout is the query time limit
    serve.add_argument(
        "--timeout",
        type=positive(float),
        default=10.0,
        help="seconds a SPARQL query may run before it is stopped (default: 10)",
    )
    serve.add_argument(
        "--row-limit",
        type=positive(int),
        default=10_000,
        help="most rows (or triples) a SPARQL result may have; a larger result "
        "is refused, never cut short (default: 10000)",
    )
    serve.add_argument(
        "--workers",
        type=positive(int),
        default=2,
        help="worker processes waiting for SPARQL queries, and the most long queries (past "
        "0.5 s of CPU) that run at once; short queries get more workers, forked on demand "
        "(default: 2)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level (default: info)",
    )
    serve.set_defaults(func=_cmd_serve)

    docs = sub.add_parser(
        "docs",
        help="write HTML documentation of the ontology",
        description="Write static HTML documentation of the dmkg ontology into DIR: every "
        "class, property and individual with its label, definition, synonyms, "
        "cross-references (linked to HPO, MONDO, NCIt, ChEBI, MAxO, STATO and HGNC pages), "
        "notes, super- and subclasses.",
        epilog=EPILOG,
    )
    docs.add_argument("--out", required=True, metavar="DIR", help="output folder")
    docs.set_defaults(func=_cmd_docs)
