"""The cells of a patient table, read by their column's kind (see
:mod:`kg.loaders.patient_tables`): a code looked up in its codebook, an age, a sex, a cancer
and its interval, a lab value, antibody results, an outcome."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.cells import (
    ANTIBODY_STATUS,
    INTERPRETATION,
    RELATION,
    SEX,
    VITAL_STATUS,
    parse_decimal,
    parse_int,
    parse_interval,
    parse_outcome,
    word,
)
from kg.loaders.context import SourceContext
from kg.loaders.writer import Where
from kg.namespaces import DMKG
from kg.sources.curated import TableRow
from kg.terms import normalise

__all__ = ["AntibodyRows", "CodeReading", "read_code"]


class CodeReading(dict[str, Any]):
    """What one code of a codebook means: status, grade, severity, interpretation, note."""


def read_code(cell: str, codes: dict[str, Any], where: Where) -> CodeReading:
    """Look a cell up in a codebook; an unknown code lists the known ones."""
    if cell not in codes:
        known = ", ".join(repr(c) for c in codes)
        raise where.error("unknown code", cell, f"one of {known} (see the column's codebook)")
    meaning = codes[cell]
    if isinstance(meaning, str):
        return CodeReading(status=meaning)
    if isinstance(meaning, dict):
        return CodeReading(meaning)
    raise where.error("codebook entry is neither a word nor a mapping", str(meaning))


#: per antibodies column, the rows of its reading file by case: (file shown, row)
AntibodyRows = dict[str, dict[str, list[tuple[str, TableRow]]]]


def _load_cell(
    ctx: SourceContext,
    patient: URIRef,
    row: TableRow,
    name: str,
    column: dict[str, Any],
    where: Where,
    cancer: list[URIRef],
    antibodies: AntibodyRows,
) -> None:
    cell = row.cells[name]
    w = ctx.writer
    kind = column["kind"]
    if kind == "age":
        w.literal(patient, DMKG.ageAtDiagnosis, parse_int(cell, where, "age", 0, 120))
        w.derive(patient, where)
    elif kind == "sex":
        codes = _codes(ctx, column, where)
        w.add(patient, DMKG.sex, word(codes.get(cell, cell), SEX, where, "sex code"))
        w.derive(patient, where)
    elif kind == "cancer":
        _cancer(ctx, patient, cell, column, where, cancer)
    elif kind == "cancer-interval":
        _interval(ctx, cell, where, cancer)
    elif kind == "finding":
        term = ctx.term(column.get("term", name), DMKG.ClinicalFinding, where)
        reading = read_code(cell, ctx.codebook(column.get("codes"), where), where)
        ctx.finding(patient, term, reading, where)
    elif kind == "lab":
        _lab(ctx, patient, cell, column, where)
    elif kind == "antibody":
        _antibody(ctx, patient, cell, column, name, where)
    elif kind == "antibodies":
        _antibodies(ctx, patient, cell, where, antibodies[name].get(str(where.row), []))
    elif kind == "outcome":
        code, months = parse_outcome(cell, where)
        codes = _codes(ctx, column, where)
        if codes and code not in codes:
            raise where.error(
                "unknown outcome code",
                cell,
                "one of "
                + ", ".join(f"{k} ({v})" for k, v in codes.items())
                + ", optionally followed by (months)",
            )
        node = w.record(DMKG.Outcome, where, patient=patient)
        w.add(
            node, DMKG.vitalStatus, word(codes.get(code, code), VITAL_STATUS, where, "outcome code")
        )
        w.literal(node, DMKG.monthsSinceDiagnosis, months)


def _codes(ctx: SourceContext, column: dict[str, Any], where: Where) -> dict[str, Any]:
    """A column's optional codes: none, an inline mapping, or a codebook name."""
    codes = column.get("codes")
    return {} if codes is None else ctx.codebook(codes, where)


#: what a code of a cancer column may say: a cancer found is named by its malignancy term
_CANCER_CODE_STATUSES = ("absent", "unknown", "not reported", "equivocal")


def _check_cancer_codes(ctx: SourceContext, codes: object, where: Where) -> None:
    for code, meaning in ctx.codebook(codes, where).items():
        reading = read_code(code, {code: meaning}, where)
        if reading.get("status") not in _CANCER_CODE_STATUSES or "grade" in reading:
            raise where.error(
                "unusable code in a cancer column",
                f"{code}: {meaning}",
                "a status of " + ", ".join(_CANCER_CODE_STATUSES) + " without "
                "grade (a cancer that was found is named by its malignancy term)",
            )


def _cancer(
    ctx: SourceContext,
    patient: URIRef,
    cell: str,
    column: dict[str, Any],
    where: Where,
    cancer: list[URIRef],
) -> None:
    """A malignancy term, or (with ``codes``) a code for a row without a named cancer.

    A column with ``codes`` (a registry, where most patients have no cancer) says for every
    patient whether a cancer was found: a finding observation on the class malignancy
    itself, present beside each cancer diagnosis, else the code's status (absent: looked
    for, none found; unknown; not reported). Without codes (a series of cancer patients)
    every cell names a malignancy, and no such observation is written.
    """
    codes = _codes(ctx, column, where)
    if cell in codes:
        ctx.finding(patient, DMKG.Malignancy, read_code(cell, codes, where), where)
        return
    try:
        malignancy = ctx.term(cell, DMKG.Malignancy, where)
    except CurationError as exc:
        if not codes:
            raise
        raise replace(
            exc,
            expected=f"{exc.expected}, or one of the column's codes: "
            + ", ".join(map(repr, codes)),
        ) from None
    node = ctx.writer.record(DMKG.CancerDiagnosis, where, patient=patient)
    ctx.classify_malignancy(node, malignancy)
    ctx.categorise_cancer(node, malignancy, where)
    cancer.append(node)
    if codes:
        ctx.finding(patient, DMKG.Malignancy, CodeReading(status="present"), where)


