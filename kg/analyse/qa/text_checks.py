"""QA checks of printed figures against what they are figures of (see :mod:`kg.analyse.qa`).

- ``period-vs-dates``: a period's stated length in years against the months it names;
- ``survival-vs-rows``: a printed survival rate against the bounds the patient rows allow;
- ``percent-vs-denominator``: a printed percentage of a cohort that no whole number of its
  members gives;
- ``test-vs-statistic``: a p-value printed under a test of counts (Fisher's exact test) on a
  row that reports a mean or median;
- ``record-vs-ontology``: one patient's results that the ontology says cannot hold together
  (a positive result that implies a positive result of another test recorded as negative).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from rdflib import RDFS
from rdflib.term import Node

from kg.analyse.qa.items import QAItem
from kg.analyse.qa.numbers import as_printed, decimals_of, within_rounding
from kg.analyse.qa.rows import PatientRows
from kg.namespaces import DMKG

__all__ = ["TEXT_CHECKS"]

#: months in the "N-year" of a survival rate
_YEAR = 12


def _survival(data: PatientRows) -> list[QAItem]:
    """A printed N-year survival rate against the rows: the share of the cohort known to
    be alive N years after the DM diagnosis (dead later, or alive or lost at a later month)
    is the lowest the rate can be; adding every patient whose follow-up ends earlier alive
    or lost (with or without months) gives the highest. Only a rate outside both is listed:
    lost-to-follow-up rows widen the interval, and a Kaplan-Meier estimate would need the
    months the lost rows lack."""
    items = []
    for record in data.records(DMKG.ReportedStatistic):
        if data.value(record, DMKG.measure) != DMKG.SurvivalProportion:
            continue
        cohort, value = data.value(record, DMKG.cohort), data.value(record, DMKG.value)
        place = data.place(record)
        years = _years(data.text(record, DMKG.statisticLabel) or place.verbatim)
        patients = data.members.get(cohort, set()) if cohort is not None else set()
        if value is None or years is None or not patients:
            continue
        horizon = Decimal(years * _YEAR)
        known = open_ = 0
        for patient in patients:
            status, months = data.outcome(patient)
            if months is not None and months >= horizon:
                known += 1  # dead after the horizon, or alive or lost after it
            elif status != DMKG.Dead:
                open_ += 1  # alive or lost before the horizon, or without months
        printed = as_printed(value, place.verbatim)
        low, high = (
            Fraction(100 * known, len(patients)),
            Fraction(100 * (known + open_), len(patients)),
        )
        half = Fraction(1, 2 * 10 ** decimals_of(printed))
        if low - half <= Fraction(Decimal(printed)) <= high + half:
            continue
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{years}-year survival",
                printed,
                f"{float(low):.1f}-{float(high):.1f}",
                "survival-vs-rows",
                f"rows: {known} of {len(patients)} known alive at {horizon} months; "
                f"{open_} alive or lost earlier (or without months) could be either",
            )
        )
    return items


def _name(data: PatientRows, term: Node | None) -> str:
    return data.label(term) if term is not None else ""


def _years(text: str) -> int | None:
    import re

    match = re.search(r"(\d+)\s*-?\s*year", text)
    return int(match.group(1)) if match else None


def _period(data: PatientRows) -> list[QAItem]:
    """A stated duration (in years) of a period against the months the same sentence names:
    from the first through the last month, both counted (one month less if the last is
    not); listed when neither count, in years, rounds to the stated number."""
    items = []
    for record in data.records(DMKG.ReportedStatistic):
        start, end = data.text(record, DMKG.periodStart), data.text(record, DMKG.periodEnd)
        value = data.value(record, DMKG.value)
        if start is None or end is None or value is None or data.text(record, DMKG.unit) != "a":
            continue
        (y1, m1), (y2, m2) = (map(int, start.split("-")), map(int, end.split("-")))
        months = (y2 - y1) * 12 + (m2 - m1) + 1
        place = data.place(record)
        printed = as_printed(value, place.verbatim)
        if any(within_rounding(Fraction(m, 12), printed) for m in (months, months - 1)):
            continue
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{data.text(record, DMKG.statisticLabel) or 'period'} in years",
                printed,
                f"{float(Fraction(months, 12)):g}",
                "period-vs-dates",
                f"{start} through {end} is {months} months counting both ends "
                f"({months - 1} counting one)",
            )
        )
    return items


def _whole_numerator(data: PatientRows) -> list[QAItem]:
    """A printed percentage of a cohort of stated size N (no n printed beside it) that no
    whole n out of N gives at the printed digits."""
    items = []
    for record in data.records(DMKG.ReportedStatistic):
        if data.value(record, DMKG.measure) != DMKG.Proportion:
            continue
        if (record, DMKG.citedReference, None) in data.graph:
            continue  # a figure from the literature
        cohort, value = data.value(record, DMKG.cohort), data.value(record, DMKG.value)
        size = data.integer(cohort, DMKG.cohortSize)
        if value is None or not size or data.text(record, DMKG.unit) != "%":
            continue
        place = data.place(record)
        printed = as_printed(value, place.verbatim)
        if any(within_rounding(Fraction(100 * n, size), printed) for n in range(size + 1)):
            continue
        nearest = sorted(
            range(size + 1), key=lambda n: abs(Fraction(100 * n, size) - Fraction(Decimal(printed)))
        )[:2]
        shown = ", ".join(
            f"{n}/{size} = {float(Fraction(100 * n, size)):.2f}" for n in sorted(nearest)
        )
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{data.text(record, DMKG.statisticLabel) or 'proportion'} ({_name(data, cohort)})",
                printed,
                shown,
                "percent-vs-denominator",
                f"no whole number of the cohort's {size} members gives {printed}%",
            )
        )
    return items


def _test_vs_statistic(data: PatientRows) -> list[QAItem]:
    """A p-value printed under Fisher's exact test (a test of counts) for a row whose
    groups report a mean or median: that test cannot have given it."""
    items = []
    for comparison in data.records(DMKG.GroupComparison):
        test = data.value(comparison, DMKG.statisticalTest)
        if test is None or "fisher" not in data.label(test).casefold():
            continue
        groups = [data.value(comparison, p) for p in (DMKG.firstGroup, DMKG.secondGroup)]
        measures = {data.value(g, DMKG.measure) for g in groups if g is not None}
        summary = measures & {DMKG.Mean, DMKG.Median}
        if not summary:
            continue
        place = data.place(comparison)
        spread = next(
            (data.text(g, DMKG.spreadKind) for g in groups if data.text(g, DMKG.spreadKind)), ""
        )
        measure = _name(data, next(iter(summary)))
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{_name(data, data.value(comparison, DMKG.feature))}: {measure} per group",
                data.text(comparison, DMKG.printedPValue) or "",
                data.label(test),
                "test-vs-statistic",
                f"the row reports a {measure} ({spread or 'no spread'}) per group, which "
                f"{data.label(test)} (a test of counts) does not compare",
            )
        )
    return items


def _implied_results(data: PatientRows) -> list[QAItem]:
    """A patient positive for an antibody whose positivity the ontology says implies a
    positive result of another test (``dmkg:positiveImplies``, or a subclass), while that
    other test is recorded negative."""
    items = []
    implies: dict[Node, set[Node]] = {}
    for term in data.status:
        targets: set[Node] = set(data.graph.objects(term, DMKG.positiveImplies))
        targets |= {
            a
            for a in data.graph.transitive_objects(term, RDFS.subClassOf)
            if a is not None and a != term
        }
        implies[term] = {t for t in targets if t in data.status}
    for term, targets in sorted(implies.items(), key=lambda kv: str(kv[0])):
        for target in sorted(targets, key=str):
            for patient, statuses in data.status[term].items():
                if DMKG.Positive in statuses and DMKG.Negative in data.status[target].get(
                    patient, set()
                ):
                    items.append(_contradiction(data, patient, term, target))
    return items


def _contradiction(data: PatientRows, patient: Node, term: Node, target: Node) -> QAItem:
    publication = data.value(patient, DMKG.describedIn)
    case = data.text(patient, DMKG.caseLabel) or ""
    axiom = (
        "dmkg:positiveImplies"
        if (term, DMKG.positiveImplies, target) in data.graph
        else "rdfs:subClassOf"
    )
    return QAItem(
        data.text(publication, DMKG.doi) or "",
        f"case {case}",
        f"{data.label(term)} positive, {data.label(target)} negative",
        "negative",
        "positive",
        "record-vs-ontology",
        f"the ontology states that a positive {data.label(term)} result implies a positive "
        f"{data.label(target)} result ({axiom}); the graph keeps both records as printed",
    )


TEXT_CHECKS: tuple[Callable[[PatientRows], list[QAItem]], ...] = (
    _period,
    _survival,
    _whole_numerator,
    _test_vs_statistic,
    _implied_results,
)
