"""The QA checks, one function per kind of printed number (see :mod:`kg.analyse.qa`)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from rdflib.term import Node

from kg.analyse.cohorts import cohort_comparisons
from kg.analyse.qa.conventions import FISHER, convention_p_values, describe, matching_conventions
from kg.analyse.qa.items import QAItem
from kg.analyse.qa.numbers import (
    as_printed,
    decimals_of,
    fixed_decimals,
    trimmed,
    within_rounding,
)
from kg.analyse.qa.rows import PatientRows, Place
from kg.namespaces import DMKG

__all__ = ["CHECKS"]

#: what a median or mean "about" a class is computed over, and the units it may carry
_QUANTITIES: dict[Node, tuple[str, set[str | None]]] = {
    DMKG.Patient: ("age at diagnosis", {None, "a"}),
    DMKG.Malignancy: ("DM-to-cancer interval", {None, "mo"}),
}


def _printed_totals(data: PatientRows) -> list[QAItem]:
    items = []
    for total in data.records(DMKG.PrintedTotal):
        place = data.place(total)
        cohort = data.value(total, DMKG.cohort)
        feature = data.value(total, DMKG.feature)
        status = data.value(total, DMKG.countsStatus)
        count = data.integer(total, DMKG.count)
        if cohort is None or count is None:
            continue
        derived = data.count(cohort, feature, status, place.source)
        if derived is None:
            continue
        what = _describe(data, feature, status)
        if derived.n != count:
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    what,
                    count,
                    derived.n,
                    "total-vs-rows",
                    derived.note,
                )
            )
        out_of = data.integer(total, DMKG.outOf)
        if out_of is not None and feature is not None:
            tested = data.tested(cohort, feature)
            if tested is not None and tested.n != out_of:
                word = "tested" if data.under(feature, DMKG.Autoantibody) else "assessed"
                items.append(
                    QAItem(
                        place.source,
                        place.text(),
                        f"{data.label(feature)} {word}",
                        out_of,
                        tested.n,
                        "total-vs-rows",
                        f"denominator of {place.verbatim!r}; {tested.note}",
                    )
                )
    return items


def _describe(data: PatientRows, feature: Node | None, status: Node | None) -> str:
    if feature is None:
        return data.label(status) if status is not None else "patients"
    if data.is_a(feature, DMKG.TemporalRelation):
        return f"patients with DM {data.label(feature)}"
    if data.is_a(feature, DMKG.Sex) or data.is_a(feature, DMKG.VitalStatus):
        return data.label(feature)
    if data.under(feature, DMKG.Malignancy):
        return f"{data.label(feature)} cases"
    if status is None:
        status = DMKG.Positive if data.under(feature, DMKG.Autoantibody) else DMKG.Present
    return f"{data.label(feature)} {data.label(status)}"


def _reported_statistics(data: PatientRows) -> list[QAItem]:
    items = []
    counts: dict[tuple[Node, Node, str], list[tuple[Decimal, Node]]] = defaultdict(list)
    for record in data.records(DMKG.ReportedStatistic):
        if (record, DMKG.citedReference, None) in data.graph:
            continue  # a figure from the literature, not about the paper's own patients
        cohort = data.value(record, DMKG.cohort)
        measure = data.value(record, DMKG.measure)
        about = data.value(record, DMKG.about)
        value = data.value(record, DMKG.value)
        if cohort is None or about is None or value is None or not data.members.get(cohort):
            continue
        place = data.place(record)
        if measure is not None and measure in (DMKG.Median, DMKG.Mean):
            items.extend(_summary(data, record, place, cohort, measure, about, value))
        elif measure == DMKG.Count and not place.table:
            counts[(cohort, about, place.source)].append((Decimal(str(value)), record))
    for (cohort, about, source), stated in counts.items():
        number, record = max(stated, key=lambda s: s[0])  # the others count subsets
        derived = data.count(cohort, about, None, source)
        if derived is not None and derived.n != number:
            items.append(
                QAItem(
                    source,
                    data.place(record).text(),
                    _describe(data, about, None),
                    int(number),
                    derived.n,
                    "text-vs-table",
                    derived.note,
                )
            )
    return items


def _summary(
    data: PatientRows,
    record: Node,
    place: Place,
    cohort: Node,
    measure: Node,
    about: Node,
    value: Node,
) -> list[QAItem]:
    if about not in _QUANTITIES:
        return []
    quantity, units = _QUANTITIES[about]
    unit = data.value(record, DMKG.unit)
    values = data.values(cohort, about)
    if (str(unit) if unit is not None else None) not in units or not values:
        return []
    kind = "total-vs-rows" if place.table else "text-vs-table"
    derived = statistics.median(values) if measure == DMKG.Median else statistics.mean(values)
    printed = as_printed(value, place.verbatim)
    items = []
    name = data.label(measure)
    if not within_rounding(Decimal(derived), printed):
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{name} {quantity}",
                printed,
                trimmed(Decimal(derived), decimals_of(printed) + 2),
                kind,
                f"{name} of the {len(values)} rows",
            )
        )
    low, high = data.value(record, DMKG.rangeLow), data.value(record, DMKG.rangeHigh)
    if str(data.value(record, DMKG.spreadKind)) == "range" and low is not None and high is not None:
        for end, bound, actual in (("lowest", low, min(values)), ("highest", high, max(values))):
            shown = as_printed(bound, place.verbatim)
            if not within_rounding(actual, shown):
                items.append(
                    QAItem(
                        place.source,
                        place.text(),
                        f"{end} {quantity}",
                        shown,
                        trimmed(actual, decimals_of(shown)),
                        kind,
                        f"{end} of the {len(values)} rows",
                    )
                )
    return items


def _percentages(data: PatientRows) -> list[QAItem]:
    items = []
    for record in data.records(DMKG.CohortFrequency):
        percent = data.value(record, DMKG.printedPercent)
        n, total = data.integer(record, DMKG.numerator), data.integer(record, DMKG.denominator)
        feature = data.value(record, DMKG.feature)
        if percent is None or n is None or not total or feature is None:
            continue
        place = data.place(record)
        printed = as_printed(percent, place.verbatim)
        derived = Fraction(100 * n, total)
        if not within_rounding(derived, printed):
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    f"{data.label(feature)} {n}/{total}",
                    printed,
                    fixed_decimals(derived, decimals_of(printed) + 2),
                    "percent-vs-fraction",
                    "100 n / N",
                )
            )
    return items


def _p_values(data: PatientRows) -> list[QAItem]:
    items = []
    for comp in cohort_comparisons(data.graph):
        if not comp.printed_p:
            continue
        # a printed p that any common convention reproduces is no disagreement: papers say
        # "Fisher" or "chi-square" without the variant (see kg.analyse.qa.conventions)
        ps = convention_p_values(*comp.cells)
        if not matching_conventions(comp.printed_p, ps):
            where = f"{comp.table}, column {comp.column}, row {comp.row}"
            what = f"{data.label(comp.feature)}: {comp.n1}/{comp.N1} vs {comp.n2}/{comp.N2}"
            p = ps[FISHER]
            items.append(
                QAItem(
                    comp.source,
                    where,
                    what,
                    comp.printed_p,
                    f"{p:.4g}" if p is not None else "",
                    "p-value-vs-recomputed",
                    "no common convention gives the printed p: " + describe(ps),
                )
            )
    return items


def _text_frequencies(data: PatientRows) -> list[QAItem]:
    items = []
    table_counts: dict[tuple[Node, Node], tuple[int, int, Place]] = {}
    stated = []
    for record in data.records(DMKG.CohortFrequency):
        cohort, feature = data.value(record, DMKG.cohort), data.value(record, DMKG.feature)
        n, total = data.integer(record, DMKG.numerator), data.integer(record, DMKG.denominator)
        if cohort is None or feature is None or n is None or total is None:
            continue
        place = data.place(record)
        entry = (n, total, place)
        if place.table:
            table_counts[(cohort, feature)] = entry
        else:
            stated.append((cohort, feature, data.value(record, DMKG.countsStatus), entry))
    for cohort, feature, status, (n, total, place) in stated:
        derived = data.count(cohort, feature, status, place.source)
        if derived is not None:
            got, note = (derived.n, derived.assessed), derived.note
        elif (cohort, feature) in table_counts:
            tn, ttotal, tplace = table_counts[(cohort, feature)]
            got = (tn, ttotal)
            note = f"{tplace.table}, row {tplace.row}: {tplace.verbatim}"
        else:
            continue
        if got != (n, total):
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    data.label(feature),
                    f"{n}/{total}",
                    f"{got[0]}/{got[1]}",
                    "text-vs-table",
                    note,
                )
            )
    return items


#: the checks, in the order their findings are listed
CHECKS: tuple[Callable[[PatientRows], list[QAItem]], ...] = (
    _printed_totals,
    _reported_statistics,
    _percentages,
    _p_values,
    _text_frequencies,
)
