"""Run a user's SPARQL safely: read-only, nothing fetched, nothing executed elsewhere.

A query is refused before it runs if it is an update (INSERT, DELETE, LOAD, CLEAR, ...),
uses ``SERVICE`` (a federated call to another endpoint) or names a dataset with
``FROM``/``FROM NAMED`` (which rdflib would fetch from the web).

>>> check_read_only("SELECT * WHERE { ?s ?p ?o } LIMIT 1").algebra.name
'SelectQuery'
>>> check_read_only("INSERT DATA { <a:b> <a:c> <a:d> }")
Traceback (most recent call last):
kg.errors.QueryError: only read-only queries are run (SELECT, ASK, CONSTRUCT, DESCRIBE); this is an update
"""

from __future__ import annotations

from typing import Any

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query

from kg.errors import QueryError

__all__ = ["check_read_only"]


def _walk(node: Any, seen: set[int] | None = None) -> Any:
    seen = seen if seen is not None else set()
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value, seen)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value, seen)


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update (or not SPARQL at all)
        return False
    return True


def check_read_only(text: str) -> Query:
    """Parse ``text`` and refuse updates, SERVICE and FROM / FROM NAMED."""
    if _is_update(text):
        raise QueryError(
            "only read-only queries are run (SELECT, ASK, CONSTRUCT, DESCRIBE); this is an update"
        )
    try:
        query = prepareQuery(text)
    except Exception as exc:  # noqa: BLE001 - pyparsing raises several error types
        raise QueryError(f"the query does not parse: {str(exc)[:300]}") from None
    if query.algebra.get("datasetClause"):  # only the top level may name a dataset
        raise QueryError("FROM and FROM NAMED are refused: queries run on the local graph only")
    for node in _walk(query.algebra):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise QueryError(
                "SERVICE is refused: dmkg does not call other endpoints on a user's behalf"
            )
    return query
