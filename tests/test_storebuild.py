"""The registry-scale build (``dmkg build --store``): same graph, same gate, safe folder swap."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.compare import to_isomorphic

from kg.build.batches import BATCH_STEPS, _plan, apply_rules, load_ntriples
from kg.build.graph import BuildResult
from kg.build.store import build_store
from kg.build.store_folder import STORE_MANIFEST, is_store, open_store, read_manifest
from kg.errors import CurationErrors, UsageError, ValidationFailed
from kg.loaders import load_source, load_sources, source_folders
from kg.loaders.writer import NTriplesSink, nt_term
from kg.namespaces import DMKG
from kg.ontology import load_ontology
from kg.reason.classification import add_classifications
from kg.reason.summary_links import add_summary_links
from kg.reason.vocabulary import DMKGC
from kg.resources import data_dir
from kg.store import OxigraphStore
from kg.terms import TermIndex

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "bad_inputs"


def _quiet(_: str) -> None:
    pass


def _graph_of(store: ox.Store) -> Graph:
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return Graph().parse(data=buffer.getvalue(), format="nt")


@pytest.fixture(scope="module")
def memory_build() -> object:
    return build_store(None, None, progress=_quiet)


def test_store_build_holds_exactly_the_file_build(memory_build: object, built: BuildResult) -> None:
    """Ontology, data, inferences and query catalogue: the same triples as ``dmkg build``."""
    store_side = _graph_of(memory_build.store)  # type: ignore[attr-defined]
    assert len(store_side) == len(built.graph)
    assert to_isomorphic(store_side) == to_isomorphic(built.graph)
    assert memory_build.patients == 26  # type: ignore[attr-defined]


def test_rules_infer_what_hermit_infers(memory_build: object, built: BuildResult) -> None:
    hermit = {(str(s), str(o)) for s, _, o in built.inference.triples}
    assert len(hermit) == 69  # 26 + 8 patients, 26 cancers within two years, 9 MSA results
    store = ox.Store()
    ontology_and_data = Graph()
    for triple in built.graph:
        if triple not in built.inference.triples:
            ontology_and_data.add(triple)
    store.bulk_load(
        ontology_and_data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
    )
    type_ = ox.NamedNode(str(RDF.type))
    before = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, type_, None)}
    assert apply_rules(store) == 69
    after = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, type_, None)}
    assert after - before == hermit


def test_ntriples_sink_writes_what_rdflib_holds(terms: TermIndex) -> None:
    for folder in source_folders(data_dir()):
        reference = load_source(folder, terms)
        text = io.StringIO()
        sink = NTriplesSink(text, flush_every=100)
        load_source(folder, terms, sink=sink)
        sink.flush()
        parsed = Graph().parse(data=text.getvalue(), format="nt")
        assert set(parsed) == set(reference), folder.name


@pytest.mark.parametrize(
    "literal",
    [
        Literal('a "quoted" word'),
        Literal("two\nlines\r"),
        Literal("back\\slash"),
        Literal("Gottron’s papules, ±"),
        Literal("Fr", lang="fr"),
        Literal(5),
        Literal(True),
    ],
)
def test_nt_term_round_trips(literal: Literal) -> None:
    line = f"<urn:s> <urn:p> {nt_term(literal)} .\n"
    ((_, _, parsed),) = Graph().parse(data=line, format="nt")
    assert parsed == literal


def test_batches_together_load_the_whole_source(tmp_path: Path, terms: TermIndex) -> None:
    """Batches of 4 patients: every patient's rows (Tables 1 and 2) land in one batch."""
    folder = data_dir() / "requena2024"
    outcomes = load_ntriples([folder], tmp_path, workers=2, batch=4)
    # the longest table (the antibody readings, 139 rows: 94 readings and the 3 "NP" cells
    # read for each of 15 antibodies) sets the count: 35 batches of 4, even per worker
    assert len(outcomes) == 36
    union = Graph()
    for outcome in outcomes:
        union.parse(outcome.file, format="nt")
    reference = load_sources([folder], terms)
    # the summary links: the same as the rdflib build derives from the whole source
    linked = reference + load_ontology()
    add_summary_links(linked)
    link = set(linked.subjects(RDFS.subPropertyOf, DMKG.summaryLink))
    assert {t for t in union if t[1] in link} == {t for t in linked if t[1] in link}
    # the EULAR/ACR classification records: the same as the rdflib build derives
    records = set(union.subjects(RDF.type, DMKGC.PatientClassification))
    classified = {t for t in union if t[0] in records}
    assert len(records) == 25
    before = set(linked)
    add_classifications(linked)
    assert classified == set(linked) - before
    union -= classified  # type: ignore[arg-type]
    inferred = {t for t in union if t not in reference and t[1] not in link}
    assert set(union) - inferred - {t for t in union if t[1] in link} == set(reference)
    assert {str(o) for _, _, o in inferred} == {
        "https://w3id.org/dmkg/ontology/" + c
        for c in (
            "CancerAssociatedDMPatient",
            "CancerWithinTwoYears",
            "MSAPositivePatient",
            "PositiveMyositisSpecificResult",
        )
    }
    patients = sum(o.summary["sources"][0]["patients"] for o in outcomes)
    assert patients == 25


