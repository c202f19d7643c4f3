"""What the subcommands share: the graph options every read command takes, and small parsers.

Every command that reads a graph (``stats``, ``query``, ``sparql``, ``associations``, ``qa``,
``plot``, ``export ...``, ``serve``, ``publish``) takes the same three ways to name it and
opens it with :func:`open_from_args`, which calls :func:`kg.api.open_graph`:

- ``--graph PATH``: a built graph (``build/``, ``build/dmkg.nt``, any N-Triples or Turtle
  file), a store folder, or a folder of curated sources; default ``build/`` if it holds a
  built graph, else the bundled graph (built once and cached);
- ``--store DIR``: a store folder written by ``dmkg build --store DIR`` (read-only);
- ``--endpoint URL``: a remote SPARQL 1.1 endpoint; ``--graph`` then names the graph IRI to
  read (default: the one ``dmkg publish`` writes; ``default``: the endpoint's default graph).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import UsageError

if TYPE_CHECKING:
    from kg.api import KnowledgeGraph
    from kg.store import Endpoint

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "EPILOG",
    "add_graph_arguments",
    "add_remote_arguments",
    "endpoint_from_args",
    "open_from_args",
    "open_location",
    "parse_params",
    "positive",
    "source_args",
]

EPILOG = (
    "exit codes: 0 ok or valid; 1 invalid data (file, row, column and rule are printed); "
    "2 usage error or a path the system refuses; 130 interrupted"
)

#: seconds a remote may take to answer one request (kg.store.DEFAULT_TIMEOUT, kept here so
#: that building the parser imports nothing but argparse)
_TIMEOUT = 30.0
#: the named graph `dmkg publish` writes and `--endpoint` reads (kg.store.DEFAULT_GRAPH_IRI)
DEFAULT_GRAPH_IRI = "https://w3id.org/dmkg/graph"


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
        default=_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a request after this long (default {_TIMEOUT:g})",
    )


def add_graph_arguments(parser: argparse.ArgumentParser, *, remote: bool = True) -> None:
    """``--graph``, ``--store`` and (with ``remote``) ``--endpoint`` with its options."""
    parser.add_argument(
        "--graph",
        metavar="PATH",
        help="built graph file or folder, store folder, or folder of curated sources (default: "
        "build/, or the bundled graph); with --endpoint, the named graph IRI to read (default: "
        "the one 'dmkg publish' writes; 'default': the endpoint's default graph)",
    )
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="a store folder written by 'dmkg build --store DIR' (opened read-only, nothing "
        "is reloaded)",
    )
    if remote:
        add_remote_arguments(parser)


def endpoint_from_args(args: argparse.Namespace) -> Endpoint:
    """An :class:`kg.store.Endpoint` from the parsed options and ``DMKG_USER``/``DMKG_PASSWORD``."""
    from kg.store import Endpoint

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


def _remote_graph(args: argparse.Namespace) -> KnowledgeGraph:
    from kg.api import open_graph
    from kg.store import graph_iri

    if getattr(args, "store", None):
        raise UsageError("give --store or --endpoint, not both")
    named = args.graph if args.graph is not None else DEFAULT_GRAPH_IRI
    iri = None if named == "default" else graph_iri(named, "--graph (with --endpoint)")
    return open_graph(endpoint=endpoint_from_args(args), graph_iri=iri)


def open_from_args(args: argparse.Namespace, *, engine: str | None = None) -> KnowledgeGraph:
    """The graph the options name (see the module docstring), as one KnowledgeGraph."""
    from kg.api import open_graph

    if getattr(args, "endpoint", None):
        return _remote_graph(args)
    location = getattr(args, "graph", None)
    if getattr(args, "store", None):
        if location:
            raise UsageError("give --graph or --store, not both")
        return open_graph(store=args.store, engine=engine)
    return open_location(location, engine=engine)


def open_location(location: str | None, *, engine: str | None = None) -> KnowledgeGraph:
    """The graph at a path (``--graph``, ``publish --from``), or the default: ``build/`` if it
    holds a built graph, else the bundled graph."""
    from kg.api import open_graph

    if location is not None:
        if not Path(location).exists():
            raise UsageError(
                f"{location}: no built graph here; run 'dmkg build' first or give --graph PATH"
            )
        return open_graph(location, engine=engine)
    if Path("build", "dmkg.nt").is_file():
        return open_graph("build", engine=engine)
    print(
        "dmkg: no build/ folder; using the bundled graph, built once and cached "
        "(run 'dmkg build' to write build/)",
        file=sys.stderr,
    )
    return open_graph(engine=engine, progress=lambda _: None)


def parse_params(pairs: Sequence[str] | None) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dictionary (a usage error if one has no '=')."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE, e.g. --param finding=myositis")
        values[key.strip()] = value
    return values


def positive(kind: type) -> Any:
    """An argparse type: a number of ``kind`` greater than 0."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    return parse


def source_args(paths: Sequence[str]) -> list[Path]:
    """Curated source folders from command-line paths (a folder, its source.yaml, or a folder
    of source folders)."""
    from kg.loaders import source_folders

    folders: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if path.is_file() and path.name == "source.yaml":
            path = path.parent
        found = source_folders(path) if path.is_dir() else []
        if not found:
            raise UsageError(
                f"{raw}: no source.yaml in this folder or its sub-folders "
                "(a source folder holds source.yaml and its tables)"
            )
        folders.extend(found)
    return folders
