"""Patients in the Python API: the patient list, finding a patient, and one patient's record.

Every function reads an rdflib graph (a store's view: :attr:`kg.store.Store.rdf`), so it works
on every kind of store.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kg.analyse.frames import records_frame
from kg.api.records import PatientRecord, patient_tables
from kg.api.values import case_order, curie_of, float_of, label_of, normalise, value_of
from kg.errors import NotFoundError
from kg.namespaces import DATA, DMKG
from kg.reason.vocabulary import DMKGC

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["find_patient", "patient_iris", "patient_record", "patients_frame", "source_doi"]

_PATIENT_COLUMNS = (
    "id",
    "patient",
    "source",
    "case",
    "age",
    "sex",
    "cancers",
    "cancer_sites",
    "antibodies",
    "msa_positive",
    "outcome",
    "followup_months",
    "eular_acr_2017",
)


def source_doi(graph: Graph, patient: Node) -> str | None:
    """The DOI of the publication describing ``patient``."""
    publication = graph.value(patient, DMKG.describedIn)
    doi = graph.value(publication, DMKG.doi) if publication is not None else None
    return str(doi) if doi is not None else None


def patient_iris(graph: Graph) -> list[URIRef]:
    """Every patient, ordered by source DOI and case number."""
    found = [p for p in set(graph.subjects(RDF.type, DMKG.Patient)) if isinstance(p, URIRef)]
    return sorted(
        found,
        key=lambda p: (
            source_doi(graph, p) or "",
            case_order(value_of(graph, p, DMKG.caseLabel)),
            str(p),
        ),
    )


def _joined_labels(
    graph: Graph,
    records: set[Node],
    kind: URIRef,
    prop: URIRef,
    status: tuple[URIRef, URIRef] | None = None,
) -> str | None:
    found = {
        label_of(graph, graph.value(r, prop)) or ""
        for r in records
        if (r, RDF.type, kind) in graph
        and graph.value(r, prop) is not None
        and (status is None or (r, status[0], status[1]) in graph)
    }
    return "; ".join(sorted(found, key=str.casefold)) if found else None


def _classification(graph: Graph, patient: URIRef) -> str | None:
    """The EULAR/ACR 2017 category (with biopsy where there was one): one category where the
    records decide it, else "lowest to highest"; research cohorts, not diagnosis."""
    for record in graph.subjects(DMKGC.classifiedPatient, patient):
        criteria = graph.value(graph.value(record, DMKGC.byCriteria), DMKGC.criteriaId)
        if str(criteria) != "eular-acr-2017":
            continue
        biopsy = graph.value(record, DMKGC.biopsyCategoryLow) is not None
        low = graph.value(record, DMKGC.biopsyCategoryLow if biopsy else DMKGC.categoryLow)
        high = graph.value(record, DMKGC.biopsyCategoryHigh if biopsy else DMKGC.categoryHigh)
        low_label, high_label = label_of(graph, low), label_of(graph, high)
        return low_label if low == high else f"{low_label} to {high_label}"
    return None


def _patient_row(graph: Graph, patient: URIRef) -> dict[str, Any]:
    records = set(graph.subjects(DMKG.ofPatient, patient))
    outcome = next((r for r in records if (r, RDF.type, DMKG.Outcome) in graph), None)
    return {
        "id": curie_of(patient),
        "patient": label_of(graph, patient),
        "source": source_doi(graph, patient),
        "case": value_of(graph, patient, DMKG.caseLabel),
        "age": value_of(graph, patient, DMKG.ageAtDiagnosis),
        "sex": label_of(graph, graph.value(patient, DMKG.sex)),
        "cancers": _joined_labels(graph, records, DMKG.CancerDiagnosis, DMKG.malignancy),
        "cancer_sites": _joined_labels(graph, records, DMKG.CancerDiagnosis, DMKG.cancerSite),
        "antibodies": _joined_labels(
            graph,
            records,
            DMKG.AntibodyTestResult,
            DMKG.antibody,
            (DMKG.antibodyStatus, DMKG.Positive),
        ),
        "msa_positive": (patient, RDF.type, DMKG.MSAPositivePatient) in graph,
        "outcome": label_of(graph, graph.value(outcome, DMKG.vitalStatus))
        if outcome is not None
        else None,
        "followup_months": float_of(graph.value(outcome, DMKG.monthsSinceDiagnosis))
        if outcome is not None
        else None,
        "eular_acr_2017": _classification(graph, patient),
    }


def patients_frame(graph: Graph) -> pd.DataFrame:
    """One row per patient (see :meth:`kg.api.KnowledgeGraph.patients`)."""
    rows = [_patient_row(graph, patient) for patient in patient_iris(graph)]
    return records_frame(rows, _PATIENT_COLUMNS)


def find_patient(graph: Graph, patient: Any) -> URIRef:
    """A patient by IRI, CURIE (``patient:P...``) or label ("requena2024 case 5")."""
    text = str(patient).strip()
    patients = patient_iris(graph)
    if text.startswith(("http://", "https://")):
        candidates = [p for p in patients if str(p) == text]
    elif text.startswith("patient:"):
        candidates = [p for p in patients if str(p) == f"{DATA}patient/{text[8:]}"]
    else:
        wanted = normalise(text)
        candidates = [p for p in patients if normalise(label_of(graph, p) or "") == wanted]
    if len(candidates) == 1:
        return candidates[0]
    names = [label_of(graph, p) or "" for p in patients]
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise NotFoundError(
        f"no patient {text!r} (expected a patient IRI, a CURIE such as "
        f"'patient:P...', or a source case such as 'requena2024 case 5')"
        f"{hint}"
    )


def patient_record(graph: Graph, patient: Any) -> PatientRecord:
    """One patient's records (see :meth:`kg.api.KnowledgeGraph.patient`)."""
    iri = find_patient(graph, patient)
    return PatientRecord(
        id=curie_of(iri),
        iri=str(iri),
        label=label_of(graph, iri) or curie_of(iri),
        source=source_doi(graph, iri),
        case=value_of(graph, iri, DMKG.caseLabel),
        age=value_of(graph, iri, DMKG.ageAtDiagnosis),
        sex=label_of(graph, graph.value(iri, DMKG.sex)),
        **patient_tables(graph, iri),
    )
