"""One patient's records as tables, each row with its provenance (:class:`PatientRecord`).

Every function reads an rdflib graph (a store's view: :attr:`kg.store.Store.rdf`), so it works
on every kind of store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kg.analyse.frames import records_frame
from kg.api.values import curie_of, float_of, label_of, value_of
from kg.namespaces import DMKG, PROV
from kg.query.render import python_value

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PROVENANCE_COLUMNS", "PatientRecord", "patient_tables"]

#: provenance columns on every row of a :class:`PatientRecord` table
PROVENANCE_COLUMNS = (
    "verbatim",
    "table",
    "row",
    "column",
    "section",
    "curated_file",
    "curated_line",
    "curated_item",
    "location_verbatim",
    "record",
)


@dataclass
class PatientRecord:
    """One patient with every record about them, each row with its provenance.

    Each table has the columns in :data:`PROVENANCE_COLUMNS`: ``verbatim`` (the text the
    value was read from), the source location (``table``, ``row`` and ``column`` for a
    table cell, ``section`` for a phrase of the text), the curated file with its line
    (tables) or item (YAML), ``location_verbatim`` (the whole cell or phrase) and the
    record's CURIE. A record read from two cells (a cancer and its interval) joins their
    values with ``"; "``.
    """

    id: str
    iri: str
    label: str
    source: str | None
    case: str | None
    age: int | None
    sex: str | None
    findings: pd.DataFrame
    tests: pd.DataFrame
    cancers: pd.DataFrame
    treatments: pd.DataFrame
    outcome: pd.DataFrame

    def __str__(self) -> str:
        lines = [f"{self.label} ({self.id}), source {self.source}: age {self.age}, {self.sex}"]
        for name in ("findings", "tests", "cancers", "treatments", "outcome"):
            lines.append(f"  {name}: {len(getattr(self, name))} record(s)")
        return "\n".join(lines)


_FINDING_COLUMNS = ("finding", "finding_id", "status", "grade", "severity", "note")
_TEST_COLUMNS = (
    "kind",
    "test",
    "test_id",
    "result",
    "value",
    "unit",
    "titer",
    "pattern",
    "severity",
    "timepoint",
    "reference_low",
    "reference_high",
    "note",
)
_CANCER_COLUMNS = (
    "malignancy",
    "malignancy_id",
    "site",
    "site_id",
    "histology",
    "interval_months",
    "relation",
    "stage",
    "grade",
    "size_mm",
    "laterality",
    "markers",
    "note",
)
_TREATMENT_COLUMNS = (
    "intervention",
    "intervention_id",
    "treatment_for",
    "phase",
    "dose",
    "route",
    "schedule",
    "start",
    "end",
    "regimen",
    "phase_order",
    "regimen_start",
    "regimen_end",
    "note",
)
_OUTCOME_COLUMNS = ("status", "months", "response", "note")


def _provenance(graph: Graph, record: Node) -> dict[str, Any]:
    # (location, the node with its publication, file and line: a table cell's source row)
    places = [
        (loc, graph.value(loc, DMKG.inRow) or loc)
        for loc in graph.objects(record, PROV.wasDerivedFrom)
    ]
    places.sort(
        key=lambda p: (
            str(graph.value(p[1], DMKG.curatedLine) or ""),
            str(graph.value(p[0], DMKG.column) or ""),
            str(p[0]),
        )
    )

    def joined(prop: URIRef, on_row: bool = False) -> str | None:
        values: list[str] = []
        for loc, row in places:
            value = graph.value(row if on_row else loc, prop)
            if value is not None and str(value) not in values:
                values.append(str(value))
        return "; ".join(values) if values else None

    lines = [
        int(str(v)) for _, row in places if (v := graph.value(row, DMKG.curatedLine)) is not None
    ]
    return {
        "verbatim": python_value(graph.value(record, DMKG.verbatim)),
        "table": joined(DMKG.table, True),
        "row": joined(DMKG.row, True),
        "column": joined(DMKG.column),
        "section": joined(DMKG.section),
        "curated_file": joined(DMKG.curatedFile, True),
        "curated_line": min(lines) if lines else None,
        "curated_item": joined(DMKG.curatedItem),
        "location_verbatim": joined(DMKG.verbatim),
        "record": curie_of(record),
    }


def _term(graph: Graph, subject: Node, prop: URIRef, name: str) -> dict[str, Any]:
    value = graph.value(subject, prop)
    return {
        name: label_of(graph, value),
        f"{name}_id": curie_of(value) if value is not None else None,
    }


def _markers(graph: Graph, diagnosis: Node) -> str | None:
    parts = []
    for result in graph.objects(diagnosis, DMKG.hasMarkerResult):
        status = graph.value(result, DMKG.markerStatus)
        text = f"{label_of(graph, graph.value(result, DMKG.marker))}"
        if status is not None:  # none where the source gives only a value (Ki-67 22%)
            text += f" {label_of(graph, status)}"
        percent = graph.value(result, DMKG.markerPercent)
        score = graph.value(result, DMKG.markerScore)
        if percent is not None:
            text += f" {percent}%"
        if score is not None:
            text += f" ({score})"
        parts.append(text)
    return "; ".join(sorted(parts)) if parts else None


def _finding_row(
    graph: Graph, record: Node, types: set[Node], base: dict[str, Any]
) -> dict[str, Any]:
    return {
        **_term(graph, record, DMKG.finding, "finding"),
        "status": label_of(graph, graph.value(record, DMKG.findingStatus)),
        "grade": value_of(graph, record, DMKG.grade),
        "severity": value_of(graph, record, DMKG.severity),
        **base,
    }


def _test_row(graph: Graph, record: Node, types: set[Node], base: dict[str, Any]) -> dict[str, Any]:
    antibody = DMKG.AntibodyTestResult in types
    test = _term(graph, record, DMKG.antibody if antibody else DMKG.analyte, "test")
    status = graph.value(record, DMKG.antibodyStatus if antibody else DMKG.interpretation)
    return {
        "kind": "antibody" if antibody else "laboratory",
        **test,
        "result": label_of(graph, status),
        "value": float_of(graph.value(record, DMKG.value)),
        "unit": value_of(graph, record, DMKG.unit),
        "titer": value_of(graph, record, DMKG.titer),
        "pattern": value_of(graph, record, DMKG.stainingPattern),
        "severity": value_of(graph, record, DMKG.severity),
        "timepoint": value_of(graph, record, DMKG.timepoint),
        "reference_low": float_of(graph.value(record, DMKG.referenceLow)),
        "reference_high": float_of(graph.value(record, DMKG.referenceHigh)),
        **base,
    }


def _cancer_row(
    graph: Graph, record: Node, types: set[Node], base: dict[str, Any]
) -> dict[str, Any]:
    relation = graph.value(record, DMKG.temporalRelation)
    return {
        **_term(graph, record, DMKG.malignancy, "malignancy"),
        **_term(graph, record, DMKG.cancerSite, "site"),
        "histology": label_of(graph, graph.value(record, DMKG.histology)),
        "interval_months": float_of(graph.value(record, DMKG.intervalMonths)),
        "relation": label_of(graph, relation),
        "stage": value_of(graph, record, DMKG.tumourStage),
        "grade": value_of(graph, record, DMKG.tumourGrade),
        "size_mm": float_of(graph.value(record, DMKG.tumourSizeMm)),
        "laterality": value_of(graph, record, DMKG.laterality),
        "markers": _markers(graph, record),
        **base,
    }


def _treatment_row(
    graph: Graph, record: Node, types: set[Node], base: dict[str, Any]
) -> dict[str, Any]:
    return {
        **_term(graph, record, DMKG.intervention, "intervention"),
        "treatment_for": label_of(graph, graph.value(record, DMKG.treatmentFor)),
        "phase": value_of(graph, record, DMKG.treatmentPhase),
        "dose": value_of(graph, record, DMKG.dose),
        "route": value_of(graph, record, DMKG.route),
        "schedule": value_of(graph, record, DMKG.schedule),
        "start": value_of(graph, record, DMKG.startDate),
        "end": value_of(graph, record, DMKG.endDate),
        # a phase of a regimen: the regimen's window, and the phase's own dates only where
        # the source gives them (start and end above)
        "regimen": value_of(graph, record, DMKG.regimen),
        "phase_order": value_of(graph, record, DMKG.phaseOrder),
        "regimen_start": value_of(graph, record, DMKG.regimenStartDate),
        "regimen_end": value_of(graph, record, DMKG.regimenEndDate),
        **base,
    }


def _outcome_row(
    graph: Graph, record: Node, types: set[Node], base: dict[str, Any]
) -> dict[str, Any]:
    return {
        "status": label_of(graph, graph.value(record, DMKG.vitalStatus)),
        "months": float_of(graph.value(record, DMKG.monthsSinceDiagnosis)),
        "response": value_of(graph, record, DMKG.responseNote),
        **base,
    }


_RowMaker = Callable[[Graph, Node, set[Node], dict[str, Any]], dict[str, Any]]

#: which table a record goes to, by its type, and how its row is made
_TABLES: tuple[tuple[tuple[URIRef, ...], str, _RowMaker], ...] = (
    ((DMKG.FindingObservation,), "findings", _finding_row),
    ((DMKG.AntibodyTestResult, DMKG.LabMeasurement), "tests", _test_row),
    ((DMKG.CancerDiagnosis,), "cancers", _cancer_row),
    ((DMKG.Treatment,), "treatments", _treatment_row),
    ((DMKG.Outcome,), "outcome", _outcome_row),
)


def patient_tables(graph: Graph, patient: URIRef) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for _, name, _ in _TABLES}
    for record in set(graph.subjects(DMKG.ofPatient, patient)):
        types = set(graph.objects(record, RDF.type))
        for kinds, name, make in _TABLES:
            if types.intersection(kinds):
                base = {
                    "note": value_of(graph, record, DMKG.curatorNote),
                    **_provenance(graph, record),
                }
                rows[name].append(make(graph, record, types, base))
                break
    columns = {
        "findings": _FINDING_COLUMNS,
        "tests": _TEST_COLUMNS,
        "cancers": _CANCER_COLUMNS,
        "treatments": _TREATMENT_COLUMNS,
        "outcome": _OUTCOME_COLUMNS,
    }
    frames = {}
    for name, found in rows.items():
        found.sort(
            key=lambda r: (
                r.get("curated_file") or "",
                r.get("curated_line") or 0,
                r.get("curated_item") or "",
                r.get("column") or "",
                r["record"],
            )
        )
        frames[name] = records_frame(found, [*columns[name], *PROVENANCE_COLUMNS])
    return frames
