"""What a term's page shows of the data: its patients once each, its cohort-level records,
and the members of a class.

Only records count. A patient is linked to a class by the build's summary links too
(``dmkg:presentFinding``, ``dmkg:positiveFor``, ...), but those are shortcuts derived from
the records, not evidence: a patient reached through one is not a record about the class,
and is listed once, through their records, under "Patients". "Cohort statistics" holds only
the cohort-level kinds of :data:`kg.web.views.COHORT_SECTIONS`. A record linked to the class
through two properties (a breast cancer diagnosis names the class as its malignancy and as
its cancer site) is one record.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, RDFS, URIRef

from kg.namespaces import DATA, DMKG
from kg.web.model import GraphView
from kg.web.views import (
    COHORT_KINDS,
    MAIN_PROPERTIES,
    RECORD_KINDS,
    STATUS_PROPERTIES,
    Cell,
    ClassPatient,
    RecordView,
    case_key,
)

__all__ = ["PATIENT_LIMIT", "usage"]

#: the most patients a class page lists by name (the counts cover them all)
PATIENT_LIMIT = 1000


@dataclass
class _Uses:
    """The records found about a term, each once, with the properties that link them."""

    cohort: dict[URIRef, set[str]] = field(default_factory=lambda: defaultdict(set))
    patient: dict[URIRef, URIRef] = field(default_factory=dict)  # record -> its patient
    # a patient linked straight to the term (its sex, say) -> the linking properties
    direct: dict[URIRef, set[str]] = field(default_factory=lambda: defaultdict(set))


def _owner(view: GraphView, record: URIRef) -> URIRef | None:
    """The patient a record is about (a tumour marker result through its cancer diagnosis)."""
    g = view.graph
    owner = g.value(record, DMKG.ofPatient)
    if owner is None:
        diagnosis = g.value(None, DMKG.hasMarkerResult, record)
        owner = g.value(diagnosis, DMKG.ofPatient) if diagnosis is not None else None
    return owner if isinstance(owner, URIRef) else None


def _is_cohort_level(view: GraphView, record: URIRef) -> bool:
    return any(
        view.ontology.ancestors(kind) & COHORT_KINDS
        for kind in view.graph.objects(record, RDF.type)
        if isinstance(kind, URIRef)
    )


def _find_uses(view: GraphView, targets: set[URIRef]) -> _Uses:
    g = view.graph
    summary_links = set(g.transitive_subjects(RDFS.subPropertyOf, DMKG.summaryLink))
    uses = _Uses()
    for target in targets:
        for subject, prop in view.graph.subject_predicates(target):
            if (
                not isinstance(subject, URIRef)
                or not str(subject).startswith(str(DATA))
                or prop == RDF.type
            ):
                continue
            if _is_cohort_level(view, subject):
                uses.cohort[subject].add(view.ontology.label(prop))  # type: ignore[arg-type]
                continue
            owner = _owner(view, subject)
            if owner is not None:
                uses.patient[subject] = owner
            elif (subject, RDF.type, DMKG.Patient) in g and prop not in summary_links:
                uses.direct[subject].add(view.ontology.label(prop))  # type: ignore[arg-type]
            # anything else (a patient through a summary link, a publication, ...) is
            # not a record about the term: the patient is listed through their records
    return uses


def _status_and_term(view: GraphView, record: URIRef) -> tuple[list[str], list[Cell]]:
    """A record's statuses (its kind where it has none, e.g. "cancer diagnosis") and the
    terms it is about."""
    g = view.graph
    statuses = sorted(
        {
            view.label(v) if isinstance(v, URIRef) else str(v)
            for p in STATUS_PROPERTIES
            for v in g.objects(record, p)
        }
    )
    if not statuses:
        kinds = sorted(
            view.ontology.label(k)
            for k in g.objects(record, RDF.type)
            if isinstance(k, URIRef) and k in RECORD_KINDS
        )
        statuses = kinds[:1] or ["recorded"]
    main = next((p for p in MAIN_PROPERTIES if (record, p, None) in g), None)
    terms = [view.cell(v) for v in sorted(g.objects(record, main), key=str)] if main else []
    return statuses, terms


def _patients(view: GraphView, uses: _Uses) -> list[ClassPatient]:
    g = view.graph
    found: dict[URIRef, ClassPatient] = {}

    def row_of(patient: URIRef) -> ClassPatient:
        if patient not in found:
            publication = g.value(patient, DMKG.describedIn)
            found[patient] = ClassPatient(
                view.cell(patient),
                str(publication).rsplit("/", 1)[-1] if publication is not None else "",
                str(g.value(patient, DMKG.caseLabel) or ""),
                [],
                [],
            )
        return found[patient]

    for record, owner in uses.patient.items():
        statuses, terms = _status_and_term(view, record)
        row = row_of(owner)
        row.statuses.extend(s for s in statuses if s not in row.statuses)
        for term in terms:
            for status in statuses:
                if (term, status) not in row.terms:
                    row.terms.append((term, status))
    for patient, props in uses.direct.items():
        row = row_of(patient)
        row.statuses.extend(s for s in sorted(props) if s not in row.statuses)
    for row in found.values():
        row.statuses.sort()
        row.terms.sort(key=lambda t: (t[0].text.casefold(), t[1]))
    return sorted(found.values(), key=lambda r: (r.source, case_key(r.case), r.patient.text))


def _status_counts(patients: list[ClassPatient]) -> list[dict[str, Any]]:
    """Per status, the number of distinct patients and the number per source."""
    by_status: dict[str, Counter[str]] = defaultdict(Counter)
    for row in patients:
        for status in row.statuses:
            by_status[status][row.source] += 1
    return [
        {"status": s, "patients": sum(n.values()), "by_source": sorted(n.items())}
        for s, n in sorted(by_status.items(), key=lambda i: (-sum(i[1].values()), i[0]))
    ]


def _cohort_records(view: GraphView, uses: _Uses) -> list[RecordView]:
    records = []
    for record, roles in uses.cohort.items():
        shown = view.record(record)
        shown.role = ", ".join(sorted(roles))
        records.append(shown)
    return sorted(records, key=lambda v: (v.kind, v.sort_key))


def usage(view: GraphView, iri: URIRef) -> dict[str, Any]:
    """The data that uses a term: its patients, its cohort-level records, its members.

    For a class, records about it or any of its subclasses count. ``patients`` lists each
    patient once (the first :data:`PATIENT_LIMIT` of ``patients_total``), with the statuses of their records (present, positive, ...; a record
    without a status, such as a cancer diagnosis, by its kind); ``status_counts`` gives,
    per status, the number of distinct patients and the number per source.
    """
    g = view.graph
    targets = view.ontology.descendants(iri) if view.ontology.kinds.get(iri) == "class" else {iri}
    uses = _find_uses(view, targets)
    patients = _patients(view, uses)
    members = {
        s
        for t in targets
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(DATA))
    }
    instances = sorted(
        (view.cell(s) for s in members),
        key=lambda c: (c.text.split(" case ")[0], case_key(c.text.split(" case ")[-1])),
    )
    return {
        "patients": patients[:PATIENT_LIMIT],
        "patients_total": len(patients),
        # name the term of each record only where it is not always the page's own term
        "show_terms": any(t.href != view.href(iri) for p in patients for t, _ in p.terms),
        "status_counts": _status_counts(patients),
        "cohort_records": _cohort_records(view, uses),
        "instances": instances,
    }
