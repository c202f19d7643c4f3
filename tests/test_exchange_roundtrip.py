"""Export -> import -> build keeps what the graph models about cancers, timing and survival."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph

from kg.build.graph import build_graph
from kg.exchange.phenopackets import write_phenopackets
from kg.exchange.phenopackets_import import import_phenopackets
from kg.namespaces import DMKG
from kg.query import run_query

#: columns that name a graph node (new IRIs after an import) or the case label (the export
#: writes the opaque patient id as the subject id); every other column must agree
_NODE_COLUMNS = {"patient", "case", "diagnosis"}
#: the phenopacket schema has no "unknown" or "not reported" state: such findings are left
#: out of the export (each listed in export-notes.tsv), so survival-by-finding is compared on
#: the present and absent rows
_STATED = {str(DMKG.Present), str(DMKG.Absent)}


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, Graph, int]:
    original = build_graph(progress=_quiet, run_reasoner=False).graph
    out = tmp_path_factory.mktemp("roundtrip")
    write_phenopackets(original, out / "phenopackets")
    result = import_phenopackets(out / "phenopackets", out / "sources", "roundtrip")
    again = build_graph(result.folders, progress=_quiet, run_reasoner=False).graph
    return original, again, len(result.notes)


def _rows(graph: Graph, name: str, params: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    result = run_query(graph, name, params)
    keep = [i for i, c in enumerate(result.columns) if c not in _NODE_COLUMNS]
    return sorted(tuple(str(row[i]) for i in keep) for row in result.rows)


def test_dm_cancer_timing_survives_the_round_trip(round_trip: tuple[Graph, Graph, int]) -> None:
    original, again, _ = round_trip
    rows = _rows(original, "dm-cancer-timing")
    assert rows and _rows(again, "dm-cancer-timing") == rows


def test_cancer_sites_survive_the_round_trip_by_organ_site(
    round_trip: tuple[Graph, Graph, int],
) -> None:
    original, again, _ = round_trip
    # Requena's own categories (dmkg:cancerCategory: case 6's lymphoma of the breast counts
    # as lymphoma) come from the paper's totals row, a cohort-level table no phenopacket
    # holds; the imported source has none, so both graphs are compared by organ site
    by_site = Graph()
    for triple in original:
        if triple[1] != DMKG.cancerCategory:
            by_site.add(triple)
    rows = _rows(by_site, "cancer-sites")
    assert rows and {r[-1] for r in rows} == {"organ site"}
    assert _rows(again, "cancer-sites") == rows
    assert "source categories" in {r[-1] for r in _rows(original, "cancer-sites")}


def test_every_cancer_keeps_its_interval_and_relation(round_trip: tuple[Graph, Graph, int]) -> None:
    original, again, _ = round_trip
    # 26 diagnoses: 25 Requena rows and the case report's breast cancer, each with an interval
    assert len(_rows(original, "dm-cancer-timing")) == 26
    relations = sorted(r[2] for r in _rows(again, "dm-cancer-timing"))
    assert relations.count("recurrence") == sum(
        1 for r in _rows(original, "dm-cancer-timing") if r[2] == "recurrence"
    )


@pytest.mark.parametrize("finding", ["myositis", "heliotrope rash", "interstitial lung disease"])
def test_survival_by_finding_survives_for_stated_findings(
    round_trip: tuple[Graph, Graph, int], finding: str
) -> None:
    original, again, _ = round_trip
    stated = [r for r in _rows(original, "survival-by-finding", {"finding": finding})]
    stated = [r for r in stated if r[0] in _STATED]
    assert stated and _rows(again, "survival-by-finding", {"finding": finding}) == stated


def test_reasoner_classes_survive(round_trip: tuple[Graph, Graph, int]) -> None:
    original, again, _ = round_trip
    for cls, expected in ((DMKG.CancerAssociatedDMPatient, 26), (DMKG.MSAPositivePatient, 8)):
        assert len(set(original.subjects(RDF.type, cls))) == expected
        assert len(set(again.subjects(RDF.type, cls))) == expected, cls


def test_the_import_keeps_everything_the_export_wrote(
    round_trip: tuple[Graph, Graph, int],
) -> None:
    # the export's own omissions are in export-notes.tsv; what it wrote, the import keeps
    assert round_trip[2] == 0
