"""Match the words curators write to ontology classes and value-set individuals.

Curated files name terms the way papers do ("anti-Jo", "Gottron's papules", "Bladder").
:class:`TermIndex` resolves such a word through the labels and synonyms of the ontology,
and an unknown word is an error that proposes the closest known terms.

>>> from kg.ontology import load_ontology
>>> index = TermIndex(load_ontology())
>>> index.resolve("Anti-Jo", root=DMKG.Autoantibody) == DMKG.AntiJo1
True
>>> index.resolve("anti-Jo1", root=DMKG.Autoantibody)  # doctest: +ELLIPSIS
Traceback (most recent call last):
kg.errors.CurationError: ...unknown term: 'anti-Jo1' (expected ...; did you mean 'anti-Jo-1'...?)
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.errors import CurationError
from kg.namespaces import DMKG, OBOINOWL

__all__ = ["TermIndex", "closure", "normalise"]

_SYNONYM_PROPERTIES = (OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise(text: str) -> str:
    """Fold case, dashes, apostrophes and spacing so that spelling variants meet.

    >>> normalise("  Gottron’s   Papules ")
    "gottron's papules"
    >>> normalise("Anti–TIF1γ") == normalise("anti-TIF1γ")
    True
    """
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split())


def closure(start: URIRef, edges: Mapping[URIRef, Iterable[URIRef]]) -> set[URIRef]:
    """``start`` and every node reachable from it along ``edges`` (node -> neighbours).

    >>> sorted(closure(URIRef("urn:a"), {URIRef("urn:a"): [URIRef("urn:b")]}))
    [rdflib.term.URIRef('urn:a'), rdflib.term.URIRef('urn:b')]
    """
    seen: set[URIRef] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return seen


class TermIndex:
    """Labels and synonyms of the dmkg ontology, with the class hierarchy to check roots."""

    def __init__(self, ontology: Graph) -> None:
        self.graph = ontology
        self._by_name: dict[str, set[URIRef]] = defaultdict(set)
        self._spelling: dict[str, str] = {}  # normalised name -> a spelling from the ontology
        self._labels: dict[URIRef, str] = {}
        # the terms are our classes and named individuals, found through their rdf:type: a
        # graph that holds a registry's data too (millions of labels and rdf:type triples,
        # a store read through rdflib's API) is never scanned whole
        ns = str(DMKG._NS)
        individuals = set(ontology.subjects(RDF.type, OWL.NamedIndividual))
        terms = sorted(
            term
            for term in individuals | set(ontology.subjects(RDF.type, OWL.Class))
            if isinstance(term, URIRef) and str(term).startswith(ns)
        )
        for term in terms:
            for label in ontology.objects(term, RDFS.label):
                self._labels.setdefault(term, str(label))
                self._by_name[normalise(str(label))].add(term)
                self._spelling.setdefault(normalise(str(label)), str(label))
        for term in terms:
            for prop in _SYNONYM_PROPERTIES:
                for synonym in ontology.objects(term, prop):
                    self._by_name[normalise(str(synonym))].add(term)
                    self._spelling.setdefault(normalise(str(synonym)), str(synonym))
        self._parents: dict[URIRef, set[URIRef]] = defaultdict(set)
        for child, parent in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(child, URIRef) and isinstance(parent, URIRef):
                self._parents[child].add(parent)
        # the classes of the ontology's own individuals (value sets such as a sex or a
        # histology); the data's individuals (patients, records) are not terms
        self._types: dict[URIRef, set[URIRef]] = defaultdict(set)
        for individual in individuals:
            for cls in ontology.objects(individual, RDF.type):
                if (
                    isinstance(individual, URIRef)
                    and isinstance(cls, URIRef)
                    and cls != OWL.NamedIndividual
                ):
                    self._types[individual].add(cls)
        self._resolved: dict[tuple[str, URIRef | None], URIRef] = {}

    def label(self, iri: URIRef) -> str:
        """The English label of a term (its local name if it has none)."""
        return self._labels.get(iri, str(iri).rsplit("/", 1)[-1])

    def ancestors(self, iri: URIRef) -> set[URIRef]:
        """The term itself and every class above it (through rdfs:subClassOf)."""
        return closure(iri, self._parents)

    def is_under(self, iri: URIRef, root: URIRef) -> bool:
        """True if ``iri`` is ``root``, a subclass of it, or a named individual of it."""
        if root in self.ancestors(iri):
            return True
        return any(root in self.ancestors(cls) for cls in self._types.get(iri, ()))

    def names_under(self, root: URIRef | None) -> list[str]:
        """Every label and synonym of terms under ``root`` (all terms if ``root`` is None)."""
        return sorted(
            name
            for name, iris in self._by_name.items()
            if root is None or any(self.is_under(i, root) for i in iris)
        )

    def resolve(
        self,
        text: str,
        *,
        root: URIRef | None = None,
        file: str = "",
        row: int | str | None = None,
        column: str | None = None,
    ) -> URIRef:
        """The term whose label or synonym is ``text``, which must lie under ``root``."""
        found = self._resolved.get((text, root))
        if found is not None:  # a registry column names its term once for 100,000 cells
            return found
        candidates = self._by_name.get(normalise(text), set())
        if root is not None:
            candidates = {c for c in candidates if self.is_under(c, root)}
        if len(candidates) == 1:
            found = self._resolved[(text, root)] = next(iter(candidates))
            return found
        kind = (
            f"a label or synonym of a term under {self.label(root)!r}" if root else "a known term"
        )
        if not candidates:
            close = [
                self._spelling.get(name, name)
                for name in difflib.get_close_matches(
                    normalise(text), self.names_under(root), n=3, cutoff=0.6
                )
            ]
            raise CurationError("unknown term", file, row, column, text, kind, close)
        names = ", ".join(sorted(self.label(c) for c in candidates))
        raise CurationError(f"ambiguous term (matches {names})", file, row, column, text, kind)

    def subclasses(self, root: URIRef) -> set[URIRef]:
        """Every class under ``root``, including ``root``."""
        return {c for c in self._parents if root in self.ancestors(c)} | {root}

    def first_under(self, iri: URIRef, grouping: URIRef) -> URIRef | None:
        """The direct child of ``grouping`` that ``iri`` falls under, if exactly one.

        Used to find a malignancy's organ site (under ``MalignancyBySite``) and histology
        (under ``MalignancyByHistology``).
        """
        hits = [a for a in self.ancestors(iri) if grouping in self._parents.get(a, ())]
        return hits[0] if len(hits) == 1 else None

    def most_specific(self, iris: Iterable[URIRef]) -> list[URIRef]:
        """Drop every term that is an ancestor of another term in the list."""
        items = set(iris)
        return sorted(i for i in items if not any(i != j and i in self.ancestors(j) for j in items))
