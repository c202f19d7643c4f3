"""Load patients described item by item in YAML (the form for case reports).

Each patient lists ``findings``, ``antibodies``, ``labs``, ``cancers`` (with ``markers``),
``treatments`` and an ``outcome``. Every item carries the ``verbatim`` phrase it was read
from and a ``section`` (defaulting to the patient's).
"""

from __future__ import annotations

import difflib
from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.cells import (
    ANTIBODY_STATUS,
    INTERPRETATION,
    MARKER_STATUS,
    RELATION,
    SEX,
    VITAL_STATUS,
    parse_decimal,
    parse_int,
    parse_month,
    word,
)
from kg.loaders.context import SourceContext
from kg.loaders.writer import Where
from kg.namespaces import DMKG
from kg.sources.privacy import identifier_kind

__all__ = ["PATIENT_KEYS", "load_patient_records"]


def load_patient_records(ctx: SourceContext) -> None:
    """Every patient under ``patients:`` in source.yaml."""
    patients = ctx.meta.get("patients") or []
    for number, spec in enumerate(patients, start=1):
        key = f"patients[{number}]"
        try:
            _patient(ctx, key, spec)
        except CurationError as exc:
            ctx.writer.errors.append(exc)


def _where(ctx: SourceContext, key: str, item: dict[str, Any], section: str) -> Where:
    return Where(
        ctx.shown("source.yaml"),
        None,
        column=key,
        section=str(item.get("section") or section),
        verbatim=str(item.get("verbatim", "")),
    )


PATIENT_KEYS = (
    "case",
    "cohort",
    "section",
    "age",
    "sex",
    "findings",
    "antibodies",
    "labs",
    "cancers",
    "treatments",
    "outcome",
)


def _patient(ctx: SourceContext, key: str, spec: dict[str, Any]) -> None:
    if not isinstance(spec, dict) or "case" not in spec or "cohort" not in spec:
        raise ctx.where_yaml(key).error("patient without 'case' and 'cohort'")
    for name in spec:
        kind = identifier_kind(str(name))
        if kind:
            raise ctx.where_yaml(f"{key}.{name}").error(
                f"key looks like it carries {kind}, a direct identifier",
                None,
                "de-identified data only: remove it",
            )
        if name not in PATIENT_KEYS:
            raise ctx.where_yaml(f"{key}.{name}").error(
                "unknown patient key",
                str(name),
                "one of " + ", ".join(PATIENT_KEYS),
                tuple(difflib.get_close_matches(str(name), PATIENT_KEYS, 1)),
            )
    section = str(spec.get("section") or "case description")
    w = ctx.writer
    base = _where(ctx, key, spec, section)
    patient = w.patient(str(spec["case"]), ctx.cohort(spec["cohort"], base), base)
    if "age" in spec:
        where = _where(ctx, f"{key}.age", spec["age"], section)
        w.literal(
            patient, DMKG.ageAtDiagnosis, parse_int(spec["age"].get("value"), where, "age", 0, 120)
        )
        w.derive(patient, where)
    if "sex" in spec:
        where = _where(ctx, f"{key}.sex", spec["sex"], section)
        w.add(patient, DMKG.sex, word(spec["sex"].get("value"), SEX, where, "sex"))
        w.derive(patient, where)
    handlers = (
        ("findings", _finding),
        ("antibodies", _antibody),
        ("labs", _lab),
        ("cancers", _cancer),
        ("treatments", _treatment),
    )
    for group, handler in handlers:
        for number, item in enumerate(spec.get(group) or [], start=1):
            where = _where(ctx, f"{key}.{group}[{number}]", item, section)
            w.attempt(handler, ctx, patient, item, where)
    if spec.get("outcome"):
        where = _where(ctx, f"{key}.outcome", spec["outcome"], section)
        w.attempt(_outcome, ctx, patient, spec["outcome"], where)


