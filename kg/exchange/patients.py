"""Read each patient's records out of a dmkg graph into plain values, for the exports.

The exports (phenopackets, KGX) and the round-trip tests all start here, so a patient
means the same in every format. Everything is sorted, so two reads of the same graph give
the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import DATA, DCTERMS, DMKG

__all__ = [
    "AntibodyResult",
    "Cancer",
    "Finding",
    "Lab",
    "PatientData",
    "Publication",
    "TreatmentRecord",
    "case_key",
    "read_patients",
    "read_publications",
]


@dataclass(frozen=True)
class Publication:
    """A source publication: its dmkg node, source id, DOIs, title and year."""

    iri: URIRef
    source_id: str
    doi: str
    also_doi: tuple[str, ...] = ()
    title: str = ""
    year: int | None = None


@dataclass(frozen=True)
class Finding:
    """A finding observation: the finding class, its status and grade or severity word."""

    finding: URIRef
    status: URIRef
    grade: int | None = None
    severity: str | None = None


@dataclass(frozen=True)
class AntibodyResult:
    """An antibody test result: the antibody class and its status."""

    antibody: URIRef
    status: URIRef


@dataclass(frozen=True)
class Lab:
    """A laboratory measurement."""

    analyte: URIRef
    value: Decimal | None = None
    unit: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    timepoint: str | None = None
    interpretation: URIRef | None = None


@dataclass(frozen=True)
class Cancer:
    """A cancer diagnosis."""

    malignancy: URIRef
    interval_months: Decimal | None = None
    relation: URIRef | None = None
    laterality: str | None = None


@dataclass(frozen=True)
class TreatmentRecord:
    """A treatment record."""

    intervention: URIRef
    target: URIRef | None = None
    dose: str | None = None
    dose_value: Decimal | None = None
    dose_unit: str | None = None
    route: str | None = None
    schedule: str | None = None
    phase: str | None = None
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class PatientData:
    """Everything the exports say about one patient."""

    iri: URIRef
    source_id: str
    case: str
    publication: Publication
    sex: URIRef | None = None
    age: int | None = None
    vital_status: URIRef | None = None
    months: Decimal | None = None
    findings: tuple[Finding, ...] = ()
    antibodies: tuple[AntibodyResult, ...] = ()
    labs: tuple[Lab, ...] = ()
    cancers: tuple[Cancer, ...] = ()
    treatments: tuple[TreatmentRecord, ...] = ()
    cohorts: tuple[URIRef, ...] = field(default_factory=tuple)

    @property
    def opaque_id(self) -> str:
        """The last segment of the patient's IRI: a digest that identifies no person."""
        return str(self.iri).rsplit("/", 1)[-1]


def case_key(case: str) -> tuple[int, str]:
    """Sort key that puts case "2" before case "10".

    >>> sorted(["10", "2", "b"], key=case_key)
    ['2', '10', 'b']
    """
    match = re.match(r"\d+", case)
    return (int(match.group()) if match else 10**9, case)


def _str(graph: Graph, node: Node, prop: URIRef) -> str | None:
    value = graph.value(node, prop)
    return str(value) if value is not None else None


def _dec(graph: Graph, node: Node, prop: URIRef) -> Decimal | None:
    value = graph.value(node, prop)
    if isinstance(value, Literal):
        return Decimal(str(value))
    return None


def _int(graph: Graph, node: Node, prop: URIRef) -> int | None:
    value = graph.value(node, prop)
    return int(str(value)) if isinstance(value, Literal) else None


def _iri(graph: Graph, node: Node, prop: URIRef) -> URIRef | None:
    value = graph.value(node, prop)
    return value if isinstance(value, URIRef) else None


def _source_id(publication: URIRef) -> str:
    text = str(publication)
    prefix = str(DATA["publication/"])
    return text[len(prefix) :] if text.startswith(prefix) else text.rsplit("/", 1)[-1]


def read_publications(graph: Graph) -> dict[URIRef, Publication]:
    """Every publication in the graph, by node."""
    found: dict[URIRef, Publication] = {}
    for pub in sorted(graph.subjects(RDF.type, DMKG.Publication), key=str):
        if not isinstance(pub, URIRef):
            continue
        title = graph.value(pub, DCTERMS.title) or graph.value(pub, RDFS.label)
        found[pub] = Publication(
            iri=pub,
            source_id=_source_id(pub),
            doi=_str(graph, pub, DMKG.doi) or "",
            also_doi=tuple(sorted(str(d) for d in graph.objects(pub, DMKG.alsoDoi))),
            title=str(title or ""),
            year=_int(graph, pub, DMKG.year),
        )
    return found


