"""What the pages show, as plain values: a cell, a record, a source location, a patient row.

The record kinds and properties here decide how :class:`kg.web.model.GraphView` reads a
record generically (its main term, its status, everything else as details), and which
records are patient-level and which cohort-level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import PROV

from kg.namespaces import DMKG

__all__ = [
    "COHORT_KINDS",
    "COHORT_SECTIONS",
    "HIDDEN_PROPERTIES",
    "MAIN_PROPERTIES",
    "RECORD_KINDS",
    "SECTIONS",
    "STATUS_PROPERTIES",
    "Cell",
    "ClassPatient",
    "LocationView",
    "PatientRow",
    "RecordView",
    "case_key",
    "literal_text",
]

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
#: properties a record shows elsewhere than among its details
HIDDEN_PROPERTIES = {
    RDF.type,
    DMKG.ofPatient,
    PROV.wasDerivedFrom,
    DMKG.verbatim,
    DMKG.curatorNote,
    DMKG.hasMarkerResult,
    RDFS.label,
}
#: the kinds of cohort-level record (counts and statistics about groups, not patients)
COHORT_KINDS: frozenset[URIRef] = frozenset(kind for _, kind in COHORT_SECTIONS)
#: every kind of record, patient-level and cohort-level
RECORD_KINDS = (
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


@dataclass
class ClassPatient:
    """A patient on a class page, once: the statuses of their records about the class (or a
    class under it) and, per record, the term it names with its status."""

    patient: Cell
    source: str
    case: str
    statuses: list[str]
    terms: list[tuple[Cell, str]]


def case_key(case: str) -> tuple[int, str]:
    """Sort key of a case label: by its leading number, then as text ("2" before "10")."""
    digits = re.match(r"\d+", case)
    return (int(digits.group()) if digits else 10**9, case)


def literal_text(value: Literal) -> str:
    """A literal as people read it: 12 rather than 12.0, 0.5 rather than 0.500."""
    py = value.toPython()
    if isinstance(py, Decimal):
        return str(int(py)) if py == py.to_integral() else str(py)
    if isinstance(py, float):
        return str(int(py)) if py.is_integer() else f"{py:g}"
    return str(value)