def test_an_identifier_in_a_later_batch_is_found_once(tmp_path: Path, terms: TermIndex) -> None:
    """Only the first batch checks every cell for identifiers; a bad cell in another batch's
    rows is still reported, once, as by the single load."""
    from kg.sources.synth import write_registry

    src = write_registry(tmp_path / "reg", patients=40, seed=3)
    table = src / "registry.tsv"
    lines = table.read_text(encoding="utf-8").splitlines()
    shards = len(_plan([src], 2, 10))
    row = next(
        i
        for i, line in enumerate(lines[1:], start=1)
        if zlib.crc32(line.split("\t")[0].encode("utf-8")) % shards != 0
    )
    cells = lines[row].split("\t")
    cells[1] = "jane.doe@example.org"
    lines[row] = "\t".join(cells)
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CurationErrors) as single:
        load_sources([src], terms)
    with pytest.raises(CurationErrors) as batched:
        load_ntriples([src], tmp_path, workers=2, batch=10)
    assert [str(e) for e in batched.value.errors] == [str(e) for e in single.value.errors]
    assert len(batched.value.errors) == 1 and "e-mail" in str(batched.value.errors[0])
    assert f"line {row + 1}" in str(batched.value.errors[0]) or f":{row + 1}" in str(
        batched.value.errors[0]
    )


def test_batched_load_reports_each_problem_once(tmp_path: Path, terms: TermIndex) -> None:
    """A duplicated case (a table-wide problem) found by one batch, not by every batch."""
    src = tmp_path / "src" / "duplicated-case"
    shutil.copytree(BAD / "duplicated-case", src)
    with pytest.raises(CurationErrors) as single:
        load_sources([src], terms)
    with pytest.raises(CurationErrors) as batched:
        load_ntriples([src], tmp_path, workers=2, batch=1)
    assert sorted(map(str, batched.value.errors)) == sorted(map(str, single.value.errors))
    assert len(batched.value.errors) == 1


def test_a_violation_in_one_batch_stops_the_build(tmp_path: Path) -> None:
    import yaml

    manifest = yaml.safe_load((BAD / "manifest.yaml").read_text(encoding="utf-8"))
    case = next(c for c in manifest if c["gate"] == "shacl")
    folder = tmp_path / case["folder"]
    shutil.copytree(BAD / case["folder"], folder)
    with pytest.raises(ValidationFailed) as failed:
        build_store([folder], None, workers=2, batch=1, progress=_quiet)
    for text in case["expect"]:
        if text not in ("INVALID", "VALID: "):
            assert text in str(failed.value), text


def test_store_build_refuses_invalid_data_and_keeps_the_old_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    build_store([data_dir() / "curroncol2021"], target, workers=1, progress=_quiet)
    before = read_manifest(target)
    bad = tmp_path / "bad" / "unknown-finding-term"
    shutil.copytree(BAD / "unknown-finding-term", bad)
    with pytest.raises(CurationErrors):
        build_store([bad], target, workers=1, progress=_quiet)
    assert read_manifest(target) == before
    assert (
        len(
            OxigraphStore(open_store(target))
            .select("SELECT ?p WHERE { ?p a <https://w3id.org/dmkg/ontology/Patient> }")
            .rows
        )
        == 1
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dmkg-")]


def test_store_build_refuses_a_shapes_violation(tmp_path: Path) -> None:
    """A case that loads but breaks a shape stops the store build at the compiled gate."""
    import yaml

    manifest = yaml.safe_load((BAD / "manifest.yaml").read_text(encoding="utf-8"))
    shacl_cases = [case["folder"] for case in manifest if case["gate"] == "shacl"]
    assert shacl_cases
    folder = tmp_path / shacl_cases[0]
    shutil.copytree(BAD / shacl_cases[0], folder)
    with pytest.raises(ValidationFailed):
        build_store([folder], tmp_path / "store", workers=1, progress=_quiet)
    assert not (tmp_path / "store").exists()


def test_store_folder_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="not a dmkg store"):
        build_store([data_dir() / "curroncol2021"], target, workers=1, progress=_quiet)
    assert (target / "notes.txt").read_text() == "keep me"


