"""Canned SPARQL queries: files in ``queries/`` with a comment header, run read-only.

A query file starts with ``# title:``, ``# description:`` and ``# parameters:`` lines.
Values reach a query through rdflib's ``initBindings``, never by editing its text.

>>> q = load_query("summary-sources")
>>> q.title
'Sources in the graph'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier

from kg.errors import NotFoundError, QueryError
from kg.resources import query_files

__all__ = ["CannedQuery", "load_query", "list_queries", "run_query"]


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its name (file stem), header fields and SPARQL text."""

    name: str
    title: str
    description: str
    parameters: str
    text: str

    @property
    def prepared(self) -> Query:
        return _prepare(self.text, self.name)


def _header(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if match:
            current = match.group(1).lower()
            fields[current] = match.group(2).strip()
        elif current:
            fields[current] += " " + line.lstrip("# ").strip()
    return fields


@lru_cache(maxsize=None)
def _prepare(text: str, name: str) -> Query:
    try:
        return prepareQuery(text)
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing errors of several kinds
        raise QueryError(f"query {name!r} does not parse: {exc}") from None


def list_queries() -> list[CannedQuery]:
    """Every query file, sorted by name."""
    found = []
    for path in query_files():
        text = path.read_text(encoding="utf-8")
        head = _header(text)
        found.append(CannedQuery(path.stem, head.get("title", path.stem),
                                 head.get("description", ""), head.get("parameters", ""), text))
    return found


def load_query(name: str) -> CannedQuery:
    """The query file called ``name`` (without ``.rq``)."""
    for query in list_queries():
        if query.name == name:
            return query
    known = ", ".join(q.name for q in list_queries())
    raise NotFoundError(f"no canned query named {name!r}; known queries: {known}")


def run_query(graph: Graph, name: str, bindings: dict[str, Identifier] | None = None) -> Result:
    """Run a canned query on ``graph`` with values bound to its variables."""
    query = load_query(name)
    return graph.query(query.prepared, initBindings=bindings or {})
