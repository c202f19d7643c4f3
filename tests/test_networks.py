"""networkx views: node and edge counts and attributes against hand counts from the papers.

Sets of case numbers are read off Requena et al. Tables 1 and 2 (cases 1-25) and the case
report (``CR``); cohort counts off Monseau et al. Table I; literature figures off the texts.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from networkx.algorithms import bipartite
from rdflib import Graph, URIRef
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio

from kg.analyse.statistics import patient_associations
from kg.api import KnowledgeGraph
from kg.errors import UsageError
from kg.namespaces import DMKG

REQUENA = "10.1016/j.ad.2025.02.012"
MONSEAU = "10.1016/j.jaad.2020.03.058"
CASE_REPORT = "10.3390/curroncol28030182"
DATA = Path(__file__).resolve().parents[1] / "kg" / "data"
ALL_PATIENTS = set(range(1, 26)) | {"CR"}

# --- present findings, Requena Tables 1 and 2 ("+", "++", "+++", "Yes"), column by column
REQUENA_PRESENT = {
    "photodistributed violaceous rash": 22,
    "cuticle involvement": 21,
    "heliotrope rash": 20,
    "Gottron papules": 19,
    "pruritus": 11,
    "skin necrosis": 10,
    "flagellate erythema": 4,
    "scalp poikiloderma": 8,
    "calcinosis": 0,
    "myositis": 15,
    "dysphagia": 7,
    "CPK above 175 U/L": 11,
    "ILD": 1,
}
# the case report names 15 findings, all present (heliotropic rash, proximal weakness,
# dysphagia, breast rash, CK elevation, EMG and biopsy findings, MHC-I and MxA expression)
CASE_REPORT_PRESENT = 15
# positive antibodies: ANA+ in 1, 2, 5, 13, 14, 16, 18, 21, 23; anti-TIF-1-gamma + in 15, 16,
# 17, 18, 20, 22, 23; case 18 "anti-Mi-1/Mi-2 + 1/320" (two tests); case 25 anti-centromere +;
# the case report: ANA, anti-Ro52, anti-TIF1-gamma
POSITIVE_ANTIBODIES = 9 + 7 + 2 + 1 + 3
# one cancer (and one site) per patient: 25 rows of Table 1 + the case report's breast cancer
SITES = 26

LUNG = {1, 13, 15, 16, 19, 24}
# by Requena's own categories (its Total row: "Breast (7)", "Lymphoma (1)"): case 6, the
# lymphoma of the breast, is "Lymphoma"; the case report (no categories) by organ site
BREAST = {5, 14, 18, 20, 21, 22, 23, "CR"}
LYMPHOMA = {6}
MYOSITIS_YES = {1, 3, 4, 5, 8, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23}
MYOSITIS_NO = {2, 6, 7, 9, 10, 11, 20, 24, 25}
TIF1_POSITIVE = {15, 16, 17, 18, 20, 22, 23, "CR"}
TIF1_NEGATIVE = {19, 21, 24, 25}
HELIOTROPE_YES = set(range(1, 26)) - {6, 12, 19, 20, 21} | {"CR"}
HELIOTROPE_NO = {6, 19, 20, 21}
RO52_POSITIVE = {"CR"}


def _cells(
    yes_u: set[Any], no_u: set[Any], yes_v: set[Any], no_v: set[Any]
) -> tuple[int, int, int, int]:
    return (len(yes_u & yes_v), len(yes_u & no_v), len(no_u & yes_v), len(no_u & no_v))


# Monseau Table I (anti-Mi2+ n/N, anti-Mi2- n/N, printed p)
HOLSTER = (12, 55, 2, 55, ".008")
GOTTRON = (38, 53, 21, 55, ".0005")
# Table I rows with n/N in both groups: 31 feature rows - 4 antibody rows with "—" - the CK
# row (means) = 26; the anti-Mi2 row itself (64/64 vs 0/55) splits the cohorts, leaving 25.
COHORT_EDGES = 25
# antibody-cancer figures: Requena NPV 95% and specificity 89% (anti-TIF1-gamma); the case
# report "about 80%" and OR 27 (anti-TIF1-gamma); Monseau SIR 5.1 (3.0-8.6) for anti-Mi2
LITERATURE = Counter({"dmkg:AntiTIF1gamma": 4, "dmkg:AntiMi2": 1})


@pytest.fixture(scope="module")
def kgraph(graph: Graph) -> KnowledgeGraph:
    return KnowledgeGraph(graph)


@pytest.fixture(scope="module")
def features(kgraph: KnowledgeGraph) -> nx.Graph:
    return kgraph.patient_feature_graph()


@pytest.fixture(scope="module")
def associations(kgraph: KnowledgeGraph) -> nx.MultiGraph:
    return kgraph.association_graph()


@pytest.fixture(scope="module")
def evidence(kgraph: KnowledgeGraph) -> nx.MultiDiGraph:
    return kgraph.evidence_graph()


# ---------------------------------------------------------------------------------------------


def test_whole_rdf_graph_as_a_multidigraph(graph: Graph, kgraph: KnowledgeGraph) -> None:
    whole = kgraph.to_networkx()
    assert isinstance(whole, nx.MultiDiGraph)
    assert whole.number_of_edges() == len(graph)
    assert whole.number_of_nodes() == len(set(graph.subjects()) | set(graph.objects()))
    record = next(r for r in graph.subjects(DMKG.finding, DMKG.HeliotropeRash))
    assert whole.has_edge(record, DMKG.HeliotropeRash, key=DMKG.finding)
    edge = whole.edges[record, DMKG.HeliotropeRash, DMKG.finding]
    assert edge["predicate_id"] == "dmkg:finding"
    node = whole.nodes[DMKG.HeliotropeRash]
    assert (node["term"], node["id"], node["label"]) == (
        "iri",
        "dmkg:HeliotropeRash",
        "heliotrope rash",
    )
    literal = next(
        n for n, d in whole.nodes(data=True) if d["term"] == "literal" and d["value"] == "+++"
    )
    assert whole.in_degree(literal) > 0


def test_bipartite_counts(features: nx.Graph) -> None:
    patients = {n for n, d in features.nodes(data=True) if d["bipartite"] == 0}
    assert len(patients) == 26 and bipartite.is_bipartite_node_set(features, patients)
    kinds = Counter(d["kind"] for _, _, d in features.edges(data=True))
    assert kinds == {
        "finding present": sum(REQUENA_PRESENT.values()) + CASE_REPORT_PRESENT,
        "antibody positive": POSITIVE_ANTIBODIES,
        "cancer site": SITES,
    }
    assert features.number_of_edges() == 164 + 22 + 26


def test_bipartite_node_and_edge_attributes(features: nx.Graph) -> None:
    helio = features.nodes["dmkg:HeliotropeRash"]
    assert (helio["kind"], helio["label"], helio["bipartite"]) == ("finding", "heliotrope rash", 1)
    assert helio["patients"] == len(HELIOTROPE_YES) == features.degree("dmkg:HeliotropeRash")
    assert features.nodes["dmkg:AntiTIF1gamma"]["patients"] == len(TIF1_POSITIVE)
    assert features.nodes["dmkg:BreastMalignancy"]["patients"] == len(BREAST)
    assert features.nodes["dmkg:Lymphoma"]["patients"] == len(LYMPHOMA)
    assert "dmkg:CalcinosisCutis" not in features  # absent in all 25 rows: no edge, no node
    by_label = {d["label"]: n for n, d in features.nodes(data=True) if d["kind"] == "patient"}
    case5, case6 = by_label["requena2024 case 5"], by_label["requena2024 case 6"]
    assert features.nodes[case5]["source"] == REQUENA and features.nodes[case5]["case"] == "5"
    edge = features.edges[case5, "dmkg:HeliotropeRash"]
    assert edge["kind"] == "finding present" and edge["grade"] == 3  # "+++"
    assert len(edge["records"]) == 1 and edge["records"][0].startswith("record:")
    assert not features.has_edge(case6, "dmkg:HeliotropeRash")  # "No" in Table 2


# ---------------------------------------------------------------------------------------------


def test_association_nodes(associations: nx.MultiGraph) -> None:
    helio = associations.nodes["dmkg:HeliotropeRash"]
    assert (helio["kind"], helio["patients"]) == ("finding", len(HELIOTROPE_YES))
    assert associations.nodes["dmkg:AntiMi2"]["kind"] == "antibody"
    assert associations.nodes["dmkg:AntiMi2"]["patients"] == 1  # case 18
    assert associations.nodes["dmkg:LungMalignancy"]["kind"] == "cancer site"
    assert associations.nodes["dmkg:Malignancy"]["kind"] == "cancer"
    holster = associations.nodes["dmkg:HolsterSign"]  # known from Monseau's cohorts only
    assert (holster["kind"], holster["patients"]) == ("finding", 0)


@pytest.mark.parametrize(
    "pair, cells",
    [
        (
            ("dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy"),
            _cells(TIF1_POSITIVE, TIF1_NEGATIVE, BREAST, ALL_PATIENTS - BREAST),
        ),
        (
            ("dmkg:Myositis", "dmkg:LungMalignancy"),
            _cells(MYOSITIS_YES, MYOSITIS_NO, LUNG, ALL_PATIENTS - LUNG),
        ),
        (
            ("dmkg:HeliotropeRash", "dmkg:AntiTIF1gamma"),
            _cells(HELIOTROPE_YES, HELIOTROPE_NO, TIF1_POSITIVE, TIF1_NEGATIVE),
        ),
    ],
    ids=lambda x: "-".join(x) if isinstance(x[0], str) else "",
)
def test_co_occurrence_edges_equal_hand_counts(
    associations: nx.MultiGraph, pair: tuple[str, str], cells: tuple[int, int, int, int]
) -> None:
    edge = associations.edges[pair[0], pair[1], "co-occurrence"]
    assert (edge["exposure"], edge["outcome"]) == pair
    assert (edge["a"], edge["b"], edge["c"], edge["d"]) == cells
    assert edge["weight"] == edge["patients"] == cells[0]
    table = [[cells[0], cells[1]], [cells[2], cells[3]]]
    assert edge["p_fisher"] == pytest.approx(fisher_exact(table).pvalue, rel=1e-12)
    ratio = odds_ratio(table, kind="conditional")
    assert edge["odds_ratio"] == pytest.approx(ratio.statistic)
    assert edge["value"] == edge["odds_ratio"] and edge["measure"] == "odds ratio"
    low, high = ratio.confidence_interval(0.95)
    assert (edge["ci_low"], edge["ci_high"]) == (pytest.approx(low), pytest.approx(high))


def test_co_occurrence_edges_respect_min_patients(
    kgraph: KnowledgeGraph, associations: nx.MultiGraph
) -> None:
    weights = [
        d["weight"] for _, _, d in associations.edges(data=True) if d["kind"] == "co-occurrence"
    ]
    assert weights and min(weights) >= 2
    # the case report's patient alone is anti-Ro52+ with heliotrope rash: 1 patient
    assert not associations.has_edge("dmkg:HeliotropeRash", "dmkg:AntiRo52")
    loose = kgraph.association_graph(min_patients=1)
    edge = loose.edges["dmkg:HeliotropeRash", "dmkg:AntiRo52", "co-occurrence"]
    assert edge["weight"] == len(HELIOTROPE_YES & RO52_POSITIVE) == 1
    assert edge["odds_ratio"] is None  # nobody is anti-Ro52 negative: the table says nothing
    with pytest.raises(UsageError, match="min_patients"):
        kgraph.association_graph(min_patients=0)


def test_feature_by_site_edges_carry_the_associations_rows(
    graph: Graph, associations: nx.MultiGraph
) -> None:
    rows = {(r["exposure_id"], r["outcome_id"]): r for r in patient_associations(graph)}
    checked = 0
    for _, v, data in associations.edges(data=True):
        if data["kind"] != "co-occurrence" or associations.nodes[v]["kind"] != "cancer site":
            continue
        row = rows[(data["exposure"], data["outcome"])]
        assert (data["a"], data["b"], data["c"], data["d"], data["excluded"]) == (
            row["a"],
            row["b"],
            row["c"],
            row["d"],
            row["excluded"],
        )
        for key in ("odds_ratio", "or_ci_low", "or_ci_high", "p_fisher"):
            expected = math.inf if row[key] == "inf" else row[key]
            assert data[key] == expected
        checked += 1
    assert checked >= 10


def test_cohort_and_literature_edges(associations: nx.MultiGraph) -> None:
    kinds = Counter(d["kind"] for _, _, d in associations.edges(data=True))
    assert kinds["cohort"] == COHORT_EDGES
    literature = Counter(
        u if u.startswith("dmkg:Anti") else v
        for u, v, d in associations.edges(data=True)
        if d["kind"] == "literature"
    )
    assert literature == LITERATURE
    holster = [
        d for _, _, d in associations.edges("dmkg:HolsterSign", data=True) if d["kind"] == "cohort"
    ]
    assert len(holster) == 1
    edge = holster[0]
    n1, total1, n2, total2, printed = HOLSTER
    cells = (n1, total1 - n1, n2, total2 - n2)
    assert (edge["a"], edge["b"], edge["c"], edge["d"]) == cells
    assert edge["reported_p"] == printed and edge["source"] == MONSEAU
    assert edge["exposure"] == "Monseau 2020: anti-Mi2-positive DM"
    table = [[cells[0], cells[1]], [cells[2], cells[3]]]
    assert edge["p_fisher"] == pytest.approx(fisher_exact(table).pvalue, rel=1e-12)
    assert edge["odds_ratio"] == pytest.approx(odds_ratio(table).statistic)
    gottron = associations.edges[
        "dmkg:AntiMi2",
        "dmkg:GottronPapulesOrSign",
        next(k for k in associations["dmkg:AntiMi2"]["dmkg:GottronPapulesOrSign"]),
    ]
    assert (gottron["a"], gottron["reported_p"]) == (GOTTRON[0], GOTTRON[4])
    sir = [
        d
        for d in associations.get_edge_data("dmkg:AntiMi2", "dmkg:Malignancy").values()
        if d["kind"] == "literature"
    ]
    assert len(sir) == 1
    assert (sir[0]["measure"], sir[0]["value"], sir[0]["ci_low"], sir[0]["ci_high"]) == (
        "standardized incidence ratio",
        5.1,
        3.0,
        8.6,
    )
    assert sir[0]["source"] == MONSEAU and sir[0]["weight"] == 0


# ---------------------------------------------------------------------------------------------


def _yaml_statements() -> int:
    """Statements and literature claims as curated from the papers' text (source.yaml)."""
    total = 0
    for source in ("requena2024", "curroncol2021", "monseau2020"):
        meta = yaml.safe_load((DATA / source / "source.yaml").read_text(encoding="utf-8"))
        total += len(meta.get("statements", [])) + len(meta.get("claims", []))
    return total


