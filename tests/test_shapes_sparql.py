"""dmkg's SHACL engine (the `shacl` wheel, run by kg.validate) against pySHACL, the reference.

On every case of tests/shapes/manifest.yaml, every bad input that loads, the bundled data and
a small graph using the SHACL features dmkg's shapes do not (closed shapes, paths of every
kind, other targets), the engine must give pySHACL's verdict and the same set of top-level
results, each as (focus node, result path, constraint component). Also: violations are located
in the curated files the same way from an rdflib graph, an N-Triples file and a store; a capped
report says how many violations it left out. (The W3C suite: tests/test_w3c_shacl.py.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH
from w3c_shacl import _render_path

from kg.loaders import load_sources, source_folders
from kg.namespaces import DATA, DMKG
from kg.ontology import load_ontology, load_shapes
from kg.resources import data_dir
from kg.terms import TermIndex
from kg.validate.report import validate_store
from kg.validate.shacl import _path, check_ntriples, names, validate_graph

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
CASES_DIR = TESTS / "shapes"
FIXTURES_DIR = CASES_DIR / "fixtures"
BAD_INPUTS = TESTS / "bad_inputs"
SHACL_GATES = {"shacl", "valid"}  # bad inputs that load (the others fail in the loader)

#: (focus node in N3, result path, constraint component local name)
Result = tuple[str, str, str]


# --------------------------------------------------------------------------- helpers


@cache
def fixture_ontology() -> Graph:
    graph = Graph()
    graph.parse(REPO / "ontology" / "dmkg-core.ttl")
    graph.parse(CASES_DIR / "mini-terms.ttl")
    return graph


@cache
def ontology() -> Graph:
    return load_ontology()


@cache
def terms() -> TermIndex:
    return TermIndex(ontology())


def store_of(*graphs: Graph) -> ox.Store:
    store = ox.Store()
    for graph in graphs:
        store.bulk_load(
            graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
    return store


def path_text(prefixes: Graph, text: str) -> str:
    """A result path in short form, without brackets (the engines bracket differently)."""
    return re.sub(r"[()]", "", _path(prefixes, text))


def reference(data: Graph, ontology: Graph | None, shapes: Graph) -> tuple[bool, set[Result]]:
    """pySHACL's verdict and top-level results, called as pySHACL is called for ``ont_graph``."""
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    found = set()
    prefixes = prefixes_of(shapes)
    for result in results.objects(report, SH.result):
        focus = results.value(result, SH.focusNode)
        component = results.value(result, SH.sourceConstraintComponent)
        assert focus is not None and component is not None
        path = _render_path(results, results.value(result, SH.resultPath))
        found.add((focus.n3(), path_text(prefixes, path), str(component).removeprefix(str(SH))))
    return bool(conforms), found


def prefixes_of(shapes: Graph) -> Graph:
    prefixes = names()
    for prefix, namespace in shapes.namespaces():
        prefixes.bind(prefix, namespace, override=False)
    return prefixes


def engine(data: Graph, ontology: Graph | None, shapes: Graph) -> tuple[bool, set[Result]]:
    """The engine's verdict and results, as kg.validate runs it."""
    text = (ontology.serialize(format="nt") if ontology is not None else "") + data.serialize(
        format="nt"
    )
    prefixes = prefixes_of(shapes)
    found = {
        (r.focus.n3(), path_text(prefixes, r.path), r.component.removeprefix(str(SH)))
        for r in check_ntriples(text, shapes, prefixes)
    }
    return not found, found


def assert_same(data: Graph, ontology: Graph | None, shapes: Graph) -> None:
    expected = reference(data, ontology, shapes)
    actual = engine(data, ontology, shapes)
    assert actual[0] == expected[0], f"verdict: engine {actual[0]}, pySHACL {expected[0]}"
    assert actual[1] == expected[1], (
        f"only the engine: {sorted(actual[1] - expected[1])}\n"
        f"only pySHACL: {sorted(expected[1] - actual[1])}"
    )


def fixture_graph(name: str) -> Graph:
    data = Graph()
    data.parse(FIXTURES_DIR / "base.ttl")
    data.parse(FIXTURES_DIR / name)
    return data


