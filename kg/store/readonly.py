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

Every query may use the prefixes of :data:`kg.prefixes.DEFAULT_PREFIXES` (``dmkg:``,
``dmkgd:``, ``rdfs:``, ``HP:``, ...) without declaring them: :func:`checked_query` adds a
``PREFIX`` line for each default prefix the text uses and does not declare itself (so a
query's own ``PREFIX`` wins) *before* the check, and that completed text is the one every
store runs. The declarations go on the query's first line, so line numbers in errors stay
the user's.

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
from kg.prefixes import DEFAULT_PREFIXES

__all__ = [
    "CheckedQuery",
    "check_read_only",
    "checked_query",
    "normalise_query",
    "with_default_prefixes",
]

# SERVICE [SILENT] then an IRI, a variable or a prefixed name: a federated call
_SERVICE = re.compile(
    r"(?<![\w:?$])SERVICE\s*(?:SILENT\s*)?(?:<|[?$]|[A-Za-z_][\w.-]*:|:)", re.IGNORECASE
)
_COMMENT = re.compile(r"#[^\n]*")
# one declaration of the prolog (PREFIX name: <iri> or BASE <iri>), after space and comments
_DECLARATION = re.compile(
    r"(?:\s|#[^\n]*)*(?:PREFIX\s*([^\s:#<>]*):\s*<[^<>]*>|BASE\s*<[^<>]*>)", re.IGNORECASE
)
# a prefixed name's prefix as it may be used (over-counting is harmless: an extra PREFIX)
_USED = re.compile(r"(?<![\w-])([A-Za-z][\w.-]*)?:")


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


def _declared(text: str) -> set[str]:
    """The prefixes the query's prolog declares itself."""
    names, at = set(), 0
    while match := _DECLARATION.match(text, at):
        if match.group(1) is not None:
            names.add(match.group(1))
        at = match.end()
    return names


def with_default_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` for each default prefix it uses but does not declare.

    >>> with_default_prefixes("ASK { ?x a dmkg:Patient }")
    'PREFIX dmkg: <https://w3id.org/dmkg/ontology/> ASK { ?x a dmkg:Patient }'
    >>> with_default_prefixes("PREFIX dmkg: <urn:x/> ASK { ?x a dmkg:Patient }")
    'PREFIX dmkg: <urn:x/> ASK { ?x a dmkg:Patient }'
    """
    wanted = {m.group(1) or "" for m in _USED.finditer(text)} - _declared(text)
    lines = [f"PREFIX {p}: <{iri}> " for p, iri in DEFAULT_PREFIXES.items() if p in wanted]
    return "".join(lines) + text


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
    r"""Normalise ``text``, declare the default prefixes it uses, then refuse updates,
    SERVICE and FROM / FROM NAMED.

    Run the returned ``text`` (or ``query``), never the original.

    >>> checked_query("ASK {} #x\rSERVICE <http://127.0.0.1/> {}")
    Traceback (most recent call last):
    kg.errors.QueryError: SERVICE is refused: dmkg does not call other endpoints on a user's behalf
    """
    text = with_default_prefixes(normalise_query(text))
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
