"""The summary links stand for the records exactly: one link per (patient, status, class) that
some record states, and no link without such a record. Counted here in plain Python over the
built graph, not with the SPARQL that derives them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, URIRef

from kg.errors import UsageError
from kg.namespaces import DATA, DMKG
from kg.reason.summary_links import check_built_with_links

FINDING_LINKS = {
    DMKG.Present: DMKG.presentFinding,
    DMKG.Absent: DMKG.absentFinding,
    DMKG.Unknown: DMKG.unknownFinding,
    DMKG.Equivocal: DMKG.equivocalFinding,
    DMKG.NotReported: DMKG.notReportedFinding,
}
ANTIBODY_LINKS = {
    DMKG.Positive: DMKG.positiveFor,
    DMKG.Negative: DMKG.negativeFor,
    DMKG.NotPerformed: DMKG.notTestedFor,
    DMKG.ResultNotReported: DMKG.resultNotReportedFor,
}


def _links(graph: Graph) -> set[URIRef]:
    return {
        p for p in graph.subjects(RDFS.subPropertyOf, DMKG.summaryLink) if isinstance(p, URIRef)
    }


def _expected(graph: Graph) -> set[tuple[object, object, object]]:
    expected: set[tuple[object, object, object]] = set()
    for kind, what, status, links in (
        (DMKG.FindingObservation, DMKG.finding, DMKG.findingStatus, FINDING_LINKS),
        (DMKG.AntibodyTestResult, DMKG.antibody, DMKG.antibodyStatus, ANTIBODY_LINKS),
    ):
        for record in graph.subjects(RDF.type, kind):
            patient = graph.value(record, DMKG.ofPatient)
            for cls in graph.objects(record, what):
                expected.add((patient, links[graph.value(record, status)], cls))
    for outcome in graph.subjects(RDF.type, DMKG.Outcome):
        expected.add((graph.value(outcome, DMKG.ofPatient), DMKG.hasOutcome, outcome))
    return expected


def test_the_ontology_names_one_link_per_status(ontology: Graph) -> None:
    declared = {
        ontology.value(p, DMKG.forStatus): p
        for p in _links(ontology)
        if ontology.value(p, DMKG.forStatus) is not None
    }
    assert declared == {**FINDING_LINKS, **ANTIBODY_LINKS}
    assert _links(ontology) == {*FINDING_LINKS.values(), *ANTIBODY_LINKS.values(), DMKG.hasOutcome}


def test_links_are_exactly_the_records(graph: Graph) -> None:
    links = _links(graph)
    found = {(s, p, o) for p in links for s, o in graph.subject_objects(p)}
    expected = _expected(graph)
    assert found == expected
    # the papers: 26 patients, with far more records than links would suggest if any were lost
    assert len({s for s, _, _ in found}) == 26
    present = {(s, o) for s, p, o in found if p == DMKG.presentFinding}
    assert len(present) == len(
        {
            (graph.value(r, DMKG.ofPatient), graph.value(r, DMKG.finding))
            for r in graph.subjects(DMKG.findingStatus, DMKG.Present)
            if (r, RDF.type, DMKG.FindingObservation) in graph
        }
    )


def test_tumour_markers_make_no_antibody_links(graph: Graph) -> None:
    markers = {
        (graph.value(r, DMKG.ofPatient), graph.value(r, DMKG.marker))
        for r in graph.subjects(RDF.type, DMKG.TumourMarkerResult)
    }
    linked = {(s, o) for p in ANTIBODY_LINKS.values() for s, o in graph.subject_objects(p)}
    assert markers and not markers & linked


def test_a_graph_built_before_the_links_is_refused(tmp_path: Path) -> None:
    old = Graph()
    old.add((DATA["record/1"], DMKG.ofPatient, DATA["patient/1"]))
    with pytest.raises(UsageError, match="older dmkg.*run 'dmkg build' again"):
        check_built_with_links(old, "old.nt")
    path = tmp_path / "dmkg.nt"
    old.serialize(path, format="nt", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", "sign-frequency", "--graph", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2 and "older dmkg" in run.stderr and "Traceback" not in run.stderr
    # an empty graph (no patient records) is not an old build: no refusal
    check_built_with_links(Graph(), "empty.nt")
