"""HPO annotation export: the phenotype.hpoa layout and frequencies counted from the papers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph

from kg.exchange.hpoa import HPOA_COLUMNS, write_hpoa

REQUENA = "DOI:10.1016/j.ad.2025.02.012"
MONSEAU = "DOI:10.1016/j.jaad.2020.03.058"
CURRONCOL = "DOI:10.3390/curroncol28030182"
DM, ANTI_MI2_DM = "MONDO:0016367", "MONDO:1010065"


@pytest.fixture(scope="module")
def hpoa(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("hpoa") / "dmkg.hpoa"
    _, notes = write_hpoa(graph, path)
    return path, notes


@pytest.fixture(scope="module")
def rows(hpoa: tuple[Path, list[str]]) -> list[dict[str, str]]:
    lines = [
        line
        for line in hpoa[0].read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


def frequency(rows: list[dict[str, str]], disease: str, hpo: str, ref: str) -> str | None:
    found = [
        r["frequency"]
        for r in rows
        if (r["database_id"], r["hpo_id"], r["reference"]) == (disease, hpo, ref)
    ]
    assert len(found) <= 1
    return found[0] if found else None


def test_layout_is_that_of_phenotype_hpoa(hpoa: tuple[Path, list[str]]) -> None:
    lines = hpoa[0].read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert [h.split(":", 1)[0] for h in header] == [
        "#description",
        "#version",
        "#tracker",
        "#hpo-version",
    ]
    assert "2025-11-24" in header[3]
    assert lines[len(header)].split("\t") == list(HPOA_COLUMNS)
    assert all(len(line.split("\t")) == 12 for line in lines[len(header) :])


def test_every_row_is_a_published_clinical_study_phenotype(rows: list[dict[str, str]]) -> None:
    assert rows
    for row in rows:
        assert row["evidence"] == "PCS" and row["aspect"] == "P" and row["qualifier"] == ""
        assert row["reference"] in (REQUENA, MONSEAU, CURRONCOL)
        assert row["database_id"] in (DM, ANTI_MI2_DM)
        assert row["biocuration"] == "dmkg:curators[2026-11-21]"
        n, m = (int(x) for x in row["frequency"].split("/"))
        assert 0 <= n <= m


def test_requena_frequencies_from_patient_rows(rows: list[dict[str, str]]) -> None:
    # Table 2 heliotrope: 20 "+" marks, 4 absent (case 6 "No", 19-21 "—"), case 12 "U"
    assert frequency(rows, DM, "HP:0040324", REQUENA) == "20/24"
    # Gottron's papules: 19 present, 5 "No", case 10 "U" (the text's 19/25 counts the U)
    assert frequency(rows, DM, "HP:0025508", REQUENA) == "19/24"
    # Calcinosis: "No" in all 25 rows; HPO keeps 0/m rather than NOT
    assert frequency(rows, DM, "HP:0025520", REQUENA) == "0/25"
    # Pruritus: 11 "+"/"+++" rows, 6 absent ("No" or "—"), 8 "U"
    assert frequency(rows, DM, "HP:0000989", REQUENA) == "11/17"
    # Table 1 myositis: 15 Yes, 9 No, 1 U
    assert frequency(rows, DM, "HP:0100614", REQUENA) == "15/24"
    # Table 1 dysphagia: 7 Yes (incl. "Yes +++" and "Yes (mild)"), 15 No, 2 U, 1 empty
    assert frequency(rows, DM, "HP:0002015", REQUENA) == "7/22"


def test_monseau_frequencies_from_table_i(rows: list[dict[str, str]]) -> None:
    assert frequency(rows, ANTI_MI2_DM, "HP:6000006", MONSEAU) == "12/55"  # Holster sign
    assert frequency(rows, DM, "HP:6000006", MONSEAU) == "2/55"  # anti-Mi2-negative arm
    assert frequency(rows, ANTI_MI2_DM, "HP:0040324", MONSEAU) == "41/64"
    assert frequency(rows, DM, "HP:0040324", MONSEAU) == "34/55"
    # proximal weakness: Table I prints 61/64, the text says 63/64; the table row is used
    assert frequency(rows, ANTI_MI2_DM, "HP:0003701", MONSEAU) == "61/64"
    assert frequency(rows, DM, "HP:0033033", MONSEAU) == "9/37"  # anti-MDA5 in controls


def test_case_report_frequencies(rows: list[dict[str, str]]) -> None:
    assert frequency(rows, DM, "HP:0040324", CURRONCOL) == "1/1"
    assert frequency(rows, DM, "HP:0034105", CURRONCOL) == "1/1"  # anti-TIF1-gamma positive


def test_left_out_rows(rows: list[dict[str, str]], hpoa: tuple[Path, list[str]]) -> None:
    # anti-Mi2 0/55 in the arm selected for lacking it says nothing about DM
    assert frequency(rows, DM, "HP:0033554", MONSEAU) is None
    # scalp poikiloderma has only a broader HPO term: its absences are not absences of it
    assert not [r for r in rows if r["hpo_id"] == "HP:0001029"]
    notes = hpoa[1]
    assert any("selected for lacking it" in n for n in notes)
    assert any("poikiloderma of the scalp" in n for n in notes)
    assert any("flagellate erythema: no HPO term" in n for n in notes)
    assert any("63/64 not used" in n for n in notes)


def test_hpoa_export_is_reproducible(
    graph: Graph, hpoa: tuple[Path, list[str]], tmp_path: Path
) -> None:
    write_hpoa(graph, tmp_path / "again.hpoa")
    assert (tmp_path / "again.hpoa").read_bytes() == hpoa[0].read_bytes()
