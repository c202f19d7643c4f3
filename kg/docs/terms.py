"""What a documentation page shows of a term: its links, cross-references and annotations."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kg.namespaces import DMKG, IAO, OBOINOWL
from kg.query.render import curie
from kg.resources import ontology_files

__all__ = [
    "SHOWN",
    "TERM_KINDS",
    "XREF_RELATIONS",
    "TermInfo",
    "TermRef",
    "Xref",
    "anchor",
    "core_terms",
    "english",
    "public_url",
]

_OBO = "http://purl.obolibrary.org/obo/"
_HGNC = "https://identifiers.org/hgnc:"

#: cross-reference properties, in the order they are shown, with their labels
XREF_RELATIONS: tuple[tuple[URIRef, str], ...] = (
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broad match"),
    (SKOS.narrowMatch, "narrow match"),
    (DMKG.targetAntigenGene, "target antigen gene"),
)

#: the kinds of term, with the RDF type that makes a term that kind
TERM_KINDS: tuple[tuple[str, URIRef], ...] = (
    ("class", OWL.Class),
    ("object property", OWL.ObjectProperty),
    ("datatype property", OWL.DatatypeProperty),
    ("annotation property", OWL.AnnotationProperty),
    ("individual", OWL.NamedIndividual),
)

# annotations shown in their own place on a term's page; any other annotation is listed
# under "other annotations" so that nothing a curator wrote is hidden
SHOWN = {
    RDFS.label,
    IAO["0000115"],
    OBOINOWL.hasExactSynonym,
    OBOINOWL.hasRelatedSynonym,
    DMKG.mappingNote,
    DMKG.targetAntigenSymbol,
    RDF.type,
    RDFS.subClassOf,
    OWL.equivalentClass,
    RDFS.domain,
    RDFS.range,
    OWL.inverseOf,
}
SHOWN |= {prop for prop, _ in XREF_RELATIONS}


@lru_cache(maxsize=1)
def core_terms() -> frozenset[URIRef]:
    """The terms declared in ``dmkg-core.ttl``: the data model, as against the domain terms."""
    graph = Graph()
    for path in ontology_files():
        if path.name == "dmkg-core.ttl":
            graph.parse(path, format="turtle")
    return frozenset(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))


def anchor(iri: URIRef) -> str:
    """The HTML id of a term on the documentation page: its local name, or its CURIE.

    >>> anchor(DMKG.HeliotropeRash), anchor(IAO["0000115"])
    ('HeliotropeRash', 'IAO_0000115')
    """
    ns = str(DMKG._NS)
    return str(iri)[len(ns) :] if str(iri).startswith(ns) else curie(iri).replace(":", "_")


def public_url(iri: str) -> str:
    """The public web page of an identifier: HPO's browser, OBO PURLs, HGNC's gene report.

    >>> public_url("http://purl.obolibrary.org/obo/MONDO_0016367")
    'http://purl.obolibrary.org/obo/MONDO_0016367'
    >>> public_url("https://example.org/x")
    'https://example.org/x'
    """
    if iri.startswith(_OBO + "HP_"):
        return "https://hpo.jax.org/browse/term/HP:" + iri[len(_OBO) + 3 :]
    if iri.startswith(_HGNC):
        return (
            "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:" + iri[len(_HGNC) :]
        )
    return iri


@dataclass(frozen=True)
class TermRef:
    """A link to a term: its IRI, label and whether it is one of ours (has a page)."""

    iri: URIRef
    label: str
    local: bool

    @property
    def curie(self) -> str:
        return curie(self.iri)

    @property
    def name(self) -> str:
        """The local name of one of our terms (the part after the namespace)."""
        return str(self.iri)[len(str(DMKG._NS)) :] if self.local else ""


@dataclass(frozen=True)
class Xref:
    """A cross-reference to another ontology or database, with its public page."""

    iri: str
    relation: str

    @property
    def curie(self) -> str:
        if self.iri.startswith(_HGNC):
            return "HGNC:" + self.iri[len(_HGNC) :]
        return curie(URIRef(self.iri))

    @property
    def url(self) -> str:
        return public_url(self.iri)


@dataclass
class TermInfo:
    """Everything the ontology says about one term, ready to show."""

    iri: URIRef
    kind: str
    label: str
    definition: str = ""
    exact_synonyms: list[str] = field(default_factory=list)
    related_synonyms: list[str] = field(default_factory=list)
    xrefs: list[Xref] = field(default_factory=list)
    gene_symbols: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parents: list[TermRef] = field(default_factory=list)
    children: list[TermRef] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    members: list[TermRef] = field(default_factory=list)  # named individuals of a class
    types: list[TermRef] = field(default_factory=list)  # classes of an individual
    domain: list[TermRef] = field(default_factory=list)
    range: list[TermRef] = field(default_factory=list)
    inverse: list[TermRef] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)

    @property
    def curie(self) -> str:
        return curie(self.iri)

    @property
    def local(self) -> bool:
        return str(self.iri).startswith(str(DMKG._NS))

    @property
    def name(self) -> str:
        """The local name of one of our terms, or the CURIE of an outside one."""
        return str(self.iri)[len(str(DMKG._NS)) :] if self.local else self.curie

    @property
    def anchor(self) -> str:
        """An HTML id for the term on the documentation page."""
        return anchor(self.iri)

    @property
    def synonyms(self) -> list[str]:
        return self.exact_synonyms + self.related_synonyms


def _text(value: Node) -> str:
    return str(value)


def english(values: list[Node]) -> list[str]:
    """English (or untagged) literals, sorted; every literal if none is English."""
    english = [v for v in values if isinstance(v, Literal) and v.language in ("en", None)]
    return sorted(_text(v) for v in (english or values))
