"""Numbers a paper prints outside its patient rows: totals rows, text figures, literature claims.

* ``totals``: one item per number printed in a table's totals row; its ``verbatim`` must
  occur in that cell, so the reading can be checked against the table.
* ``statements``: figures the text gives about the paper's own patients.
* ``frequencies``: n/N figures the text gives (kept beside the tables, never merged).
* ``claims``: figures the paper takes from the literature, with the reference it cites.
"""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.cells import (
    ANTIBODY_STATUS,
    FINDING_STATUS,
    SEX,
    VITAL_STATUS,
    parse_decimal,
    parse_int,
    parse_month,
    parse_p_value,
    word,
)
from kg.loaders.cohort_tables import frequency
from kg.loaders.context import SourceContext
from kg.loaders.writer import Where
from kg.namespaces import DMKG
from kg.terms import normalise

__all__ = ["load_claims", "load_frequencies", "load_statements", "load_totals"]

_COUNTED = {**FINDING_STATUS, **ANTIBODY_STATUS, **SEX, **VITAL_STATUS}


def _items(ctx: SourceContext, key: str) -> list[tuple[int, dict[str, Any]]]:
    items = ctx.meta.get(key) or []
    if not isinstance(items, list):
        raise ctx.where_yaml(key).error(f"'{key}' is not a list")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ctx.where_yaml(f"{key}[{number}]").error("item is not a mapping")
    return list(enumerate(items, start=1))


def _yaml_where(ctx: SourceContext, key: str, number: int, item: dict[str, Any]) -> Where:
    return Where(
        ctx.shown("source.yaml"),
        None,
        None,
        None,
        f"{key}[{number}]",
        section=item.get("section") or "text",
        verbatim=str(item.get("verbatim", "")),
    )


def load_totals(ctx: SourceContext) -> None:
    """Printed totals: counts become PrintedTotal, summaries ReportedStatistic."""
    for number, item in _items(ctx, "totals"):
        try:
            _total(ctx, number, item)
        except CurationError as exc:
            ctx.writer.errors.append(exc)


def _total(ctx: SourceContext, number: int, item: dict[str, Any]) -> None:
    yw = _yaml_where(ctx, "totals", number, item)
    table = item.get("table")
    if table in ctx.failed_tables:
        return  # the table's own error is already reported
    if table not in ctx.totals_rows:
        raise yw.error(
            "no totals row read for this table",
            str(table),
            "a patient table with 'totals_row' declared",
        )
    file, row = ctx.totals_rows[table]
    column = str(item.get("column"))
    if column not in row.cells:
        raise yw.error("unknown column of the totals row", column)
    cell = row.cells[column]
    verbatim = str(item.get("verbatim", ""))
    if not verbatim or normalise(verbatim) not in normalise(cell):
        raise yw.error(
            "verbatim text not found in the totals cell", verbatim, f"a part of {cell!r}"
        )
    where = Where(
        file, row.line, table, row.cells.get(next(iter(row.cells))), column, verbatim=cell
    )
    w = ctx.writer
    cohort = _table_cohort(ctx, table, yw)
    if "count" in item:
        node = w.record(DMKG.PrintedTotal, where, number, verbatim=verbatim)
        w.add(node, DMKG.cohort, cohort)
        if item.get("feature"):
            w.add(node, DMKG.feature, ctx.term(item["feature"], None, yw))
        if item.get("status"):
            w.add(node, DMKG.countsStatus, word(item["status"], _COUNTED, yw, "status"))
        w.literal(node, DMKG.count, parse_int(item["count"], yw, "count", 0))
        if "out_of" in item:
            w.literal(node, DMKG.outOf, parse_int(item["out_of"], yw, "out_of", 1))
        w.literal(node, DMKG.statisticLabel, item.get("label"))
    elif "statistic" in item:
        node = w.record(DMKG.ReportedStatistic, where, number, verbatim=verbatim)
        _statistic_body(ctx, node, {**item, "measure": item["statistic"]}, yw)
        w.add(node, DMKG.cohort, cohort)
    else:
        raise yw.error("totals item without 'count' or 'statistic'")


def _table_cohort(ctx: SourceContext, table: str, where: Where) -> URIRef:
    for spec in ctx.meta.get("patient_tables") or []:
        if spec.get("table") == table:
            return ctx.cohort(spec.get("cohort"), where)
    raise where.error("no patient table with this name", table)


