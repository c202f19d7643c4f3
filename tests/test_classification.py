"""EULAR/ACR 2017 classification of the bundled patients, against scores counted by hand.

Points (without / with biopsy) from Lundberg et al., Ann Rheum Dis 2017;76:1955-1964,
Table 1; thresholds without biopsy: possible 5.3, probable 5.5, definite 7.5; with biopsy
6.5, 6.7, 8.7. Weakness items: 0.7 + 0.8 + 1.9 + 0.9 = 4.3 without biopsy, 0.7 + 0.5 + 1.6 +
1.2 = 4.0 with. The sources give the age at DM diagnosis, read for the age at first symptom.

Case report (Curr Oncol 2021), 61 years: heliotrope rash, dysphagia, CK 1024 IU/L, proximal
muscle weakness (which limbs not said), anti-Jo-1 not tested, Gottron's papules and sign not
mentioned; biopsy: perifascicular atrophy, perimysial infiltrates.
  without biopsy: met 2.1 + 3.1 + 0.7 + 1.3 = 7.2; unknown 4.3 + 2.1 + 3.3 + 3.9 -> 20.8
  with biopsy:    met 2.2 + 3.2 + 0.6 + 1.4 + 1.9 + 1.2 = 10.5;
                  unknown 4.0 + 2.7 + 3.7 + 3.8 + 1.7 (endomysial) + 3.1 (rimmed) -> 29.5
  -> probable..definite without biopsy, definite..definite with: decided, definite.
Requena (Table 1 and 2 rows); every Requena patient leaves the four weakness items ("Myositis
(clinical)" does not say which muscles) and Gottron's sign (no column) unknown:
  case 5, 43 y: heliotrope +++, Gottron +, dysphagia Yes, CPK 1399, anti-Jo-1 negative:
    2.1 + 3.1 + 2.1 + 0.7 + 1.3 = 9.3; + 4.3 + 3.3 = 16.9 (definite, decided; 5 unknown)
  case 10, 69 y: heliotrope +, Gottron U, dysphagia No, CPK N, anti-Jo-1 negative:
    2.1 + 3.1 = 5.2; + 4.3 + 3.3 + 2.1 + 0.7 (dysmotility unknown) + 1.3 (LDH/AST/ALT unknown)
    = 16.9 (below..definite, undecided; 8 unknown)
  case 6, 84 y: heliotrope No, Gottron No, dysphagia No, CPK U, antibodies NP:
    2.1; + 4.3 + 3.3 + 0.7 + 1.3 + 3.9 = 15.6 (below..definite; DM, ADM, IBM or PM possible)
  case 12, 56 y: heliotrope U, Gottron +, dysphagia U, CPK U, NP:
    2.1 + 2.1 = 4.2; + 4.3 + 3.3 + 3.1 + 0.7 + 1.3 + 3.9 = 20.8
  case 21, 59 y: heliotrope -, Gottron +, dysphagia empty (not reported), CPK 2913, Jo-1 -:
    2.1 + 2.1 + 1.3 = 5.5 (probable, at the threshold); + 4.3 + 3.3 + 0.7 = 13.8
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from kg.api.classification import classification_table
from kg.query import run_query
from kg.query.render import render_records
from kg.reason.classification import CLASSIFICATION_CONSTRUCT
from kg.store import OxigraphStore

CASE_REPORT = "curroncol2021 case 1"
#: patient -> (low, high, category low, category high, biopsy low, biopsy high, decided,
#: possible subgroups, unknown items)
BY_HAND: dict[str, tuple[Any, ...]] = {
    CASE_REPORT: (
        "7.2", "20.8", "probable IIM", "definite IIM", "10.5", "29.5", True,
        {"dermatomyositis"}, 9,
    ),
    "requena2024 case 5": (
        "9.3", "16.9", "definite IIM", "definite IIM", None, None, True,
        {"dermatomyositis", "amyopathic dermatomyositis"}, 5,
    ),
    "requena2024 case 10": (
        "5.2", "16.9", "below possible IIM", "definite IIM", None, None, False,
        {"dermatomyositis", "amyopathic dermatomyositis"}, 8,
    ),
    "requena2024 case 6": (
        "2.1", "15.6", "below possible IIM", "definite IIM", None, None, False,
        {
            "dermatomyositis",
            "amyopathic dermatomyositis",
            "inclusion body myositis",
            "polymyositis, including immune-mediated necrotising myopathy",
        },
        8,
    ),
    "requena2024 case 12": (
        "4.2", "20.8", "below possible IIM", "definite IIM", None, None, False,
        {"dermatomyositis", "amyopathic dermatomyositis"}, 9,
    ),
    "requena2024 case 21": (
        "5.5", "13.8", "probable IIM", "definite IIM", None, None, False,
        {"dermatomyositis", "amyopathic dermatomyositis"}, 6,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def store(graph: Graph) -> OxigraphStore:
    """The built graph in Oxigraph, as the command line reads it (rdflib is slow on paths)."""
    return OxigraphStore.from_bytes(graph.serialize(format="nt", encoding="utf-8"))


@pytest.fixture(scope="module")
def rows(store: OxigraphStore) -> dict[str, dict[str, Any]]:
    records = render_records(classification_table(store, {}), store)
    return {str(r["patient"]): r for r in records}


@pytest.fixture(scope="module")
def items(graph: Graph) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of every patient's record, with its evidence (kg.api.classification)."""
    from kg.api.classification import patient_classifications
    from kg.api.patients import patient_iris
    from kg.api.values import label_of

    out = {}
    for patient in patient_iris(graph):
        for view in patient_classifications(graph, patient):
            for row in view["item_rows"]:
                out[(str(label_of(graph, patient)), row["item_id"].rsplit("/", 1)[-1])] = row
    return out


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.parametrize("patient", list(BY_HAND))
def test_scores_counted_by_hand(rows: dict[str, dict[str, Any]], patient: str) -> None:
    low, high, cat_low, cat_high, b_low, b_high, decided, subgroups, unknown = BY_HAND[patient]
    row = rows[patient]
    assert _decimal(row["score_low"]) == Decimal(low)
    assert _decimal(row["score_high"]) == Decimal(high)
    assert (row["category_low"], row["category_high"]) == (cat_low, cat_high)
    assert _decimal(row["biopsy_score_low"]) == _decimal(b_low)
    assert _decimal(row["biopsy_score_high"]) == _decimal(b_high)
    assert bool(row["decided"]) is decided
    assert set(str(row["subgroups"]).split("; ")) == subgroups
    assert int(row["unknown_items"]) == unknown


