"""KGX export: Biolink categories and predicates, knowledge sources, counts from the papers."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from kg.exchange.kgx import EDGE_COLUMNS, NODE_COLUMNS, NOTES_FILE, write_kgx

CATEGORIES = {"biolink:Case", "biolink:PhenotypicFeature", "biolink:Disease", "biolink:Publication"}
PREDICATES = {"biolink:has_phenotype", "biolink:related_to_at_instance_level"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def kgx(
    graph: Graph, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    out = tmp_path_factory.mktemp("kgx")
    write_kgx(graph, out)
    header = (out / "nodes.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == list(NODE_COLUMNS)
    header = (out / "edges.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == list(EDGE_COLUMNS)
    return read(out / "nodes.tsv"), read(out / "edges.tsv")


def test_nodes_have_biolink_categories(kgx: tuple[list[dict[str, str]], ...]) -> None:
    nodes, _ = kgx
    assert {n["category"] for n in nodes} == CATEGORIES
    kinds = Counter(n["category"] for n in nodes)
    assert kinds["biolink:Case"] == 26
    assert kinds["biolink:Publication"] == 3
    assert len({n["id"] for n in nodes}) == len(nodes)
    assert all(n["provided_by"] == "infores:dmkg" for n in nodes)
    by_id = {n["id"]: n for n in nodes}
    assert by_id["HP:0040324"]["category"] == "biolink:PhenotypicFeature"
    assert "dmkg:HeliotropeRash" in by_id["HP:0040324"]["xref"].split("|")
    assert by_id["MONDO:0016367"]["category"] == "biolink:Disease"
    # no HPO term and no prefix of the Biolink prefix map: left out, and listed
    assert "dmkg:FlagellateErythema" not in by_id
    assert by_id["doi:10.1016%2Fj.ad.2025.02.012#case-5"]["name"] == "requena2024 case 5"
    assert by_id["doi:10.1016%2Fj.ad.2025.02.012"]["category"] == "biolink:Publication"


def test_edges_are_sourced_and_connect_nodes(kgx: tuple[list[dict[str, str]], ...]) -> None:
    nodes, edges = kgx
    ids = {n["id"] for n in nodes}
    assert edges and {e["predicate"] for e in edges} == PREDICATES
    for edge in edges:
        assert edge["subject"] in ids and edge["object"] in ids
        assert edge["primary_knowledge_source"] == "infores:dmkg"
        assert edge["knowledge_level"] == "observation" and edge["agent_type"] == "manual_agent"
        assert edge["publications"].startswith("doi:10.") and edge["publications"] in ids
        for end in (edge["subject"], edge["object"]):
            assert "/" not in end.split(":", 1)[1], end  # KGX's CURIE rule
    assert len({e["id"] for e in edges}) == len(edges)


def test_every_case_has_dermatomyositis(kgx: tuple[list[dict[str, str]], ...]) -> None:
    _, edges = kgx
    dm = [
        e
        for e in edges
        if e["object"] == "MONDO:0016367" and e["category"] == "biolink:CaseToDiseaseAssociation"
    ]
    assert len(dm) == 26


def test_requena_case_5_edges(kgx: tuple[list[dict[str, str]], ...]) -> None:
    nodes, edges = kgx
    [case] = [n["id"] for n in nodes if n["name"] == "requena2024 case 5"]
    out = {(e["object"], e["negated"]) for e in edges if e["subject"] == case}
    assert ("HP:0040324", "") in out  # heliotrope rash +++
    assert ("HP:0025520", "true") in out  # calcinosis: No
    assert ("MONDO:0004953", "") in out  # infiltrating ductal carcinoma
    assert ("MONDO:0015925", "true") in out  # ILD: No
    assert not any(o == "HP:0000989" for o, _ in out)  # pruritus "U"


def test_cohort_frequencies_are_counts(kgx: tuple[list[dict[str, str]], ...]) -> None:
    _, edges = kgx
    holster = [
        e
        for e in edges
        if e["object"] == "HP:6000006"
        and e["category"] == "biolink:DiseaseToPhenotypicFeatureAssociation"
    ]
    got = {(e["subject"], e["has_count"], e["has_total"], e["has_percentage"]) for e in holster}
    assert got == {("MONDO:1010065", "12", "55", "21.82"), ("MONDO:0016367", "2", "55", "3.64")}
    assert not any(e["object"].startswith("dmkg:") for e in edges)


def test_what_has_no_biolink_prefix_is_listed(graph: Graph, tmp_path: Path) -> None:
    kg = write_kgx(graph, tmp_path)
    notes = (tmp_path / NOTES_FILE).read_text(encoding="utf-8")
    # Requena Table 2, flagellated lesion: 4 of 17 patients with a "+" or "No"
    assert "MONDO:0016367 biolink:has_phenotype dmkg:FlagellateErythema 4/17" in notes
    # bladder and breast cancer now have MONDO terms (MONDO:0001187, MONDO:0007254)
    assert "dmkg:BladderMalignancy" not in notes and "dmkg:BreastMalignancy" not in notes
    nodes = sum(1 for kind, _, _ in kg.left_out if kind == "node")
    assert nodes == 20 and len(kg.left_out) == 20 + 104


def test_kgx_validate_finds_no_error(graph: Graph, tmp_path: Path) -> None:
    from exchange_validators import kgx_errors

    write_kgx(graph, tmp_path)
    assert kgx_errors(tmp_path / "nodes.tsv", tmp_path / "edges.tsv") == {}


def test_kgx_export_is_reproducible(graph: Graph, tmp_path: Path) -> None:
    write_kgx(graph, tmp_path / "a")
    write_kgx(graph, tmp_path / "b")
    for name in ("nodes.tsv", "edges.tsv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
