"""The field's own validators judge the exports: phenosentry and phenopacket-toolkit
(phenopackets), sssom (the mapping table), kgx (the KGX graph) and hpotk (HPO annotations)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from exchange_validators import phenosentry_errors, phenotk_errors, sssom_validate
from rdflib import Graph

from kg.exchange.phenopackets import build_phenopackets, phenopacket_json, write_phenopackets
from kg.exchange.sssom import sssom_text


@pytest.fixture(scope="module")
def packets(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phenopackets")
    write_phenopackets(graph, out)
    return out


def test_phenosentry_finds_nothing_in_any_phenopacket(packets: Path) -> None:
    found = {
        p.name: errors
        for p in sorted(packets.glob("*.json"))
        if (errors := phenosentry_errors(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_phenosentry_would_see_the_contradiction_of_requena_case_25() -> None:
    # ANA positivity excluded while anti-centromere positivity (its HPO descendant) is present:
    # what the export wrote before it applied HPO's hierarchy
    packet = {
        "id": "x",
        "subject": {"id": "x"},
        "phenotypicFeatures": [
            {
                "type": {"id": "HP:0003493", "label": "Antinuclear antibody positivity"},
                "excluded": True,
            },
            {"type": {"id": "HP:0030873", "label": "Anti-centromere antibody positivity"}},
        ],
        "metaData": {"created": "2026-01-01T00:00:00Z", "phenopacketSchemaVersion": "2.0.2"},
    }
    assert phenosentry_errors(json.dumps(packet))


def test_requena_case_25_keeps_the_present_descendant(graph: Graph) -> None:
    export = build_phenopackets(graph)
    features = {
        f.type.id: f.excluded
        for f in export.packets["requena2024-case-25.json"].phenotypic_features
    }
    assert features.get("HP:0030873") is False and "HP:0003493" not in features
    assert any(
        n.file == "requena2024-case-25.json" and n.item.startswith("HP:0003493")
        for n in export.notes
    )


def test_phenotk_validate_finds_nothing(packets: Path) -> None:
    found = {p.name: e for p in sorted(packets.glob("*.json")) if (e := phenotk_errors(p))}
    assert found == {}


def test_the_case_report_codes_routes(graph: Graph) -> None:
    packet = build_phenopackets(graph).packets["curroncol2021-case-1.json"]
    routes = sorted(
        a.treatment.route_of_administration.id
        for a in packet.medical_actions
        if a.HasField("treatment") and a.treatment.HasField("route_of_administration")
    )
    assert routes == ["NCIT:C38288", "NCIT:C38299"]  # prednisone oral, trastuzumab s.c.
    assert '"scheduleFrequency"' not in phenopacket_json(packet)


def test_sssom_validate_accepts_the_mapping_table(tmp_path: Path) -> None:
    path = tmp_path / "dmkg.sssom.tsv"
    path.write_text(sssom_text(), encoding="utf-8")
    done = sssom_validate(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in (done.stdout + done.stderr).lower()


def test_hpotk_loads_every_hpo_annotation(graph: Graph, tmp_path: Path) -> None:
    import warnings

    from exchange_validators import hpotk_ontology
    from hpotk.annotations.load.hpoa import SimpleHpoaDiseaseLoader

    from kg.exchange.hpoa import hpo_annotations, hpoa_text

    found, _ = hpo_annotations(graph)
    path = tmp_path / "dmkg.hpoa"
    path.write_text(hpoa_text(found), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diseases = SimpleHpoaDiseaseLoader(hpotk_ontology()).load(str(path))
    assert [str(w.message) for w in caught] == []
    loaded = sum(len(list(d.annotations)) for d in diseases.items)
    assert diseases.version == "2026-11-21"
    assert loaded == len({(a.disease, a.hpo_id) for a in found})