def test_every_patient_classified_once(rows: dict[str, dict[str, Any]]) -> None:
    assert len(rows) == 26  # 25 Requena rows and the case report; Monseau has none


def test_case_report_items_and_their_cells(items: dict[tuple[str, str], Any]) -> None:
    status = {item: r["status"] for (p, item), r in items.items() if p == CASE_REPORT}
    assert status == {
        "age-18-39": "not met",
        "age-40": "met",
        "proximal-upper-weakness": "unknown",
        "proximal-lower-weakness": "unknown",
        "neck-flexor-weakness": "unknown",
        "leg-proximal-weaker": "unknown",
        "heliotrope-rash": "met",
        "gottron-papules": "unknown",
        "gottron-sign": "unknown",
        "dysphagia": "met",
        "anti-jo-1": "unknown",
        "muscle-enzymes": "met",
        "endomysial-infiltrate": "unknown",
        "perimysial-perivascular-infiltrate": "met",
        "perifascicular-atrophy": "met",
        "rimmed-vacuoles": "unknown",
    }
    assert "heliotropic rash" in items[(CASE_REPORT, "heliotrope-rash")]["evidence"]
    # "proximal muscle weakness" is the cell that leaves the limb items open
    assert "proximal muscle weakness" in items[(CASE_REPORT, "proximal-upper-weakness")]["evidence"]