def _interval(ctx: SourceContext, cell: str, where: Where, cancer: list[URIRef]) -> None:
    if not cancer:
        if not cell.strip():  # a row whose cancer cell is a code (no cancer named)
            return
        raise where.error(
            "DM-to-cancer interval in a row without a cancer",
            cell,
            "an empty cell, or a malignancy in the row's cancer column",
        )
    months, relation = parse_interval(cell, where)
    node = cancer[-1]
    ctx.writer.literal(node, DMKG.intervalMonths, months)
    # The series records the interval to the cancer diagnosis unless a relapse is named, so an
    # unlabelled interval is the one to the first diagnosis of the cancer: not "at onset",
    # which only a printed "(onset)" states. The printed cell stays as the verbatim.
    ctx.writer.add(node, DMKG.temporalRelation, RELATION[relation or "first diagnosis"])
    ctx.writer.derive(node, where)


def _lab(
    ctx: SourceContext, patient: URIRef, cell: str, column: dict[str, Any], where: Where
) -> None:
    w = ctx.writer
    analyte = ctx.term(column["analyte"], DMKG.LabAnalyte, where)
    finding = (
        ctx.term(column["finding"], DMKG.ClinicalFinding, where) if "finding" in column else None
    )
    low, high = _reference(column.get("reference"), where)
    try:
        value: Decimal | None = parse_decimal(cell, where, "value")
    except CurationError:
        value = None
    if value is not None:
        interpretation: str | None = _interpret(value, low, high)
        reading = CodeReading(
            status="present" if interpretation == "above normal range" else "absent"
        )
    else:
        reading = read_code(cell, ctx.codebook(column.get("codes"), where), where)
        interpretation = reading.get("interpretation")
        if interpretation and "status" not in reading:
            reading["status"] = "present" if interpretation == "above normal range" else "absent"
    if value is not None or interpretation:
        node = w.record(DMKG.LabMeasurement, where, patient=patient, note=reading.get("note"))
        w.add(node, DMKG.analyte, analyte)
        w.literal(node, DMKG.value, value)
        w.literal(node, DMKG.unit, column.get("unit") if value is not None else None)
        w.literal(node, DMKG.referenceLow, low)
        w.literal(node, DMKG.referenceHigh, high)
        if interpretation:
            w.add(
                node,
                DMKG.interpretation,
                word(interpretation, INTERPRETATION, where, "interpretation"),
            )
    if finding is not None:
        ctx.finding(patient, finding, reading, where, key="lab")


def _reference(pair: object, where: Where) -> tuple[Decimal | None, Decimal | None]:
    """A column's reference range ``[low, high]`` (optional)."""
    if pair is None:
        return None, None
    if not isinstance(pair, list) or len(pair) != 2:
        raise where.error("reference range is not [low, high]", str(pair), "e.g. [30, 175]")
    return (
        parse_decimal(pair[0], where, "reference low"),
        parse_decimal(pair[1], where, "reference high"),
    )


def _interpret(value: Decimal, low: Decimal | None, high: Decimal | None) -> str:
    if high is not None and value > high:
        return "above normal range"
    if low is not None and value < low:
        return "below normal range"
    return "within normal range"


def _antibody(
    ctx: SourceContext, patient: URIRef, cell: str, column: dict[str, Any], name: str, where: Where
) -> None:
    """One antibody per column: the cell is a code of the column's codebook."""
    antibody = ctx.term(column.get("term", name), DMKG.Autoantibody, where)
    reading = read_code(cell, ctx.codebook(column.get("codes"), where), where)
    status = word(reading.get("status", ""), ANTIBODY_STATUS, where, "antibody result")
    ctx.antibody(
        patient,
        antibody,
        status,
        where,
        fragment=cell,
        titer=str(reading.get("titer") or ""),
        note=str(reading.get("note") or ""),
    )


def _antibodies(
    ctx: SourceContext,
    patient: URIRef,
    cell: str,
    where: Where,
    readings: list[tuple[str, TableRow]],
) -> None:
    """Each reading of the free-text cell becomes one test result, located at the cell."""
    if not readings:
        if cell:
            raise where.error(
                "antibody cell has no reading in the antibody file",
                cell,
                "one line per antibody named in the cell",
            )
        return
    cell_norm = normalise(cell)
    for file, reading in readings:
        r = reading.cells
        rwhere = Where(
            file, reading.line, where.table, where.row, where.column, verbatim=where.verbatim
        )
        try:
            fragment = r["fragment"]
            if not normalise(fragment):  # an empty fragment occurs in every cell
                raise CurationError(
                    "empty fragment",
                    file,
                    reading.line,
                    "fragment",
                    fragment,
                    f"the words of {cell!r} this reading comes from",
                )
            if normalise(fragment) not in cell_norm:
                raise CurationError(
                    "fragment not found in the table cell",
                    file,
                    reading.line,
                    "fragment",
                    fragment,
                    f"a part of {cell!r}",
                )
            antibody = ctx.term(
                r["antibody"], DMKG.Autoantibody, Where(file, reading.line, column="antibody")
            )
            status = word(
                r["result"],
                ANTIBODY_STATUS,
                Where(file, reading.line, column="result"),
                "antibody result",
            )
            ctx.antibody(
                patient,
                antibody,
                status,
                rwhere,
                fragment=fragment,
                titer=r.get("titer", ""),
                pattern=r.get("pattern", ""),
                strength=r.get("strength", ""),
                note=r.get("note", ""),
            )
        except CurationError as exc:
            ctx.writer.errors.append(exc)
