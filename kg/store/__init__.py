"""Stage 5, where the graph lives: one :class:`Store` interface over rdflib in memory,
Oxigraph in memory or on disk, and a remote SPARQL 1.1 endpoint (see :mod:`kg.store.base`).

pyoxigraph and SPARQLWrapper are imported only when such a store is made.
"""

from kg.errors import RemoteError
from kg.store.access import as_store
from kg.store.base import QueryResult, QueryTextStore, SparqlAnswer, Store
from kg.store.endpoint import DEFAULT_TIMEOUT, Endpoint
from kg.store.memory import EmbeddedStore, RdflibStore
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore
from kg.store.values import (
    DEFAULT_GRAPH_IRI,
    graph_iri,
    term_from_json,
    values_block,
    with_values,
)

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "DEFAULT_TIMEOUT",
    "EmbeddedStore",
    "Endpoint",
    "OxigraphStore",
    "QueryResult",
    "QueryTextStore",
    "RdflibStore",
    "RemoteError",
    "RemoteStore",
    "SparqlAnswer",
    "Store",
    "as_store",
    "graph_iri",
    "term_from_json",
    "values_block",
    "with_values",
]
