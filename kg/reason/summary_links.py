"""Summary links: each patient linked straight to its findings, antibodies and outcomes.

A finding observation is a record with its own node (finding, status, patient, source cell),
which is what traceability needs; but a query over 100,000 patients that walks every record
pays three or four index lookups per record. The links (``dmkg:presentFinding``,
``dmkg:positiveFor``, ``dmkg:hasOutcome``, ...; all sub-properties of ``dmkg:summaryLink``
in the ontology) give the canned queries one triple per patient and finding to scan.

They are derived, never curated: the SPARQL updates in ``ontology/summary-links/`` compute
them from the records after classification, in both builds (``dmkg build`` on the rdflib
graph, ``dmkg build --store`` in each batch's Oxigraph store), so both graphs hold the same
links. The records stay the evidence.

>>> from kg.ontology import load_ontology
>>> from kg.namespaces import DATA, DMKG
>>> from rdflib import RDF
>>> g = load_ontology()
>>> obs, patient = DATA["o1"], DATA["p1"]
>>> for triple in [(obs, RDF.type, DMKG.FindingObservation), (obs, DMKG.finding, DMKG.Myositis),
...                (obs, DMKG.findingStatus, DMKG.Absent), (obs, DMKG.ofPatient, patient)]:
...     _ = g.add(triple)
>>> add_summary_links(g)
1
>>> (patient, DMKG.absentFinding, DMKG.Myositis) in g
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, Graph

from kg.errors import UsageError
from kg.namespaces import DMKG
from kg.resources import resource_files

__all__ = [
    "LINKS_CONSTRUCT",
    "LINK_CHECKS",
    "add_summary_links",
    "check_built_with_links",
    "link_files",
    "refuse_without_links",
    "run_update_files",
]

#: every summary link in a graph or store that holds the ontology
LINKS_CONSTRUCT = """PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?patient ?link ?value }
WHERE { ?link rdfs:subPropertyOf dmkg:summaryLink . ?patient ?link ?value }"""


def link_files() -> list[Path]:
    """The SPARQL updates in ``ontology/summary-links/``, in the order they run."""
    return resource_files("ontology", "summary-links/*.ru")


def run_update_files(target: Graph | Any, paths: list[Path]) -> int:
    """Run SPARQL update files, in order, on an rdflib graph or a pyoxigraph store; return
    how many triples they added."""
    before = len(target)
    for path in paths:
        target.update(path.read_text(encoding="utf-8"))
    return len(target) - before


def add_summary_links(target: Graph | Any) -> int:
    """Run the summary-link updates on an rdflib graph or a pyoxigraph store that holds the
    ontology and the data; return how many triples they added."""
    return run_update_files(target, link_files())


def check_built_with_links(graph: Graph, origin: str) -> None:
    """Refuse a built graph (an rdflib graph or a store's rdflib view) that holds patient
    records but was built before the summary links existed (its ontology does not declare
    ``dmkg:summaryLink``): the canned queries would answer it with empty tables, not with an
    error.

    >>> from kg.namespaces import DATA
    >>> g = Graph()
    >>> _ = g.add((DATA["o1"], DMKG.ofPatient, DATA["p1"]))
    >>> check_built_with_links(g, "old/dmkg.nt")
    Traceback (most recent call last):
    kg.errors.UsageError: old/dmkg.nt: built by an older dmkg, without the summary links the canned queries read; run 'dmkg build' again
    """
    declared = (DMKG.summaryLink, RDF.type, OWL.ObjectProperty) in graph
    records = next(iter(graph.triples((None, DMKG.ofPatient, None))), None) is not None
    refuse_without_links(declared=declared, records=records, origin=origin)


#: SELECT queries (one row or none) telling whether a graph declares the summary links and
#: whether it holds patient records, for stores read through queries
LINK_CHECKS = {
    "declared": f"SELECT ?x WHERE {{ <{DMKG.summaryLink}> a <{OWL.ObjectProperty}> BIND(1 AS ?x) }}",
    "records": f"SELECT ?r WHERE {{ ?r <{DMKG.ofPatient}> ?p }} LIMIT 1",
}


def refuse_without_links(*, declared: bool, records: bool, origin: str) -> None:
    """Refuse a graph with patient records but without the summary links (see
    :func:`check_built_with_links`)."""
    if records and not declared:
        raise UsageError(
            f"{origin}: built by an older dmkg, without the summary links the "
            "canned queries read; run 'dmkg build' again"
        )