def _records(graph: Graph, patient: URIRef, cls: URIRef) -> list[URIRef]:
    return sorted(
        (
            r
            for r in graph.subjects(DMKG.ofPatient, patient)
            if isinstance(r, URIRef) and (r, RDF.type, cls) in graph
        ),
        key=str,
    )


def read_patients(graph: Graph) -> list[PatientData]:
    """Every patient in the graph, sorted by source and case number."""
    publications = read_publications(graph)
    patients: list[PatientData] = []
    for node in graph.subjects(RDF.type, DMKG.Patient):
        if not isinstance(node, URIRef):
            continue
        pub_node = _iri(graph, node, DMKG.describedIn)
        if pub_node is None or pub_node not in publications:
            continue
        patients.append(_patient(graph, node, publications[pub_node]))
    return sorted(patients, key=lambda p: (p.source_id, case_key(p.case)))


def _patient(graph: Graph, node: URIRef, publication: Publication) -> PatientData:
    outcome = next(iter(_records(graph, node, DMKG.Outcome)), None)
    findings = [
        Finding(f, s, _int(graph, r, DMKG.grade), _str(graph, r, DMKG.severity))
        for r in _records(graph, node, DMKG.FindingObservation)
        if (f := _iri(graph, r, DMKG.finding)) is not None
        and (s := _iri(graph, r, DMKG.findingStatus)) is not None
    ]
    antibodies = [
        AntibodyResult(a, s)
        for r in _records(graph, node, DMKG.AntibodyTestResult)
        if (a := _iri(graph, r, DMKG.antibody)) is not None
        and (s := _iri(graph, r, DMKG.antibodyStatus)) is not None
    ]
    cancers = [
        Cancer(
            m,
            _dec(graph, r, DMKG.intervalMonths),
            _iri(graph, r, DMKG.temporalRelation),
            _str(graph, r, DMKG.laterality),
        )
        for r in _records(graph, node, DMKG.CancerDiagnosis)
        if (m := _iri(graph, r, DMKG.malignancy)) is not None
    ]
    return PatientData(
        iri=node,
        source_id=publication.source_id,
        case=_str(graph, node, DMKG.caseLabel) or str(node).rsplit("/", 1)[-1],
        publication=publication,
        sex=_iri(graph, node, DMKG.sex),
        age=_int(graph, node, DMKG.ageAtDiagnosis),
        vital_status=_iri(graph, outcome, DMKG.vitalStatus) if outcome else None,
        months=_dec(graph, outcome, DMKG.monthsSinceDiagnosis) if outcome else None,
        findings=tuple(sorted(findings, key=lambda f: (str(f.finding), str(f.status)))),
        antibodies=tuple(sorted(antibodies, key=lambda a: (str(a.antibody), str(a.status)))),
        labs=_labs(graph, node),
        cancers=tuple(sorted(cancers, key=lambda c: str(c.malignancy))),
        treatments=_treatments(graph, node),
        cohorts=tuple(
            sorted(
                (c for c in graph.objects(node, DMKG.memberOf) if isinstance(c, URIRef)),
                key=str,
            )
        ),
    )


def _labs(graph: Graph, node: URIRef) -> tuple[Lab, ...]:
    labs = [
        Lab(
            a,
            _dec(graph, r, DMKG.value),
            _str(graph, r, DMKG.unit),
            _dec(graph, r, DMKG.referenceLow),
            _dec(graph, r, DMKG.referenceHigh),
            _str(graph, r, DMKG.timepoint),
            _iri(graph, r, DMKG.interpretation),
        )
        for r in _records(graph, node, DMKG.LabMeasurement)
        if (a := _iri(graph, r, DMKG.analyte)) is not None
    ]
    return tuple(
        sorted(labs, key=lambda x: (str(x.analyte), x.timepoint or "", x.value or Decimal(-1)))
    )


def _treatments(graph: Graph, node: URIRef) -> tuple[TreatmentRecord, ...]:
    treatments = [
        TreatmentRecord(
            i,
            _iri(graph, r, DMKG.treatmentFor),
            _str(graph, r, DMKG.dose),
            _dec(graph, r, DMKG.doseValue),
            _str(graph, r, DMKG.doseUnit),
            _str(graph, r, DMKG.route),
            _str(graph, r, DMKG.schedule),
            _str(graph, r, DMKG.treatmentPhase),
            _str(graph, r, DMKG.startDate),
            _str(graph, r, DMKG.endDate),
        )
        for r in _records(graph, node, DMKG.Treatment)
        if (i := _iri(graph, r, DMKG.intervention)) is not None
    ]
    return tuple(
        sorted(treatments, key=lambda t: (str(t.intervention), t.start or "", t.phase or ""))
    )