def test_requena_items_read_from_their_cells(items: dict[tuple[str, str], Any]) -> None:
    case10 = {item: r for (p, item), r in items.items() if p == "requena2024 case 10"}
    assert case10["anti-jo-1"]["status"] == "not met"
    assert "Table 1 row 10" in case10["anti-jo-1"]["evidence"]
    # a normal CK does not rule out a raised LDH, AST or ALT the paper does not report
    assert case10["muscle-enzymes"]["status"] == "unknown"
    assert "'N'" in case10["muscle-enzymes"]["evidence"]
    # biopsy-only items are assessed only after a biopsy
    assert "rimmed-vacuoles" not in case10


def test_summary_per_source(store: OxigraphStore) -> None:
    records = render_records(run_query(store, "classification-summary", {}), store)
    got = {(r["source"], r["category"]): r["patients"] for r in records}
    decided = [p for p, v in BY_HAND.items() if v[6] and p.startswith("requena")]
    assert got[("10.1016/j.ad.2025.02.012", "definite IIM")] >= len(decided)
    assert sum(v for (s, _), v in got.items() if s == "10.1016/j.ad.2025.02.012") == 25
    assert got == {
        ("10.1016/j.ad.2025.02.012", "definite IIM"): 10,
        ("10.1016/j.ad.2025.02.012", "undecided"): 15,
        ("10.3390/curroncol28030182", "definite IIM"): 1,
    }


def test_monseau_is_cohort_level_only(store: OxigraphStore) -> None:
    """Monseau gives n/N per feature and cohort, never one patient's items together: the
    criteria need each patient's items jointly, so no score can be computed; its cohort
    counts of criteria items (heliotrope, Gottron, proximal weakness, ...) stay counts."""
    records = render_records(
        classification_table(store, {"source": "10.1016/j.jaad.2020.03.058"}), store
    )
    assert records == []
    compared = render_records(
        run_query(store, "cohort-comparison", {"source": "10.1016/j.jaad.2020.03.058"}), store
    )
    features = {str(r["feature"]) for r in compared}
    assert {"heliotrope rash", "proximal muscle weakness"} <= features


def test_no_contradictory_classification(items: dict[tuple[str, str], Any], rows: Any) -> None:
    """Each record's lowest score is at most its highest, and its unknown count is the
    number of items that apply with neither status."""
    for patient, row in rows.items():
        assert _decimal(row["score_low"]) <= _decimal(row["score_high"])  # type: ignore[operator]
        if row["biopsy_score_low"] is not None:
            assert _decimal(row["biopsy_score_low"]) <= _decimal(row["biopsy_score_high"])  # type: ignore[operator]
        unknown = [i for (p, i), r in items.items() if p == patient and r["status"] == "unknown"]
        assert len(unknown) == int(row["unknown_items"]), patient


def test_records_conform_to_the_shape(graph: Graph) -> None:
    """The build's gate runs before the records exist; here the built records (with their
    patients' types, the ontology and criteria beside them) go through the shapes."""
    from rdflib import RDF, URIRef

    from kg.namespaces import DMKG
    from kg.ontology import load_shapes
    from kg.validate.shacl import validate_graph

    data = graph.query(CLASSIFICATION_CONSTRUCT).graph
    assert data is not None and len(data) == 398
    for patient in graph.subjects(RDF.type, DMKG.Patient):
        data.add((patient, RDF.type, DMKG.Patient))
    shapes = load_shapes()
    only = Graph()  # the record's shape alone: the patients' own shapes need their records
    for triple in shapes.cbd(URIRef("https://w3id.org/dmkg/shapes/PatientClassificationShape")):
        only.add(triple)
    assert len(only) > 30
    report = validate_graph(data, shapes=only)
    assert report.conforms, report.violations


