"""Figures: the numbers behind each one against hand counts, and the files they produce.

Survival times are Requena et al. Table 1's "Survival (months since DM diagnosis)" column;
the Kaplan-Meier values below are computed by hand from them. The odds ratios are scipy's on
Monseau et al. Table I's printed n/N.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio

from kg.api import KnowledgeGraph
from kg.cli import main
from kg.errors import NotFoundError, UsageError
from kg.figures import FIGURES, FigureResult

REQUENA = "10.1016/j.ad.2025.02.012"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
Z = 1.959963984540054  # the 97.5% normal quantile

# Requena Table 2 and Table 1 per finding: (present, absent, unknown + equivocal + not reported)
REQUENA_FREQUENCY = {
    "heliotrope rash": (20, 4, 1),
    "Gottron papules": (19, 5, 1),
    "myositis": (15, 9, 1),
    "dysphagia": (7, 15, 2 + 1),  # U in 11 and 12, empty cell in 21
    "flagellate erythema": (4, 13, 7 + 1),  # "±" in case 16
    "calcinosis cutis": (0, 25, 0),
}

# Table 1 survival, myositis Yes (15): D (10), D (15), D (13), D (3), D (5), D (16), D (2),
# D (52), D (5), D (15), D (49), D (4), D (23), A (180), A (22). Sorted: 2 3 4 5 5 10 13 15 15
# 16 22+ 23 49 52 180+, so S = 14/15, 13/15, 12/15, 10/15, 9/15, 8/15, 6/15 (t = 15),
# 5/15 (16), then x 3/4 at 23 (4 at risk after the censoring at 22) = 1/4, x 2/3 = 1/6 (49),
# x 1/2 = 1/12 (52). Median: the first time S <= 1/2, 15 months.
MYOSITIS_PRESENT_KM = {
    1: 1.0,
    2: 14 / 15,
    5: 10 / 15,
    15: 6 / 15,
    20: 5 / 15,
    22: 5 / 15,
    30: 1 / 4,
    50: 1 / 6,
    60: 1 / 12,
    200: 1 / 12,
}
# myositis No (9): D (9), D (180), D (10), L, L, L, A (38), A (44), D (17); the three L rows
# have no months and are left out: 9 10 17 38+ 44+ 180 -> 5/6, 4/6, 3/6, then 0 at 180. The
# curve rests on 1/2 from 17 to 180 months: the median (first time S <= 1/2) is 17.
MYOSITIS_ABSENT_KM = {9: 5 / 6, 12: 4 / 6, 17: 0.5, 100: 0.5, 180: 0.0}
MYOSITIS_GROUPS = {  # group: patients, included, events, censored, excluded, median
    "present": (15, 15, 13, 2, 0, 15.0),
    "absent": (9, 6, 4, 2, 3, 17.0),
    "unknown": (1, 0, 0, 0, 1, None),  # case 12, "L" without months
}

# Monseau Table I rows with n/N in both groups (anti-Mi2+, anti-Mi2-), as printed
TABLE_I = {
    "alopecia": (1, 42, 7, 55),
    "calcinosis cutis": (1, 56, 6, 55),
    "panniculitis": (2, 42, 3, 55),
    "cutaneous ulceration": (2, 56, 10, 55),
    "mechanic's hands": (6, 56, 7, 55),
    "heliotrope rash": (41, 64, 34, 55),
    "Gottron papules or sign": (38, 53, 21, 55),
    "periungual erythema": (36, 56, 25, 55),
    "Holster sign": (12, 55, 2, 55),
    "myalgia": (15, 23, 48, 54),
    "proximal muscle weakness": (61, 64, 49, 55),
    "severe muscle weakness": (29, 54, 35, 55),
    "elevated creatine kinase": (58, 64, 46, 55),
    "myopathic EMG": (32, 37, 34, 42),
    "abnormal muscle MRI": (20, 33, 30, 53),
    "muscle T2 hyperintensity": (15, 17, 23, 31),
    "muscle fat replacement on T1-weighted MRI": (6, 17, 9, 25),
    "Raynaud phenomenon": (8, 63, 12, 54),
    "arthritis": (17, 63, 23, 55),
    "dyspnoea": (1, 10, 31, 52),
    "interstitial lung disease": (13, 34, 10, 52),
    "FEV below 70% of predicted": (2, 11, 9, 47),
    "FVC below 70% of predicted": (1, 24, 7, 46),
    "DLCO below 70% of predicted": (3, 22, 14, 23),
    "myositis-specific autoantibody": (64, 64, 20, 55),
}
# "Myositis specific antibodies" 64/64 vs 20/55 has no anti-Mi2-positive patient without one:
# an infinite odds ratio, which a log axis cannot show
NOT_PLOTTED = {"myositis-specific autoantibody"}


@pytest.fixture(scope="module")
def kgraph(graph: Graph) -> KnowledgeGraph:
    return KnowledgeGraph(graph)


@pytest.fixture(scope="module")
def results(kgraph: KnowledgeGraph) -> dict[str, FigureResult]:
    return {
        "finding-frequency": kgraph.plot("finding-frequency", source=REQUENA),
        "survival": kgraph.plot("survival"),
        "association-network": kgraph.plot("association-network"),
        "mi2-forest": kgraph.plot("mi2-forest"),
        "term-frequency": kgraph.plot("term-frequency", term="heliotrope rash"),
        "survival-by-antibody": kgraph.plot("survival-by-antibody", antibody="anti-TIF1-gamma"),
        "survival-by-site": kgraph.plot("survival-by-site", source=REQUENA),
        "evidence-forest": kgraph.plot("evidence-forest", term="anti-Mi-2"),
    }


def _wilson(x: int, n: int) -> tuple[float, float]:
    centre = (x + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return centre - half, centre + half


def _step(rows: list[dict[str, Any]], time: float) -> float:
    """The Kaplan-Meier value at ``time`` from the step table (right-continuous)."""
    return float([r["survival"] for r in rows if r["time"] <= time][-1])


# ---------------------------------------------------------------------------------------------


def test_finding_frequency_numbers(results: dict[str, FigureResult]) -> None:
    data = results["finding-frequency"].data.set_index("finding")
    for finding, (present, absent, excluded) in REQUENA_FREQUENCY.items():
        row = data.loc[finding]
        assert (row["present"], row["absent"], row["excluded"]) == (present, absent, excluded)
        assert row["assessed"] == present + absent
        assert row["proportion"] == pytest.approx(present / (present + absent))
        low, high = _wilson(present, present + absent)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert data["proportion"].is_monotonic_decreasing
    assert len(data) == 13  # Requena's 13 finding columns, every one assessed


def test_finding_frequency_leaves_out_single_patient_findings(kgraph: KnowledgeGraph) -> None:
    every = kgraph.plot("finding-frequency")
    data = every.data.set_index("finding")
    assert tuple(data.loc["heliotrope rash", ["present", "assessed"]]) == (21, 25)  # + CR
    assert "rash of the breast" not in data.index
    assert any(note.startswith("rash of the breast: 1/1") for note in every.notes)
    loose = kgraph.plot("finding-frequency", min_assessed="1")  # strings as from the CLI
    assert loose.data.set_index("finding").loc["rash of the breast", "proportion"] == 1.0


def test_survival_groups_and_excluded_patients(results: dict[str, FigureResult]) -> None:
    result = results["survival"]
    groups = result.tables["groups"].set_index("group")
    for group, (patients, included, events, censored, excluded, median) in MYOSITIS_GROUPS.items():
        row = groups.loc[group]
        assert (
            row["patients"],
            row["included"],
            row["events"],
            row["censored"],
            row["excluded"],
        ) == (patients, included, events, censored, excluded)
        assert (None if math.isnan(row["median_months"]) else row["median_months"]) == median
    people = result.tables["patients"].set_index("patient")
    left_out = people[~people["included"]]
    assert sorted(left_out.index) == [f"requena2024 case {n}" for n in (10, 11, 12, 9)]
    assert set(left_out["vital_status"]) == {"lost to follow-up"}
    assert people.loc["requena2024 case 22", "months"] == 180.0
    assert not people.loc["requena2024 case 22", "event"]  # alive: censored
    assert any(
        "case 9 (absent): lost to follow-up without follow-up months" in n for n in result.notes
    )
    logrank = result.tables["logrank"]
    assert len(logrank) == 1 and 0 < logrank.iloc[0]["p"] < 1


@pytest.mark.parametrize(
    "group, expected", [("present", MYOSITIS_PRESENT_KM), ("absent", MYOSITIS_ABSENT_KM)]
)
def test_kaplan_meier_values_by_hand(
    results: dict[str, FigureResult], group: str, expected: dict[float, float]
) -> None:
    data = results["survival"].data
    rows = data[data["group"] == group].to_dict("records")
    assert rows[0]["time"] == 0 and rows[0]["survival"] == 1.0
    for time, value in expected.items():
        assert _step(rows, time) == pytest.approx(value), time
    assert all(r["ci_low"] <= r["survival"] <= r["ci_high"] for r in rows)
    at15 = next(r for r in rows if r["time"] == 15.0) if group == "present" else None
    if at15 is not None:  # cases 3 and 17 died at 15 months, 8 were at risk
        assert (at15["at_risk"], at15["events"]) == (8, 2)


def test_survival_by_another_finding_places_the_case_report(kgraph: KnowledgeGraph) -> None:
    # heliotrope present: 20 Requena rows + the case report (alive, no months given); Requena
    # cases 9, 10 and 11 (present) are lost without months: 21 - 4 = 17 on the time axis, of
    # whom 14 died (1-5, 7, 8, 13-18, 25) and 3 were alive (22, 23, 24)
    result = kgraph.plot("survival", finding="heliotropic rash")
    present = result.tables["groups"].set_index("group").loc["present"]
    assert (present["patients"], present["included"], present["events"], present["censored"]) == (
        21,
        17,
        14,
        3,
    )
    assert any(
        n.startswith("curroncol2021 case 1 (present): alive without follow-up months")
        for n in result.notes
    )
    with pytest.raises(Exception, match="not a known clinical finding"):
        kgraph.plot("survival", finding="heliotrop rash")


def test_mi2_forest_odds_ratios_equal_scipy_on_table_i(results: dict[str, FigureResult]) -> None:
    data = results["mi2-forest"].data.set_index("feature")
    assert set(data.index) == set(TABLE_I)
    for feature, (n1, total1, n2, total2) in TABLE_I.items():
        row = data.loc[feature]
        table = [[n1, total1 - n1], [n2, total2 - n2]]
        assert (row["a"], row["b"], row["c"], row["d"]) == (n1, total1 - n1, n2, total2 - n2)
        ratio = odds_ratio(table, kind="conditional")
        ci = ratio.confidence_interval(confidence_level=0.95)
        assert row["odds_ratio"] == pytest.approx(ratio.statistic)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
        assert row["p_fisher"] == pytest.approx(fisher_exact(table).pvalue)
        assert bool(row["plotted"]) == (feature not in NOT_PLOTTED)
    assert data.loc["Holster sign", "reported_p"] == ".008"
    assert data["odds_ratio"].is_monotonic_increasing
    assert len(results["mi2-forest"].notes) == len(NOT_PLOTTED)


def test_mi2_forest_needs_a_splitting_antibody(kgraph: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no cohort comparison splits"):
        kgraph.plot("mi2-forest", antibody="anti-Jo-1")


def test_association_network_numbers(
    kgraph: KnowledgeGraph, results: dict[str, FigureResult]
) -> None:
    result = results["association-network"]
    network = kgraph.association_graph()
    assert len(result.data) == network.number_of_edges()
    nodes = result.tables["nodes"].set_index("id")
    assert len(nodes) == network.number_of_nodes()
    assert nodes["x"].isna().tolist() == (nodes["degree"] == 0).tolist()
    assert "anti-Ro52 antibody" in result.notes[0]  # one patient only: no edge at 2
    edge = result.data[
        (result.data["u"] == "dmkg:AntiTIF1gamma") & (result.data["v"] == "dmkg:BreastMalignancy")
    ].iloc[0]
    assert (edge["kind"], edge["weight"]) == ("co-occurrence", 5)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_is_written_as_png_and_svg(
    results: dict[str, FigureResult], name: str, tmp_path: Path
) -> None:
    png = results[name].save(tmp_path / f"{name}.png")
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 10_000
    svg = results[name].save(tmp_path / f"{name}.SVG")
    assert ET.parse(svg).getroot().tag == SVG_ROOT
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{name}.png", f"{name}.SVG"])


def test_svg_output_is_reproducible(
    kgraph: KnowledgeGraph, results: dict[str, FigureResult], tmp_path: Path
) -> None:
    first = results["mi2-forest"].save(tmp_path / "a.svg").read_bytes()
    assert results["mi2-forest"].save(tmp_path / "b.svg").read_bytes() == first
    assert kgraph.plot("mi2-forest", tmp_path / "c.svg").data.equals(results["mi2-forest"].data)
    assert (tmp_path / "c.svg").read_bytes() == first


def test_plot_errors(
    kgraph: KnowledgeGraph, results: dict[str, FigureResult], tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=r"\.png or \.svg"):
        results["survival"].save(tmp_path / "survival.pdf")
    with pytest.raises(NotFoundError, match="known figures: finding-frequency"):
        kgraph.plot("kaplan-meier")
    with pytest.raises(UsageError, match="no parameter 'finding'"):
        kgraph.plot("mi2-forest", finding="myositis")
    with pytest.raises(UsageError, match="must be a whole number"):
        kgraph.plot("association-network", min_patients="two")


# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_file(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "dmkg.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    return path


def test_cli_plot_writes_figure_and_numbers(
    built_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, data = tmp_path / "km.svg", tmp_path / "km.csv"
    code = main(
        [
            "plot",
            "survival",
            "--out",
            str(out),
            "--data",
            str(data),
            "--param",
            "finding=myositis",
            "--graph",
            str(built_file),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert ET.parse(out).getroot().tag == SVG_ROOT
    lines = data.read_text().splitlines()
    assert lines[0].startswith("group,time,at_risk,events,censored,survival")
    assert "note: requena2024 case 9 (absent)" in printed
    assert main(["plot", "--list"]) == 0
    assert "mi2-forest" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["plot", "kaplan", "--out", "x.png"], "no figure named 'kaplan'"),
        (["plot", "survival", "--out", "x.pdf"], ".png or .svg"),
        (["plot", "survival"], "give --out"),
        (["plot", "survival", "--out", "x.png", "--param", "finding"], "expected KEY=VALUE"),
        (["plot", "mi2-forest", "--out", "x.png", "--param", "size=3"], "no parameter 'size'"),
    ],
)
def test_cli_plot_usage_errors(
    built_file: Path,
    tmp_path: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [a if a != "x.png" and a != "x.pdf" else str(tmp_path / a) for a in args]
    assert main([*args, "--graph", str(built_file)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_cli_plot_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: dmkg plot" in out and "exit codes" in out
    for name in ("survival-by-antibody", "survival-by-site", "term-frequency", "evidence-forest"):
        assert name in " ".join(out.split()), name


# Requena Table 1 "Autoantibodies" against "Survival": anti-TIF-1-gamma "+" in cases 15 D (52),
# 16 D (5), 17 D (15), 18 D (49), 20 A (38), 22 A (180), 23 A (22); "-" in 19 D (4), 21 D (23),
# 24 A (44), 25 D (17); "NP" (not performed) in 6 D (180), 11 L, 12 L. The case report's
# patient is positive, without follow-up months.
TIF1_BY_HAND = {
    "positive": ([52, 5, 15, 49, 38, 180, 22], [1, 1, 1, 1, 0, 0, 0], 1),
    "negative": ([4, 23, 44, 17], [1, 1, 0, 1], 0),
    "not performed": ([180], [1], 2),
}
# Requena Table 1 "Associated cancer" (the Total row's categories) against "Survival":
# lung 1 D10, 13 D16, 15 D52, 16 D5, 19 D4, 24 A44; breast 5 D3, 14 D2, 18 D49, 20 A38,
# 21 D23, 22 A180, 23 A22; bladder 2 D9, 3 D15, 10 L, 17 D15; ovary 8 D5, 11 L, 12 L, 25 D17;
# stomach 4 D13; lymphoma (of the breast) 6 D180; prostate 7 D10; cervix 9 L.
SITES_BY_HAND = {
    "lung cancer": ([10, 16, 52, 5, 4, 44], [1, 1, 1, 1, 1, 0], 0),
    "breast cancer": ([3, 2, 49, 38, 23, 180, 22], [1, 1, 1, 0, 1, 0, 0], 0),
    "bladder cancer": ([9, 15, 15], [1, 1, 1], 1),
    "ovarian cancer": ([5, 17], [1, 1], 2),
    "gastric cancer": ([13], [1], 0),
    "lymphoma": ([180], [1], 0),
    "prostate cancer": ([10], [1], 0),
    "cervical cancer": ([], [], 1),
}


@pytest.mark.parametrize(
    ("name", "by_hand"),
    [("survival-by-antibody", TIF1_BY_HAND), ("survival-by-site", SITES_BY_HAND)],
)
def test_survival_by_antibody_and_site_match_hand_counts(
    results: dict[str, FigureResult], name: str, by_hand: dict[str, Any]
) -> None:
    from lifelines.statistics import multivariate_logrank_test

    result = results[name]
    groups = result.tables["groups"].set_index("group")
    assert sorted(groups.index) == sorted(by_hand)
    for group, (months, deaths, left_out) in by_hand.items():
        row = groups.loc[group]
        assert (row["included"], row["events"], row["excluded"]) == (
            len(months),
            sum(deaths),
            left_out,
        ), group
    at_zero = result.tables["at_risk"].query("time == 0").set_index("group")["at_risk"]
    assert at_zero.to_dict() == {g: len(m) for g, (m, _, _) in by_hand.items() if m}
    drawn = [(g, t, d) for g, (m, e, _) in by_hand.items() for t, d in zip(m, e, strict=True)]
    expected = multivariate_logrank_test(
        [t for _, t, _ in drawn], [g for g, _, _ in drawn], [d for _, _, d in drawn]
    ).p_value
    assert result.tables["logrank"]["p"].iloc[0] == pytest.approx(expected)


def test_term_frequency_by_source_matches_hand_counts(results: dict[str, FigureResult]) -> None:
    """Requena Table 2 heliotrope rash: 20 "+" (incl. "++", "+++"), 4 absent, "U" in case 12;
    the case report's patient has it; Monseau Table I: 41/64 and 34/55."""
    data = results["term-frequency"].data.set_index("group")
    requena = data.loc["requena2024 patients"]
    assert (requena["present"], requena["assessed"], requena["excluded"]) == (20, 24, 1)
    assert requena["excluded_statuses"] == "unknown 1"
    assert (requena["ci_low"], requena["ci_high"]) == pytest.approx(_wilson(20, 24))
    assert data.loc["curroncol2021 patients", "present"] == 1
    assert data.loc["Monseau 2020: anti-Mi2-positive DM", ["present", "assessed"]].tolist() == [
        41,
        64,
    ]
    assert data.loc["Monseau 2020: anti-Mi2-negative DM (controls)", "assessed"] == 55


