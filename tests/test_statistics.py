"""2x2 association tables against hand counts from the seed papers, statistics against scipy.

The patient-level counts below are read case by case from Requena et al. Tables 1 and 2
(case numbers 1-25) and the case report (``CR``): each set lists the cases with a status,
and the expected cells are computed from the sets, so a reader can check every number
against the printed tables.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from rdflib import Graph
from scipy.stats import binomtest, fisher_exact
from scipy.stats.contingency import odds_ratio

from kg.analyse.statistics import (
    ASSOCIATION_COLUMNS,
    INFINITY,
    associations,
    cohort_associations,
    display,
    patient_associations,
    two_by_two,
)

REQUENA = "10.1016/j.ad.2025.02.012"
MONSEAU = "10.1016/j.jaad.2020.03.058"
CASE_REPORT = "10.3390/curroncol28030182"
ALL_PATIENTS = set(range(1, 26)) | {"CR"}

# --- sites, Table 1 "Associated cancer", by the paper's own categories (its Total row):
# case 6, the lymphoma of the breast, counts as "Lymphoma (1)", not in "Breast (7)"; the case
# report (no categories) by organ site
LUNG = {1, 13, 15, 16, 19, 24}
BREAST = {5, 14, 18, 20, 21, 22, 23, "CR"}
# --- Table 1 "Myositis (clinical)": Yes / No / U (the case report records no "myositis")
MYOSITIS_YES = {1, 3, 4, 5, 8, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23}
MYOSITIS_NO = {2, 6, 7, 9, 10, 11, 20, 24, 25}
# --- Table 1 antibody column, anti-TIF-1-gamma read test by test; the case report is positive
TIF1_POSITIVE = {15, 16, 17, 18, 20, 22, 23, "CR"}
TIF1_NEGATIVE = {19, 21, 24, 25}
# --- ANA: "ANA+" rows positive, "ANA -" (or in a list closed by "-") negative; case 3 lists
# ANA without a sign; the case report is positive (1:160)
ANA_POSITIVE = {1, 2, 5, 13, 14, 16, 18, 21, 23, "CR"}
ANA_NEGATIVE = {7, 8, 9, 10, 15, 19, 24, 25}
# --- Table 2 "Heliotrope rash": + ++ +++ present, "No" and the dash absent, U unknown
HELIOTROPE_YES = set(range(1, 26)) - {6, 12, 19, 20, 21} | {"CR"}
HELIOTROPE_NO = {6, 19, 20, 21}
# --- Table 2 "Pruritus"
PRURITUS_YES = {1, 2, 6, 8, 13, 14, 15, 16, 18, 21, 23}
PRURITUS_NO = {3, 17, 20, 22, 24, 25}


def _cells(yes: set[Any], no: set[Any], site: set[Any]) -> tuple[int, int, int, int, int]:
    a, c = len(yes & site), len(no & site)
    return a, len(yes) - a, c, len(no) - c, len(ALL_PATIENTS - yes - no)


HAND_COUNTS = {
    ("dmkg:Myositis", "dmkg:LungMalignancy"): _cells(MYOSITIS_YES, MYOSITIS_NO, LUNG),
    ("dmkg:Myositis", "dmkg:BreastMalignancy"): _cells(MYOSITIS_YES, MYOSITIS_NO, BREAST),
    ("dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy"): _cells(TIF1_POSITIVE, TIF1_NEGATIVE, BREAST),
    ("dmkg:AntiTIF1gamma", "dmkg:LungMalignancy"): _cells(TIF1_POSITIVE, TIF1_NEGATIVE, LUNG),
    ("dmkg:AntinuclearAntibody", "dmkg:BreastMalignancy"): _cells(
        ANA_POSITIVE, ANA_NEGATIVE, BREAST
    ),
    ("dmkg:HeliotropeRash", "dmkg:BreastMalignancy"): _cells(HELIOTROPE_YES, HELIOTROPE_NO, BREAST),
    ("dmkg:Pruritus", "dmkg:LungMalignancy"): _cells(PRURITUS_YES, PRURITUS_NO, LUNG),
}


def test_hand_counts_read_from_the_seed() -> None:
    """The sets above give the counts stated in the brief and in test_curated_data."""
    assert HAND_COUNTS[("dmkg:Myositis", "dmkg:LungMalignancy")] == (5, 10, 1, 8, 2)
    assert HAND_COUNTS[("dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy")] == (5, 3, 1, 3, 14)
    assert len(PRURITUS_YES) == 11 and len(HELIOTROPE_YES - {"CR"}) == 20


@pytest.fixture(scope="module")
def rows(graph: Graph) -> list[dict[str, Any]]:
    return associations(graph)


@pytest.fixture(scope="module")
def patient_rows(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["exposure_id"], r["outcome_id"]): r for r in rows if r["kind"] == "patient-level"}


@pytest.fixture(scope="module")
def cohort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["kind"] == "cohort"]


@pytest.mark.parametrize("key", list(HAND_COUNTS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_patient_level_cells_equal_hand_counts(
    patient_rows: dict[tuple[str, str], dict[str, Any]], key: tuple[str, str]
) -> None:
    row = patient_rows[key]
    assert (row["a"], row["b"], row["c"], row["d"], row["excluded"]) == HAND_COUNTS[key]


def test_rows_have_the_declared_columns_in_order(rows: list[dict[str, Any]]) -> None:
    assert rows and all(tuple(r) == ASSOCIATION_COLUMNS for r in rows)
    assert {r["kind"] for r in rows} == {"patient-level", "cohort"}


def test_labels_curies_and_sources(patient_rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    row = patient_rows[("dmkg:Myositis", "dmkg:LungMalignancy")]
    assert (row["exposure"], row["exposure_kind"], row["outcome"]) == (
        "myositis",
        "finding",
        "lung cancer",
    )
    assert row["reference"] == "myositis absent" and row["reference_id"] == "dmkg:Absent"
    assert row["source"] == REQUENA  # only Requena records myositis
    tif1 = patient_rows[("dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy")]
    assert tif1["exposure_kind"] == "antibody"
    assert tif1["source"] == f"{REQUENA}; {CASE_REPORT}"


def test_statistics_equal_scipy_on_the_same_table(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        table = [[row["a"], row["b"]], [row["c"], row["d"]]]
        assert row["p_fisher"] == fisher_exact(table).pvalue
        ratio = odds_ratio(table, kind="conditional")
        ci = ratio.confidence_interval(confidence_level=0.95)
        for key, value in (
            ("odds_ratio", ratio.statistic),
            ("or_ci_low", ci.low),
            ("or_ci_high", ci.high),
        ):
            expected = INFINITY if math.isinf(value) else float(value)
            assert row[key] == expected, (row["exposure"], row["outcome"], key)
        wilson = binomtest(row["a"], row["a"] + row["b"]).proportion_ci(method="wilson")
        assert (row["prop_ci_low"], row["prop_ci_high"]) == (wilson.low, wilson.high)


def test_wilson_intervals_contain_the_proportions(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert row["proportion"] == row["a"] / (row["a"] + row["b"])
        assert row["proportion_reference"] == row["c"] / (row["c"] + row["d"])
        assert row["prop_ci_low"] <= row["proportion"] <= row["prop_ci_high"]
        assert (
            row["prop_reference_ci_low"]
            <= row["proportion_reference"]
            <= row["prop_reference_ci_high"]
        )


def test_zero_cell_gives_inf_not_a_float(
    patient_rows: dict[tuple[str, str], dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    # no ANA-negative patient has breast cancer: c = 0
    row = patient_rows[("dmkg:AntinuclearAntibody", "dmkg:BreastMalignancy")]
    assert row["c"] == 0 and row["odds_ratio"] == INFINITY and row["or_ci_high"] == INFINITY
    assert isinstance(row["or_ci_low"], float) and row["or_ci_low"] > 1
    assert row["p_fisher"] == pytest.approx(0.01282, abs=1e-5)
    json.dumps(rows, allow_nan=False)  # no NaN or Infinity reaches the output


def test_degenerate_exposures_are_skipped(
    patient_rows: dict[tuple[str, str], dict[str, Any]],
) -> None:
    exposures = {e for e, _ in patient_rows}
    # calcinosis: no patient with it; anti-Jo-1, anti-NXP2: no positive; anti-centromere: no
    # negative; proximal weakness: only the case report
    for skipped in (
        "dmkg:CalcinosisCutis",
        "dmkg:AntiJo1",
        "dmkg:AntiNXP2",
        "dmkg:AntiCentromere",
        "dmkg:ProximalMuscleWeakness",
        "dmkg:Autoantibody",
    ):
        assert skipped not in exposures
    # the only gastric cancer (case 4) had no anti-TIF1-gamma test: no row
    assert ("dmkg:AntiTIF1gamma", "dmkg:GastricMalignancy") not in patient_rows


# --- Monseau Table I: the 26 rows with n/N in both groups, p-values as printed
TABLE_I = [
    ("alopecia", 1, 42, 7, 55, ".13"),
    ("calcinosis cutis", 1, 56, 6, 55, ".06"),
    ("panniculitis", 2, 42, 3, 55, ">.99"),
    ("cutaneous ulceration", 2, 56, 10, 55, ".02"),
    ("mechanic's hands", 6, 56, 7, 55, ".78"),
    ("heliotrope rash", 41, 64, 34, 55, ".8"),
    ("Gottron papules or sign", 38, 53, 21, 55, ".0005"),
    ("periungual erythema", 36, 56, 25, 55, ".05"),
    ("Holster sign", 12, 55, 2, 55, ".008"),
    ("myalgia", 15, 23, 48, 54, ".02"),
    ("proximal muscle weakness", 61, 64, 49, 55, ".35"),
    ("severe muscle weakness", 29, 54, 35, 55, ".02"),
    ("elevated creatine kinase", 58, 64, 46, 55, ".28"),
    ("myopathic EMG", 32, 37, 34, 42, ".56"),
    ("abnormal muscle MRI", 20, 33, 30, 53, ".87"),
    ("muscle T2 hyperintensity", 15, 17, 23, 31, ".46"),
    ("muscle fat replacement on T1-weighted MRI", 6, 17, 9, 25, ">.99"),
    ("Raynaud phenomenon", 8, 63, 12, 54, ".26"),
    ("arthritis", 17, 63, 23, 55, ".13"),
    ("dyspnoea", 1, 10, 31, 52, ".01"),
    ("interstitial lung disease", 13, 34, 10, 52, ".08"),
    ("FEV below 70% of predicted", 2, 11, 9, 47, ">.99"),
    ("FVC below 70% of predicted", 1, 24, 7, 46, ".25"),
    ("DLCO below 70% of predicted", 3, 22, 14, 23, ".002"),
    ("myositis-specific autoantibody", 64, 64, 20, 55, "<.0001"),
    ("anti-Mi-2 antibody", 64, 64, 0, 55, "<.0001"),
]


def test_cohort_rows_are_table_i_in_order(cohort_rows: list[dict[str, Any]]) -> None:
    assert len(cohort_rows) == 26
    got = [
        (r["outcome"], r["a"], r["a"] + r["b"], r["c"], r["c"] + r["d"], r["reported_p"])
        for r in cohort_rows
    ]
    assert got == TABLE_I
    for row in cohort_rows:
        assert row["exposure"] == "Monseau 2020: anti-Mi2-positive DM"
        assert row["reference"] == "Monseau 2020: anti-Mi2-negative DM (controls)"
        assert row["exposure_kind"] == "cohort" and row["source"] == MONSEAU


def test_holster_sign_recomputed_beside_printed(cohort_rows: list[dict[str, Any]]) -> None:
    (row,) = [r for r in cohort_rows if r["outcome_id"] == "dmkg:HolsterSign"]
    assert (row["a"], row["b"], row["c"], row["d"]) == (12, 43, 2, 53)
    assert row["reported_p"] == ".008"
    assert row["p_fisher"] == pytest.approx(0.0080091, rel=1e-4)
    assert row["p_fisher"] == fisher_exact([[12, 43], [2, 53]]).pvalue
    assert row["excluded"] == 64 - 55  # anti-Mi2+ patients not assessed for the sign
    assert row["proportion"] == pytest.approx(12 / 55)
    assert row["proportion_reference"] == pytest.approx(2 / 55)


def test_cohort_rows_alone_equal_the_cohort_part(
    graph: Graph, cohort_rows: list[dict[str, Any]]
) -> None:
    assert cohort_associations(graph) == cohort_rows
    assert all(r["kind"] == "patient-level" for r in patient_associations(graph))


def test_two_by_two_needs_no_graph() -> None:
    stats = two_by_two(5, 3, 1, 3)
    assert stats["p_fisher"] == fisher_exact([[5, 3], [1, 3]]).pvalue
    assert stats["proportion"] == 5 / 8


def test_display_rounds_to_four_significant_digits() -> None:
    shown = display({"a": 5, "p_fisher": 0.54545454, "odds_ratio": INFINITY, "reported_p": None})
    assert shown == {"a": "5", "p_fisher": "0.5455", "odds_ratio": "inf", "reported_p": ""}
