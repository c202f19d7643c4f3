"""``dmkg classify``: every patient scored by a criteria set, as the graph records it.

The scores are derived when the graph is built (``ontology/classification/``); this command
runs the canned queries ``classification``, ``classification-items`` and
``classification-summary`` on the graph it opens, like ``dmkg query``.
"""

from __future__ import annotations

import argparse
from typing import Any

from kg.cli.common import EPILOG, add_graph_arguments, open_from_args

__all__ = ["add_parser"]

_FORMATS = ("table", "csv", "tsv", "json")
_CRITERIA_IDS = (
    "SELECT ?id WHERE { ?set <https://w3id.org/dmkg/classification/criteriaId> ?id } ORDER BY ?id"
)
NOTE = (
    "note: classification criteria are for research cohorts, not for the diagnosis of a "
    "patient; a range is [all unknown items not met, all met]"
)


def _check_criteria(store: Any, criteria: str) -> None:
    from kg.errors import UsageError

    known = [str(row[0]) for row in store.select(_CRITERIA_IDS).rows]
    if criteria not in known:
        raise UsageError(
            f"--criteria {criteria!r}: no such criteria set in the graph; known: "
            f"{', '.join(known) or 'none (a graph built before dmkg classify existed?)'}"
        )


#: columns the queries join with GROUP_CONCAT, whose order SPARQL leaves to the engine
_JOINED = {"subgroups": "; ", "evidence": " | "}


def _sort_joined(result: Any) -> None:
    """Sort the parts of the joined columns, so every store prints the same bytes."""
    from rdflib import Literal

    for column, separator in _JOINED.items():
        if column not in result.columns:
            continue
        where = result.columns.index(column)
        for row in result.rows:
            if row[where] is not None and str(row[where]):
                parts = sorted(str(row[where]).split(separator))
                row[where] = Literal(separator.join(parts))


def _cmd_classify(args: argparse.Namespace) -> int:
    import sys

    from kg.api.patients import find_patient
    from kg.query import run_query
    from kg.query.render import render

    graph = open_from_args(args)
    _check_criteria(graph.store, args.criteria)
    params = {"criteria": args.criteria}
    if args.source:
        params["source"] = args.source
    if args.summary:
        name = "classification-summary"
    else:
        name = "classification-items" if args.items or args.patient else "classification"
    result = run_query(graph.store, name, params)
    if args.patient:
        wanted = {find_patient(graph.rdf, p) for p in args.patient}
        where = result.columns.index("patient")
        result.rows = [row for row in result.rows if row[where] in wanted]
    _sort_joined(result)
    print(render(result, args.format, graph.store))
    if args.format == "table":
        print(NOTE, file=sys.stderr)
    return 0


def add_parser(sub: Any) -> None:
    """Add ``classify``."""
    parser = sub.add_parser(
        "classify",
        help="classify patients by the EULAR/ACR 2017 criteria",
        description="Each patient's score by a criteria set (ontology/criteria/), without "
        "and (after a muscle biopsy) with biopsy, as a range [lowest, highest] over the "
        "items the sources leave unknown, the category at each end, whether that decides "
        "it, and the possible subgroups. --patient or --items lists every item as met, not "
        "met or unknown with the source cells it was read from; --summary counts patients "
        "per category and source. For research cohorts, not diagnosis.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--criteria", default="eular-acr-2017", help="criteria set id (default eular-acr-2017)"
    )
    parser.add_argument(
        "--patient",
        action="append",
        metavar="PATIENT",
        help="a patient ('requena2024 case 5', 'patient:P...' or an IRI); repeatable; "
        "lists the patient's items",
    )
    parser.add_argument("--source", metavar="DOI", help="only the patients of one publication")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--items", action="store_true", help="every item of every patient")
    what.add_argument("--summary", action="store_true", help="patients per category and source")
    parser.add_argument("--format", choices=_FORMATS, default="table")
    add_graph_arguments(parser)
    parser.set_defaults(func=_cmd_classify)
