"""The one store interface: where the graph lives and queries run.

Four kinds of store answer it: rdflib in memory (:class:`kg.store.memory.RdflibStore`),
Oxigraph in memory or on disk (:class:`kg.store.oxigraph.OxigraphStore`), and a remote
SPARQL 1.1 endpoint (:class:`kg.store.remote.RemoteStore`). Each gives the same rows of the
same rdflib term types (``URIRef``, ``Literal`` with its datatype or language, ``BNode``), so
an answer renders the same whatever store gave it, and each offers an rdflib ``Graph`` view
(:attr:`Store.rdf`) of the same data for code that walks triples.

Callers get a store from :func:`kg.store.as_store` and never branch on its kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.errors import RemoteError
from kg.namespaces import DMKG

__all__ = ["QueryResult", "QueryTextStore", "SparqlAnswer", "Store"]


@dataclass
class QueryResult:
    """Column names and rows of RDF terms (None where unbound)."""

    columns: list[str]
    rows: list[list[Node | None]] = field(default_factory=list)

    def records(self) -> list[dict[str, Node | None]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


class SparqlAnswer:
    """A SELECT result, an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    def __init__(
        self,
        select: QueryResult | None = None,
        ask: bool | None = None,
        graph: Graph | None = None,
    ) -> None:
        self.select, self.ask, self.graph = select, ask, graph


class Store(ABC):
    """Where the graph lives and queries run. Subclasses give the same rows and term types."""

    #: a short description for messages ("embedded graph", "http://... <graph>")
    description: str = "store"

    @abstractmethod
    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT query (a trusted one, e.g. canned) with ``bindings``."""

    @abstractmethod
    def sparql(self, text: str) -> SparqlAnswer:
        """Run a user's query after the read-only check of
        :func:`kg.store.readonly.check_read_only`."""

    @abstractmethod
    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        """Every ``rdfs:label`` of each IRI (for :mod:`kg.query.render` to choose one)."""

    @abstractmethod
    def lookup_graph(self) -> Graph:
        """A graph holding at least the publications' DOIs (``dmkg:doi``, ``dmkg:alsoDoi``),
        for checking a ``source`` parameter."""

    @property
    @abstractmethod
    def rdf(self) -> Graph:
        """An rdflib ``Graph`` over the same data (read it, never change it)."""

    def count(self) -> int:
        """Triples in the graph this store reads."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        if len(rows) != 1 or not isinstance(rows[0][0], Literal):
            raise RemoteError(f"{self.description}: a COUNT query gave {rows!r}")
        return int(rows[0][0].toPython())

    def __len__(self) -> int:
        return self.count()

    def close(self) -> None:
        """Release what the store holds open (nothing, for most)."""


class QueryTextStore(Store):
    """A store that only takes query text: labels and DOIs are fetched with a query each."""

    #: how many IRIs one label query names (Virtuoso refuses very long VALUES blocks)
    label_chunk = 500

    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        """Read-only queries with a VALUES block of the IRIs, in chunks (so labels come from
        the store that gave the rows)."""
        wanted = sorted(set(iris))
        found: dict[URIRef, list[Node]] = {iri: [] for iri in wanted}
        for start in range(0, len(wanted), self.label_chunk):
            chunk = wanted[start : start + self.label_chunk]
            text = (
                "SELECT ?iri ?label WHERE { VALUES ?iri { "
                + " ".join(iri.n3() for iri in chunk)
                + f" }} ?iri {RDFS.label.n3()} ?label }}"
            )
            for iri, label in self.select(text).rows:
                if isinstance(iri, URIRef) and label is not None:
                    found.setdefault(iri, []).append(label)
        return found

    def lookup_graph(self) -> Graph:
        graph = Graph()
        text = (
            f"SELECT ?pub ?p ?doi WHERE {{ VALUES ?p {{ {DMKG.doi.n3()} "
            f"{DMKG.alsoDoi.n3()} }} ?pub ?p ?doi }}"
        )
        for pub, prop, doi in self.select(text).rows:
            if pub is not None and prop is not None and doi is not None:
                graph.add((pub, prop, doi))
        return graph