def _finding(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    term = ctx.term(item.get("term", ""), DMKG.ClinicalFinding, where)
    node = ctx.finding(patient, term, item, where)
    # how long the finding had lasted at presentation ("a 4-month history of ..."): a time
    # point relative to the presentation, where the source gives no date
    if "history_months" in item:
        ctx.writer.literal(
            node, DMKG.historyMonths, parse_decimal(item["history_months"], where, "history_months")
        )


def _antibody(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    antibody = ctx.term(item.get("antibody", ""), DMKG.Autoantibody, where)
    status = word(item.get("result", ""), ANTIBODY_STATUS, where, "antibody result")
    ctx.antibody(
        patient,
        antibody,
        status,
        where,
        fragment=where.verbatim or "",
        titer=str(item.get("titer", "")),
        pattern=str(item.get("pattern", "")),
        strength=str(item.get("strength", "")),
        note=str(item.get("note", "")),
    )


def _lab(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    w = ctx.writer
    node = w.record(DMKG.LabMeasurement, where, patient=patient, note=item.get("note"))
    w.add(node, DMKG.analyte, ctx.term(item.get("analyte", ""), DMKG.LabAnalyte, where))
    if "value" in item:
        w.literal(node, DMKG.value, parse_decimal(item["value"], where, "value"))
    w.literal(node, DMKG.unit, item.get("unit"))
    w.literal(node, DMKG.timepoint, item.get("timepoint"))
    if item.get("interpretation"):
        w.add(
            node,
            DMKG.interpretation,
            word(item["interpretation"], INTERPRETATION, where, "interpretation"),
        )


def _cancer(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    w = ctx.writer
    node = w.record(DMKG.CancerDiagnosis, where, patient=patient, note=item.get("note"))
    ctx.classify_malignancy(node, ctx.term(item.get("malignancy", ""), DMKG.Malignancy, where))
    if "interval_months" in item:
        w.literal(
            node,
            DMKG.intervalMonths,
            parse_decimal(item["interval_months"], where, "interval_months"),
        )
    if item.get("relation"):
        w.add(node, DMKG.temporalRelation, word(item["relation"], RELATION, where, "relation"))
    w.literal(node, DMKG.tumourStage, item.get("stage"))
    if "grade" in item:
        w.literal(node, DMKG.tumourGrade, parse_int(item["grade"], where, "grade", 1, 4))
    if "size_mm" in item:
        w.literal(node, DMKG.tumourSizeMm, parse_decimal(item["size_mm"], where, "size_mm"))
    w.literal(node, DMKG.laterality, item.get("laterality"))
    for number, marker in enumerate(item.get("markers") or [], start=1):
        mwhere = Where(
            where.file,
            None,
            column=f"{where.column}.markers[{number}]",
            section=str(marker.get("section") or where.section),
            verbatim=str(marker.get("verbatim", "")),
        )
        result = w.record(DMKG.TumourMarkerResult, mwhere)
        w.add(node, DMKG.hasMarkerResult, result)
        w.add(result, DMKG.marker, ctx.term(marker.get("marker", ""), DMKG.TumourMarker, mwhere))
        # a status only where the source calls one (Ki-67 22% is a measured value, no call)
        if "result" in marker:
            w.add(
                result,
                DMKG.markerStatus,
                word(marker.get("result", ""), MARKER_STATUS, mwhere, "marker result"),
            )
        if "percent" in marker:
            w.literal(
                result, DMKG.markerPercent, parse_decimal(marker["percent"], mwhere, "percent")
            )
        w.literal(result, DMKG.markerScore, marker.get("score"))
        w.literal(result, DMKG.method, marker.get("method"))


def _treatment(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    w = ctx.writer
    node = w.record(DMKG.Treatment, where, patient=patient, note=item.get("note"))
    w.add(node, DMKG.intervention, ctx.term(item.get("intervention", ""), DMKG.Intervention, where))
    if item.get("for"):
        w.add(node, DMKG.treatmentFor, ctx.term(item["for"], DMKG.Disease, where))
    w.literal(node, DMKG.dose, item.get("dose"))
    if "dose_value" in item:
        w.literal(node, DMKG.doseValue, parse_decimal(item["dose_value"], where, "dose_value"))
    w.literal(node, DMKG.doseUnit, item.get("dose_unit"))
    w.literal(node, DMKG.route, item.get("route"))
    w.literal(node, DMKG.schedule, item.get("schedule"))
    w.literal(node, DMKG.treatmentPhase, item.get("phase"))
    if item.get("start"):
        w.literal(node, DMKG.startDate, parse_month(item["start"], where))
    if item.get("end"):
        w.literal(node, DMKG.endDate, parse_month(item["end"], where))
    # a phase of a regimen: the regimen's window as the source gives it, and the phase's place
    w.literal(node, DMKG.regimen, item.get("regimen"))
    if item.get("regimen_start"):
        w.literal(node, DMKG.regimenStartDate, parse_month(item["regimen_start"], where))
    if item.get("regimen_end"):
        w.literal(node, DMKG.regimenEndDate, parse_month(item["regimen_end"], where))
    if "phase_order" in item:
        w.literal(
            node, DMKG.phaseOrder, parse_int(item["phase_order"], where, "phase_order", 1, 20)
        )


def _outcome(ctx: SourceContext, patient: URIRef, item: dict[str, Any], where: Where) -> None:
    w = ctx.writer
    node = w.record(DMKG.Outcome, where, patient=patient, note=item.get("note"))
    w.add(node, DMKG.vitalStatus, word(item.get("status", ""), VITAL_STATUS, where, "status"))
    if item.get("months") is not None:
        w.literal(node, DMKG.monthsSinceDiagnosis, parse_decimal(item["months"], where, "months"))
    w.literal(node, DMKG.responseNote, item.get("response"))
