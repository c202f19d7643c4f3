"""The ontology's terms indexed for the documentation pages and the web app's class pages,
and OWL class expressions written out for people."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.docs.terms import (
    SHOWN,
    TERM_KINDS,
    XREF_RELATIONS,
    TermInfo,
    TermRef,
    Xref,
    core_terms,
    english,
)
from kg.namespaces import DMKG, IAO, OBOINOWL
from kg.ontology import load_ontology
from kg.query.render import curie
from kg.terms import closure, normalise

__all__ = ["OntologyIndex", "manchester"]


class OntologyIndex:
    """Classes, properties and individuals of the ontology in ``graph``, with their hierarchy."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.kinds: dict[URIRef, str] = {}
        for kind, rdf_type in reversed(TERM_KINDS):  # a punned term shows as its first kind
            for subject in graph.subjects(RDF.type, rdf_type):
                if isinstance(subject, URIRef):
                    self.kinds[subject] = kind
        self._labels: dict[URIRef, str] = {}
        for subject in {s for s in graph.subjects(RDFS.label, None) if isinstance(s, URIRef)}:
            labels = english(list(graph.objects(subject, RDFS.label)))
            if labels:
                self._labels[subject] = labels[0]
        self.parents: dict[URIRef, set[URIRef]] = defaultdict(set)
        self.children: dict[URIRef, set[URIRef]] = defaultdict(set)
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            if isinstance(child, URIRef) and isinstance(parent, URIRef) and child != parent:
                self.parents[child].add(parent)
                self.children[parent].add(child)

    # -- names ------------------------------------------------------------------------------

    def label(self, iri: URIRef) -> str:
        """The English label of a term, else its CURIE."""
        return self._labels.get(iri) or curie(iri)

    def ref(self, iri: URIRef) -> TermRef:
        local = str(iri).startswith(str(DMKG._NS)) and iri in self.kinds
        return TermRef(iri, self.label(iri), local)

    def refs(self, iris: Any) -> list[TermRef]:
        return sorted(
            (self.ref(i) for i in iris if isinstance(i, URIRef)), key=lambda r: r.label.casefold()
        )

    # -- term lists -------------------------------------------------------------------------

    def terms(self, kind: str) -> list[URIRef]:
        """Every term of one kind (see ``TERM_KINDS``), sorted by label."""
        return sorted(
            (i for i, k in self.kinds.items() if k == kind),
            key=lambda i: (self.label(i).casefold(), str(i)),
        )

    def classes(self) -> list[URIRef]:
        """Our own named classes (in the dmkg namespace), sorted by label."""
        return [c for c in self.terms("class") if str(c).startswith(str(DMKG._NS))]

    def properties(self) -> list[URIRef]:
        """Every declared property, object, datatype and annotation, sorted by label."""
        return [
            p
            for kind in ("object property", "datatype property", "annotation property")
            for p in self.terms(kind)
        ]

    def roots(self) -> list[URIRef]:
        """Our classes with no superclass of our own: the tops of the class tree."""
        ours = set(self.classes())
        return [c for c in self.classes() if not (self.parents.get(c, set()) & ours)]

    def subclasses(self, iri: URIRef) -> list[URIRef]:
        """Direct subclasses, sorted by label."""
        return sorted(self.children.get(iri, set()), key=lambda c: self.label(c).casefold())

    def descendants(self, iri: URIRef) -> set[URIRef]:
        """The class and every class under it."""
        return closure(iri, self.children)

    def ancestors(self, iri: URIRef) -> set[URIRef]:
        """The class and every class above it."""
        return closure(iri, self.parents)

    def tree_groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """The class tree in two parts: the domain terms (autoantibodies, findings,
        malignancies, ...) and the data model (patient, record, value sets, ...)."""
        core = core_terms()
        roots = self.roots()
        return [
            ("Domain terms", self.tree([r for r in roots if r not in core])),
            ("Data model", self.tree([r for r in roots if r in core])),
        ]

    def tree(self, roots: list[URIRef] | None = None) -> list[dict[str, Any]]:
        """The class tree as nested dicts (``ref``, ``children``, ``size``) for templates."""

        def node(iri: URIRef, path: frozenset[URIRef]) -> dict[str, Any]:
            kids = [node(c, path | {iri}) for c in self.subclasses(iri) if c not in path]
            return {
                "ref": self.ref(iri),
                "children": kids,
                "size": sum(1 + k["size"] for k in kids),
            }

        return [node(r, frozenset()) for r in (roots if roots is not None else self.roots())]

    # -- one term ---------------------------------------------------------------------------

    def term(self, iri: URIRef) -> TermInfo:
        """Everything said about ``iri`` (a class, property or individual)."""
        g = self.graph
        kind = self.kinds.get(iri, "term")
        info = TermInfo(iri, kind, self.label(iri))
        definitions = english(list(g.objects(iri, IAO["0000115"])))
        info.definition = " ".join(definitions)
        info.exact_synonyms = english(list(g.objects(iri, OBOINOWL.hasExactSynonym)))
        info.related_synonyms = english(list(g.objects(iri, OBOINOWL.hasRelatedSynonym)))
        for prop, relation in XREF_RELATIONS:
            info.xrefs += [
                Xref(str(o), relation)
                for o in sorted(g.objects(iri, prop), key=str)
                if isinstance(o, URIRef)
            ]
        info.gene_symbols = sorted(str(o) for o in g.objects(iri, DMKG.targetAntigenSymbol))
        info.notes = english(list(g.objects(iri, DMKG.mappingNote)))
        info.parents = self.refs(g.objects(iri, RDFS.subClassOf))
        info.children = self.refs(self.children.get(iri, ()))
        info.equivalent = sorted(
            manchester(g, e, self.label) for e in g.objects(iri, OWL.equivalentClass)
        )
        if kind == "class":
            info.members = self.refs(
                i
                for i in g.subjects(RDF.type, iri)
                if isinstance(i, URIRef) and self.kinds.get(i) == "individual"
            )
        info.types = self.refs(
            t
            for t in g.objects(iri, RDF.type)
            if t not in {c for _, c in TERM_KINDS}
            and t not in (OWL.FunctionalProperty, OWL.Restriction)
            and isinstance(t, URIRef)
            and self.kinds.get(t) == "class"
        )
        info.domain = self.refs(g.objects(iri, RDFS.domain))
        info.range = self.refs(g.objects(iri, RDFS.range))
        info.inverse = self.refs(
            set(g.objects(iri, OWL.inverseOf)) | set(g.subjects(OWL.inverseOf, iri))
        )
        if (iri, RDF.type, OWL.FunctionalProperty) in g:
            info.characteristics.append("functional")
        for pred, value in sorted(
            g.predicate_objects(iri), key=lambda pv: (str(pv[0]), str(pv[1]))
        ):
            if pred in SHOWN or not isinstance(pred, URIRef) or isinstance(value, BNode):
                continue
            text = (
                self.label(value)
                if isinstance(value, URIRef) and value in self.kinds
                else str(value)
            )
            info.other.append((self.label(pred), text))
        return info

    # -- search -----------------------------------------------------------------------------

    def names(self, iri: URIRef) -> list[str]:
        """The label and every synonym of a term."""
        found = [self.label(iri)]
        for prop in (OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym):
            found += [str(s) for s in self.graph.objects(iri, prop)]
        return found

    def search(self, text: str, limit: int = 50) -> list[tuple[TermRef, str]]:
        """Our classes and individuals whose label or a synonym contains ``text``.

        Exact matches come first, then names that start with the text, then the rest;
        each hit gives the name that matched.

        >>> idx = OntologyIndex(load_ontology())
        >>> [(r.label, name) for r, name in idx.search("heliotropic")]
        [('heliotrope rash', 'heliotropic rash')]
        """
        wanted = normalise(text)
        if not wanted:
            return []
        hits: list[tuple[int, str, TermRef, str]] = []
        for iri, kind in self.kinds.items():
            if kind not in ("class", "individual") or not str(iri).startswith(str(DMKG._NS)):
                continue
            best: tuple[int, str] | None = None
            for name in self.names(iri):
                key = normalise(name)
                rank = (
                    0
                    if key == wanted
                    else 1
                    if key.startswith(wanted)
                    else 2
                    if wanted in key
                    else None
                )
                if rank is not None and (best is None or rank < best[0]):
                    best = (rank, name)
            if best is not None:
                ref = self.ref(iri)
                hits.append((best[0], ref.label.casefold(), ref, best[1]))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [(ref, name) for _, _, ref, name in hits[:limit]]


