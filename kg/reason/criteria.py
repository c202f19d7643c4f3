"""Classification criteria sets (``ontology/criteria/*.ttl``) compiled for applying them.

Each item's classes are expanded once along ``rdfs:subClassOf``: the classes whose present
finding or positive result meets the item (the class and its subclasses) and, for each class,
those whose absent finding or negative result rules it out (the class and its superclasses).

>>> c = load_criteria()[0]
>>> c.iri, len(c.items), [str(t[1]) for t in c.categories]
('https://w3id.org/dmkg/criteria/eular-acr-2017/', 16, ['0', '7.5', '5.3', '5.5'])
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rdflib import RDF, RDFS, Graph, URIRef

from kg.namespaces import DMKG
from kg.reason.vocabulary import DMKGC

__all__ = ["LINKS", "Criteria", "Item", "load_criteria"]

LINKS = {
    str(DMKG.presentFinding): "present",
    str(DMKG.absentFinding): "absent",
    str(DMKG.positiveFor): "positive",
    str(DMKG.negativeFor): "negative",
}


@dataclass(frozen=True)
class Item:
    """One item, with the classes whose records meet it or rule it out."""

    iri: str
    order: int
    without: Decimal | None  # points without biopsy; None: a biopsy-only item
    with_biopsy: Decimal | None
    group: str
    met_by: dict[str, frozenset[str]]  # link kind -> classes (present/positive)
    ruled_out_by: tuple[tuple[str, frozenset[str]], ...]  # every one needed: (kind, classes)
    ages: tuple[int, int | None] | None  # [minimum, maximum) for an age item


@dataclass(frozen=True)
class Criteria:
    """A criteria set compiled from the ontology: items, categories, subgroup rules."""

    iri: str
    items: tuple[Item, ...]
    categories: tuple[tuple[str, Decimal, Decimal, bool], ...]  # iri, without, with, case
    biopsy: frozenset[str]  # finding classes whose records show a muscle biopsy
    features: dict[str, tuple[tuple[str, ...], frozenset[str], tuple[frozenset[str], ...]]]
    rules: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # subgroup label, yes, no

    @property
    def feature_facts(self) -> tuple[frozenset[str], frozenset[str]]:
        """The present and absent classes the subgroup features read."""
        present: set[str] = set()
        absent: set[str] = set()
        for _, yes, no in self.features.values():
            present |= yes
            for classes in no:
                absent |= classes
        return frozenset(present), frozenset(absent)

    @property
    def wanted(self) -> dict[str, frozenset[str]]:
        """Link kind -> the classes whose summary links the criteria read."""
        out: dict[str, set[str]] = {k: set() for k in LINKS.values()}
        out["present"] |= self.biopsy
        out["absent"] |= self.biopsy
        for item in self.items:
            for kind, classes in item.met_by.items():
                out[kind] |= classes
            for kind, classes in item.ruled_out_by:
                out[kind] |= classes
        for _, present, absent in self.features.values():
            out["present"] |= present
            for classes in absent:
                out["absent"] |= classes
        return {k: frozenset(v) for k, v in out.items()}


def _closure(graph: Graph, start: URIRef, down: bool) -> frozenset[str]:
    """The class and its subclasses (``down``) or superclasses, along rdfs:subClassOf."""
    if down:
        found = graph.transitive_subjects(RDFS.subClassOf, start)
    else:
        found = graph.transitive_objects(start, RDFS.subClassOf)
    return frozenset(str(c) for c in found)


def _item(graph: Graph, iri: URIRef) -> Item:
    def dec(prop: URIRef) -> Decimal | None:
        value = graph.value(iri, prop)
        return None if value is None else Decimal(str(value))

    met: dict[str, set[str]] = {"present": set(), "positive": set()}
    out: list[tuple[str, frozenset[str]]] = []
    for prop, yes, no in (
        (DMKGC.satisfiedByFinding, "present", "absent"),
        (DMKGC.satisfiedByAntibody, "positive", "negative"),
    ):
        for cls in sorted(graph.objects(iri, prop), key=str):
            met[yes] |= _closure(graph, cls, down=True)  # type: ignore[arg-type]
            out.append((no, _closure(graph, cls, down=False)))  # type: ignore[arg-type]
    low, high = graph.value(iri, DMKGC.minimumAge), graph.value(iri, DMKGC.maximumAge)
    group = graph.value(iri, DMKGC.exclusiveGroup)
    return Item(
        str(iri),
        int(str(graph.value(iri, DMKGC.itemOrder))),
        dec(DMKGC.pointsWithoutBiopsy),
        dec(DMKGC.pointsWithBiopsy),
        str(group) if group is not None else str(iri),
        {k: frozenset(v) for k, v in met.items() if v},
        tuple(out),
        None if low is None else (int(str(low)), None if high is None else int(str(high))),
    )


def _compile(graph: Graph, criteria: URIRef) -> Criteria:
    items = sorted(
        (_item(graph, URIRef(str(i))) for i in graph.objects(criteria, DMKGC.hasItem)),
        key=lambda i: i.order,
    )
    categories = sorted(
        (
            str(c),
            Decimal(str(graph.value(c, DMKGC.thresholdWithoutBiopsy))),
            Decimal(str(graph.value(c, DMKGC.thresholdWithBiopsy))),
            bool(graph.value(c, DMKGC.classifiesAs).toPython()),  # type: ignore[union-attr]
        )
        for c in graph.objects(criteria, DMKGC.hasCategory)
    )
    features = {}
    for feature in graph.objects(criteria, DMKGC.hasFeature):
        findings = sorted(graph.objects(feature, DMKGC.featureFinding), key=str)
        features[str(feature)] = (
            tuple(sorted(str(i) for i in graph.objects(feature, DMKGC.featureItem))),
            frozenset().union(*(_closure(graph, f, down=True) for f in findings)),  # type: ignore[arg-type]
            tuple(_closure(graph, f, down=False) for f in findings),  # type: ignore[arg-type]
        )
    rules = sorted(
        (
            str(graph.value(graph.value(r, DMKGC.ruleSubgroup), RDFS.label)),
            tuple(sorted(str(f) for f in graph.objects(r, DMKGC.whenYes))),
            tuple(sorted(str(f) for f in graph.objects(r, DMKGC.whenNo))),
        )
        for r in graph.objects(criteria, DMKGC.hasSubgroupRule)
    )
    biopsy = frozenset().union(
        *(_closure(graph, b, down=True) for b in graph.objects(criteria, DMKGC.biopsyFinding))  # type: ignore[arg-type]
    )
    return Criteria(
        str(criteria),
        tuple(items),
        tuple(categories),
        biopsy,
        features,
        tuple(rules),
    )


@lru_cache(maxsize=1)
def load_criteria() -> tuple[Criteria, ...]:
    """Every criteria set in the ontology, compiled (once per process)."""
    from kg.ontology import load_ontology

    graph = load_ontology()
    sets = sorted(graph.subjects(RDF.type, DMKGC.ClassificationCriteria), key=str)
    return tuple(_compile(graph, s) for s in sets)  # type: ignore[arg-type]