def test_a_build_killed_between_renames_is_repaired(tmp_path: Path) -> None:
    target = tmp_path / "store"
    build_store([data_dir() / "curroncol2021"], target, workers=1, progress=_quiet)
    # the moment between "old store moved aside" and "new store moved in"
    os.replace(target, tmp_path / f".dmkg-old-store.{os.getpid() + 1}")
    (tmp_path / ".dmkg-tmp-store.999").mkdir()  # and a half-written new one
    build_store([data_dir() / "monseau2020"], target, workers=1, progress=_quiet)
    assert is_store(target)
    assert read_manifest(target)["sources"] == ["monseau2020"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def _dmkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        check=False,
    )


def test_cli_store_build_then_query_without_reloading(tmp_path: Path) -> None:
    target = tmp_path / "store"
    built = _dmkg("build", "--store", str(target))
    assert built.returncode == 0, built.stderr
    assert "26 patients" in built.stdout and "[load+validate]" in built.stderr
    # the steps inside load+validate, one figure each, summed over the bundled sources' batches
    steps = re.search(
        r"inside load\+validate, CPU time summed over (\d+) batch\(es\) run (\d+) at a "
        r"time: (.*) \('store'",
        built.stdout,
    )
    assert steps is not None, built.stdout
    assert int(steps.group(1)) == len(source_folders(data_dir()))  # one batch a paper
    assert [part.split()[0] for part in steps.group(3).split(", ")] == list(BATCH_STEPS)
    assert STORE_MANIFEST in os.listdir(target)
    from_store = _dmkg("query", "antibody-frequency", "--store", str(target), "--format", "csv")
    from_file = _dmkg("query", "antibody-frequency", "--format", "csv")
    assert from_store.returncode == 0, from_store.stderr
    assert from_store.stdout == from_file.stdout
    count = _dmkg(
        "sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "--store",
        str(target),
        "--format",
        "csv",
    )
    assert count.stdout.split() == ["n", str(read_manifest(target)["triples"])]


def test_cli_store_usage_errors(tmp_path: Path) -> None:
    both = _dmkg("build", "--store", str(tmp_path / "s"), "--out", str(tmp_path / "o"))
    assert both.returncode == 2 and "not both" in both.stderr
    missing = _dmkg("query", "sign-frequency", "--store", str(tmp_path))
    assert missing.returncode == 2 and "not a dmkg store" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_web_app_serves_a_store(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from kg.web import create_app

    target = tmp_path / "store"
    build_store(None, target, workers=1, progress=_quiet)
    from kg.api import open_graph

    graph = open_graph(store=target)
    assert len(graph) == len(graph.rdf) == read_manifest(target)["triples"]
    app = create_app(graph, workers=1)
    try:
        with TestClient(app) as client:
            home = client.get("/")
            assert home.status_code == 200 and "26" in home.text
            answer = client.get(
                "/sparql",
                params={
                    "query": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a "
                    "<https://w3id.org/dmkg/ontology/Patient> }"
                },
                headers={"Accept": "text/csv"},
            )
            assert answer.status_code == 200 and answer.text.split() == ["n", "26"]
    finally:
        app.state.pool.close()


def test_open_store_is_read_only(tmp_path: Path) -> None:
    target = tmp_path / "store"
    build_store([data_dir() / "curroncol2021"], target, workers=1, progress=_quiet)
    store = open_store(target)
    with pytest.raises((OSError, RuntimeError), match="read-write"):
        store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))