def _statistic_body(ctx: SourceContext, node: URIRef, item: dict[str, Any], yw: Where) -> None:
    w = ctx.writer
    w.add(node, DMKG.statedIn, w.publication)
    w.add(node, DMKG.measure, ctx.term(item.get("measure", ""), DMKG.StatisticalMeasure, yw))
    w.literal(node, DMKG.statisticLabel, item.get("label"))
    if "value" in item:
        w.literal(node, DMKG.value, parse_decimal(item["value"], yw, "value"))
    elif "range" not in item:
        raise yw.error("statistic without 'value' or 'range'")
    for key, low_p, high_p in (
        ("range", DMKG.rangeLow, DMKG.rangeHigh),
        ("ci", DMKG.ciLow, DMKG.ciHigh),
    ):
        if key in item:
            pair = item[key]
            if not isinstance(pair, list) or len(pair) != 2:
                raise yw.error(f"'{key}' must be a list of two numbers", str(pair), "[low, high]")
            w.literal(node, low_p, parse_decimal(pair[0], yw, f"{key} low"))
            w.literal(node, high_p, parse_decimal(pair[1], yw, f"{key} high"))
            if key == "ci":
                w.literal(
                    node, DMKG.ciLevel, parse_decimal(item.get("ci_level", "0.95"), yw, "ci_level")
                )
    if "period" in item:  # a stated period: its first and last month, as printed
        pair = item["period"]
        if not isinstance(pair, list) or len(pair) != 2:
            raise yw.error("'period' must be a list of two months", str(pair), "[YYYY-MM, YYYY-MM]")
        w.literal(node, DMKG.periodStart, parse_month(pair[0], yw))
        w.literal(node, DMKG.periodEnd, parse_month(pair[1], yw))
    w.literal(node, DMKG.spreadKind, item.get("spread"))
    w.literal(node, DMKG.unit, item.get("unit"))
    w.literal(node, DMKG.population, item.get("population"))
    w.literal(node, DMKG.citedReference, item.get("cited"))
    if item.get("about"):
        w.add(node, DMKG.about, ctx.term(item["about"], None, yw))
    if item.get("outcome"):
        w.add(node, DMKG.outcomeOfInterest, ctx.term(item["outcome"], None, yw))
    if item.get("cohort"):
        w.add(node, DMKG.cohort, ctx.cohort(item["cohort"], yw))
    if item.get("p"):
        comparator, value = parse_p_value(str(item["p"]), yw)
        w.literal(node, DMKG.printedPValue, str(item["p"]))
        w.literal(node, DMKG.pValue, value)
        w.literal(node, DMKG.pValueComparator, comparator)


def _load_statistics(ctx: SourceContext, key: str) -> None:
    for number, item in _items(ctx, key):
        where = _yaml_where(ctx, key, number, item)
        try:
            cls = DMKG.RiskEstimate if item.get("risk") else DMKG.ReportedStatistic
            node = ctx.writer.record(cls, where, key, number)
            _statistic_body(ctx, node, item, where)
        except CurationError as exc:
            ctx.writer.errors.append(exc)


def load_statements(ctx: SourceContext) -> None:
    """Figures the text states about the paper's own patients."""
    _load_statistics(ctx, "statements")


def load_claims(ctx: SourceContext) -> None:
    """Figures taken from the literature; ``risk: true`` makes a risk estimate."""
    _load_statistics(ctx, "claims")


def load_frequencies(ctx: SourceContext) -> None:
    """n/N figures stated in the text."""
    for number, item in _items(ctx, "frequencies"):
        yw = where = _yaml_where(ctx, "frequencies", number, item)
        try:
            feature = ctx.term(item.get("feature", ""), None, yw)
            cohort = ctx.cohort(item.get("cohort"), yw)
            n = parse_int(item.get("n"), yw, "n", 0)
            total = parse_int(item.get("N"), yw, "N", 1)
            percent = parse_decimal(item["percent"], yw, "percent") if "percent" in item else None
            frequency(ctx, feature, cohort, where, n, total, percent, item.get("note"))
        except CurationError as exc:
            ctx.writer.errors.append(exc)