SHAPE_CASES: list[dict[str, Any]] = yaml.safe_load(
    (CASES_DIR / "manifest.yaml").read_text(encoding="utf-8")
)
BAD_CASES = [
    c
    for c in yaml.safe_load((BAD_INPUTS / "manifest.yaml").read_text(encoding="utf-8"))
    if c["gate"] in SHACL_GATES
]
COPY = re.compile(r"--f(\d+)>")


@cache
def all_fixtures() -> tuple[Graph, dict[int, set[Result]], dict[int, set[Result]]]:
    """Every fixture (with its own copy of base.ttl) in one graph, its data IRIs suffixed
    ``--f<case number>``; pySHACL's and the engine's results, by case number.

    The fixtures only describe nodes under data:, so the copies cannot see each other, and
    pySHACL runs once instead of 180 times."""
    data = Graph()
    for number, case in enumerate(SHAPE_CASES):
        for triple in fixture_graph(case["fixture"]):
            data.add(
                tuple(  # type: ignore[arg-type]
                    URIRef(f"{t}--f{number}")
                    if isinstance(t, URIRef) and t.startswith(str(DATA))
                    else t
                    for t in triple
                )
            )
    by_case: list[dict[int, set[Result]]] = []
    for _, found in (
        reference(data, fixture_ontology(), load_shapes()),
        engine(data, fixture_ontology(), load_shapes()),
    ):
        split: dict[int, set[Result]] = defaultdict(set)
        for focus, path, component in found:
            match = COPY.search(focus)
            assert match, focus
            split[int(match.group(1))].add((COPY.sub(">", focus), path, component))
        by_case.append(split)
    return data, by_case[0], by_case[1]


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("number", range(len(SHAPE_CASES)), ids=[c["fixture"] for c in SHAPE_CASES])
def test_shape_fixture_agrees_with_pyshacl(number: int) -> None:
    case = SHAPE_CASES[number]
    data = fixture_graph(case["fixture"])
    conforms, found = engine(data, fixture_ontology(), load_shapes())
    _, pyshacl_found, together = all_fixtures()
    assert found == pyshacl_found[number] == together[number]
    assert conforms is case["conforms"]
    if not conforms:  # the manifest's own expectation
        focus = URIRef(str(data.namespace_manager.expand_curie(case["focus"]))).n3()
        assert found == {(focus, case.get("path", ""), case["constraint"] + "ConstraintComponent")}


@pytest.mark.parametrize("case", BAD_CASES, ids=[c["folder"] for c in BAD_CASES])
def test_bad_input_agrees_with_pyshacl(case: dict[str, Any]) -> None:
    data = load_sources([BAD_INPUTS / case["folder"]], terms())
    assert_same(data, ontology(), load_shapes())
    assert engine(data, ontology(), load_shapes())[0] is (case["gate"] == "valid")


def test_bundled_data_agrees_with_pyshacl() -> None:
    data = load_sources(source_folders(data_dir()), terms())
    assert_same(data, ontology(), load_shapes())
    assert engine(data, ontology(), load_shapes()) == (True, set())


# Features dmkg's shapes do not use yet: an implicit class target, sh:closed, paths of every
# kind, the other targets, and constraints on pairs, languages and lengths.
OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Person a rdfs:Class, sh:NodeShape ;
    sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path ex:name ; sh:minLength 2 ; sh:maxLength 10 ;
                  sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] ,
        [ sh:path ex:nick ; sh:equals ex:alias ; sh:pattern "^a" ; sh:flags "i" ] ,
        [ sh:path ex:born ; sh:lessThan ex:died ; sh:datatype xsd:date ] ,
        [ sh:path ex:died ] , [ sh:path ex:alias ] , [ sh:path ex:likes ] ,
        [ sh:path ( ex:knows ex:name ) ; sh:minCount 1 ] ,
        [ sh:path [ sh:inversePath ex:parentOf ] ; sh:maxCount 2 ; sh:class ex:Person ] ,
        [ sh:path [ sh:alternativePath ( ex:knows ex:likes ) ] ;
          sh:not [ sh:hasValue ex:bob ] ] ,
        [ sh:path ex:age ; sh:and ( [ sh:datatype xsd:integer ] [ sh:maxExclusive 150 ] ) ] ,
        [ sh:path ex:height ; sh:datatype xsd:decimal ] ,
        [ sh:path ex:ignored ; sh:minCount 5 ; sh:deactivated true ] .
