"""The Python API (kg.load, KnowledgeGraph) against hand counts from the seed papers.

Counts are read off the papers in /work/shared/seeds: 000 Requena et al. (25 patients,
Tables 1 and 2, case numbers 1-25), 002 the Current Oncology 2021 case report (one patient,
``CR``), 003 Monseau et al. (cohorts only). The cache tests stub the ten-second build with
the session's graph, so they test the caching, not the pipeline (tests/test_build.py does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rdflib import BNode, Graph

import kg
from kg.api import CACHE_ENV, KnowledgeGraph, cache_dir, cache_key, load
from kg.api import cache as api
from kg.build.graph import BuildResult
from kg.errors import CurationErrors, NotFoundError, QueryError, UsageError

REQUENA = "10.1016/j.ad.2025.02.012"
CASE_REPORT = "10.3390/curroncol28030182"
REPO = Path(__file__).resolve().parents[1]

# Requena Table 2, "Heliotrope rash": "+"/"++"/"+++" in 20 rows, "No" or the dash in 6, 19, 20,
# 21, "U" in 12. Table 1 "Myositis (clinical)": 15 Yes, 9 No, case 12 U.
HELIOTROPE = {"present": 20, "absent": 4, "unknown": 1}
MYOSITIS = {"present": 15, "absent": 9, "unknown": 1}
# Table 1 "Survival": D in 17 rows, A in 20, 22, 23, 24, L in 9, 10, 11, 12; the case report's
# patient is alive ("complete clinical recovery").
OUTCOMES = {"dead": 17, "alive": 4 + 1, "lost to follow-up": 4}
# Table 1 "Sex": 9 M, 16 F; the case report: a 61-year-old woman.
SEXES = {"male": 9, "female": 16 + 1}
# Positive for a myositis-specific antibody: anti-TIF-1-gamma + in cases 15, 16, 17, 18, 20,
# 22, 23 (case 18 also anti-Mi-1/Mi-2 +) and the case report (anti-TIF1-gamma).
MSA_POSITIVE = {"15", "16", "17", "18", "20", "22", "23"}
# patients-matching anti-TIF1-gamma + heliotrope rash, aged 60 or more: 17 (77), 18 (77),
# 22 (60) and the case report (61).
TIF_HELIOTROPE_60 = {
    ("requena2024 case 17", 77),
    ("requena2024 case 18", 77),
    ("requena2024 case 22", 60),
    ("curroncol2021 case 1", 61),
}
# Case 5 (Table 1 row 5, Table 2 row 5, the 6th line of each TSV): 43, F, "Infiltrating ductal
# carcinoma of the breast", 12 months, myositis Yes, dysphagia Yes, CPK 1399, ILD No,
# "ANA+ 1/640, anti-Jo-1, anti-RNP, Ro, La, Sm -", "D (3)"; Table 2: + + +++ + U No U U No.
CASE5_FINDINGS = 9 + 4  # nine Table 2 columns + myositis, dysphagia, CK elevation, ILD
CASE5_ANTIBODIES = {
    "antinuclear antibody": "positive",
    "anti-Jo-1 antibody": "negative",
    "anti-U1-RNP antibody": "negative",
    "anti-Ro/SSA antibody": "negative",
    "anti-La/SSB antibody": "negative",
    "anti-Sm antibody": "negative",
}
# The case report lists ten treatments (four neoadjuvant drugs, IVIG, prednisone, mastectomy,
# axillary dissection, adjuvant trastuzumab, an aromatase inhibitor).
CASE_REPORT_TREATMENTS = 10


@pytest.fixture(scope="module")
def kgraph(graph: Graph) -> KnowledgeGraph:
    return KnowledgeGraph(graph, origin="test session")


def _no_bnodes(graph: Graph) -> set[Any]:
    return {t for t in graph if not any(isinstance(x, BNode) for x in t)}


# ---------------------------------------------------------------------------------------------
# Loading and the cache
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def stub_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built: BuildResult) -> list[Any]:
    """Point the cache to tmp_path and replace the ten-second build by the session's graph."""
    calls: list[Any] = []

    def fake_build(folders: Any, run_reasoner: bool, progress: Any) -> Graph:
        calls.append(folders)
        return built.graph

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(api, "_build", fake_build)
    return calls


