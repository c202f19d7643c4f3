"""The ``dmkg`` command. Each subcommand is thin: it calls the same functions the tests call.

Exit codes: 0 success (or: the data is valid); 1 the data is invalid (curation errors, SHACL
violations, an inconsistent ontology); 2 usage error (bad option, missing file, unknown
name); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kg.version import __version__
from kg.errors import EXIT_CODES, DmkgError, UsageError

__all__ = ["COMMAND_MODULES", "EPILOG", "build_parser", "load_graph", "main", "parse_params"]

#: modules under kg/commands/ that add subcommands (each defines add_parser(subparsers))
COMMAND_MODULES: tuple[str, ...] = (
    "kg.cli.plot",
    "kg.cli.serve",
    "kg.cli.publish",
    "kg.cli.exchange",
    "kg.cli.synth",
    "kg.cli.bench",
)

EPILOG = (
    "exit codes: 0 ok or valid; 1 invalid data (file, row, column and rule are printed); "
    "2 usage error; 130 interrupted"
)


def _cmd_build(args: argparse.Namespace) -> int:
    from kg.build.graph import build_graph, write_graph

    folders = _source_args(args.data) if args.data else None
    if args.store:
        if args.out:
            raise UsageError(
                "give --out (graph files, small data, HermiT) or --store (an "
                "Oxigraph store, registry scale), not both"
            )
        return _build_store(folders, Path(args.store), args.workers)
    args.out = args.out or "build"
    result = build_graph(folders, run_reasoner=not args.no_reason)
    written = write_graph(result, Path(args.out))
    print(result.summary.text())
    print(f"inferred type triples: {len(result.inference.triples)}")
    from collections import Counter

    from kg.analyse.qa import qa_report

    kinds = Counter(item.kind for item in qa_report(result.graph))
    print(
        f"data-quality report: {sum(kinds.values())} printed numbers disagree with the data "
        f"({', '.join(f'{k}: {n}' for k, n in sorted(kinds.items())) or 'none'}); "
        "see 'dmkg qa' (the graph keeps both numbers)"
    )
    print("wrote: " + ", ".join(str(p) for p in written.values()))
    return 0


def _build_store(folders: list[Path] | None, target: Path, workers: int | None) -> int:
    import time

    from kg.analyse.summary import GraphSummary
    from kg.build.store import build_store

    start = time.perf_counter()
    result = build_store(folders, target, workers=workers)
    summary = result.summary
    print(
        GraphSummary(
            result.triples, summary["sources"], summary["records"], summary["inferred_patients"]
        )
        .text()
        .replace("classified by the reasoner", "classified by the rules in ontology/rules")
    )
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.stages.items())
    print(f"store build: {time.perf_counter() - start:.1f} s ({stages})")
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.steps.items())
    print(
        f"  inside load+validate, summed over {result.batches} batch(es) run "
        f"{result.workers} at a time: {steps} ('store' in the main process, beside them)"
    )
    print(f"wrote: {result.path} (query it with 'dmkg query NAME --store {result.path}')")
    return 0


def _source_args(paths: Sequence[str]) -> list[Path]:
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


def _cmd_validate(args: argparse.Namespace) -> int:
    from kg.errors import CurationErrors
    from kg.loaders import load_sources
    from kg.ontology import load_ontology
    from kg.terms import TermIndex
    from kg.validate.shacl import validate_graph

    folders = _source_args(args.paths)
    ontology = load_ontology()
    try:
        data = load_sources(folders, TermIndex(ontology))
    except CurationErrors as exc:
        print(f"INVALID: {', '.join(str(f) for f in folders)}")
        print(exc)
        return 1
    report = validate_graph(data, ontology)
    names = ", ".join(str(f) for f in folders)
    if report.conforms:
        print(f"VALID: {names} ({len(data)} triples conform to the shapes)")
        return 0
    print(f"INVALID: {names}")
    print(report.text())
    return 1


def _cmd_stats(args: argparse.Namespace) -> int:
    from kg.analyse.summary import summarise

    summary = summarise(load_graph(args.graph))
    if args.format == "json":
        print(json.dumps(summary.as_dict(), indent=2, sort_keys=True))
    else:
        print(summary.text())
    return 0


def load_graph(location: str | None):  # type: ignore[no-untyped-def]
    """A built graph from a file or folder; the bundled graph built in memory if none exists."""

    path = Path(location or "build")
    if path.is_dir():
        path = path / "dmkg.nt"
    if not path.is_file():
        if location is not None:
            raise UsageError(
                f"{location}: no built graph here; run 'dmkg build' first or give --graph PATH"
            )
        from kg.build.graph import build_graph

        print(
            "dmkg: no build/ folder; building the bundled graph in memory "
            "(run 'dmkg build' once to skip this)",
            file=sys.stderr,
        )
        return build_graph(progress=lambda _: None).graph
    from kg.rdfio import parse_rdf_file
    from kg.reason.summary_links import check_built_with_links

    graph = parse_rdf_file(path)  # refuses XML entities and remote JSON-LD contexts
    check_built_with_links(graph, str(path))
    return graph


def parse_params(pairs: Sequence[str] | None) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a dictionary (a usage error if one has no '=')."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE, e.g. --param finding=myositis")
        values[key.strip()] = value
    return values


def _cmd_query(args: argparse.Namespace) -> int:
    from kg.query.render import render, render_dicts
    from kg.query import list_queries, run_query

    if args.list:
        queries = list_queries(include_checks=False)
        rows = [
            {
                "name": q.name,
                "title": q.title,
                "parameters": ", ".join(f"{p.name} ({p.as_dict()['type']})" for p in q.params),
                "description": q.description,
            }
            for q in queries
        ]
        if args.format == "json":
            print(json.dumps([q.as_dict() for q in queries], indent=2, ensure_ascii=False))
        else:
            columns = ["name", "title", "parameters"] if args.format == "table" else list(rows[0])
            print(render_dicts(columns, rows, args.format))
        return 0
    if not args.name:
        raise UsageError("give a query name, or --list to see them")
    graph = _graph_or_store(args)
    result = run_query(graph, args.name, parse_params(args.param))
    print(render(result, args.format, graph))  # labels from the same graph or store
    return 0


def _graph_or_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Where ``query`` and ``sparql`` run: the remote store of ``--endpoint`` (``--graph`` then
    names the graph IRI to read), or a built graph file read into an in-process Oxigraph
    store (the embedded default: it loads and queries many times faster than rdflib; set
    DMKG_ENGINE=rdflib for rdflib's), or the bundled graph built in memory."""
    import os

    if getattr(args, "endpoint", None):
        from kg.cli.publish import remote_store

        return remote_store(args)
    if getattr(args, "store", None):
        from kg.build.store_folder import open_store
        from kg.store import OxigraphStore

        if args.graph:
            raise UsageError("give --graph or --store, not both")
        from kg.reason.summary_links import check_built_with_links

        opened = open_store(Path(args.store))
        check_built_with_links(opened, args.store)
        return OxigraphStore(opened)
    path = Path(args.graph or "build")
    if path.is_dir():
        path = path / "dmkg.nt"
    if path.is_file() and os.environ.get("DMKG_ENGINE", "oxigraph") != "rdflib":
        try:
            import pyoxigraph  # noqa: F401
        except ImportError:  # not installed: rdflib, as before
            return load_graph(args.graph)
        from kg.store import OxigraphStore
        from kg.reason.summary_links import check_built_with_links

        try:
            loaded = OxigraphStore.from_bytes(
                path.read_bytes(), "nt" if path.suffix == ".nt" else "ttl"
            )
        except (SyntaxError, ValueError, OSError) as exc:
            raise UsageError(
                f"{path}: not a readable RDF file ({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        check_built_with_links(loaded.store, str(path))
        return loaded
    return load_graph(args.graph)


def _cmd_sparql(args: argparse.Namespace) -> int:
    from rdflib import Graph

    from kg.query.render import render
    from kg.store.readonly import run_sparql

    text = args.query
    if text == "-":
        text = sys.stdin.read()
    elif Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    graph = _graph_or_store(args)
    answer = run_sparql(graph, text) if isinstance(graph, Graph) else graph.sparql(text)
    if answer.ask is not None:
        print("true" if answer.ask else "false")
    elif answer.graph is not None:
        print(answer.graph.serialize(format="turtle" if args.format != "nt" else "nt"))
    elif answer.select is not None:
        print(render(answer.select, "table" if args.format == "nt" else args.format, graph))
    return 0


def _cmd_associations(args: argparse.Namespace) -> int:
    from kg.query.render import render_dicts
    from kg.analyse.statistics import ASSOCIATION_COLUMNS, associations

    rows = associations(load_graph(args.graph))
    if args.kind != "all":
        rows = [r for r in rows if r["kind"] == args.kind]
    columns = list(ASSOCIATION_COLUMNS)
    if args.format == "table":
        columns = [
            "kind",
            "exposure",
            "reference",
            "outcome",
            "a",
            "b",
            "c",
            "d",
            "odds_ratio",
            "or_ci_low",
            "or_ci_high",
            "p_fisher",
            "reported_p",
        ]
    print(render_dicts(columns, rows, args.format))
    return 0


def _cmd_qa(args: argparse.Namespace) -> int:
    from kg.query.render import render_dicts
    from kg.analyse.qa import QA_COLUMNS, qa_report

    items = [item.as_dict() for item in qa_report(load_graph(args.graph))]
    columns = list(QA_COLUMNS)
    if args.format == "table":
        columns = [c for c in columns if c != "note"]
    print(render_dicts(columns, items, args.format))
    return 0


def _remote_arguments(parser: argparse.ArgumentParser) -> None:
    from kg.cli.publish import add_remote_arguments

    add_remote_arguments(parser)


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="a store folder written by 'dmkg build "
        "--store DIR' (opened read-only, nothing is reloaded)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmkg",
        description="dmkg: a knowledge graph of dermatomyositis phenotypes, myositis "
        "autoantibodies and cancers, built from curated case series.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"dmkg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="load, validate, reason and write the graph",
        description="Load the curated sources, check them against the SHACL "
        "shapes, classify with HermiT, and write dmkg.nt, dmkg.ttl and "
        "summary.json atomically.",
        epilog=EPILOG,
    )
    build.add_argument(
        "--out", help="output folder for dmkg.nt, dmkg.ttl and summary.json (default: build)"
    )
    build.add_argument(
        "--store",
        metavar="DIR",
        help="instead of graph files, build an on-disk Oxigraph store in DIR "
        "for registry-scale data: N-Triples from worker processes, Oxigraph's "
        "bulk loader, the shapes compiled to SPARQL, the rules in "
        "ontology/rules in place of HermiT; 'dmkg query/sparql/serve --store "
        "DIR' then start without reloading",
    )
    build.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="with --store: loader processes (default: 2, or 1 on one core)",
    )
    build.add_argument(
        "--data",
        nargs="+",
        metavar="DIR",
        help="source folders to build from (default: the bundled papers)",
    )
    build.add_argument(
        "--no-reason",
        action="store_true",
        help="skip the OWL reasoner (no inferred classes are written)",
    )
    build.set_defaults(func=_cmd_build)

    validate = sub.add_parser(
        "validate",
        help="check curated source folders",
        description="Check curated case-series folders (source.yaml and "
        "its tables) and print every problem with file, row, column, value "
        "and rule. Exit 0 if valid, 1 if not, 2 on a usage error.",
        epilog=EPILOG,
    )
    validate.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a source folder, its source.yaml, or a folder of source folders",
    )
    validate.set_defaults(func=_cmd_validate)

    stats = sub.add_parser(
        "stats",
        help="summarise a built graph",
        description="Print sources, patients, records by kind and the "
        "patients the reasoner classified.",
        epilog=EPILOG,
    )
    stats.add_argument(
        "--graph",
        help="built graph file or folder (default: build/, or the bundled graph built in memory)",
    )
    stats.add_argument("--format", choices=("table", "json"), default="table")
    stats.set_defaults(func=_cmd_stats)

    query = sub.add_parser(
        "query",
        help="run a canned query",
        description="Run one of the canned association queries (see --list). "
        "Parameters are checked and bound to the query, never pasted into it.",
        epilog=EPILOG,
    )
    query.add_argument("name", nargs="?", help="query name (see --list)")
    query.add_argument("--list", action="store_true", help="list the canned queries")
    query.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a parameter, e.g. --param finding=myositis (repeatable)",
    )
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    query.add_argument(
        "--graph",
        help="built graph file or folder (default: build/, or the "
        "bundled graph built in memory); with --endpoint, the named graph IRI "
        "to read (default: the one 'dmkg publish' writes; 'default': the "
        "endpoint's default graph)",
    )
    _store_argument(query)
    _remote_arguments(query)
    query.set_defaults(func=_cmd_query)

    sparql = sub.add_parser(
        "sparql",
        help="run any read-only SPARQL query",
        description="Run a SELECT, ASK, CONSTRUCT or DESCRIBE query given as "
        "text, a file name, or - for standard input. Updates, SERVICE and "
        "FROM/FROM NAMED are refused.",
        epilog=EPILOG,
    )
    sparql.add_argument("query", metavar="QUERY_OR_FILE")
    sparql.add_argument(
        "--format",
        choices=("table", "csv", "tsv", "json", "nt"),
        default="table",
        help="SELECT output format (CONSTRUCT: Turtle, or nt)",
    )
    sparql.add_argument(
        "--graph",
        help="built graph file or folder (default: build/); with "
        "--endpoint, the named graph IRI to read (as for 'dmkg query')",
    )
    _remote_arguments(sparql)
    _store_argument(sparql)
    sparql.set_defaults(func=_cmd_sparql)

    assoc = sub.add_parser(
        "associations",
        help="2x2 tables, Fisher p and odds ratios",
        description="For each finding and antibody against each cancer site, "
        "the 2x2 counts over patients with Fisher's exact p and the odds ratio "
        "with its 95%% CI; for each cohort comparison, the 2x2 from n/N with "
        "Fisher's p recomputed beside the printed one. Proportions carry Wilson "
        "95%% CIs. Statistics by scipy.",
        epilog=EPILOG,
    )
    assoc.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    assoc.add_argument("--kind", choices=("all", "patient-level", "cohort"), default="all")
    assoc.add_argument("--graph", help="built graph file or folder (default: build/)")
    assoc.set_defaults(func=_cmd_associations)

    qa = sub.add_parser(
        "qa",
        help="where a paper's printed numbers disagree with its data",
        description="Every printed total, percentage, p-value and text figure that "
        "disagrees with what the paper's own rows give (beyond the rounding of "
        "the printed digits). Numbers that agree are not listed.",
        epilog=EPILOG,
    )
    qa.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    qa.add_argument("--graph", help="built graph file or folder (default: build/)")
    qa.set_defaults(func=_cmd_qa)

    import importlib

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except DmkgError as exc:
        print(f"dmkg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_CODES.get(type(exc), 1)
    except KeyboardInterrupt:
        print(f"dmkg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
