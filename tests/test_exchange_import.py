"""Importing phenopackets made by other curators (phenopacket-store style) as a new source."""

from __future__ import annotations

import copy
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kg.cli import main
from kg.exchange.patients import read_patients
from kg.exchange.phenopackets_import import (
    NOTES_FILE,
    PhenopacketImportError,
    import_phenopackets,
)
from kg.loaders import load_sources
from kg.namespaces import DMKG
from kg.ontology import load_ontology
from kg.terms import TermIndex
from kg.validate.shacl import validate_graph

# A phenopacket as a phenopacket-store curator writes one: a PMID-only reference, an HPO
# term dmkg has no class for (Seizure), a feature onset and a genomic interpretation.
FOREIGN: dict[str, Any] = {
    "id": "PMID_99999999_individual_A",
    "subject": {
        "id": "individual A",
        "timeAtLastEncounter": {"age": {"iso8601duration": "P45Y"}},
        "sex": "MALE",
        "vitalStatus": {"status": "DECEASED", "survivalTimeInDays": 304},
    },
    "phenotypicFeatures": [
        {
            "type": {"id": "HP:0025508", "label": "Gottron's papules"},
            "onset": {"age": {"iso8601duration": "P44Y"}},
        },
        {"type": {"id": "HP:0001596", "label": "Alopecia"}, "excluded": True},
        {"type": {"id": "HP:0001250", "label": "Seizure"}},
        {
            "type": {
                "id": "HP:0034105",
                "label": "Anti-transcription intermediary factor-1gamma antibody positivity",
            }
        },
        {
            "type": {"id": "HP:0040324", "label": "Heliotrope rash"},
            "severity": {"id": "HP:0012828", "label": "Severe"},
        },
    ],
    "measurements": [
        {
            "assay": {
                "id": "LOINC:2157-6",
                "label": "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma",
            },
            "value": {
                "quantity": {
                    "unit": {"id": "UCUM:U/L", "label": "enzyme unit per liter"},
                    "value": 3000,
                    "referenceRange": {
                        "unit": {"id": "UCUM:U/L", "label": "U/L"},
                        "low": 24,
                        "high": 195,
                    },
                }
            },
        }
    ],
    "diseases": [
        {
            "term": {"id": "MONDO:1010087", "label": "anti-TIF1 dermatomyositis"},
            "onset": {"age": {"iso8601duration": "P44Y"}},
        },
        {"term": {"id": "MONDO:0005061", "label": "lung adenocarcinoma"}},
    ],
    "medicalActions": [
        {
            "treatment": {
                "agent": {"id": "CHEBI:8382", "label": "prednisone"},
                "routeOfAdministration": {"id": "NCIT:C38288", "label": "Oral"},
                "doseIntervals": [
                    {"quantity": {"unit": {"id": "UCUM:mg/d", "label": "mg per day"}, "value": 60}}
                ],
            },
            "treatmentTarget": {"id": "MONDO:0016367", "label": "dermatomyositis"},
        }
    ],
    "interpretations": [{"id": "interpretation 1", "progressStatus": "SOLVED"}],
    "metaData": {
        "created": "2024-01-01T00:00:00Z",
        "createdBy": "a curator",
        "phenopacketSchemaVersion": "2.0",
        "externalReferences": [{"id": "PMID:99999999", "description": "A made-up case report"}],
    },
}
DOI = "10.5555/made-up.2024.1"


def write(folder: Path, packets: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, packet in packets.items():
        (folder / name).write_text(json.dumps(packet), encoding="utf-8")
    return folder


def test_unmapped_hpo_id_is_an_error_naming_file_path_and_id(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"individual-A.json": FOREIGN})
    with pytest.raises(PhenopacketImportError) as info:
        import_phenopackets(src, tmp_path / "out", "foreign", doi=DOI)
    [problem] = info.value.problems
    assert (problem.file, problem.path) == ("individual-A.json", "$.phenotypicFeatures[2].type.id")
    assert problem.value == "HP:0001250 Seizure"
    assert "HP:0001250" in str(info.value) and "individual-A.json" in str(info.value)
    assert not (tmp_path / "out" / "foreign").exists()  # nothing is written on failure


def test_without_a_doi_the_import_asks_for_one(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"a.json": FOREIGN})
    with pytest.raises(PhenopacketImportError) as info:
        import_phenopackets(src, tmp_path / "out", "foreign", allow_unmapped=True)
    assert [p.path for p in info.value.problems] == ["$.metaData.externalReferences"]