# Statistics printed in tables: Requena Table 1's totals row "59, mean age: 61.7" and
# "Median 3 months, mean 5.4 months" (4), Monseau Table I's CK row, a mean per group (2).
TABLE_STATISTICS = 4 + 2
COMPARISONS = 27  # Monseau Table I: 26 count rows + the CK row
RISK_ESTIMATES = 4  # NPV 95%, specificity 89%, OR 27, SIR 5.1


def test_evidence_graph_nodes(evidence: nx.MultiDiGraph) -> None:
    kinds = Counter(d["kind"] for _, d in evidence.nodes(data=True))
    assert (kinds["publication"], kinds["study"], kinds["cohort"]) == (3, 3, 6)
    claims = Counter(d["claim_type"] for _, d in evidence.nodes(data=True) if d["kind"] == "claim")
    assert sum(claims.values()) == _yaml_statements() + TABLE_STATISTICS + COMPARISONS
    assert claims["group comparison"] == COMPARISONS
    assert claims["risk estimate"] == RISK_ESTIMATES
    designs = {
        d["label"][:20]: d["design"] for _, d in evidence.nodes(data=True) if d["kind"] == "study"
    }
    assert sorted(designs.values()) == [
        "case report",
        "case series study",
        "comparative cohort study",
    ]
    sizes = sorted(d["size"] for _, d in evidence.nodes(data=True) if d["kind"] == "cohort")
    assert sizes == [1, 20, 25, 32, 55, 64]
    monseau = evidence.nodes["publication:monseau2020"]
    assert (monseau["doi"], monseau["year"]) == (MONSEAU, 2020)


