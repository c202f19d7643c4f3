"""From whatever a caller holds to its store: :func:`as_store`.

:func:`as_store` turns a Store, a KnowledgeGraph, or an rdflib ``Graph`` (a store's view included)
into its store:
callers take what they are given and never branch on its kind.

>>> from rdflib import Graph, Literal, RDFS
>>> from kg.namespaces import DMKG
>>> g = Graph()
>>> _ = g.add((DMKG.Myositis, RDFS.label, Literal("myositis")))
>>> store = as_store(g)
>>> store.select("SELECT ?l WHERE { ?s ?p ?l }").rows
[[rdflib.term.Literal('myositis')]]
>>> as_store(store.rdf) is store, len(store)
(True, 1)
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph

from kg.store.base import Store
from kg.store.memory import RdflibStore

__all__ = ["as_store"]


def as_store(graph: Any) -> Store:
    """The store behind ``graph``: a :class:`Store` as it is; a KnowledgeGraph's store; the
    store a :attr:`Store.rdf` view reads; or an rdflib ``Graph`` in memory."""
    if isinstance(graph, Store):
        return graph
    inner = getattr(graph, "store", None)
    if isinstance(inner, Store):  # a KnowledgeGraph
        return inner
    if isinstance(graph, Graph):
        owner = getattr(graph.store, "dmkg_store", None)
        if isinstance(owner, Store):  # a view made by Store.rdf
            return owner
        owner = getattr(graph, "_dmkg_store", None)
        if isinstance(owner, Store):
            return owner
        return RdflibStore(graph)  # which records itself on the graph: one store per graph
    raise TypeError(f"not a graph or store: {type(graph).__name__}")
