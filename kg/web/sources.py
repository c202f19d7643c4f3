"""The source pages: each paper with its study design, cohorts, patients and the
cohort-level records read from it (group comparisons, frequencies, statistics, totals)."""

from __future__ import annotations

from typing import Any

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.namespaces import DMKG
from kg.web.model import GraphView
from kg.web.views import COHORT_SECTIONS

__all__ = ["publication", "publications"]


def publications(view: GraphView) -> list[dict[str, Any]]:
    """The source papers with their DOI, title, journal, year and patient counts."""
    out = []
    for pub in sorted(
        p for p in view.graph.subjects(RDF.type, DMKG.Publication) if isinstance(p, URIRef)
    ):
        g = view.graph
        out.append(
            {
                "iri": pub,
                "id": str(pub).rsplit("/", 1)[-1],
                "href": view.href(pub),
                "title": str(g.value(pub, DCTERMS.title) or view.label(pub)),
                "doi": str(g.value(pub, DMKG.doi) or ""),
                "also_doi": sorted(str(d) for d in g.objects(pub, DMKG.alsoDoi)),
                "journal": str(g.value(pub, DMKG.journal) or ""),
                "year": str(g.value(pub, DMKG.year) or ""),
                "authors": str(g.value(pub, DMKG.authors) or ""),
                "patients": len(
                    [
                        p
                        for p in g.subjects(DMKG.describedIn, pub)
                        if (p, RDF.type, DMKG.Patient) in g
                    ]
                ),
            }
        )
    return out


def publication(view: GraphView, iri: URIRef) -> dict[str, Any]:
    """Everything shown on a source's page: study, cohorts, patients, cohort-level data."""
    g = view.graph
    info = next(p for p in publications(view) if p["iri"] == iri)
    described = [s for s in g.subjects(DMKG.describedIn, iri) if isinstance(s, URIRef)]
    studies = [
        {
            "cell": view.cell(s),
            "design": [view.cell(t) for t in g.objects(s, RDF.type)],
            "note": str(g.value(s, DMKG.studyDesignNote) or ""),
        }
        for s in described
        if (s, DMKG.studyDesignNote, None) in g
        or any(
            view.ontology.ancestors(t) & {DMKG.Study}
            for t in g.objects(s, RDF.type)
            if isinstance(t, URIRef)
        )
    ]
    cohorts = [
        {
            "cell": view.cell(c),
            "size": str(g.value(c, DMKG.cohortSize) or ""),
            "members": len(set(g.subjects(DMKG.memberOf, c))),
        }
        for c in sorted(described)
        if (c, RDF.type, DMKG.Cohort) in g
    ]
    places = set(g.subjects(DMKG.inPublication, iri))  # text locations and source rows
    locations = places | {loc for row in places for loc in g.subjects(DMKG.inRow, row)}
    records = {
        r
        for loc in locations
        for r in g.subjects(PROV.wasDerivedFrom, loc)
        if (r, DMKG.ofPatient, None) not in g and isinstance(r, URIRef)
    }
    sections = []
    for heading, kind in COHORT_SECTIONS:
        chosen = [
            r
            for r in records
            if (r, RDF.type, kind) in g
            and not (kind == DMKG.ReportedStatistic and (r, RDF.type, DMKG.RiskEstimate) in g)
        ]
        if chosen:
            views = sorted((view.record(r) for r in chosen), key=lambda v: v.sort_key)
            sections.append((heading, views))
    return {
        "info": info,
        "studies": studies,
        "cohorts": cohorts,
        "patients": view.patients(info["id"]),
        "sections": sections,
    }
