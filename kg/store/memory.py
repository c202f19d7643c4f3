"""The graph in rdflib, in memory: the store of a graph file parsed by rdflib or a build.

>>> from rdflib import Graph, Literal, RDFS
>>> from kg.namespaces import DMKG
>>> g = Graph()
>>> _ = g.add((DMKG.Myositis, RDFS.label, Literal("myositis")))
>>> RdflibStore(g).select("SELECT ?l WHERE { ?s ?p ?l }").rows
[[rdflib.term.Literal('myositis')]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from rdflib import RDFS, Graph, URIRef
from rdflib.term import Identifier, Node, Variable

from kg.errors import QueryError
from kg.store.base import QueryResult, SparqlAnswer, Store

__all__ = ["EmbeddedStore", "RdflibStore", "prepare"]


@cache
def prepare(text: str, name: str = "query") -> Any:
    """rdflib's parse of a trusted query, cached by its text (rdflib's SPARQL parser is
    imported here, on first use: Oxigraph and remote stores never need it)."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(text)
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing errors of several kinds
        raise QueryError(f"query {name!r} does not parse: {exc}") from None


def _rows(result: Any) -> QueryResult:
    columns = [str(v) for v in (result.vars or [])]
    rows = [[row[i] for i in range(len(columns))] for row in result]
    return QueryResult(columns, rows)


class RdflibStore(Store):
    """An rdflib graph in this process (rdflib's own SPARQL evaluator)."""

    description = "embedded graph"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        if getattr(graph, "_dmkg_store", None) is None:  # as_store(graph) finds this store
            graph._dmkg_store = self  # type: ignore[attr-defined]

    @property
    def rdf(self) -> Graph:
        return self.graph

    def __len__(self) -> int:
        return len(self.graph)

    def count(self) -> int:
        return len(self.graph)

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        result = self.graph.query(
            prepare(text),
            initBindings={Variable(k): v for k, v in (bindings or {}).items()},
        )
        return _rows(result)

    def sparql(self, text: str) -> SparqlAnswer:
        from kg.store.readonly import check_read_only

        query = check_read_only(text)
        try:
            result = self.graph.query(query)
        except Exception as exc:  # noqa: BLE001 - evaluation errors of many kinds
            raise QueryError(f"the query failed: {type(exc).__name__}: {str(exc)[:300]}") from None
        if result.type == "ASK":
            return SparqlAnswer(ask=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return SparqlAnswer(graph=result.graph)
        return SparqlAnswer(select=_rows(result))

    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        return {iri: list(self.graph.objects(iri, RDFS.label)) for iri in iris}

    def lookup_graph(self) -> Graph:
        return self.graph


#: the name this store had before there were four kinds
EmbeddedStore = RdflibStore
