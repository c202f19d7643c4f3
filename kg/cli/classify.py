"""``dmkg classify``: every patient scored by a criteria set, as the graph records it.

The records are derived when the graph is built (:mod:`kg.reason.classification`); this command
lists them (:data:`kg.api.classification.LISTING`) or, with ``--summary``, runs the canned
query ``classification-summary`` on the graph it opens, like ``dmkg query``; ``--patient`` lists each item of a patient's record with the
source cells it was read from (:mod:`kg.api.classification`).
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


#: the score columns, printed with one decimal place whichever way the store wrote them
_SCORES = ("score_low", "score_high", "biopsy_score_low", "biopsy_score_high")
_ITEM_COLUMNS = (
    "patient",
    "number",
    "item",
    "status",
    "points_without_biopsy",
    "points_with_biopsy",
    "evidence",
)


def _item_records(graph: Any, patients: list[str], criteria: str) -> list[dict[str, Any]]:
    """Every item of each patient's record: status, points and the cells it was read from."""
    from kg.api.classification import patient_classifications
    from kg.api.patients import find_patient
    from kg.api.values import label_of

    records = []
    for name in patients:
        iri = find_patient(graph.rdf, name)
        label = label_of(graph.rdf, iri) or str(iri)
        for view in patient_classifications(graph.rdf, iri):
            if view["criteria_id"] == criteria:
                records += [{"patient": label, **row} for row in view["item_rows"]]
    for record in records:
        record.pop("item_id", None)
    return records


def _cmd_classify(args: argparse.Namespace) -> int:
    import sys

    from kg.api.classification import classification_table, score_text
    from kg.query import run_query
    from kg.query.render import render_dicts, render_records

    graph = open_from_args(args)
    _check_criteria(graph.store, args.criteria)
    if args.patient:
        records = _item_records(graph, args.patient, args.criteria)
        columns: list[str] = list(_ITEM_COLUMNS)
    else:
        params = {"criteria": args.criteria}
        if args.source:
            params["source"] = args.source
        if args.summary:
            result = run_query(graph.store, "classification-summary", params)
        else:
            result = classification_table(graph.store, params)
        records = render_records(result, graph.store)
        for record in records:
            for column in _SCORES:
                if column in record:
                    record[column] = score_text(record[column])
        columns = []
        for column in result.columns:
            columns.append(column)
            if records and f"{column}_id" in records[0] and args.format != "table":
                columns.append(f"{column}_id")
    print(render_dicts(columns, records, args.format))
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
        "it, and the possible subgroups. --patient lists the patient's items as met, not "
        "met or unknown with the source cells each was read from; --summary counts patients "
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
    parser.add_argument("--summary", action="store_true", help="patients per category and source")
    parser.add_argument("--format", choices=_FORMATS, default="table")
    add_graph_arguments(parser)
    parser.set_defaults(func=_cmd_classify)
