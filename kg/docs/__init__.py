"""Describe the ontology's terms for people: annotations, hierarchy, and static HTML pages.

:class:`OntologyIndex` reads every class, property and named individual of a graph that holds
the ontology (the ontology alone, or a built graph) with its label, definition (IAO:0000115),
synonyms, cross-references (linked to their public pages), notes, super- and subclasses.
The web app's class pages and ``dmkg docs`` both render from it, so the two never disagree.

pyLODE was tried for ``dmkg docs`` and set aside: its latest release (3.4.1) fails on import,
and the one before (3.3.4) drops IAO definitions, oboInOwl synonyms and skos matches, the
annotations this ontology is made of. The pages are rendered from our own Jinja2 templates.

>>> public_url("http://purl.obolibrary.org/obo/HP_0040324")
'https://hpo.jax.org/browse/term/HP:0040324'
>>> public_url("https://identifiers.org/hgnc:16290")
'https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:16290'
>>> idx = OntologyIndex(load_ontology())
>>> term = idx.term(DMKG.HeliotropeRash)
>>> term.label, [x.curie for x in term.xrefs], [p.label for p in term.parents]
('heliotrope rash', ['HP:0040324'], ['cutaneous finding'])
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import OWL, RDFS, Graph, URIRef

from kg.docs.index import OntologyIndex, manchester
from kg.docs.terms import (
    TERM_KINDS,
    XREF_RELATIONS,
    TermInfo,
    TermRef,
    Xref,
    anchor,
    core_terms,
    english,
    public_url,
)
from kg.namespaces import DCTERMS, DMKG, ONTOLOGY_IRI
from kg.ontology import load_ontology

__all__ = [
    "TERM_KINDS",
    "XREF_RELATIONS",
    "OntologyIndex",
    "TermInfo",
    "TermRef",
    "Xref",
    "anchor",
    "core_terms",
    "manchester",
    "public_url",
    "write_docs",
]


def _ontology_header(graph: Graph) -> dict[str, str]:
    def one(prop: URIRef) -> str:
        values = english(list(graph.objects(ONTOLOGY_IRI, prop)))
        return values[0] if values else ""

    return {
        "iri": str(ONTOLOGY_IRI),
        "label": one(RDFS.label),
        "description": one(DCTERMS.description),
        "version": one(OWL.versionInfo),
        "license": one(DCTERMS.license),
    }


def write_docs(out_dir: Path, ontology: Graph | None = None) -> list[Path]:
    """Write the ontology's documentation into ``out_dir``: ``index.html`` with every class,
    property and individual, the stylesheet it uses, and the ontology itself as Turtle.

    Returns the files written.
    """
    from kg.html.templating import STATIC_DIR, environment

    graph = ontology if ontology is not None else load_ontology()
    index = OntologyIndex(graph)
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = [(kind, [index.term(i) for i in index.terms(kind)]) for kind, _ in TERM_KINDS]

    def href(iri: URIRef) -> str:
        return "#" + anchor(iri) if iri in index.kinds else public_url(str(iri))

    html = (
        environment()
        .get_template("docs.html")
        .render(
            ontology=_ontology_header(graph),
            groups=index.tree_groups(),
            sections=sections,
            counts={kind: len(terms) for kind, terms in sections},
            static="",
            href=href,
        )
    )
    written = [out_dir / "index.html", out_dir / "style.css", out_dir / "dmkg-ontology.ttl"]
    written[0].write_text(html, encoding="utf-8")
    shutil.copyfile(STATIC_DIR / "style.css", written[1])
    written[2].write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
    return written


_ = DMKG  # name used by the module doctest