def test_allow_unmapped_imports_the_rest_through_the_shacl_gate(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"individual-A.json": FOREIGN})
    result = import_phenopackets(
        src,
        tmp_path / "out",
        "foreign",
        doi=DOI,
        title="A made-up case report",
        allow_unmapped=True,
    )
    [folder] = result.folders
    assert folder == tmp_path / "out" / "foreign" and result.patients == 1
    ontology = load_ontology()
    graph = load_sources([folder], TermIndex(ontology))
    assert validate_graph(graph, ontology).conforms
    [patient] = read_patients(graph)
    assert patient.case == "individual A" and patient.age == 44 and patient.sex == DMKG.Male
    assert (patient.vital_status, patient.months) == (DMKG.Dead, Decimal(10))  # 304 days
    assert patient.publication.doi == DOI
    findings = {(f.finding, f.status, f.severity) for f in patient.findings}
    assert findings == {
        (DMKG.GottronPapules, DMKG.Present, None),
        (DMKG.Alopecia, DMKG.Absent, None),
        (DMKG.HeliotropeRash, DMKG.Present, "severe"),
    }
    assert [(a.antibody, a.status) for a in patient.antibodies] == [
        (DMKG.AntiTIF1gamma, DMKG.Positive)
    ]
    assert [c.malignancy for c in patient.cancers] == [DMKG.LungAdenocarcinoma]
    [lab] = patient.labs
    assert (lab.value, lab.unit, lab.low, lab.high) == (
        Decimal(3000),
        "U/L",
        Decimal(24),
        Decimal(195),
    )
    [treatment] = patient.treatments
    assert (treatment.intervention, treatment.target) == (DMKG.Prednisone, DMKG.Dermatomyositis)
    assert (treatment.dose_value, treatment.dose_unit) == (Decimal(60), "mg/d")
    assert treatment.route == "oral"  # NCIT:C38288
    notes = (folder / NOTES_FILE).read_text(encoding="utf-8")
    for expected in (
        "$.phenotypicFeatures[2].type.id\tHP:0001250 Seizure",
        "$.interpretations",
        "$.phenotypicFeatures[0].onset",
        "$.subject.timeAtLastEncounter",
        "imported as dermatomyositis",
    ):
        assert expected in notes, expected


def test_a_patient_without_dermatomyositis_is_refused(tmp_path: Path) -> None:
    packet = copy.deepcopy(FOREIGN)
    packet["diseases"] = packet["diseases"][1:]
    src = write(tmp_path / "in", {"no-dm.json": packet})
    with pytest.raises(PhenopacketImportError, match="not a dermatomyositis patient"):
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI, allow_unmapped=True)


def test_a_file_that_is_not_a_phenopacket_is_named(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"ok.json": FOREIGN})
    (src / "broken.json").write_text('{"id": "x", "phenotypicFeatures": 3}', encoding="utf-8")
    with pytest.raises(PhenopacketImportError, match="broken.json"):
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write(tmp_path / "in", {"individual-A.json": FOREIGN})
    out = str(tmp_path / "out")
    assert main(["import", "phenopackets", str(src), "--out", out, "--doi", DOI]) == 1
    err = capsys.readouterr().err
    assert "individual-A.json, $.phenotypicFeatures[2].type.id" in err
    assert "Traceback" not in err
    assert main(["import", "phenopackets", str(tmp_path / "missing"), "--out", out]) == 2
    args = [
        "import",
        "phenopackets",
        str(src),
        "--out",
        out,
        "--doi",
        DOI,
        "--allow-unmapped",
        "--source-id",
        "foreign",
    ]
    assert main(args) == 0
    assert "dmkg build --data" in capsys.readouterr().out
    assert main(args) == 2  # the folder exists
    assert main([*args, "--force"]) == 0
    assert main(args[:-2] + ["--source-id", "Not Valid"]) == 2


def test_malformed_json_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"ok.json": FOREIGN})
    (src / "truncated.json").write_text('{"id": "x", "subject": {"id": ', encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(PhenopacketImportError, match="truncated.json"):
        import_phenopackets(src, out, "x", doi=DOI)
    assert not out.exists() or not any(out.iterdir())


def test_the_same_subject_id_in_two_publications_is_two_patients(tmp_path: Path) -> None:
    first, second = copy.deepcopy(FOREIGN), copy.deepcopy(FOREIGN)
    for packet, pmid in ((first, "PMID:1"), (second, "PMID:2")):
        packet["subject"]["id"] = "Patient 3"
        packet["phenotypicFeatures"] = packet["phenotypicFeatures"][:2]
        packet["metaData"]["externalReferences"] = [
            {"id": f"DOI:10.5555/{pmid[5:]}", "description": pmid}
        ]
    src = write(tmp_path / "in", {"a.json": first, "b.json": second})
    result = import_phenopackets(src, tmp_path / "out", "two")
    assert result.patients == 2 and len(result.folders) == 2


def test_the_same_subject_id_twice_in_one_publication_is_refused(tmp_path: Path) -> None:
    packet = copy.deepcopy(FOREIGN)
    packet["phenotypicFeatures"] = packet["phenotypicFeatures"][:2]
    src = write(tmp_path / "in", {"a.json": packet, "b.json": packet})
    with pytest.raises(PhenopacketImportError, match="same subject id"):
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI)


