"""Load a comparison table: one row per feature, n/N (%) per cohort, and a printed p-value.

Each group cell becomes a cohort-level frequency; each row with a printed p-value becomes
a group comparison linking the two frequencies. A dash means the paper gives nothing for
that cohort, and no record is made.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.cells import parse_fraction, parse_mean_range, parse_p_value
from kg.loaders.context import SourceContext
from kg.loaders.writer import Where
from kg.namespaces import DMKG
from kg.sources.curated import TableRow, read_table

__all__ = ["EMPTY_CELLS", "load_comparison_table"]

#: cells that mean "nothing printed for this cohort"
EMPTY_CELLS = {"", "—", "-", "–"}


def load_comparison_table(ctx: SourceContext, spec: dict[str, Any]) -> None:
    """Read one comparison table declared in source.yaml and add its records."""
    where0 = ctx.where_yaml("comparison_tables")
    for key in ("table", "file", "feature_column", "groups", "p_column"):
        if not spec.get(key):
            raise where0.error(f"comparison table without '{key}'")
    table = read_table(ctx.table_path(spec["file"], where0), ctx.shown(str(spec["file"])))
    groups = [(g["column"], ctx.cohort(g["cohort"], where0)) for g in spec["groups"]]
    if len(groups) != 2:
        raise where0.error("a comparison table needs exactly two groups", str(len(groups)))
    wanted = [spec["feature_column"], *(c for c, _ in groups), spec["p_column"]]
    for name in wanted:
        if name not in table.header:
            raise CurationError("declared column missing from the table", table.file, 1, name)
    for name in table.header:
        if name not in wanted:
            raise CurationError("column not declared in source.yaml", table.file, 1, name)
    test = ctx.term(spec["test"], DMKG.StatisticalTest, where0) if spec.get("test") else None
    headings = set(spec.get("headings", []))
    features: dict[str, Any] = spec.get("features") or {}
    for row in table.rows:
        label = row.cells[spec["feature_column"]]
        if label in headings:
            continue
        feature_spec = features.get(label, {"term": label})
        cells = [(column, cohort, row.cells[column]) for column, cohort in groups]

        def where(column: str, row: TableRow = row, label: str = label) -> Where:
            return Where(
                table.file, row.line, spec["table"], label, column, verbatim=row.cells[column]
            )

        try:
            if "statistic" in feature_spec:
                parts = [
                    _summary(ctx, feature_spec, label, cohort, where(column))
                    for column, cohort, cell in cells
                    if cell not in EMPTY_CELLS
                ]
                feature = ctx.term(feature_spec["about"], None, where(spec["feature_column"]))
            else:
                feature = ctx.term(
                    feature_spec.get("term", label), None, where(spec["feature_column"])
                )
                parts = [
                    _frequency(ctx, feature, cohort, where(column), feature_spec.get("note"))
                    for column, cohort, cell in cells
                    if cell not in EMPTY_CELLS
                ]
            p_cell = row.cells[spec["p_column"]]
            if p_cell not in EMPTY_CELLS:
                if len(parts) != 2:
                    raise where(spec["p_column"]).error(
                        "p-value printed but a group has no value", p_cell
                    )
                _comparison(ctx, feature, parts, test, where(spec["p_column"]))
        except CurationError as exc:
            ctx.writer.errors.append(exc)


def status_counted(ctx: SourceContext, feature: URIRef) -> URIRef:
    """What a count of a feature counts: positive antibodies, present findings."""
    if ctx.writer.terms.is_under(feature, DMKG.Autoantibody):
        return DMKG.Positive
    return DMKG.Present


def frequency(
    ctx: SourceContext,
    feature: URIRef,
    cohort: URIRef,
    where: Where,
    n: int,
    total: int,
    percent: object,
    note: str | None = None,
) -> URIRef:
    """A cohort-level frequency record."""
    w = ctx.writer
    node = w.record(DMKG.CohortFrequency, where, str(feature), str(cohort), note=note)
    w.add(node, DMKG.cohort, cohort)
    w.add(node, DMKG.feature, feature)
    w.add(node, DMKG.countsStatus, status_counted(ctx, feature))
    w.literal(node, DMKG.numerator, n)
    w.literal(node, DMKG.denominator, total)
    w.literal(node, DMKG.printedPercent, percent)
    return node


def _frequency(
    ctx: SourceContext, feature: URIRef, cohort: URIRef, where: Where, note: str | None
) -> URIRef:
    n, total, percent = parse_fraction(where.verbatim or "", where)
    return frequency(ctx, feature, cohort, where, n, total, percent, note)


def _summary(
    ctx: SourceContext, spec: dict[str, Any], label: str, cohort: URIRef, where: Where
) -> URIRef:
    value, low, high = parse_mean_range(where.verbatim or "", where)
    w = ctx.writer
    node = w.record(DMKG.ReportedStatistic, where, str(cohort))
    w.add(node, DMKG.statedIn, w.publication)
    w.add(node, DMKG.measure, ctx.term(spec["statistic"], DMKG.StatisticalMeasure, where))
    w.add(node, DMKG.cohort, cohort)
    w.add(node, DMKG.about, ctx.term(spec["about"], None, where))
    w.literal(node, DMKG.statisticLabel, label)
    w.literal(node, DMKG.value, value)
    w.literal(node, DMKG.rangeLow, low)
    w.literal(node, DMKG.rangeHigh, high)
    w.literal(node, DMKG.spreadKind, spec.get("spread"))
    w.literal(node, DMKG.unit, spec.get("unit"))
    return node


def _comparison(
    ctx: SourceContext, feature: URIRef, parts: list[URIRef], test: URIRef | None, where: Where
) -> URIRef:
    comparator, value = parse_p_value(where.verbatim or "", where)
    w = ctx.writer
    node = w.record(DMKG.GroupComparison, where, str(feature))
    w.add(node, DMKG.feature, feature)
    w.add(node, DMKG.firstGroup, parts[0])
    w.add(node, DMKG.secondGroup, parts[1])
    w.add(node, DMKG.statisticalTest, test)
    w.literal(node, DMKG.printedPValue, where.verbatim)
    w.literal(node, DMKG.pValue, value)
    w.literal(node, DMKG.pValueComparator, comparator)
    return node