def test_evidence_graph_edges(evidence: nx.MultiDiGraph) -> None:
    claims = [n for n, d in evidence.nodes(data=True) if d["kind"] == "claim"]
    assert all(
        any(k == "stated in" for _, _, k in evidence.out_edges(c, keys=True)) for c in claims
    )
    sir = next(
        n
        for n, d in evidence.nodes(data=True)
        if d.get("measure") == "standardized incidence ratio"
    )
    targets = {(k, v) for _, v, k in evidence.out_edges(sir, keys=True)}
    assert targets == {
        ("about", "dmkg:AntiMi2"),
        ("outcome", "dmkg:Malignancy"),
        ("stated in", "publication:monseau2020"),
        ("cohort", "https://w3id.org/dmkg/data/cohort/monseau2020/mi2pos"),
    }
    assert (evidence.nodes[sir]["value"], evidence.nodes[sir]["ci_low"]) == (5.1, 3.0)
    holster = next(
        n
        for n, d in evidence.nodes(data=True)
        if d.get("claim_type") == "group comparison" and evidence.has_edge(n, "dmkg:HolsterSign")
    )
    node = evidence.nodes[holster]
    assert node["label"] == "Holster sign: 12/55 vs 2/55" and node["p"] == HOLSTER[4]
    assert node["table"] == "Table I"
    relations = {k for _, _, k in evidence.out_edges(holster, keys=True)}
    assert relations == {"about", "first group", "second group", "stated in"}
    assert evidence.nodes["dmkg:HolsterSign"]["kind"] == "finding"
    assert evidence.has_edge(
        "https://w3id.org/dmkg/data/cohort/monseau2020/mi2pos",
        "study:monseau2020",
        key="part of study",
    )
    assert evidence.has_edge("study:monseau2020", "publication:monseau2020", key="described in")


def test_node_names_match_the_query_ids(kgraph: KnowledgeGraph, features: nx.Graph) -> None:
    patients = kgraph.patients()
    assert set(patients["id"]) == {
        n for n, d in features.nodes(data=True) if d["kind"] == "patient"
    }
    sites = kgraph.query("cancer-sites")
    assert set(sites["site_id"]) <= set(features.nodes)
    assert all(isinstance(n, str) for n in features.nodes)
    assert URIRef(str(DMKG.HeliotropeRash)) not in features  # named by CURIE, not IRI