def test_synthetic_registry_through_both_builds_answers_alike(tmp_path: Path) -> None:
    """A small synthetic registry passes the compiled gate, and every canned query gives
    the same answer on the store as on the reference build (rdflib, pyshacl, HermiT)."""
    from kg.bench.engines import BENCH_PARAMS
    from kg.build.graph import build_graph
    from kg.query import list_queries, run_query
    from kg.sources.synth import write_registry

    folder = write_registry(tmp_path / "reg", patients=150, seed=7)
    result = build_store([folder], None, workers=2, batch=40, progress=_quiet)
    assert result.patients == 150
    reference = build_graph([folder], progress=_quiet)
    assert len(_graph_of(result.store)) == len(reference.graph)
    store = OxigraphStore(result.store)
    for query in list_queries(include_checks=False):
        params = BENCH_PARAMS.get(query.name, {})
        on_store = run_query(store, query.name, params)
        on_graph = run_query(reference.graph, query.name, params)
        assert on_store.columns == on_graph.columns, query.name
        assert sorted(map(str, on_store.rows)) == sorted(map(str, on_graph.rows)), query.name
        # a registry has no cohort comparisons and cites no literature: those two are empty
        assert bool(on_store.rows) != (
            query.name in {"cohort-comparison", "antibody-cancer-evidence"}
        ), query.name


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_query_command_streams_the_rows_render_gives(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dmkg query --store`` prints CSV and TSV a chunk of rows at a time (here 3 rows, so
    the 60-patient registry's cancer rows span several chunks): the text is the one
    :func:`kg.query.render.render` makes of the whole result."""
    import kg.cli.read
    from kg.api import open_graph
    from kg.cli import main
    from kg.query import run_query
    from kg.query.render import render
    from kg.sources.synth import write_registry

    folder = write_registry(tmp_path / "reg", patients=60, seed=3)
    build_store([folder], tmp_path / "store", workers=1, progress=_quiet)
    graph = open_graph(store=tmp_path / "store")
    monkeypatch.setattr(kg.cli.read, "_STREAM_ROWS", 3)
    rows = {}
    for name in ("dm-cancer-timing", "summary-records"):
        whole = render(run_query(graph.store, name), fmt, graph.store) + "\n"
        assert main(["query", name, "--store", str(tmp_path / "store"), "--format", fmt]) == 0
        printed = capsys.readouterr().out
        assert printed == whole, name
        rows[name] = len(printed.splitlines()) - 1
    assert rows["dm-cancer-timing"] > 3  # more than one chunk


def test_batches_stream_into_one_bulk_load_and_a_failure_keeps_its_own_error(
    tmp_path: Path,
) -> None:
    """The store takes every passing batch in one streaming bulk load (a failed batch is
    kept for its problems, not loaded); an error while the workers run is raised as itself,
    not as the bulk loader's I/O error, and the batches are closed."""
    from kg.build.batches import BatchOutcome
    from kg.build.store import _stream_into
    from kg.errors import BuildError

    files = []
    for k in range(3):
        files.append(tmp_path / f"{k}.nt")
        files[-1].write_text(
            f'<urn:x:s{k}> <urn:x:p> <urn:x:o> .\n<urn:x:s{k}> <urn:x:q> "{k}" .\n'
        )
    failed = BatchOutcome(str(files[1]))
    failed.violations = ["a violation"]
    closed = []

    def outcomes(fail: bool):  # type: ignore[no-untyped-def]
        try:
            yield BatchOutcome(str(files[0]))
            yield failed
            if fail:
                raise BuildError("a loader worker process died")
            yield BatchOutcome(str(files[2]))
        finally:
            closed.append(fail)

    store = ox.Store()
    steps: dict[str, float] = {}
    taken = _stream_into(store, outcomes(False), steps, {})
    assert [o.file for o in taken] == [str(f) for f in files]
    assert sorted(q.subject.value for q in store) == [
        "urn:x:s0",
        "urn:x:s0",
        "urn:x:s2",
        "urn:x:s2",
    ]
    assert not files[0].exists() and files[1].exists()  # loaded files are removed
    assert closed == [False] and steps["store"] >= 0
    files[0].write_text("<urn:x:a> <urn:x:p> <urn:x:o> .\n")
    with pytest.raises(BuildError, match="worker process died"):
        _stream_into(ox.Store(), outcomes(True), {}, {})
    assert closed == [False, True]


def test_batch_steps_count_cpu_not_waits(tmp_path: Path) -> None:
    """A step's seconds are its process's CPU time: waiting (for a core, for a worker) adds
    nothing, so the summed steps grow with the work alone. The store step leaves out the CPU
    of a batch run in the main process itself (one worker), which that batch's steps count,
    and keeps what the main process does while a worker's batch comes."""
    import time

    from kg.build.batches import BatchOutcome, _step
    from kg.build.store import _stream_into

    def busy(seconds: float) -> None:
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    seconds: dict[str, float] = {}
    with _step(seconds, {}, "load"):
        time.sleep(0.3)
    with _step(seconds, {}, "read"):
        busy(0.2)
    assert seconds["load"] < 0.1 and seconds["read"] >= 0.2

    def batches(pid: int):  # type: ignore[no-untyped-def]
        busy(0.5)  # the batch's work, before the loader has its file
        path = tmp_path / f"{pid}.nt"
        path.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n")
        yield BatchOutcome(str(path), pid=pid)

    inline: dict[str, float] = {}
    _stream_into(ox.Store(), batches(os.getpid()), inline, {})
    in_worker: dict[str, float] = {}
    _stream_into(ox.Store(), batches(os.getpid() + 1), in_worker, {})
    assert 0 <= inline["store"] < 0.4 and in_worker["store"] >= 0.5
