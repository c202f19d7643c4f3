"""The commands that read a graph and print: ``stats``, ``query``, ``sparql``,
``associations`` and ``qa``. Each opens its graph with :func:`kg.cli.common.open_from_args`
(``--graph``, ``--store`` or ``--endpoint``) and asks the one KnowledgeGraph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kg.cli.common import EPILOG, add_graph_arguments, open_from_args, parse_params
from kg.errors import UsageError

__all__ = ["add_parser"]

_TABLE_FORMATS = ("table", "csv", "tsv", "json")
#: the columns ``dmkg associations`` shows as a table (CSV, TSV and JSON give them all)
_ASSOCIATION_TABLE = (
    "kind", "exposure", "reference", "outcome", "a", "b", "c", "d", "odds_ratio",
    "or_ci_low", "or_ci_high", "p_fisher", "reported_p",
)  # fmt: skip


def _cmd_stats(args: argparse.Namespace) -> int:
    summary = open_from_args(args).summary()
    if args.format == "json":
        print(json.dumps(summary.as_dict(), indent=2, sort_keys=True))
    else:
        print(summary.text())
    return 0


def _list_queries(fmt: str) -> int:
    from kg.query import list_queries
    from kg.query.render import render_dicts

    queries = list_queries(include_checks=False)
    if fmt == "json":
        print(json.dumps([q.as_dict() for q in queries], indent=2, ensure_ascii=False))
        return 0
    rows = [
        {
            "name": q.name,
            "title": q.title,
            "parameters": ", ".join(f"{p.name} ({p.as_dict()['type']})" for p in q.params),
            "description": q.description,
        }
        for q in queries
    ]
    columns = ["name", "title", "parameters"] if fmt == "table" else list(rows[0])
    print(render_dicts(columns, rows, fmt))
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from kg.query import run_query
    from kg.query.render import render, sparql_json

    if args.list:
        return _list_queries(args.format)
    if not args.name:
        raise UsageError("give a query name, or --list to see them")
    graph = open_from_args(args)
    result = run_query(graph.store, args.name, parse_params(args.param))
    if args.format == "json":  # W3C SPARQL results: IRIs as IRIs, no label columns
        print(sparql_json(result))
    elif args.format in ("csv", "tsv"):
        _stream(result, args.format, graph.store)
    else:
        print(render(result, args.format, graph.store))  # labels from the same store
    return 0


#: rows labelled and printed at a time by :func:`_stream`
_STREAM_ROWS = 2000


def _stream(result: Any, fmt: str, store: Any) -> None:
    """CSV or TSV rows printed a chunk at a time as they are labelled (labels from the same
    store), not collected into one text first: the same text as ``render``."""
    import csv

    from kg.query import QueryResult
    from kg.query.render import render_records

    iri = {c for i, c in enumerate(result.columns) if any(_is_iri(r[i]) for r in result.rows)}
    columns = [x for c in result.columns for x in ((c, f"{c}_id") if c in iri else (c,))]
    writer = csv.writer(sys.stdout, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(columns)
    for start in range(0, len(result.rows), _STREAM_ROWS):
        chunk = QueryResult(result.columns, result.rows[start : start + _STREAM_ROWS])
        # a column with no IRI in this chunk has no '_id' key: blank, as in render's text
        writer.writerows(
            ["" if (v := r.get(c)) is None else v for c in columns]
            for r in render_records(chunk, store)
        )
        sys.stdout.flush()


def _is_iri(value: Any) -> bool:
    from rdflib import URIRef

    return isinstance(value, URIRef)


def _cmd_sparql(args: argparse.Namespace) -> int:
    from kg.query.render import render, sparql_json

    text = args.query
    if text == "-":
        text = sys.stdin.read()
    elif Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    graph = open_from_args(args)
    answer = graph.store.sparql(text)
    if answer.ask is not None:
        print(sparql_json(ask=answer.ask) if args.format == "json" else str(answer.ask).lower())
    elif answer.graph is not None:
        print(answer.graph.serialize(format="turtle" if args.format != "nt" else "nt"))
    elif answer.select is not None and args.format == "json":
        print(sparql_json(answer.select))  # W3C SPARQL results: IRIs as IRIs, no labels
    elif answer.select is not None:
        fmt = "table" if args.format == "nt" else args.format
        print(render(answer.select, fmt, graph.store))
    return 0


def _cmd_associations(args: argparse.Namespace) -> int:
    from kg.analyse.statistics import ASSOCIATION_COLUMNS
    from kg.query.render import render_dicts

    rows = open_from_args(args).association_rows()
    if args.kind != "all":
        rows = [r for r in rows if r["kind"] == args.kind]
    columns = list(_ASSOCIATION_TABLE if args.format == "table" else ASSOCIATION_COLUMNS)
    print(render_dicts(columns, rows, args.format))
    return 0


def _cmd_qa(args: argparse.Namespace) -> int:
    from kg.analyse.qa import QA_COLUMNS
    from kg.query.render import render_dicts

    items = [item.as_dict() for item in open_from_args(args).qa_report()]
    columns = [c for c in QA_COLUMNS if args.format != "table" or c != "note"]
    print(render_dicts(columns, items, args.format))
    return 0


def _add_query(sub: Any) -> None:
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
    query.add_argument(
        "--format",
        choices=_TABLE_FORMATS,
        default="table",
        help="json is W3C SPARQL results JSON; the others show labels (CSV, TSV: CURIEs beside)",
    )
    add_graph_arguments(query)
    query.set_defaults(func=_cmd_query)

    sparql = sub.add_parser(
        "sparql",
        help="run any read-only SPARQL query",
        description="Run a SELECT, ASK, CONSTRUCT or DESCRIBE query given as "
        "text, a file name, or - for standard input. Updates, SERVICE and "
        "FROM/FROM NAMED are refused. The dmkg prefixes (dmkg:, dmkgd:, rdfs:, "
        "owl:, skos:, xsd:, prov:, obo:, HP:, ...) are declared unless the query "
        "declares them itself. --format json writes W3C SPARQL 1.1 results JSON.",
        epilog=EPILOG,
    )
    sparql.add_argument("query", metavar="QUERY_OR_FILE")
    sparql.add_argument(
        "--format",
        choices=(*_TABLE_FORMATS, "nt"),
        default="table",
        help="SELECT output format: json is W3C SPARQL results JSON, the others show "
        "labels (CONSTRUCT: Turtle, or nt)",
    )
    add_graph_arguments(sparql)
    sparql.set_defaults(func=_cmd_sparql)


def add_parser(sub: Any) -> None:
    """Add ``stats``, ``query``, ``sparql``, ``associations`` and ``qa``."""
    stats = sub.add_parser(
        "stats",
        help="summarise a built graph",
        description="Print sources, patients, records by kind and the "
        "patients the reasoner classified.",
        epilog=EPILOG,
    )
    stats.add_argument("--format", choices=("table", "json"), default="table")
    add_graph_arguments(stats)
    stats.set_defaults(func=_cmd_stats)
    _add_query(sub)
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
    assoc.add_argument("--format", choices=_TABLE_FORMATS, default="table")
    assoc.add_argument("--kind", choices=("all", "patient-level", "cohort"), default="all")
    add_graph_arguments(assoc)
    assoc.set_defaults(func=_cmd_associations)
    qa = sub.add_parser(
        "qa",
        help="where a paper's printed numbers disagree with its data",
        description="Every printed total, percentage, p-value and text figure that "
        "disagrees with what the paper's own rows give (beyond the rounding of "
        "the printed digits). Numbers that agree are not listed.",
        epilog=EPILOG,
    )
    qa.add_argument("--format", choices=_TABLE_FORMATS, default="table")
    add_graph_arguments(qa)
    qa.set_defaults(func=_cmd_qa)