def test_a_broad_match_is_not_imported_as_the_narrower_class(tmp_path: Path) -> None:
    # HP:0045051 Decreased DLCO states no threshold; dmkg:ReducedDLCO is "below 70%"
    packet = copy.deepcopy(FOREIGN)
    packet["phenotypicFeatures"] = [{"type": {"id": "HP:0045051", "label": "Decreased DLCO"}}]
    src = write(tmp_path / "in", {"a.json": packet})
    with pytest.raises(PhenopacketImportError) as info:
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI)
    assert [p.value for p in info.value.problems] == ["HP:0045051 Decreased DLCO"]


STORE = Path(__file__).parent / "fixtures" / "phenopacket_store"


def test_phenopacket_store_look_alikes_give_located_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "phenopackets", str(STORE), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "2 problems in the phenopackets" in err
    assert "PMID_99999991_Patient_3.json, $.metaData.externalReferences: no DOI" in err
    assert "PMID_99999992_Patient_3.json, $.phenotypicFeatures[1].type.id" in err


def test_phenopacket_store_look_alikes_import_with_a_doi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "phenopackets", str(STORE), "--out", str(tmp_path), "--source-id", "store"]
    args += ["--doi", "10.5555/made-up.99999991", "--allow-unmapped"]
    assert main(args) == 0
    out = capsys.readouterr().out
    # "Patient 3" of each paper is its own patient; the 6 items not kept are, per file:
    # evidence, feature onset, HP:0045051 (only a broad match), timeAtLastEncounter;
    # interpretations, HP:0001250
    assert "imported 2 patient(s); 6 item(s) not kept" in out
    ontology = load_ontology()
    graph = load_sources(sorted(tmp_path.iterdir()), TermIndex(ontology))
    patients = read_patients(graph)
    assert sorted(p.case for p in patients) == ["Patient 3", "Patient 3"]
    [ovary] = [c for p in patients for c in p.cancers]
    assert (ovary.malignancy, ovary.interval_months) == (DMKG.OvarianMalignancy, Decimal(6))
    findings = {f.finding for p in patients for f in p.findings}
    assert DMKG.ReducedDLCO not in findings and DMKG.HeliotropeRash in findings


# --- bad input the JSON parser lets through (issue 20) --------------------------------------


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (lambda p: p["subject"].update(sex=7), "$.subject.sex", "unknown enum value: '7'"),
        (
            lambda p: p["subject"].update(vitalStatus={"status": 9}),
            "$.subject.vitalStatus.status",
            "unknown enum value: '9'",
        ),
        (
            lambda p: p["measurements"][0]["value"]["quantity"].update(value="Infinity"),
            "$.measurements[0].value.quantity.value",
            "not a finite number: 'inf'",
        ),
        (
            lambda p: p["measurements"][0]["value"]["quantity"].update(value="NaN"),
            "$.measurements[0].value.quantity.value",
            "not a finite number: 'nan'",
        ),
    ],
    ids=["unknown-sex", "unknown-vital-status", "infinity", "nan"],
)
def test_values_the_parser_accepts_but_a_phenopacket_cannot_hold(
    change: Any, where: str, problem: str, tmp_path: Path
) -> None:
    packet = copy.deepcopy(FOREIGN)
    change(packet)
    src = write(tmp_path / "in", {"bad.json": packet})
    with pytest.raises(PhenopacketImportError) as info:
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI, allow_unmapped=True)
    assert f"bad.json, {where}: {problem}" in str(info.value)


def test_a_fifo_or_deep_json_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    src = write(tmp_path / "in", {"ok.json": FOREIGN})
    os.mkfifo(src / "fifo.json")
    (src / "deep.json").write_text('{"id": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    with pytest.raises(PhenopacketImportError) as info:
        import_phenopackets(src, tmp_path / "out", "x", doi=DOI)
    assert "fifo.json, $: not a regular file (a FIFO)" in str(info.value)
    assert "deep.json, $: " in str(info.value)


def test_a_killed_import_s_staging_folder_is_removed_by_the_next(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "out" / f".dmkg-import-{dead.pid}"
    (stale / "x").mkdir(parents=True)
    src = write(tmp_path / "in", {"individual-A.json": FOREIGN})
    import_phenopackets(src, tmp_path / "out", "foreign", doi=DOI, allow_unmapped=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["foreign"]
