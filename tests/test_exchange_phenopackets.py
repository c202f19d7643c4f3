"""Phenopacket export of the bundled patients, checked against counts made from the papers.

Expected values come from Requena Tables 1 and 2 (kg/data/requena2024/*.tsv, transcribed
cell for cell) and the Current Oncology case report; the legend of Requena Table 2 reads
"+: present sign; ++: marked sign; +++: very prominent sign".
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from phenopackets import Phenopacket
from rdflib import Graph

from kg.exchange.phenopackets import NOTES_FILE, build_phenopackets, write_phenopackets
from kg.exchange.phenopackets_import import import_phenopackets
from kg.loaders import load_sources
from kg.ontology import load_ontology
from kg.terms import TermIndex

REQUENA_PATIENTS = 25
CURRONCOL_PATIENTS = 1
MILD, MODERATE, SEVERE = "HP:0012825", "HP:0012826", "HP:0012828"

# Requena case 5, read off Tables 1 and 2: (HPO id, excluded, severity)
CASE_5_FEATURES = {
    ("HP:0002015", False, None),  # Dysphagia: Yes
    ("HP:0003236", False, None),  # CPK 1399 U/L, above the 30-175 range
    ("HP:0003493", False, None),  # ANA+ 1/640
    ("HP:0025508", False, None),  # Gottron's papules: +
    ("HP:0025520", True, None),  # Calcinosis: No
    ("HP:0032235", True, None),  # La -
    ("HP:0033028", True, None),  # anti-RNP -
    ("HP:0033040", True, None),  # Sm -
    ("HP:0033126", True, None),  # Skin necrosis: No
    ("HP:0033555", True, None),  # Ro -
    ("HP:0034152", True, None),  # anti-Jo-1 -
    ("HP:0040324", False, SEVERE),  # Heliotrope rash: +++
    ("HP:0100614", False, None),  # Myositis (clinical): Yes
}


@pytest.fixture(scope="module")
def exported(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phenopackets")
    write_phenopackets(graph, out)
    return out


@pytest.fixture(scope="module")
def packets(exported: Path) -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(exported.glob("*.json"))
    }


def features(packet: dict[str, Any]) -> set[tuple[str, bool, str | None]]:
    return {
        (f["type"]["id"], f.get("excluded", False), f.get("severity", {}).get("id"))
        for f in packet.get("phenotypicFeatures", [])
    }


def test_one_file_per_patient(packets: dict[str, dict[str, Any]]) -> None:
    assert len(packets) == REQUENA_PATIENTS + CURRONCOL_PATIENTS
    assert sum(n.startswith("requena2024-case-") for n in packets) == REQUENA_PATIENTS
    assert "curroncol2021-case-1.json" in packets


def test_every_file_parses_as_a_ga4gh_phenopacket(exported: Path) -> None:
    parsed = 0
    for path in sorted(exported.glob("*.json")):
        packet = json_format.Parse(path.read_text(encoding="utf-8"), Phenopacket())
        assert packet.id == path.stem
        assert packet.subject.id and packet.meta_data.created_by == "dmkg"
        parsed += 1
    assert parsed == 26


def test_requena_case_5_features(packets: dict[str, dict[str, Any]]) -> None:
    packet = packets["requena2024-case-5.json"]
    assert features(packet) == CASE_5_FEATURES
    ids = {f[0] for f in features(packet)}
    assert "HP:0000989" not in ids  # pruritus "U": unknown, left out
    assert "HP:0000992" not in ids  # photodistributed violet rash "U"


def test_requena_case_5_subject_diseases_and_ck(packets: dict[str, dict[str, Any]]) -> None:
    packet = packets["requena2024-case-5.json"]
    subject = packet["subject"]
    assert subject["sex"] == "FEMALE"
    assert subject["vitalStatus"] == {"status": "DECEASED", "survivalTimeInDays": 91}  # D (3)
    assert not subject["id"].startswith("requena")  # the opaque patient digest, not a name
    diseases = {d["term"]["id"]: d for d in packet["diseases"]}
    assert diseases["MONDO:0016367"]["onset"]["age"]["iso8601duration"] == "P43Y"
    assert "MONDO:0004953" in diseases  # infiltrating ductal carcinoma of the breast
    assert diseases["MONDO:0015925"].get("excluded") is True  # ILD: No
    [ck] = packet["measurements"]
    assert ck["assay"]["id"] == "LOINC:2157-6"
    quantity = ck["value"]["quantity"]
    assert quantity["value"] == 1399 and quantity["unit"]["id"] == "UCUM:U/L"
    assert (quantity["referenceRange"]["low"], quantity["referenceRange"]["high"]) == (30, 175)


def test_graded_signs_carry_hpo_severity(packets: dict[str, dict[str, Any]]) -> None:
    severities = Counter(f[2] for p in packets.values() for f in features(p) if f[2])
    # "++": case 8 heliotrope, case 18 heliotrope and Gottron (case 13's cuticle "++" has no
    # HPO term); "+++": case 2 pruritus, case 4 skin necrosis, case 5 heliotrope, case 19
    # dysphagia "Yes +++"; "Yes (mild)": case 23 dysphagia. A plain "+" carries none.
    assert severities == {MODERATE: 3, SEVERE: 4, MILD: 1}
    assert ("HP:0002015", False, MILD) in features(packets["requena2024-case-23.json"])
    assert ("HP:0040324", True, None) in features(packets["requena2024-case-19.json"])  # "—"


def test_calcinosis_excluded_in_every_requena_patient(packets: dict[str, dict[str, Any]]) -> None:
    excluded = [n for n, p in packets.items() if ("HP:0025520", True, None) in features(p)]
    assert len(excluded) == REQUENA_PATIENTS  # Table 2: "No" in all 25 rows


def test_subjects_match_table_1(packets: dict[str, dict[str, Any]]) -> None:
    sexes = Counter(p["subject"].get("sex") for p in packets.values())
    assert sexes == {"FEMALE": 16 + 1, "MALE": 9}
    status = Counter(p["subject"]["vitalStatus"]["status"] for p in packets.values())
    assert status == {"DECEASED": 17, "ALIVE": 4 + 1, "UNKNOWN_STATUS": 4}  # D, A, L + case report
    lost = [
        p for p in packets.values() if p["subject"]["vitalStatus"]["status"] == "UNKNOWN_STATUS"
    ]
    assert all("survivalTimeInDays" not in p["subject"]["vitalStatus"] for p in lost)


def test_cancers_by_mondo_term(packets: dict[str, dict[str, Any]]) -> None:
    cancers = Counter(
        d["term"]["id"]
        for p in packets.values()
        for d in p["diseases"]
        if d["term"]["id"] not in ("MONDO:0016367", "MONDO:0015925")
    )
    assert cancers == {
        "MONDO:0004953": 6 + 1,  # infiltrating ductal carcinoma: cases 5, 14, 20-23; report
        "MONDO:0005061": 5,  # lung adenocarcinoma: 13, 15, 16, 19, 24
        "MONDO:0008170": 4,  # ovary: 8, 11, 12, 25
        "MONDO:0008433": 1,
        "MONDO:0001056": 1,
        "MONDO:0006117": 1,
        "MONDO:0008315": 1,
        # "Bladder" and "Breast" by MONDO's plain categories (verified against MONDO's own
        # files: tests/fixtures/external_ids.tsv)
        "MONDO:0001187": 4,  # urinary bladder cancer: cases 2, 3, 10, 17
        "MONDO:0007254": 1,  # breast cancer: case 18
        "MONDO:0006143": 1,
    }
    assert all(p["diseases"][0]["term"]["id"] == "MONDO:0016367" for p in packets.values())
    # every patient has its cancer, with the DM-to-cancer interval as its onset age and the
    # interval's temporal relation as a dmkg term (case 10: 69 years, "15 (recurrence)")
    no_cancer = [
        n
        for n, p in packets.items()
        if len([d for d in p["diseases"] if d["term"]["id"] != "MONDO:0015925"]) == 1
    ]
    assert no_cancer == []
    [dm, bladder, *_] = packets["requena2024-case-10.json"]["diseases"]
    assert dm["onset"]["age"]["iso8601duration"] == "P69Y"
    assert bladder["onset"]["age"]["iso8601duration"] == "P70Y3M"
    assert [s["id"] for s in bladder["diseaseStage"]] == ["dmkg:AtRecurrence"]


def test_ck_measurements_and_units(packets: dict[str, dict[str, Any]]) -> None:
    values = sorted(
        m["value"]["quantity"]["value"] for p in packets.values() for m in p.get("measurements", [])
    )
    # Table 1 CPK column: 12 numeric cells; the case report: 1024 and 98 IU/L
    assert values == sorted(
        [562, 406, 5147, 1399, 2348, 1605, 1718, 60, 235, 824, 2913, 197, 1024, 98]
    )
    report = packets["curroncol2021-case-1.json"]["measurements"]
    assert {m["value"]["quantity"]["unit"]["id"] for m in report} == {"UCUM:[IU]/L"}
    assert {m["description"] for m in report} == {"at presentation", "last follow-up"}


def test_case_report_actions_and_laterality(packets: dict[str, dict[str, Any]]) -> None:
    packet = packets["curroncol2021-case-1.json"]
    agents = Counter(
        a["treatment"]["agent"]["id"] for a in packet["medicalActions"] if "treatment" in a
    )
    assert agents == {
        "CHEBI:4027": 1,
        "CHEBI:28748": 1,
        "CHEBI:45863": 1,
        "NCIT:C1647": 2,
        "CHEBI:8382": 1,
        "CHEBI:50790": 1,
    }
    procedures = {
        a["procedure"]["code"]["id"] for a in packet["medicalActions"] if "procedure" in a
    }
    assert procedures == {"MAXO:0001064", "MAXO:0001480"}  # mastectomy, IVIG
    cyclophosphamide = next(
        a
        for a in packet["medicalActions"]
        if a.get("treatment", {}).get("agent", {}).get("id") == "CHEBI:4027"
    )
    # a DoseInterval needs a coded schedule: the dose and dates go to the notes instead
    assert "doseIntervals" not in cyclophosphamide["treatment"]
    assert cyclophosphamide["treatmentTarget"]["id"] == "MONDO:0004953"
    prednisone = next(
        a
        for a in packet["medicalActions"]
        if a.get("treatment", {}).get("agent", {}).get("id") == "CHEBI:8382"
    )
    assert prednisone["treatmentTarget"]["id"] == "MONDO:0016367"
    breast = next(d for d in packet["diseases"] if d["term"]["id"] == "MONDO:0004953")
    assert breast["laterality"]["id"] == "HP:0012835"  # left breast
    assert packet["subject"]["vitalStatus"] == {"status": "ALIVE"}


def test_metadata_resources_and_reference(packets: dict[str, dict[str, Any]]) -> None:
    meta = packets["requena2024-case-5.json"]["metaData"]
    assert meta["created"] == "2026-11-21T00:00:00Z" and meta["createdBy"] == "dmkg"
    versions = {r["namespacePrefix"]: r["version"] for r in meta["resources"]}
    assert versions["HP"] == "2025-11-24" and versions["MONDO"] == "2026-08"
    assert meta["externalReferences"][0]["id"] == "DOI:10.1016/j.ad.2025.02.012"
    report = packets["curroncol2021-case-1.json"]["metaData"]
    assert {r["namespacePrefix"] for r in report["resources"]} == {
        "HP",
        "MONDO",
        "CHEBI",
        "NCIT",
        "MAXO",
        "LOINC",
        "UCUM",
        "dmkg",
    }
    assert {r["version"] for r in report["resources"] if r["namespacePrefix"] == "MAXO"} == {
        "2024-07-29"
    }


def test_notes_list_every_left_out_item(exported: Path) -> None:
    lines = (exported / NOTES_FILE).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file\tsection\titem\treason"
    rows = [line.split("\t") for line in lines[1:]]
    flagellate = [r for r in rows if r[2] == "flagellate erythema"]
    # Table 2, flagellated lesion: 4 "+" and 13 "No" have no HPO term; 7 "U"; 1 "±" (case 16)
    assert any(r[0] == "requena2024-case-16.json" and "equivocal" in r[3] for r in flagellate)
    assert sum("no HPO term" in r[3] for r in flagellate) == 4 + 13
    assert sum("'unknown'" in r[3] for r in flagellate) == 7
    dose = next(
        r
        for r in rows
        if r[:3] == ["curroncol2021-case-1.json", "medicalActions", "cyclophosphamide"]
    )
    assert dose[3].startswith("dose 600 mg/m2; from 2019-09")
    assert any(r[2] == "axillary lymph node dissection" for r in rows)


def test_export_is_reproducible(graph: Graph, exported: Path, tmp_path: Path) -> None:
    write_phenopackets(graph, tmp_path)
    for path in sorted(exported.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def _comparable(packet: Phenopacket) -> tuple[Any, ...]:
    d = json_format.MessageToDict(packet)

    def bag(items: list[Any]) -> list[str]:
        return sorted(json.dumps(i, sort_keys=True) for i in items)

    subject = {k: v for k, v in d["subject"].items() if k != "id"}
    return (
        bag(d.get("phenotypicFeatures", [])),
        bag(d.get("diseases", [])),
        bag(d.get("measurements", [])),
        bag(d.get("medicalActions", [])),
        subject,
    )


def test_round_trip_export_import_export(graph: Graph, exported: Path, tmp_path: Path) -> None:
    result = import_phenopackets(exported, tmp_path, "roundtrip")
    assert result.patients == 26 and len(result.folders) == 2  # one source per publication
    assert result.notes == []
    again = build_phenopackets(load_sources(result.folders, TermIndex(load_ontology())))
    first = {p.subject.id: p for p in build_phenopackets(graph).packets.values()}
    # the imported patient's case label is the first export's subject id
    second = {p.id.split("-case-", 1)[1]: p for p in again.packets.values()}
    assert set(second) == set(first)
    differ = [first[s].id for s in first if _comparable(first[s]) != _comparable(second[s])]
    assert differ == []
    assert sum(len(p.phenotypic_features) for p in second.values()) == sum(
        len(p.phenotypic_features) for p in first.values()
    )