ex:KnowsShape a sh:NodeShape ; sh:targetSubjectsOf ex:knows ;
    sh:property [ sh:path ex:knows ; sh:nodeKind sh:IRI ] .
ex:NodeTargets a sh:NodeShape ; sh:targetNode ex:alice, "lit" ; sh:nodeKind sh:IRI .
ex:LikedShape a sh:NodeShape ; sh:targetObjectsOf ex:likes ; sh:class ex:Person .
ex:Descendants a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:parentOf ] ; sh:node ex:HasName ] .
ex:HasName a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
OTHER_DATA = """
@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:alice a ex:Person ; ex:name "Alice"@en, "Al"@en ; ex:nick "A" ; ex:alias "A", "Ali" ;
    ex:born "2000-01-01"^^xsd:date ; ex:died "1990-01-01"^^xsd:date ; ex:knows ex:bob ;
    ex:age 30 .
ex:bob a ex:Person ; ex:name "B"@de ; ex:knows "carol" ; ex:age 200 ; ex:colour "red" .
ex:p1 ex:parentOf ex:bob . ex:p2 ex:parentOf ex:bob . ex:p3 ex:parentOf ex:bob .
ex:carol a ex:Person ; ex:likes ex:thing ; ex:name "Carol" ; ex:parentOf ex:dave ;
    ex:age "forty"^^xsd:integer ; ex:born "2000-13-01"^^xsd:date ; ex:height "tall"^^xsd:decimal .
"""
# worked out by hand from the two graphs above
OTHER_RESULTS = {
    ("ex:bob", "ex:colour", "Closed"),
    ("ex:carol", "ex:parentOf", "Closed"),
    ("ex:alice", "ex:knows", "Closed"),
    ("ex:bob", "ex:knows", "Closed"),  # only in complex paths
    ("ex:alice", "ex:name", "UniqueLang"),
    ("ex:bob", "ex:name", "MinLength"),
    ("ex:bob", "ex:name", "LanguageIn"),
    ("ex:carol", "ex:name", "LanguageIn"),
    ("ex:alice", "ex:nick", "Equals"),
    ("ex:alice", "ex:born", "LessThan"),
    ("ex:bob", "ex:knows/ex:name", "MinCount"),
    ("ex:carol", "ex:knows/ex:name", "MinCount"),
    ("ex:bob", "^ex:parentOf", "MaxCount"),
    ("ex:bob", "^ex:parentOf", "Class"),
    ("ex:alice", "ex:knows|ex:likes", "Not"),
    ("ex:bob", "ex:age", "And"),
    ("ex:bob", "ex:knows", "NodeKind"),
    ('"lit"', "", "NodeKind"),
    ("ex:thing", "", "Class"),
    ("ex:carol", "ex:parentOf*", "Node"),
    ("ex:carol", "ex:age", "And"),
    ("ex:carol", "ex:born", "Datatype"),  # ill-formed literals
    ("ex:carol", "ex:height", "Datatype"),
}


@pytest.mark.filterwarnings("ignore:Serializing weird numerical:UserWarning")
def test_other_shacl_features_agree_with_pyshacl() -> None:
    shapes = Graph().parse(data=OTHER_SHAPES, format="turtle")
    data = Graph().parse(data=OTHER_DATA, format="turtle")
    conforms, found = engine(data, None, shapes)
    assert validate_store(store_of(data), shapes).conforms is False
    short = {
        (
            re.sub(r"<http://example.org/(\w+)>", r"ex:\1", f),
            p,
            c.removesuffix("ConstraintComponent"),
        )
        for f, p, c in found
    }
    assert short == OTHER_RESULTS and not conforms
    assert_same(data, None, shapes)


# --------------------------------------------------------------------------- the report


def test_violations_are_located_as_kg_validate_locates_them() -> None:
    data = load_sources([BAD_INPUTS / "frequency-n-greater-than-N"], terms())
    expected = validate_graph(data, ontology())
    report = validate_store(store_of(ontology(), data))
    assert len(report.violations) == 1
    assert report.violations == expected.violations
    found = report.violations[0]
    assert found.file.endswith("frequency-n-greater-than-N/source.yaml")
    assert found.column == "item frequencies[1] (section Discussion)"
    assert report.text() == expected.text()


