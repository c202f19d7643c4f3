"""The term index reads the ontology's terms through their types, never the whole graph.

On a 100,000-patient store `dmkg serve` spent 53 s building it, reading every rdf:type
triple of the data through rdflib's API. These tests hold the index over the built graph
(ontology and data) to what a full scan of the graph gives for the ontology's terms, and
check that no full scan of rdf:type or rdfs:label triples happens."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.namespaces import DMKG
from kg.terms import _SYNONYM_PROPERTIES, TermIndex, normalise

PROPERTIES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def _full_scan(graph: Graph) -> tuple[dict[URIRef, str], dict[str, set[URIRef]]]:
    """Labels and names of every dmkg-namespace subject that is not a property."""
    ns = str(DMKG._NS)
    properties = {s for kind in PROPERTIES for s in graph.subjects(RDF.type, kind)}
    labels: dict[URIRef, str] = {}
    names: dict[str, set[URIRef]] = defaultdict(set)
    for prop in (RDFS.label, *_SYNONYM_PROPERTIES):
        for subject, text in graph.subject_objects(prop):
            if (
                isinstance(subject, URIRef)
                and str(subject).startswith(ns)
                and subject not in properties
            ):
                if prop == RDFS.label:
                    labels[subject] = str(text)
                names[normalise(str(text))].add(subject)
    return labels, dict(names)


def test_the_index_of_the_built_graph_holds_every_term_a_full_scan_finds(graph: Graph) -> None:
    labels, names = _full_scan(graph)
    index = TermIndex(graph)
    assert len(labels) > 200  # the ontology's classes and value sets
    assert {t: index.label(t) for t in labels} == labels
    assert dict(index._by_name) == names
    assert {str(index.resolve(n)) for n, iris in names.items() if len(iris) == 1} == {
        str(next(iter(iris))) for iris in names.values() if len(iris) == 1
    }


def test_named_individuals_fall_under_their_classes(graph: Graph) -> None:
    index = TermIndex(graph)
    individuals = [
        i for i in graph.subjects(RDF.type, OWL.NamedIndividual) if isinstance(i, URIRef)
    ]
    assert len(individuals) >= 50
    for individual in individuals:
        for cls in graph.objects(individual, RDF.type):
            if isinstance(cls, URIRef) and cls != OWL.NamedIndividual:
                assert all(index.is_under(individual, a) for a in index.ancestors(cls))
    assert index.is_under(DMKG.HeliotropeRash, DMKG.ClinicalFinding)
    patient = next(graph.subjects(RDF.type, DMKG.Patient))
    assert not index.is_under(patient, DMKG.Patient)  # the data's individuals are not terms


class _Watched(Graph):
    """A graph that records the triple patterns read from it."""

    def __init__(self, source: Graph) -> None:
        super().__init__()
        self.patterns: list[tuple[Any, Any, Any]] = []
        for triple in source:
            self.add(triple)

    def triples(self, pattern: Any) -> Iterator[Any]:  # type: ignore[override]
        self.patterns.append(pattern)
        return super().triples(pattern)


def test_no_pattern_reads_every_type_or_label(graph: Graph) -> None:
    watched = _Watched(graph)
    TermIndex(watched)
    assert watched.patterns
    for subject, predicate, obj in watched.patterns:
        assert not (subject is None and predicate in (RDF.type, RDFS.label) and obj is None)
        assert not (subject is None and obj is None and predicate is None)
