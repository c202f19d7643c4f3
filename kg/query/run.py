"""Running canned queries on any store, and the ``*-violation`` data checks.

>>> from kg.ontology import load_ontology
>>> run_query(load_ontology(), "summary-sources").columns[:2]
['publication', 'doi']
"""

from __future__ import annotations

import statistics
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import XSD, Literal
from rdflib.term import Identifier, Node

from kg.errors import QueryError
from kg.query.catalogue import CannedQuery, list_queries, load_query
from kg.query.params import bind_params
from kg.store import QueryResult, as_store

__all__ = ["run_query", "run_violation_checks"]


def _median(cell: Node | None) -> Literal | None:
    if cell is None or not str(cell).strip():
        return None
    try:
        numbers = [Decimal(x) for x in str(cell).split()]
    except InvalidOperation:
        raise QueryError(f"median over non-numbers: {str(cell)[:80]!r}") from None
    value = statistics.median(numbers)
    return Literal(
        Decimal(value).normalize() if value == value.to_integral() else value, datatype=XSD.decimal
    )


def run_query(
    graph: Any,
    name: str,
    params: dict[str, str] | None = None,
    *,
    bindings: dict[str, Identifier] | None = None,
    terms: Any = None,
) -> QueryResult:
    """Run a canned query on ``graph``: a :class:`kg.store.Store`, a KnowledgeGraph, or an
    rdflib graph (see :func:`kg.store.as_store`); ``params`` are user strings, checked and
    converted."""
    store = as_store(graph)
    query = load_query(name)
    bound = dict(bindings or {})
    needs_dois = any(
        p.type == "doi" and (p.name in (params or {}) or p.default) for p in query.params
    )
    lookup = store.lookup_graph() if needs_dois else None
    bound.update(bind_params(query, params or {}, lookup, terms))
    return _post_process(query, store.select(query.text, bound))


def _post_process(query: CannedQuery, result: QueryResult) -> QueryResult:
    for source, target in query.renames:
        if source not in result.columns:
            raise QueryError(f"query {query.name!r}: renamed column {source!r} not selected")
        result.columns[result.columns.index(source)] = target
    for source, target in query.medians:
        if source not in result.columns:
            raise QueryError(f"query {query.name!r}: median source column {source!r} not selected")
        i = result.columns.index(source)
        result.columns[i] = target
        for row in result.rows:
            row[i] = _median(row[i])
    if query.order:
        missing = [c for c in query.order if c not in result.columns]
        if missing:
            raise QueryError(f"query {query.name!r}: order column(s) {missing} not selected")
        at = [result.columns.index(c) for c in query.order]
        # as ORDER BY sorts IRIs and strings: unbound first, then by the text
        result.rows.sort(key=lambda row: [(row[i] is not None, str(row[i] or "")) for i in at])
    return result


def run_violation_checks(graph: Any) -> dict[str, int]:
    """Run every ``*-violation`` query on a graph or a store; return the number of rows each
    found (0 is good)."""
    store = as_store(graph)
    return {
        query.name: len(store.select(query.text).rows)
        for query in list_queries()
        if query.is_violation_check
    }
