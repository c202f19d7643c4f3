"""SSSOM export: the ontology's cross-references, as the verified fixture table lists them."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from kg.exchange.sssom import SSSOM_COLUMNS, write_sssom

FIXTURE = Path(__file__).parent / "fixtures" / "external_ids.tsv"
PREDICATE = {"exact": "skos:exactMatch", "close": "skos:closeMatch", "broad": "skos:broadMatch"}


def split(text: str) -> tuple[dict[str, object], list[dict[str, str]]]:
    lines = text.splitlines()
    meta = "\n".join(line[1:] for line in lines if line.startswith("#"))
    body = [line for line in lines if not line.startswith("#")]
    return yaml.safe_load(meta), list(csv.DictReader(body, delimiter="\t"))


def fixture_mappings() -> set[tuple[str, str, str]]:
    lines = [
        line
        for line in FIXTURE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return {
        (f"dmkg:{r['dmkg_class']}", PREDICATE[r["match"]], r["id"])
        for r in csv.DictReader(lines, delimiter="\t")
        if r["match"] in PREDICATE
    }


def test_sssom_metadata_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "dmkg.sssom.tsv"
    write_sssom(path)
    meta, rows = split(path.read_text(encoding="utf-8"))
    assert meta["mapping_set_id"] == "https://w3id.org/dmkg/mappings/dmkg.sssom.tsv"
    assert meta["license"] == "https://opensource.org/licenses/MIT"
    curie_map = meta["curie_map"]
    assert isinstance(curie_map, dict)
    used = {
        r[c].split(":", 1)[0]
        for r in rows
        for c in ("subject_id", "predicate_id", "object_id", "mapping_justification")
    }
    assert used <= set(curie_map)
    assert list(rows[0]) == list(SSSOM_COLUMNS)
    assert {r["mapping_justification"] for r in rows} == {"semapv:ManualMappingCuration"}


def test_sssom_rows_equal_the_verified_table(tmp_path: Path) -> None:
    path = tmp_path / "dmkg.sssom.tsv"
    write_sssom(path)
    _, rows = split(path.read_text(encoding="utf-8"))
    got = {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows}
    assert got == fixture_mappings()
    counts = {p: sum(r["predicate_id"] == p for r in rows) for p in PREDICATE.values()}
    # 74 from the verified table + 5 MONDO cancer categories verified against MONDO itself
    assert counts == {"skos:exactMatch": 74 + 5, "skos:closeMatch": 25, "skos:broadMatch": 2}


def test_exact_and_close_matches_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "dmkg.sssom.tsv"
    write_sssom(path)
    _, rows = split(path.read_text(encoding="utf-8"))
    arthritis = {
        (r["predicate_id"], r["object_id"], r["object_label"])
        for r in rows
        if r["subject_id"] == "dmkg:Arthritis"
    }
    assert arthritis == {
        ("skos:exactMatch", "HP:0001369", "Arthritis"),
        ("skos:closeMatch", "HP:0005059", "Arthralgia/arthritis"),
    }
    scalp = [r for r in rows if r["subject_id"] == "dmkg:ScalpPoikiloderma"]
    assert [(r["predicate_id"], r["object_id"]) for r in scalp] == [
        ("skos:broadMatch", "HP:0001029")
    ]
    assert "no scalp-specific term" in scalp[0]["comment"]
