"""One way in: every entry point opens its graph through kg.api.open_graph, and every read
command gives the same answer whichever way the graph is named.

The same bundled papers are opened as a build folder (Oxigraph and rdflib engines), a Turtle
file, an on-disk store from ``dmkg build --store``, and a named graph on a real Oxigraph server
(``--endpoint``); ``stats``, ``qa``, ``associations``, ``query``, ``sparql``, ``plot`` and
``export hpoa`` must print the same bytes from each. Counts are also checked against the
papers (26 patients, 23 QA items, 9 breast cancers).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kg.api import KnowledgeGraph, open_graph
from kg.cli import main
from kg.errors import UsageError
from kg.store import OxigraphStore, RdflibStore, RemoteStore, as_store

GRAPH_IRI = "https://example.org/one-core"


def _sources(build_dir: Path, store_dir: Path, server: str) -> dict[str, list[str]]:
    return {
        "build folder": ["--graph", str(build_dir)],
        "turtle file": ["--graph", str(build_dir / "dmkg.ttl")],
        "store": ["--store", str(store_dir)],
        "endpoint": ["--endpoint", server, "--graph", GRAPH_IRI],
    }


COMMANDS = {
    "stats": ["stats", "--format", "json"],
    "qa": ["qa", "--format", "csv"],
    "associations": ["associations", "--kind", "patient-level", "--format", "csv"],
    "query": ["query", "cancer-sites", "--param", "source=10.1016/j.ad.2025.02.012"],
    "query-term": ["query", "survival-by-finding", "--param", "finding=myositis"],
    "sparql": [
        "sparql",
        (
            "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
            "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:CancerAssociatedDMPatient }"
        ),
    ],
    "export-hpoa": ["export", "hpoa", "--out", "-"],
    "classify": ["classify", "--format", "csv"],
    "classify-items": ["classify", "--patient", "curroncol2021 case 1", "--format", "json"],
}


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_read_command_answers_the_same_from_every_source(
    command: str,
    build_dir: Path,
    store_dir: Path,
    server: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = {
        name: _run(capsys, *COMMANDS[command], *options)
        for name, options in _sources(build_dir, store_dir, server).items()
    }
    expected = outputs.pop("build folder")
    assert expected.strip()
    for name, output in outputs.items():
        assert output == expected, f"{command} from the {name} differs from the build folder"


def test_the_answers_are_the_papers_counts(
    build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stats = _run(capsys, "stats", "--graph", str(build_dir))
    assert "3 sources, 26 patients" in stats
    qa = list(
        csv.DictReader(
            io.StringIO(_run(capsys, "qa", "--graph", str(build_dir), "--format", "csv"))
        )
    )
    assert len(qa) == 23  # the QA items counted by hand in the README's table
    sites = _run(capsys, "query", "cancer-sites", "--graph", str(build_dir), "--format", "csv")
    rows = {r["site"]: r for r in csv.DictReader(io.StringIO(sites))}
    # Requena's "Breast (7)" (its own categories: case 6, a breast lymphoma, is "Lymphoma
    # (1)") and the case report's breast cancer
    assert rows["breast cancer"]["patients"] == "8"
    assert rows["lymphoma"]["patients"] == "1"
    answer = _run(capsys, *COMMANDS["sparql"], "--graph", str(build_dir), "--format", "csv")
    assert answer.split() == ["n", "26"]  # every patient had a cancer within 24 months


def test_plot_data_is_the_same_from_a_store(
    build_dir: Path, store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = []
    for options in (["--graph", str(build_dir)], ["--store", str(store_dir)]):
        data = tmp_path / f"{len(tables)}.csv"
        _run(
            capsys, "plot", "finding-frequency", "--out", str(tmp_path / f"{len(tables)}.svg"),
            "--data", str(data), "--param", "source=10.1016/j.ad.2025.02.012", *options,
        )  # fmt: skip
        tables.append(data.read_text(encoding="utf-8"))
    assert tables[0] == tables[1]
    heliotrope = next(
        r for r in csv.DictReader(io.StringIO(tables[0])) if r["finding"] == "heliotrope rash"
    )
    assert (heliotrope["present"], heliotrope["assessed"]) == ("20", "24")


def test_open_graph_gives_one_kind_of_object_over_every_store(
    build_dir: Path, store_dir: Path, server: str
) -> None:
    opened = {
        "oxigraph file": open_graph(build_dir),
        "rdflib file": open_graph(build_dir / "dmkg.nt", engine="rdflib"),
        "store": open_graph(store_dir),
        "store folder": open_graph(store=store_dir),
        "endpoint": open_graph(endpoint=server, graph_iri=GRAPH_IRI),
    }
    kinds = {name: type(g.store) for name, g in opened.items()}
    assert kinds == {
        "oxigraph file": OxigraphStore,
        "rdflib file": RdflibStore,
        "store": OxigraphStore,
        "store folder": OxigraphStore,
        "endpoint": RemoteStore,
    }
    for name, graph in opened.items():
        assert isinstance(graph, KnowledgeGraph)
        assert graph.summary().patients == 26, name
        assert len(graph) == len(opened["rdflib file"]), name
        # the rdflib view reads the same store, and leads back to it
        assert as_store(graph.rdf) is graph.store, name
        assert len(graph.patients()) == 26, name
    heliotrope = {
        name: g.query("sign-frequency", source="10.1016/j.ad.2025.02.012")
        .set_index("sign")
        .loc["heliotrope rash", ["present", "absent", "unknown"]]
        .tolist()
        for name, g in opened.items()
    }
    assert set(map(tuple, heliotrope.values())) == {(20, 4, 1)}


def test_open_graph_refuses_what_it_cannot_open(tmp_path: Path, build_dir: Path) -> None:
    with pytest.raises(UsageError, match="no such file or folder"):
        open_graph(tmp_path / "missing")
    with pytest.raises(UsageError, match="neither dmkg.nt"):
        open_graph(tmp_path)
    with pytest.raises(UsageError, match="not a dmkg store"):
        open_graph(store=tmp_path)
    with pytest.raises(UsageError, match="one of"):
        open_graph(build_dir, endpoint="http://127.0.0.1:1/query")
    with pytest.raises(UsageError, match="unknown engine"):
        open_graph(build_dir, engine="sqlite")


def test_open_graph_builds_curated_sources_through_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DMKG_CACHE_DIR", str(tmp_path / "cache"))
    folder = Path(__file__).resolve().parent.parent / "kg" / "data" / "requena2024"
    graph = open_graph(folder, run_reasoner=False, progress=lambda _: None)
    assert graph.summary().patients == 25
    assert "cached in" in graph.origin


def test_every_read_command_takes_the_same_graph_options() -> None:
    from kg.cli.entry import build_parser

    parser = build_parser()
    commands = {
        action.dest: action
        for action in parser._subparsers._group_actions  # type: ignore[union-attr]
    }["command"].choices
    read = ["stats", "query", "sparql", "associations", "qa", "plot", "classify"]
    exports = commands["export"]._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in [*((n, commands[n]) for n in read), *exports.items()]:
        options = {o for action in sub._actions for o in action.option_strings}
        if name == "sssom":  # the mapping table is the ontology's, not the graph's
            continue
        assert {"--graph", "--store", "--endpoint", "--user", "--timeout"} <= options, name
    serve = {o for action in commands["serve"]._actions for o in action.option_strings}
    assert {"--graph", "--store"} <= serve


def test_no_branch_on_graph_or_store_outside_the_store_package() -> None:
    """Callers take what they are given and ask kg.store.as_store for its store: no module
    outside kg/store asks whether it holds a Store or a graph in order to run a query."""
    import re

    package = Path(__file__).resolve().parent.parent / "kg"
    branch = re.compile(r"isinstance\([^)]*\b(Store|OxigraphStore|RemoteStore|RdflibStore)\b")
    found = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] != "store"
        and branch.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_default_graph_is_build_when_there_is_one(
    build_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "dmkg.nt").write_text(
        (build_dir / "dmkg.nt")
        .read_text(encoding="utf-8")
        .replace("requena2024 case 5", "requena2024 case five"),
        encoding="utf-8",
    )
    out = _run(capsys, "sparql", 'ASK { ?p ?label "requena2024 case five" }')
    assert out.strip() == "true"


def test_the_rdflib_engine_gives_the_same_answers(
    build_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {}
    for engine in ("oxigraph", "rdflib"):
        monkeypatch.setenv("DMKG_ENGINE", engine)
        answers[engine] = [
            _run(capsys, *COMMANDS[name], "--graph", str(build_dir))
            for name in ("qa", "associations", "query-term")
        ]
    assert answers["oxigraph"] == answers["rdflib"]
