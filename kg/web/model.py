"""What the web pages show, read from the graph once per request: patients, sources, records.

A record (finding observation, antibody result, cohort frequency, ...) is shown generically:
its main term, its status, every other property by its ontology label, the verbatim text
and the source locations it was derived from (table, row and column, or a text section).
Nothing a record holds is hidden, so a new property in the data shows up without code.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from kg.docs import OntologyIndex, public_url
from kg.namespaces import DATA, DMKG
from kg.query.render import curie
from kg.query.canned import QUERY_NS
from kg.analyse.summary import GraphSummary, summarise
from kg.terms import TermIndex, normalise

__all__ = [
    "MAIN_PROPERTIES",
    "SECTIONS",
    "STATUS_PROPERTIES",
    "Cell",
    "GraphView",
    "LocationView",
    "PatientRow",
    "RecordView",
]

_ONT = str(DMKG._NS)

#: the record kinds shown on a patient page, in order: heading, class
SECTIONS: tuple[tuple[str, URIRef], ...] = (
    ("Findings", DMKG.FindingObservation),
    ("Antibody results", DMKG.AntibodyTestResult),
    ("Laboratory measurements", DMKG.LabMeasurement),
    ("Cancers", DMKG.CancerDiagnosis),
    ("Treatments", DMKG.Treatment),
    ("Outcome", DMKG.Outcome),
)
#: the cohort-level record kinds shown on a source page
COHORT_SECTIONS: tuple[tuple[str, URIRef], ...] = (
    ("Group comparisons", DMKG.GroupComparison),
    ("Cohort frequencies", DMKG.CohortFrequency),
    ("Risk estimates", DMKG.RiskEstimate),
    ("Reported statistics", DMKG.ReportedStatistic),
    ("Printed totals", DMKG.PrintedTotal),
)
#: the property naming what a record is about, per kind (the first one present is used)
MAIN_PROPERTIES: tuple[URIRef, ...] = (
    DMKG.finding,
    DMKG.antibody,
    DMKG.analyte,
    DMKG.malignancy,
    DMKG.intervention,
    DMKG.marker,
    DMKG.feature,
    DMKG.about,
    DMKG.vitalStatus,
)
#: properties that say how it came out (present, positive, above normal range, dead, ...)
STATUS_PROPERTIES: tuple[URIRef, ...] = (
    DMKG.findingStatus,
    DMKG.antibodyStatus,
    DMKG.interpretation,
    DMKG.markerStatus,
    DMKG.countsStatus,
)
_HIDDEN = {
    RDF.type,
    DMKG.ofPatient,
    PROV.wasDerivedFrom,
    DMKG.verbatim,
    DMKG.curatorNote,
    DMKG.hasMarkerResult,
    RDFS.label,
}
_RECORD_KINDS = (
    tuple(kind for _, kind in SECTIONS)
    + (DMKG.TumourMarkerResult,)
    + tuple(kind for _, kind in COHORT_SECTIONS)
)


@dataclass(frozen=True)
class Cell:
    """One value on a page: its text, and a link where it names something."""

    text: str
    href: str = ""
    title: str = ""
    numeric: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass
class LocationView:
    """Where a value was read: the place in the paper, the curated file, the verbatim text."""

    place: str
    source: str
    curated: str
    verbatim: str
    table: str = ""
    row: str = ""
    column: str = ""
    section: str = ""


@dataclass
class RecordView:
    """A record with its kind, main term, status, other properties and provenance."""

    iri: URIRef
    kind: str
    main: list[Cell]
    status: list[Cell]
    details: list[tuple[str, list[Cell]]]
    verbatim: list[str]
    notes: list[str]
    locations: list[LocationView]
    patient: Cell | None = None
    markers: list[RecordView] = field(default_factory=list)
    role: str = ""  # on a class page: the property that links the record to the class

    @property
    def sort_key(self) -> tuple[str, str]:
        return (
            " ".join(c.text for c in self.main).casefold(),
            " ".join(c.text for c in self.status),
        )

    def detail(self, label: str) -> str:
        """The text of one detail, e.g. ``grade`` (empty if the record has none)."""
        for name, cells in self.details:
            if name == label:
                return ", ".join(c.text for c in cells)
        return ""


@dataclass
class PatientRow:
    """A line of the patient list."""

    iri: URIRef
    id: str
    label: str
    case: str
    age: str
    sex: str
    source: str
    source_id: str
    cancers: list[Cell]
    outcome: str


def _case_key(case: str) -> tuple[int, str]:
    digits = re.match(r"\d+", case)
    return (int(digits.group()) if digits else 10**9, case)


def _literal_text(value: Literal) -> str:
    py = value.toPython()
    if isinstance(py, Decimal):
        return str(int(py)) if py == py.to_integral() else str(py)
    if isinstance(py, float):
        return str(int(py)) if py.is_integer() else f"{py:g}"
    return str(value)


class GraphView:
    """The built graph seen through the pages: links, labels, patients, sources, records."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.ontology = OntologyIndex(graph)
        self.terms = TermIndex(graph)
        self.summary: GraphSummary = summarise(graph)

    # -- links and labels ------------------------------------------------------------------

    def href(self, iri: Node) -> str:
        """The page of a term, patient, source, record or canned query; else its public page."""
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
        return public_url(text)

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
            if isinstance(k, URIRef) and k in _RECORD_KINDS
        ]
        return f"{kinds[0]} {str(iri).rsplit('/', 1)[-1]}" if kinds else curie(iri)

    def cell(self, value: Node) -> Cell:
        if isinstance(value, URIRef):
            return Cell(self.label(value), self.href(value), curie(value))
        if isinstance(value, Literal):
            py = value.toPython()
            numeric = isinstance(py, (int, float, Decimal)) and not isinstance(py, bool)
            return Cell(_literal_text(value), numeric=numeric)
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
        primary = next((k for k in _RECORD_KINDS if k in types), None)
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
            if prop in _HIDDEN or prop == main_prop or prop in status_props:
                continue
            details[self.ontology.label(prop)].append(self.cell(value))  # type: ignore[arg-type]
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
                    text += f" ({_literal_text(months)} months)"
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
        return sorted(rows, key=lambda r: (r.source_id, _case_key(r.case)))

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

    # -- sources ------------------------------------------------------------------------------

    def publications(self) -> list[dict[str, Any]]:
        """The source papers with their DOI, title, journal, year and patient counts."""
        out = []
        for pub in sorted(
            p for p in self.graph.subjects(RDF.type, DMKG.Publication) if isinstance(p, URIRef)
        ):
            g = self.graph
            out.append(
                {
                    "iri": pub,
                    "id": str(pub).rsplit("/", 1)[-1],
                    "href": self.href(pub),
                    "title": str(g.value(pub, DCTERMS.title) or self.label(pub)),
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

    def publication(self, iri: URIRef) -> dict[str, Any]:
        """Everything shown on a source's page: study, cohorts, patients, cohort-level data."""
        g = self.graph
        info = next(p for p in self.publications() if p["iri"] == iri)
        described = [s for s in g.subjects(DMKG.describedIn, iri) if isinstance(s, URIRef)]
        studies = [
            {
                "cell": self.cell(s),
                "design": [self.cell(t) for t in g.objects(s, RDF.type)],
                "note": str(g.value(s, DMKG.studyDesignNote) or ""),
            }
            for s in described
            if (s, DMKG.studyDesignNote, None) in g
            or any(
                self.ontology.ancestors(t) & {DMKG.Study}
                for t in g.objects(s, RDF.type)
                if isinstance(t, URIRef)
            )
        ]
        cohorts = [
            {
                "cell": self.cell(c),
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
                views = sorted((self.record(r) for r in chosen), key=lambda v: v.sort_key)
                sections.append((heading, views))
        return {
            "info": info,
            "studies": studies,
            "cohorts": cohorts,
            "patients": self.patients(info["id"]),
            "sections": sections,
        }

    # -- class pages ---------------------------------------------------------------------------

    def usage(self, iri: URIRef) -> dict[str, Any]:
        """The data that uses a term: patient records, cohort-level records and instances.

        For a class, records about it or any of its subclasses count. ``status_counts``
        gives, per status (present, positive, ...), the number of distinct patients and
        the number per source.
        """
        g = self.graph
        targets = (
            self.ontology.descendants(iri) if self.ontology.kinds.get(iri) == "class" else {iri}
        )
        patient_records: list[RecordView] = []
        cohort_records: list[RecordView] = []
        for target in targets:
            for subject, prop in g.subject_predicates(target):
                if (
                    not isinstance(subject, URIRef)
                    or not str(subject).startswith(str(DATA))
                    or prop == RDF.type
                ):
                    continue
                view = self.record(subject, with_patient=True)
                view.role = self.ontology.label(prop)  # type: ignore[arg-type]
                (patient_records if view.patient is not None else cohort_records).append(view)
        instances = sorted(
            (
                self.cell(s)
                for t in targets
                for s in g.subjects(RDF.type, t)
                if isinstance(s, URIRef) and str(s).startswith(str(DATA))
            ),
            key=lambda c: (c.text.split(" case ")[0], _case_key(c.text.split(" case ")[-1])),
        )
        by_status: dict[str, set[str]] = defaultdict(set)
        per_source: dict[str, Counter[str]] = defaultdict(Counter)
        for view in patient_records:
            statuses = [c.text for c in view.status] or [view.role]
            for status in statuses:
                assert view.patient is not None
                if view.patient.href not in by_status[status]:
                    by_status[status].add(view.patient.href)
                    source = view.patient.text.split(" case ")[0]
                    per_source[status][source] += 1
        status_counts = [
            {"status": s, "patients": len(p), "by_source": sorted(per_source[s].items())}
            for s, p in sorted(by_status.items(), key=lambda i: -len(i[1]))
        ]

        def patient_key(v: RecordView) -> tuple[Any, ...]:
            text = v.patient.text if v.patient else ""
            return (text.split(" case ")[0], _case_key(text.split(" case ")[-1]), v.sort_key)

        return {
            "patient_records": sorted(patient_records, key=patient_key),
            "cohort_records": sorted(cohort_records, key=lambda v: (v.kind, v.sort_key)),
            "instances": instances,
            "status_counts": status_counts,
        }

    # -- search --------------------------------------------------------------------------------

    def search(self, text: str) -> dict[str, Any]:
        """Terms whose label or synonym contains ``text``, and patients whose label does."""
        wanted = normalise(text)
        patients = [r for r in self.patients() if wanted and wanted in normalise(r.label)]
        return {"terms": self.ontology.search(text), "patients": patients}

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
