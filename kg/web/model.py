"""What the web pages show, read from the graph once per request: patients, sources, records.

A record (finding observation, antibody result, cohort frequency, ...) is shown generically:
its main term, its status, every other property by its ontology label, the verbatim text
and the source locations it was derived from (table, row and column, or a text section).
Nothing a record holds is hidden, so a new property in the data shows up without code.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from kg.analyse.summary import GraphSummary, summarise
from kg.docs import OntologyIndex, public_url
from kg.namespaces import DATA, DMKG
from kg.query import QUERY_NS
from kg.query.render import curie
from kg.terms import TermIndex, normalise
from kg.web.search import SearchIndex
from kg.web.views import (
    HIDDEN_PROPERTIES,
    MAIN_PROPERTIES,
    RECORD_KINDS,
    SECTIONS,
    STATUS_PROPERTIES,
    Cell,
    LocationView,
    PatientRow,
    RecordView,
    case_key,
    literal_text,
)

__all__ = ["GraphView"]

_ONT = str(DMKG._NS)


class GraphView:
    """The built graph seen through the pages: links, labels, patients, sources, records."""

    def __init__(self, graph: Graph, terms: TermIndex | None = None) -> None:
        self.graph = graph
        self.ontology = OntologyIndex(graph)
        self.terms = terms if terms is not None else TermIndex(graph)
        self.summary: GraphSummary = summarise(graph)
        self._index: SearchIndex | None = None

    # -- links and labels ------------------------------------------------------------------

    def href(self, iri: Node) -> str:
        """The page of a term, patient, source, record or canned query; else its public page.

        Only an http(s) IRI becomes a link elsewhere: a result IRI such as ``javascript:...``
        (``BIND(IRI("javascript:..."))`` makes one) gives "", which the templates show as text.
        """
        text = str(iri)
        if text.startswith(_ONT):
            return "/term/" + text[len(_ONT) :]
        if text.startswith(str(DATA)):
            rest = text[len(str(DATA)) :]
            kind, _, local = rest.partition("/")
            if kind == "patient":
                return "/patient/" + local
            if kind == "publication":
                return "/source/" + local
            return "/resource/" + rest
        if text.startswith(QUERY_NS):
            return "/queries/" + text[len(QUERY_NS) :]
        url = public_url(text)
        return url if url.lower().startswith(("http://", "https://")) else ""

    def label(self, iri: URIRef) -> str:
        """A label for anything: an ontology label, a data label, or a record's kind."""
        found = self.ontology.label(iri)
        if found != curie(iri):
            return found
        for value in self.graph.objects(iri, RDFS.label):
            return str(value)
        g = self.graph
        if (iri, RDF.type, DMKG.CohortFrequency) in g:  # shown as "41/64 in <cohort>"
            n, total = g.value(iri, DMKG.numerator), g.value(iri, DMKG.denominator)
            cohort = g.value(iri, DMKG.cohort)
            where = f" in {self.label(cohort)}" if isinstance(cohort, URIRef) else ""
            return f"{n}/{total}{where}"
        kinds = [
            self.ontology.label(k)
            for k in self.graph.objects(iri, RDF.type)
            if isinstance(k, URIRef) and k in RECORD_KINDS
        ]
        return f"{kinds[0]} {str(iri).rsplit('/', 1)[-1]}" if kinds else curie(iri)

    def cell(self, value: Node) -> Cell:
        if isinstance(value, URIRef):
            return Cell(self.label(value), self.href(value), curie(value))
        if isinstance(value, Literal):
            py = value.toPython()
            numeric = isinstance(py, (int, float, Decimal)) and not isinstance(py, bool)
            return Cell(literal_text(value), numeric=numeric)
        return Cell(str(value))

    def iri_for(self, kind: str, local: str) -> URIRef | None:
        """The IRI behind a page address, if the graph has it."""
        if kind == "term":
            iri = URIRef(_ONT + local)
        else:
            iri = URIRef(f"{DATA}{kind}/{local}" if kind else f"{DATA}{local}")
        return iri if (iri, None, None) in self.graph or (None, None, iri) in self.graph else None

    # -- provenance --------------------------------------------------------------------------

    def location(self, loc: URIRef) -> LocationView:
        g = self.graph
        # a table cell's publication, table, row, file and line are on its source row
        source_row = g.value(loc, DMKG.inRow) or loc

        def one(prop: URIRef, on: Node = loc) -> str:
            value = g.value(on, prop)
            return "" if value is None else str(value)

        table, row, column, section = (
            one(DMKG.table, source_row),
            one(DMKG.row, source_row),
            one(DMKG.column),
            one(DMKG.section),
        )
        parts = []
        if table:
            parts.append(table)
        if row:
            parts.append(f"row {row}")
        if column:
            parts.append(f"column \u201c{column}\u201d")
        if section:
            parts.append(f"section \u201c{section}\u201d")
        pub = g.value(source_row, DMKG.inPublication)
        source = str(pub).rsplit("/", 1)[-1] if pub is not None else ""
        curated = one(DMKG.curatedFile, source_row)
        if one(DMKG.curatedLine, source_row):
            curated += f", line {one(DMKG.curatedLine, source_row)}"
        if one(DMKG.curatedItem):
            curated += f", item {one(DMKG.curatedItem)}"
        return LocationView(
            ", ".join(parts) or "(no place given)",
            source,
            curated,
            one(DMKG.verbatim),
            table,
            row,
            column,
            section,
        )

    # -- records ------------------------------------------------------------------------------

    def record(self, iri: URIRef, with_patient: bool = False) -> RecordView:
        g = self.graph
        types = [t for t in g.objects(iri, RDF.type) if isinstance(t, URIRef)]
        primary = next((k for k in RECORD_KINDS if k in types), None)
        kind = (
            self.ontology.label(primary)
            if primary is not None
            else ", ".join(sorted(self.label(t) for t in types)) or "resource"
        )
        main_prop = next((p for p in MAIN_PROPERTIES if (iri, p, None) in g), None)
        main = (
            [self.cell(v) for v in sorted(g.objects(iri, main_prop), key=str)] if main_prop else []
        )
        status_props = [p for p in STATUS_PROPERTIES if (iri, p, None) in g]
        status = [self.cell(v) for p in status_props for v in g.objects(iri, p)]
        details: dict[str, list[Cell]] = defaultdict(list)
        for prop, value in sorted(g.predicate_objects(iri)):
            if prop in HIDDEN_PROPERTIES or prop == main_prop or prop in status_props:
                continue
            details[self.ontology.label(prop)].append(self.cell(value))  # type: ignore[arg-type]
        self._estimate(iri, details)
        others = [t for t in types if t != primary and t not in (OWL.NamedIndividual,)]
        if others:
            details["classified as"] = [self.cell(t) for t in sorted(others)]
        locations = sorted(
            (
                self.location(loc)
                for loc in g.objects(iri, PROV.wasDerivedFrom)
                if isinstance(loc, URIRef)
            ),
            key=lambda x: (x.place, x.curated),
        )
        patient = None
        if with_patient:
            owner = g.value(iri, DMKG.ofPatient)
            if owner is None:  # a tumour marker result belongs to a cancer diagnosis
                diagnosis = g.value(None, DMKG.hasMarkerResult, iri)
                owner = g.value(diagnosis, DMKG.ofPatient) if diagnosis is not None else None
            patient = self.cell(owner) if owner is not None else None
        view = RecordView(
            iri,
            kind,
            main,
            status,
            sorted(details.items()),
            sorted(str(v) for v in g.objects(iri, DMKG.verbatim)),
            sorted(str(v) for v in g.objects(iri, DMKG.curatorNote)),
            locations,
            patient,
        )
        view.markers = sorted(
            (self.record(m) for m in g.objects(iri, DMKG.hasMarkerResult) if isinstance(m, URIRef)),
            key=lambda r: r.sort_key,
        )
        return view

    def _estimate(self, iri: URIRef, details: dict[str, list[Cell]]) -> None:
        """An estimate printed with its interval reads as the paper writes it, "5.1 (3.0-8.6)"
        under "estimate (95% CI)", in place of separate value, bound and level rows."""
        g = self.graph
        parts = [g.value(iri, p) for p in (DMKG.value, DMKG.ciLow, DMKG.ciHigh)]
        if not all(isinstance(x, Literal) for x in parts):
            return
        from kg.figures.common import estimate_text

        value, low, high = (float(str(x)) for x in parts)
        digits = max(len(str(x).partition(".")[2]) for x in parts)  # as printed: 3.0, not 3
        level = g.value(iri, DMKG.ciLevel)
        name = f"estimate ({float(str(level)) * 100:g}% CI)" if level is not None else "estimate"
        for prop in (DMKG.value, DMKG.ciLow, DMKG.ciHigh, DMKG.ciLevel):
            details.pop(self.ontology.label(prop), None)
        details[name] = [Cell(estimate_text(value, low, high, digits=digits), numeric=True)]

    # -- patients ------------------------------------------------------------------------------

    def patient_iris(self) -> list[URIRef]:
        return [p for p in self.graph.subjects(RDF.type, DMKG.Patient) if isinstance(p, URIRef)]

    def patient_row(self, iri: URIRef) -> PatientRow:
        g = self.graph
        pub = g.value(iri, DMKG.describedIn)
        sex = g.value(iri, DMKG.sex)
        cancers = [
            self.cell(m)
            for c in g.subjects(DMKG.ofPatient, iri)
            if (c, RDF.type, DMKG.CancerDiagnosis) in g
            for m in g.objects(c, DMKG.malignancy)
        ]
        outcomes = []
        for o in g.subjects(DMKG.ofPatient, iri):
            if (o, RDF.type, DMKG.Outcome) in g:
                status = g.value(o, DMKG.vitalStatus)
                months = g.value(o, DMKG.monthsSinceDiagnosis)
                text = self.label(status) if isinstance(status, URIRef) else ""
                if isinstance(months, Literal):
                    text += f" ({literal_text(months)} months)"
                outcomes.append(text)
        return PatientRow(
            iri,
            str(iri).rsplit("/", 1)[-1],
            self.label(iri),
            str(g.value(iri, DMKG.caseLabel) or ""),
            str(g.value(iri, DMKG.ageAtDiagnosis) or ""),
            self.label(sex) if isinstance(sex, URIRef) else "",
            str(g.value(pub, DMKG.doi) or "") if pub is not None else "",
            str(pub).rsplit("/", 1)[-1] if pub is not None else "",
            sorted(cancers, key=lambda c: c.text),
            "; ".join(sorted(outcomes)),
        )

    def patients(self, source_id: str | None = None) -> list[PatientRow]:
        rows = [self.patient_row(p) for p in self.patient_iris()]
        if source_id:
            rows = [r for r in rows if r.source_id == source_id]
        return sorted(rows, key=lambda r: (r.source_id, case_key(r.case)))

    def patient(self, iri: URIRef) -> dict[str, Any]:
        """Everything shown on a patient's page."""
        g = self.graph
        records = [r for r in g.subjects(DMKG.ofPatient, iri) if isinstance(r, URIRef)]
        sections = []
        for heading, kind in SECTIONS:
            views = [self.record(r) for r in records if (r, RDF.type, kind) in g]
            sections.append((heading, sorted(views, key=lambda v: v.sort_key)))
        other = [
            self.record(r)
            for r in records
            if not any((r, RDF.type, kind) in g for _, kind in SECTIONS)
        ]
        if other:
            sections.append(("Other records", sorted(other, key=lambda v: v.sort_key)))
        classes = sorted(
            (
                self.cell(t)
                for t in g.objects(iri, RDF.type)
                if t != DMKG.Patient and isinstance(t, URIRef)
            ),
            key=lambda c: c.text,
        )
        return {
            "row": self.patient_row(iri),
            "sections": sections,
            "classes": classes,
            "cohorts": [self.cell(c) for c in g.objects(iri, DMKG.memberOf)],
            "publication": self.cell(g.value(iri, DMKG.describedIn) or URIRef("")),
            "locations": sorted(
                (
                    self.location(loc)
                    for loc in g.objects(iri, PROV.wasDerivedFrom)
                    if isinstance(loc, URIRef)
                ),
                key=lambda x: x.place,
            ),
        }

    # -- search --------------------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The ontology's search index (labels, synonyms, ids), built on first use."""
        if self._index is None:
            self._index = SearchIndex(self.ontology)
        return self._index

    def search(self, text: str) -> dict[str, Any]:
        """Terms named by ``text`` (see :class:`kg.web.search.SearchIndex`), and patients
        whose label holds it."""
        wanted = normalise(text)
        patients = [r for r in self.patients() if wanted and wanted in normalise(r.label)]
        return {"terms": self.index.search(text), "patients": patients}

    # -- any data resource ---------------------------------------------------------------------

    def resource(self, iri: URIRef) -> dict[str, Any]:
        """A generic page: what the graph says about ``iri`` and what points to it."""
        g = self.graph
        outgoing: dict[str, list[Cell]] = defaultdict(list)
        for prop, value in sorted(g.predicate_objects(iri)):
            outgoing[self.ontology.label(prop)].append(self.cell(value))  # type: ignore[arg-type]
        incoming = sorted(
            (
                (self.ontology.label(p), self.cell(s))  # type: ignore[arg-type]
                for s, p in g.subject_predicates(iri)
            ),
            key=lambda i: (i[0], i[1].text),
        )
        return {
            "label": self.label(iri),
            "iri": iri,
            "outgoing": sorted(outgoing.items()),
            "incoming": incoming[:500],
            "incoming_total": len(incoming),
        }
