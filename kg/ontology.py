"""Load the dmkg ontology and shapes as rdflib graphs (from the shipped Turtle files).

>>> g = load_ontology()
>>> (DMKG.Patient, RDF.type, OWL.Class) in g
True
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import OWL, RDF, Graph

from kg.namespaces import DMKG, bind_prefixes
from kg.resources import criteria_files, ontology_files, shape_files

__all__ = ["load_ontology", "load_shapes"]


def _parse_all(paths: list) -> Graph:  # type: ignore[type-arg]
    graph = Graph()
    bind_prefixes(graph)
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    # the criteria sets are data about ontology terms, shipped and loaded with them
    return _parse_all(ontology_files() + criteria_files())


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return _parse_all(shape_files())


def load_ontology() -> Graph:
    """A fresh copy of the ontology (core schema and domain terms) as one graph."""
    copy = Graph()
    bind_prefixes(copy)
    for triple in _ontology():
        copy.add(triple)
    return copy


def load_shapes() -> Graph:
    """The SHACL shapes as one graph (shared; do not modify)."""
    return _shapes()


_ = (DMKG, OWL, RDF)  # names used by the doctest