def test_first_load_builds_and_caches_later_loads_read_the_cache(
    stub_build: list[Any], built: BuildResult, tmp_path: Path
) -> None:
    first = load(progress=lambda _: None)
    assert len(stub_build) == 1
    cached = list((tmp_path / "cache").glob("bundled-*.nt"))
    assert [p.name for p in cached] == [f"bundled-{cache_key()}.nt"]
    second = load(progress=lambda _: None)
    assert len(stub_build) == 1, "the second load must not build"  # speed: see README
    assert "cache" in second.origin and len(second) == len(first) == len(built.graph)
    assert _no_bnodes(second.rdf) == _no_bnodes(built.graph)
    assert len(second.patients()) == 26


def test_cache_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "dmkg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "dmkg"


def test_a_damaged_cache_file_is_rebuilt(stub_build: list[Any], tmp_path: Path) -> None:
    path = tmp_path / "cache" / f"bundled-{cache_key()}.nt"
    path.parent.mkdir(parents=True)
    path.write_text("<a> <b> .\n")  # not N-Triples: a killed writer, a full disk, ...
    with pytest.warns(UserWarning, match="damaged"):
        graph = load(progress=lambda _: None)
    assert len(stub_build) == 1 and len(graph.patients()) == 26
    assert path.stat().st_size > 1_000_000  # replaced by the real graph


def test_older_bundled_cache_files_are_removed(stub_build: list[Any], tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "bundled-0000.nt").write_text("")
    (folder / "sources-1111.nt").write_text("")  # a user's graph: kept
    load(progress=lambda _: None)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"bundled-{cache_key()}.nt", "sources-1111.nt"]
    )


def test_an_unwritable_cache_only_warns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, built: BuildResult
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    monkeypatch.setattr(api, "_build", lambda *args: built.graph)
    with pytest.warns(UserWarning, match="could not write the cache"):
        graph = load(progress=lambda _: None)
    assert len(graph) == len(built.graph)


def test_no_cache_neither_reads_nor_writes(stub_build: list[Any], tmp_path: Path) -> None:
    load(cache=False, progress=lambda _: None)
    load(cache=False, progress=lambda _: None)
    assert len(stub_build) == 2 and not (tmp_path / "cache").exists()


def test_cache_key_changes_with_any_curated_file(tmp_path: Path) -> None:
    copy = tmp_path / "requena2024"
    shutil.copytree(REPO / "kg" / "data" / "requena2024", copy)
    before = cache_key([copy])
    assert cache_key([copy]) == before
    table = copy / "table2.tsv"
    table.write_text(
        table.read_text(encoding="utf-8").replace("5\tU\t+\t+++", "5\tU\t+\t++"), encoding="utf-8"
    )
    assert cache_key([copy]) != before
    assert cache_key([copy], run_reasoner=False) != cache_key([copy])
    assert cache_key() != cache_key([copy])


def test_load_a_built_graph_file_or_folder(built: BuildResult, tmp_path: Path) -> None:
    built.graph.serialize(tmp_path / "dmkg.nt", format="nt", encoding="utf-8")
    for where in (tmp_path, str(tmp_path / "dmkg.nt")):
        graph = load(where)
        assert len(graph) == len(built.graph)
        assert len(graph.patients()) == 26
    turtle = tmp_path / "graph.ttl"
    built.graph.serialize(turtle, format="turtle", encoding="utf-8")
    assert len(load(turtle).patients()) == 26


def test_load_a_bad_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        load(tmp_path / "missing")
    with pytest.raises(UsageError, match="neither dmkg.nt"):
        load(tmp_path)
    broken = tmp_path / "broken.nt"
    broken.write_text("<a> <b> .\n")
    with pytest.raises(UsageError, match="not a readable RDF file"):
        load(broken)