def _records_nt(graph: Graph) -> set[str]:
    built = graph.query(CLASSIFICATION_CONSTRUCT).graph
    return set(built.serialize(format="nt").splitlines()) - {""}  # type: ignore[union-attr]


def test_both_engines_derive_the_same_records(graph: Graph) -> None:
    """The batch path (a pyoxigraph store, the records appended as N-Triples) derives
    exactly the rdflib build's records from the same data: 26 patients, 398 triples."""
    import pyoxigraph as ox

    from kg.reason.classification import append_classifications

    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.update(
        "DELETE WHERE { ?c a <https://w3id.org/dmkg/classification/PatientClassification> ; ?p ?o }"
    )
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "batch.nt"
        assert append_classifications(store, str(out)) == len(_records_nt(graph)) == 398
        rebuilt = Graph().parse(out, format="nt")
    assert set(rebuilt.serialize(format="nt").splitlines()) - {""} == _records_nt(graph)


def test_store_build_derives_the_same_records(graph: Graph) -> None:
    """dmkg build --store (a worker process, batches) on the bundled papers holds the same
    records as the rdflib/HermiT build."""
    from kg.build.store import build_store
    from kg.store import OxigraphStore

    result = build_store(None, None, workers=2, batch=4, progress=lambda _: None)
    answer = OxigraphStore(result.store).sparql(CLASSIFICATION_CONSTRUCT).graph
    assert answer is not None
    assert set(answer.serialize(format="nt").splitlines()) - {""} == _records_nt(graph)


def test_patients_frame_has_the_category(graph: Graph) -> None:
    from kg.api.patients import patients_frame

    frame = patients_frame(graph).set_index("patient")
    assert frame.loc[CASE_REPORT, "eular_acr_2017"] == "definite IIM"  # with biopsy
    assert frame.loc["requena2024 case 5", "eular_acr_2017"] == "definite IIM"
    assert frame.loc["requena2024 case 21", "eular_acr_2017"] == "probable IIM to definite IIM"
    assert frame["eular_acr_2017"].value_counts().to_dict() == {
        "definite IIM": 11,
        "probable IIM to definite IIM": 9,
        "below possible IIM to definite IIM": 6,
    }


def test_patient_page_shows_the_classification(graph: Graph) -> None:
    from starlette.testclient import TestClient

    from kg.api.patients import find_patient
    from kg.web import create_app

    patient = str(find_patient(graph, CASE_REPORT)).rsplit("/", 1)[-1]
    page = TestClient(create_app(graph)).get(f"/patient/{patient}").text
    assert 'id="classification"' in page
    assert "10.5 to 29.5 (definite IIM)" in page
    assert "7.2 to 20.8 (probable IIM to definite IIM)" in page
    assert "research cohorts, not for diagnosis" in page


def test_vocabulary_matches_the_ontology() -> None:
    """Every dmkgc: term the ontology and criteria declare is in kg.reason.vocabulary.DMKGC,
    and every DMKGC term is declared."""
    from rdflib import RDF

    from kg.ontology import load_ontology
    from kg.reason.vocabulary import DMKGC

    ns = str(DMKGC._NS)
    declared = {
        str(s)[len(ns) :] for s in load_ontology().subjects(RDF.type, None) if str(s).startswith(ns)
    }
    assert declared == set(DMKGC.__annotations__)


def test_listing_same_on_rdflib_and_oxigraph(graph: Graph, store: OxigraphStore) -> None:
    """dmkg classify's table (not a canned query) gives the same typed rows, in the same
    order, on rdflib's engine and Oxigraph (tests/test_virtuoso.py: on Virtuoso too)."""
    from test_publish import norm

    from kg.store import EmbeddedStore

    expected = classification_table(EmbeddedStore(graph), {})
    got = classification_table(store, {})
    assert len(got.rows) == 26
    assert [[norm(t) for t in r] for r in got.rows] == [[norm(t) for t in r] for r in expected.rows]