def test_table_cell_violations_are_located_through_the_source_row() -> None:
    """A broken table-cell record, and a broken source row, are located at the row's file and
    line (and the cell's column) by both gates: the store copies the row's triples too."""
    data = load_sources([BAD_INPUTS / "minimal-valid"], terms())
    case2 = next(s for s in data.subjects(DMKG.caseLabel, Literal("2")))
    record = next(
        r
        for r in data.subjects(DMKG.ofPatient, case2)
        if (r, DMKG.finding, DMKG.HeliotropeRash) in data
    )
    data.set((record, DMKG.grade, Literal(5)))
    row = data.value(data.value(record, PROV.wasDerivedFrom), DMKG.inRow)
    assert row is not None
    other = next(r for r in data.subjects(RDF.type, DMKG.SourceRow) if r != row)
    data.remove((other, DMKG.table, None))
    expected = validate_graph(data, ontology())
    report = validate_store(store_of(ontology(), data))
    assert report.violations == expected.violations and len(expected.violations) == 2
    located = {(Path(v.file).name, v.line, v.column) for v in expected.violations}
    other_line = str(data.value(other, DMKG.curatedLine))
    assert located == {
        ("table2.tsv", "3", "Heliotrope rash"),
        (Path(str(data.value(other, DMKG.curatedFile))).name, other_line, ""),
    }


def test_a_capped_report_says_how_many_it_left_out() -> None:
    """Three records without a source location, listed at most two per check."""
    text = (FIXTURES_DIR / "record" / "no-source.ttl").read_text(encoding="utf-8")
    data = fixture_graph("record/no-source.ttl")
    for copy in ("y", "z"):
        data.parse(data=text.replace("data:outcome-x", f"data:outcome-{copy}"), format="turtle")
    report = validate_store(store_of(fixture_ontology(), data), limit=2)
    assert not report.conforms
    assert [v.focus for v in report.violations] == ["dmkgd:outcome-x", "dmkgd:outcome-y"]
    assert sum(report.omitted.values()) == 1
    assert report.text().splitlines()[0] == ("does not conform: 3 violation(s), the first 2 listed")
    assert (
        "... and 1 more violation(s) of dmkgsh:RecordShape prov:wasDerivedFrom "
        "sh:MinCountConstraintComponent" in report.text()
    )


# --------------------------------------------------------------------------- dmkg validate


def _dmkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_batched_validate_prints_what_the_single_path_prints(tmp_path: Path) -> None:
    """300 synthetic patients, six of those with a cancer given a DM-to-cancer interval of 700
    months (the shapes allow -600 to 600; the loader does not check the range): `dmkg validate`
    in one piece and in batches of 20 patients (DMKG_VALIDATE_BATCH) prints the same bytes,
    six violations, and exits 1 both times; the errors lie in more than one batch."""
    assert (
        _dmkg("synth", "--patients", "300", "--seed", "3", "--out", str(tmp_path)).returncode == 0
    )
    folder = tmp_path / "synth"
    table = folder / "registry.tsv"
    lines = table.read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    cancer, interval = header.index("Associated cancer"), header.index("DM to cancer (months)")
    with_cancer = [
        i
        for i, line in enumerate(lines[1:], 1)
        if line and line.split("\t")[cancer] not in ("none", "")
    ]
    edited = with_cancer[:: len(with_cancer) // 6][:6]
    for i in edited:
        cells = lines[i].split("\t")
        cells[interval] = "700"
        lines[i] = "\t".join(cells)
    table.write_text("\n".join(lines), encoding="utf-8")

    single = _dmkg("validate", str(folder))
    batched = _dmkg("validate", str(folder), env={"DMKG_VALIDATE_BATCH": "20"})
    assert (batched.returncode, batched.stdout, batched.stderr) == (
        single.returncode,
        single.stdout,
        single.stderr,
    )
    assert single.returncode == 1 and "does not conform: 6 violation(s)" in single.stdout
    found = {int(n) for n in re.findall(r"registry\.tsv, line (\d+)", single.stdout)}
    assert found == {i + 1 for i in edited}  # file line = row + 1 (the header)

    from kg.build.batches import _plan, _run_batch

    tasks = _plan([folder], 2, 20)
    violations = [
        len(_run_batch(str(f), k, n, str(tmp_path / f"{k}.nt"), True).violations)
        for f, k, n in tasks
    ]
    assert len(tasks) == 16 and sum(violations) == 6 and sum(map(bool, violations)) > 1