def test_load_a_users_curated_folder_goes_through_the_gate(tmp_path: Path) -> None:
    mine = tmp_path / "my-series" / "requena2024"
    shutil.copytree(REPO / "kg" / "data" / "requena2024", mine)
    lines: list[str] = []
    graph = load(mine.parent, cache=False, run_reasoner=False, progress=lines.append)
    assert any("validating" in line for line in lines)
    patients = graph.patients()
    assert len(patients) == 25 and set(patients["source"]) == {REQUENA}
    heliotrope = graph.query("sign-frequency").set_index("sign").loc["heliotrope rash"]
    assert {k: int(heliotrope[k]) for k in HELIOTROPE} == HELIOTROPE
    # a mistake in the copy: case 5's age "43" typed as "430"
    table = mine / "table1.tsv"
    table.write_text(
        table.read_text(encoding="utf-8").replace("5\t43\tF", "5\t430\tF"), encoding="utf-8"
    )
    with pytest.raises(CurationErrors, match="age out of range"):
        load(mine, cache=False, run_reasoner=False, progress=lambda _: None)


def test_import_kg_stays_light() -> None:
    code = (
        "import sys, kg; heavy = ['pandas', 'matplotlib', 'networkx', 'owlready2', "
        "'lifelines', 'scipy']; print([m for m in heavy if m in sys.modules])"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert run.stdout.strip() == "[]"


def test_public_api_is_re_exported() -> None:
    assert kg.load is load and kg.KnowledgeGraph is KnowledgeGraph
    assert {"load", "KnowledgeGraph", "PatientRecord", "cache_dir"} <= set(kg.__all__)


# ---------------------------------------------------------------------------------------------
# Queries and SPARQL
# ---------------------------------------------------------------------------------------------


def test_query_gives_typed_columns_and_hand_counts(kgraph: KnowledgeGraph) -> None:
    signs = kgraph.query("sign-frequency", source=REQUENA)
    assert signs.attrs["title"] == "Sign frequency"
    assert list(signs.columns[:2]) == ["sign", "sign_id"]
    for column in ("present", "absent", "unknown", "patients"):
        assert signs[column].dtype == "int64"
    by_sign = signs.set_index("sign")
    assert {k: int(by_sign.loc["heliotrope rash", k]) for k in HELIOTROPE} == HELIOTROPE
    assert {k: int(by_sign.loc["myositis", k]) for k in MYOSITIS} == MYOSITIS
    assert by_sign.loc["heliotrope rash", "sign_id"] == "dmkg:HeliotropeRash"


def test_query_medians_are_floats_with_missing_values(kgraph: KnowledgeGraph) -> None:
    survival = kgraph.query("survival-by-finding", finding="myositis").set_index("status")
    assert survival["median_followup_months"].dtype == "float64"
    # present: months 10 15 13 3 5 16 2 52 5 15 49 4 23 180 22 -> 15; absent: 9 180 10 38 44 17
    assert survival.loc["present", "median_followup_months"] == 15.0
    assert survival.loc["absent", "median_followup_months"] == 27.5
    assert pd.isna(survival.loc["unknown", "median_followup_months"])


def test_query_parameters_take_python_values(kgraph: KnowledgeGraph) -> None:
    found = kgraph.query(
        "patients-matching", antibody="anti-TIF1-gamma", sign="heliotrope rash", min_age=60
    )
    assert found["age"].dtype == "int64"
    assert set(zip(found["patient"], found["age"].tolist(), strict=True)) == TIF_HELIOTROPE_60


def test_query_errors(kgraph: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no canned query named 'sign-frequencies'"):
        kgraph.query("sign-frequencies")
    with pytest.raises(QueryError, match="no parameter 'sauce'"):
        kgraph.query("sign-frequency", sauce=REQUENA)
    assert "survival-by-finding" in set(kgraph.queries()["name"])


def test_sparql_select_ask_construct_and_refusals(kgraph: KnowledgeGraph) -> None:
    prefix = "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
    counted = kgraph.sparql(prefix + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }")
    assert isinstance(counted, pd.DataFrame) and counted["n"].tolist() == [26]
    sexes = kgraph.sparql(
        prefix + "SELECT ?sex (COUNT(?p) AS ?n) WHERE { ?p dmkg:sex ?sex } GROUP BY ?sex"
    )
    assert isinstance(sexes, pd.DataFrame)
    assert dict(zip(sexes["sex"], sexes["n"].tolist(), strict=True)) == SEXES
    assert kgraph.sparql(prefix + "ASK { ?p a dmkg:MSAPositivePatient }") is True
    built = kgraph.sparql(prefix + "CONSTRUCT { ?p a dmkg:Patient } WHERE { ?p a dmkg:Patient }")
    assert isinstance(built, Graph) and len(built) == 26
    with pytest.raises(QueryError, match="read-only"):
        kgraph.sparql("DELETE WHERE { ?s ?p ?o }")


# ---------------------------------------------------------------------------------------------
# Patients
# ---------------------------------------------------------------------------------------------


def test_patients_one_row_each_with_hand_counts(kgraph: KnowledgeGraph) -> None:
    patients = kgraph.patients()
    assert len(patients) == 26 and patients["id"].is_unique
    assert list(patients.columns[:6]) == ["id", "patient", "source", "case", "age", "sex"]
    assert patients["age"].dtype == "int64" and patients["followup_months"].dtype == "float64"
    assert patients["outcome"].value_counts().to_dict() == OUTCOMES
    assert patients["sex"].value_counts().to_dict() == SEXES
    assert patients["source"].value_counts().to_dict() == {REQUENA: 25, CASE_REPORT: 1}
    assert patients["case"].tolist()[:3] == ["1", "2", "3"]  # numeric case order
    msa = patients[patients["msa_positive"]]
    assert set(msa[msa["source"] == REQUENA]["case"]) == MSA_POSITIVE and len(msa) == 8
    row = patients.set_index("patient").loc["requena2024 case 18"]
    assert row["age"] == 77 and row["sex"] == "female" and row["outcome"] == "dead"
    assert row["followup_months"] == 49.0 and row["cancer_sites"] == "breast cancer"
    assert set(row["antibodies"].split("; ")) == {
        "antinuclear antibody",
        "anti-Mi-1 antibody",
        "anti-Mi-2 antibody",
        "anti-TIF1-gamma antibody",
    }
    lost = patients[patients["outcome"] == "lost to follow-up"]
    assert set(lost["case"]) == {"9", "10", "11", "12"} and lost["followup_months"].isna().all()


def test_patient_case_5_with_provenance(kgraph: KnowledgeGraph) -> None:
    case5 = kgraph.patient("requena2024 case 5")
    assert (case5.age, case5.sex, case5.source, case5.case) == (43, "female", REQUENA, "5")
    assert len(case5.findings) == CASE5_FINDINGS
    heliotrope = case5.findings.set_index("finding").loc["heliotrope rash"]
    assert heliotrope["status"] == "present" and heliotrope["grade"] == 3
    assert (heliotrope["table"], heliotrope["row"], heliotrope["column"]) == (
        "Table 2",
        "5",
        "Heliotrope rash",
    )
    assert heliotrope["verbatim"] == "+++" and heliotrope["location_verbatim"] == "+++"
    assert (heliotrope["curated_file"], heliotrope["curated_line"]) == ("requena2024/table2.tsv", 6)
    assert case5.findings["grade"].dtype == "Int64"
    antibodies = case5.tests[case5.tests["kind"] == "antibody"]
    assert dict(zip(antibodies["test"], antibodies["result"], strict=True)) == CASE5_ANTIBODIES
    ana = antibodies.set_index("test").loc["antinuclear antibody"]
    assert ana["titer"] == "1/640" and ana["column"] == "Autoantibodies"
    assert ana["location_verbatim"] == "ANA+ 1/640, anti-Jo-1, anti-RNP, Ro, La, Sm -"
    ck = case5.tests[case5.tests["kind"] == "laboratory"].iloc[0]
    assert (ck["value"], ck["result"], ck["column"]) == (1399.0, "above normal range", "CPK (U/L)")
    cancer = case5.cancers.iloc[0]
    assert len(case5.cancers) == 1 and cancer["site"] == "breast cancer"
    assert cancer["interval_months"] == 12.0
    assert cancer["column"] == "Associated cancer; Time (months)"  # read from two cells
    outcome = case5.outcome.iloc[0]
    assert (outcome["status"], outcome["months"], outcome["verbatim"]) == ("dead", 3.0, "D (3)")
    assert case5.treatments.empty and "13 record(s)" in str(case5)


def test_patient_by_iri_curie_or_label(kgraph: KnowledgeGraph) -> None:
    by_label = kgraph.patient("requena2024 case 5")
    assert kgraph.patient(by_label.id).iri == by_label.iri
    assert kgraph.patient(by_label.iri).id == by_label.id
    assert kgraph.patient("  REQUENA2024   Case 5 ").id == by_label.id
    with pytest.raises(NotFoundError, match="did you mean 'requena2024 case 5'"):
        kgraph.patient("requena2024 case 55")
    with pytest.raises(NotFoundError, match="no patient 'patient:Pnothing'"):
        kgraph.patient("patient:Pnothing")


def test_patient_from_a_case_report(kgraph: KnowledgeGraph) -> None:
    report = kgraph.patient("curroncol2021 case 1")
    assert (report.age, report.sex) == (61, "female")
    assert len(report.treatments) == CASE_REPORT_TREATMENTS
    assert report.treatments["intervention"].value_counts()["trastuzumab"] == 2
    first = report.treatments.set_index("curated_item").loc["patients[1].treatments[1]"]
    assert (first["intervention"], first["dose"], first["section"]) == (
        "cyclophosphamide",
        "600 mg/m2",
        "Case presentation",
    )
    assert pd.isna(first["table"])
    # the neoadjuvant regimen, September 2019 to March 2020: cyclophosphamide is phase 1 and
    # starts it; when phase 1 ended the paper does not say
    assert (first["regimen"], first["phase_order"]) == ("neoadjuvant chemotherapy", 1)
    assert (first["regimen_start"], first["regimen_end"]) == ("2019-09", "2020-03")
    assert (first["start"], pd.isna(first["end"])) == ("2019-09", True)
    cancer = report.cancers.iloc[0]
    assert cancer["stage"] == "T2N2M0" and cancer["grade"] == 2 and cancer["size_mm"] == 36.0
    assert "HER2 positive (2+)" in cancer["markers"]
    assert report.outcome.iloc[0]["status"] == "alive"


# ---------------------------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------------------------


def test_ontology_in_owlready2(kgraph: KnowledgeGraph) -> None:
    onto = kgraph.ontology
    assert onto is kgraph.ontology  # loaded once per object
    assert kgraph.term("heliotropic rash").iri == "https://w3id.org/dmkg/ontology/HeliotropeRash"
    assert kgraph.term("dmkg:AntiMi2") is kgraph.term("anti-Mi-2")
    assert sorted(c.name for c in kgraph.subclasses("anti-synthetase antibody")) == [
        "AntiEJ",
        "AntiJo1",
        "AntiOJ",
        "AntiPL12",
        "AntiPL7",
    ]
    direct = {c.name for c in kgraph.subclasses("autoantibody", direct=True)}
    assert {"MyositisSpecificAutoantibody", "MyositisAssociatedAutoantibody"} <= direct
    assert "AntiJo1" not in direct
    assert [e.name for e in kgraph.search("heliotrop")] == ["HeliotropeRash"]
    with pytest.raises(NotFoundError, match="did you mean"):
        kgraph.term("heliotrop rash")
    with pytest.raises(UsageError, match="individual"):
        kgraph.subclasses("present")


def test_instances_include_inferred_types(kgraph: KnowledgeGraph) -> None:
    assert len(kgraph.instances("patient")) == 26
    msa = kgraph.instances("patient positive for a myositis-specific antibody")
    assert len(msa) == 8
    vital = kgraph.instances("vital status")
    assert vital["label"].tolist() == ["alive", "dead", "lost to follow-up"]