_FACETS = {
    XSD.minInclusive: ">=",
    XSD.maxInclusive: "<=",
    XSD.minExclusive: ">",
    XSD.maxExclusive: "<",
}


def manchester(graph: Graph, node: Node, label: Any = None) -> str:
    """An OWL class expression in a Manchester-like syntax, with labels for named terms.

    >>> g = load_ontology()
    >>> expr = next(g.objects(DMKG.CancerAssociatedDMPatient, OWL.equivalentClass))
    >>> manchester(g, expr, OntologyIndex(g).label)
    "'patient' and ('has observation' some 'cancer within two years of dermatomyositis')"
    """
    name = label or curie

    def show(n: Node) -> str:
        if isinstance(n, URIRef):
            return f"'{name(n)}'"
        if isinstance(n, Literal):
            return str(n)
        parts = dict(graph.predicate_objects(n))
        if OWL.intersectionOf in parts:
            return " and ".join(wrap(m) for m in Collection(graph, parts[OWL.intersectionOf]))
        if OWL.unionOf in parts:
            return " or ".join(wrap(m) for m in Collection(graph, parts[OWL.unionOf]))
        if OWL.oneOf in parts:
            return "{" + ", ".join(show(m) for m in Collection(graph, parts[OWL.oneOf])) + "}"
        if OWL.complementOf in parts:
            return "not " + wrap(parts[OWL.complementOf])
        if OWL.onDatatype in parts:
            facets = []
            for restriction in Collection(graph, parts[OWL.withRestrictions]):
                for facet, value in graph.predicate_objects(restriction):
                    if isinstance(facet, URIRef):
                        facets.append(f"{_FACETS.get(facet, curie(facet))} {value}")
            return f"{curie(URIRef(str(parts[OWL.onDatatype])))}[{', '.join(facets)}]"
        if OWL.onProperty in parts:
            prop = show(parts[OWL.onProperty])
            for key, word in (
                (OWL.someValuesFrom, "some"),
                (OWL.allValuesFrom, "only"),
                (OWL.hasValue, "value"),
                (OWL.minCardinality, "min"),
                (OWL.maxCardinality, "max"),
                (OWL.cardinality, "exactly"),
                (OWL.minQualifiedCardinality, "min"),
                (OWL.maxQualifiedCardinality, "max"),
                (OWL.qualifiedCardinality, "exactly"),
            ):
                if key in parts:
                    target = show(parts[key])
                    if OWL.onClass in parts:
                        target += " " + wrap(parts[OWL.onClass])
                    return f"{prop} {word} {target}"
        return "[an anonymous expression]"

    def wrap(n: Node) -> str:
        text = show(n)
        atomic = isinstance(n, (URIRef, Literal)) or (n, OWL.oneOf, None) in graph
        return text if atomic or " " not in text else f"({text})"

    return show(node)


_ = load_ontology  # name used by the doctest of manchester
