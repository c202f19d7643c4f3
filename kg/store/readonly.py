"""Run a user's SPARQL safely: read-only, nothing fetched, nothing executed elsewhere.

A query is refused before it runs if it is an update (INSERT, DELETE, LOAD, CLEAR, ...),
uses ``SERVICE`` (a federated call to another endpoint) or names a dataset with
``FROM``/``FROM NAMED`` (which rdflib would fetch from the web).

The text that is checked is the text that runs: :func:`checked_query` normalises line ends
first (a ``#`` comment ends at LF for rdflib but at CR too for Oxigraph, so a comment, a CR and
a SERVICE would hide it from the check and hand it to Oxigraph's HTTP client) and every store
runs the normalised text or the parse the check made. A second, lexical guard refuses the
keyword ``SERVICE`` followed by an IRI, prefixed name or variable anywhere outside a comment,
whatever the parser thinks of it.

>>> check_read_only("SELECT * WHERE { ?s ?p ?o } LIMIT 1").algebra.name
'SelectQuery'
>>> check_read_only("INSERT DATA { <a:b> <a:c> <a:d> }")
Traceback (most recent call last):
kg.errors.QueryError: only read-only queries are run (SELECT, ASK, CONSTRUCT, DESCRIBE); this is an update
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.plugins.sparql.sparql import Query

from kg.errors import QueryError

__all__ = ["CheckedQuery", "check_read_only", "checked_query", "normalise_query"]

# SERVICE [SILENT] then an IRI, a variable or a prefixed name: a federated call
_SERVICE = re.compile(
    r"(?<![\w:?$])SERVICE\s*(?:SILENT\s*)?(?:<|[?$]|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE
)
_COMMENT = re.compile(r"#[^\n]*")


class CheckedQuery(NamedTuple):
    """A query that passed :func:`checked_query`: the text to run and rdflib's parse of it."""

    text: str
    query: Query


def normalise_query(text: str) -> str:
    r"""``text`` with CR LF and lone CR line ends made LF, so every parser sees the same lines.

    >>> normalise_query("ASK {} #x\rSERVICE") == "ASK {} #x\nSERVICE"
    True
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    """Parse ``text`` and refuse updates, SERVICE and FROM / FROM NAMED (rdflib's parse)."""
    return checked_query(text).query


def checked_query(text: str) -> CheckedQuery:
    r"""Normalise ``text``, then refuse updates, SERVICE and FROM / FROM NAMED.

    Run the returned ``text`` (or ``query``), never the original.

    >>> checked_query("ASK {} #x\rSERVICE <http://127.0.0.1/> {}")
    Traceback (most recent call last):
    kg.errors.QueryError: SERVICE is refused: dmkg does not call other endpoints on a user's behalf
    """
    text = normalise_query(text)
    if _SERVICE.search(_COMMENT.sub(" ", text)):
        raise QueryError(_SERVICE_REFUSED)
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
            raise QueryError(_SERVICE_REFUSED)
    return CheckedQuery(text, query)


_SERVICE_REFUSED = "SERVICE is refused: dmkg does not call other endpoints on a user's behalf"