def test_evidence_forest_of_anti_mi2(results: dict[str, FigureResult]) -> None:
    """Monseau: SIR 5.1 (95% CI 3.0-8.6); Table I row Anti-Mi2 64/64 vs 0/55 (an infinite
    odds ratio, not drawable on a log axis)."""
    result = results["evidence-forest"]
    data = result.data.set_index("evidence")
    sir = data.loc["standardized incidence ratio of cancer in anti-Mi2-positive DM"]
    assert sir["estimate"] == "5.1 (3.0-8.6)" and bool(sir["plotted"])
    split = data[data["kind"] == "cohort comparison"].iloc[0]
    assert (split["n1"], split["N1"], split["n2"], split["N2"]) == (64, 64, 0, 55)
    assert not split["plotted"] and any("cannot be drawn" in n for n in result.notes)


def test_survival_analysis_by_site_over_one_source(graph: Graph) -> None:
    """kg.analyse.survival itself: Requena's Total row, "Breast (7), Lung (6), Bladder (4),
    Ovary (4), Stomach (1), Lymphoma (1), Prostate (1), Cervix (1)" (see SITES_BY_HAND)."""
    from kg.analyse.survival import survival_analysis

    analysis = survival_analysis(graph, "cancer-site", source=REQUENA)
    patients = {g["group"]: g["patients"] for g in analysis.groups}
    assert patients == {
        "breast cancer": 7,
        "lung cancer": 6,
        "bladder cancer": 4,
        "ovarian cancer": 4,
        "gastric cancer": 1,
        "lymphoma": 1,
        "prostate cancer": 1,
        "cervical cancer": 1,
    }
    assert analysis.term is None and analysis.group_label("lymphoma") == "lymphoma"
    assert [g for g, _ in analysis.fitted] == [
        "bladder cancer",
        "breast cancer",
        "gastric cancer",
        "lung cancer",
        "lymphoma",
        "ovarian cancer",
        "prostate cancer",
    ]


def test_evidence_forest_of_one_source(kgraph: KnowledgeGraph) -> None:
    """Requena's Discussion cites a specificity of 89% and a negative predictive value of
    95% for anti-TIF1-gamma (not ratios: in the data, not drawn); Monseau prints the SIR."""
    requena = kgraph.plot("evidence-forest", source=REQUENA).data.set_index("measure")
    assert requena.loc["specificity", "estimate"] == "89 (no interval)"
    assert requena.loc["negative predictive value", "estimate"] == "95 (no interval)"
    assert not requena["plotted"].any()
    monseau = kgraph.plot("evidence-forest", source="https://doi.org/10.1016/J.JAAD.2020.03.058")
    assert monseau.data["estimate"].tolist() == ["5.1 (3.0-8.6)"]


def test_new_figures_name_a_wrong_term(kgraph: KnowledgeGraph) -> None:
    from kg.errors import QueryError

    with pytest.raises(QueryError, match="'gotron' is not a known autoantibody"):
        kgraph.plot("survival-by-antibody", antibody="gotron")
    with pytest.raises(NotFoundError, match="term 'no such term'"):
        kgraph.plot("evidence-forest", term="no such term")
    with pytest.raises(NotFoundError, match="term 'dmkg:NoSuchTerm'"):
        kgraph.plot("term-frequency", term="dmkg:NoSuchTerm")
