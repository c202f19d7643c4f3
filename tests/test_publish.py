"""dmkg publish and remote queries against a real Oxigraph server (the PyPI package `oxigraph`).

A server is started on 127.0.0.1 and a free port for this module. The bundled graph is
published (SPARQL Update and Graph Store Protocol), every canned query is run on the server
with its defaults and with the parameter values below, and each answer must equal the
embedded one: the same columns, rows, term types and labels. Literals are compared by value
and datatype, not lexical form (a store may write the decimal 5.10 as 5.1), and rows are
sorted only within runs that tie on every projected ORDER BY variable (an order SPARQL leaves
open). A few answers are also checked against counts made by hand from the papers
(tests/test_canned_queries.py).

Failures must leave the target graph as it was: a server killed in the middle of a load, a
load the server refuses, and a wrong triple count (a fake server) are each tried.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from test_canned_queries import (
    BREAKERS,
    CASE_REPORT,
    MONSEAU,
    REQUENA,
    REQUENA_SITES,
    TIF_HELIOTROPE_AGES,
)

from kg.build.graph import BuildResult, write_graph
from kg.build.publish import publish
from kg.errors import RemoteError
from kg.query import list_queries, load_query, run_query
from kg.query.render import render
from kg.store import DEFAULT_GRAPH_IRI, Endpoint, RemoteStore, Store

#: every canned query with its defaults, then parameter values worth trying
CASES: list[tuple[str, dict[str, str]]] = [
    (q.name, {}) for q in list_queries() if not any(p.required for p in q.params)
] + [
    ("sign-frequency", {"source": REQUENA}),
    ("antibody-frequency", {"source": CASE_REPORT}),
    ("cancer-sites", {"source": REQUENA}),
    ("cancer-sites", {"source": MONSEAU}),
    ("antibody-cancer", {"source": REQUENA}),
    ("sign-antibody", {"source": CASE_REPORT}),
    ("dm-cancer-timing", {"source": REQUENA}),
    ("cohort-comparison", {"source": MONSEAU}),
    ("survival-by-finding", {"finding": "heliotrope rash"}),
    ("survival-by-finding", {"finding": "myositis", "source": REQUENA}),
    ("patients-matching", {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash"}),
    (
        "patients-matching",
        {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash", "min_age": "60"},
    ),
    (
        "patients-matching",
        {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash", "source": CASE_REPORT},
    ),
    ("patients-matching", {"antibody": "anti-Ro/SSA", "sign": "heliotrope rash"}),
    (
        "patients-matching",
        {"antibody": "myositis-specific autoantibody", "sign": "Gottron papules or sign"},
    ),
    ("patients-matching", {"antibody": "anti-Mi-2", "sign": "cutaneous finding"}),
]
CASE_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}" for n, p in CASES]


# ---------------------------------------------------------------------------------------------
# Comparing answers
# ---------------------------------------------------------------------------------------------


def norm(term: Node | None) -> tuple[Any, ...]:
    """A term as (kind, value, datatype, language); literals by value, not lexical form."""
    if isinstance(term, Literal):
        value = term.toPython()
        return (
            "literal",
            str(value) if isinstance(value, Literal) else value,
            str(term.datatype or ""),
            term.language or "",
        )
    return (type(term).__name__, str(term) if term is not None else "", "", "")


def _order_vars(name: str, columns: list[str]) -> list[int]:
    text = load_query(name).text
    match = re.search(r"ORDER BY(.*)", text, re.DOTALL)
    names = re.findall(r"\?(\w+)", match.group(1)) if match else []
    return [columns.index(n) for n in names if n in columns]


def canonical_rows(
    name: str, columns: list[str], rows: list[list[Node | None]]
) -> list[list[tuple[Any, ...]]]:
    """Normalised rows; rows that tie on every projected ORDER BY variable sorted."""
    keys = _order_vars(name, columns)
    out: list[list[tuple[Any, ...]]] = []
    run: list[list[tuple[Any, ...]]] = []
    last: object = None
    for row in rows:
        normal = [norm(t) for t in row]
        key = [normal[i] for i in keys] if keys else None
        if run and key != last:
            out.extend(sorted(run, key=repr))
            run = []
        run.append(normal)
        last = key
    out.extend(sorted(run, key=repr))
    return out


def assert_same_answer(graph: Graph, store: Store, name: str, params: dict[str, str]) -> int:
    """Same columns, rows (typed), and rendered labels on ``store`` as on the embedded graph.
    Returns the number of rows."""
    expected = run_query(graph, name, params)
    got = run_query(store, name, params)
    assert got.columns == expected.columns
    assert canonical_rows(name, got.columns, got.rows) == canonical_rows(
        name, expected.columns, expected.rows
    )
    # labels come from the store: the rendered records are the same, label for label
    mine = sorted(json.dumps(r, sort_keys=True) for r in json.loads(render(got, "json", store)))
    theirs = sorted(
        json.dumps(r, sort_keys=True) for r in json.loads(render(expected, "json", graph))
    )
    assert mine == theirs
    return len(got.rows)


def assert_hand_counts(store: Store) -> None:
    """A few answers from the remote against counts made by hand from the papers."""
    sites = run_query(store, "cancer-sites", {"source": REQUENA}).records()
    assert {
        r["site"]: int(r["patients"].toPython())
        for r in sites  # type: ignore[union-attr]
    } == REQUENA_SITES
    rows = run_query(
        store,
        "patients-matching",
        {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash", "min_age": "60"},
    )
    ages = {
        ("CR" if str(r["source"]) == CASE_REPORT else str(r["case"])): int(r["age"].toPython())
        for r in rows.records()
    }  # type: ignore[union-attr]
    assert ages == {c: a for c, a in TIF_HELIOTROPE_AGES.items() if a >= 60}
    cohort = {
        str(r["feature"]).rsplit("/", 1)[-1]: r
        for r in run_query(store, "cohort-comparison", {"source": MONSEAU}).records()
    }
    # Monseau Table I, Holster sign: 12/55 vs 2/55 (n1 and N1 differ only in case)
    holster = cohort["HolsterSign"]
    assert [
        int(holster[k].toPython())
        for k in ("n1", "N1", "n2", "N2")  # type: ignore[union-attr]
    ] == [12, 55, 2, 55]


def broken_copy(graph: Graph, name: str) -> Graph:
    """The graph broken by the breaker of one violation check (test_canned_queries)."""
    copy = Graph()
    copy += graph
    BREAKERS[name](copy)
    return copy


def assert_same_violations(graph: Graph, endpoint: Endpoint) -> None:
    """Each breaker, published on its own, trips its check alone, remotely as embedded."""
    for i, name in enumerate(BREAKERS):
        broken = broken_copy(graph, name)
        target = f"https://example.org/broken{i}"
        publish(broken, endpoint, target, progress=lambda _: None)
        store = RemoteStore(endpoint, target)
        assert assert_same_answer(broken, store, name, {}) > 0, name
        for other in BREAKERS:
            if other != name:
                assert run_query(store, other).rows == [], (name, other)


# ---------------------------------------------------------------------------------------------
# An Oxigraph server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(
    url: str, seconds: float, process: subprocess.Popen[bytes] | None = None, auth: Any = None
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {seconds} s")


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1, persisting to ``location``; restartable."""

    def __init__(self, location: Path) -> None:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        if not Path(binary).exists():
            raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
        self.binary, self.location = binary, location
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoint(self, **kwargs: Any) -> Endpoint:
        kwargs.setdefault("timeout", 20)
        return Endpoint(f"{self.base}/query", **kwargs)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(f"{self.base}/query?query=ASK%7B%7D", 30, self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def published(oxigraph: OxigraphServer, graph: Graph) -> RemoteStore:
    messages: list[str] = []
    report = publish(graph, oxigraph.endpoint(), progress=messages.append)
    assert report.triples == len(graph) and report.method == "SPARQL Update"
    assert any("chunk" in m for m in messages) and messages[-1].startswith("[4/4]")
    return RemoteStore(oxigraph.endpoint(), DEFAULT_GRAPH_IRI)


def named_graphs(server: OxigraphServer) -> set[str]:
    store = RemoteStore(server.endpoint(), None)
    rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    return {str(row[0]) for row in rows}


# ---------------------------------------------------------------------------------------------
# Same answers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_canned_query_same_on_oxigraph_server(
    graph: Graph, published: RemoteStore, name: str, params: dict[str, str]
) -> None:
    assert_same_answer(graph, published, name, params)


def test_hand_counts_on_oxigraph_server(published: RemoteStore) -> None:
    assert_hand_counts(published)


def test_violation_checks_find_the_same_faults_remotely(
    graph: Graph, oxigraph: OxigraphServer
) -> None:
    assert_same_violations(graph, oxigraph.endpoint(gsp_url=f"{oxigraph.base}/store"))


def test_graph_store_protocol_publish(graph: Graph, oxigraph: OxigraphServer) -> None:
    target = "https://example.org/by-gsp"
    report = publish(
        graph, oxigraph.endpoint(gsp_url=f"{oxigraph.base}/store"), target, progress=lambda _: None
    )
    assert report.method == "Graph Store Protocol" and report.triples == len(graph)
    store = RemoteStore(oxigraph.endpoint(), target)
    assert store.count(target) == len(graph)
    assert_same_answer(graph, store, "antibody-cancer-evidence", {})
    assert not any(g.startswith("urn:dmkg:publish-tmp:") for g in named_graphs(oxigraph))


def test_republish_replaces_the_graph(graph: Graph, oxigraph: OxigraphServer) -> None:
    target = "https://example.org/replaced"
    small = Graph()
    small.add((URIRef("urn:x:a"), URIRef("urn:x:b"), Literal("old")))
    publish(small, oxigraph.endpoint(), target, progress=lambda _: None)
    report = publish(graph, oxigraph.endpoint(), target, progress=lambda _: None)
    assert report.replaced == 1 and report.triples == len(graph)
    assert (
        RemoteStore(oxigraph.endpoint(), target).select("SELECT ?o WHERE { <urn:x:a> ?p ?o }").rows
        == []
    )


# ---------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------


def dmkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture(scope="module")
def build_dir(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    write_graph(built, out)
    return out


def test_cli_publish_then_query_same_output(build_dir: Path, oxigraph: OxigraphServer) -> None:
    target = "https://example.org/cli"
    run = dmkg(
        "publish",
        "--endpoint",
        f"{oxigraph.base}/query",
        "--graph",
        target,
        "--from",
        str(build_dir),
    )
    assert run.returncode == 0, run.stderr
    lines = (build_dir / "dmkg.nt").read_text(encoding="utf-8").splitlines()
    triples = sum(1 for line in lines if line.strip())
    assert f"published {triples:,} triples" in run.stdout and "[4/4] moving" in run.stderr
    for args in (
        [
            "query",
            "patients-matching",
            "--param",
            "antibody=anti-TIF1-gamma",
            "--param",
            "sign=heliotrope rash",
            "--param",
            "min_age=60",
        ],
        ["query", "cohort-comparison", "--format", "csv"],
        [
            "sparql",
            (
                "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> SELECT ?s ?l "
                "WHERE { ?s a dmkg:Publication ; dmkg:doi ?l } ORDER BY ?l"
            ),
        ],
    ):
        local = dmkg(*args, "--graph", str(build_dir))
        remote = dmkg(*args, "--endpoint", f"{oxigraph.base}/query", "--graph", target)
        assert remote.returncode == 0, remote.stderr
        assert remote.stdout == local.stdout and local.stdout
    refused = dmkg("sparql", "DELETE WHERE { ?s ?p ?o }", "--endpoint", f"{oxigraph.base}/query")
    assert refused.returncode == 2 and "read-only" in refused.stderr


def test_cli_query_on_a_stopped_server_fails_cleanly() -> None:
    port = free_port()  # nothing listens there
    run = dmkg(
        "query", "cancer-sites", "--endpoint", f"http://127.0.0.1:{port}/query", "--timeout", "5"
    )
    assert run.returncode == 2
    assert "connection refused" in run.stderr and "Traceback" not in run.stderr


def test_cli_with_endpoint_graph_must_be_an_iri(oxigraph: OxigraphServer) -> None:
    run = dmkg(
        "query", "cancer-sites", "--endpoint", f"{oxigraph.base}/query", "--graph", "build/dmkg.nt"
    )
    assert run.returncode == 2 and "not an absolute IRI" in run.stderr


# ---------------------------------------------------------------------------------------------
# Failures leave the target graph as it was
# ---------------------------------------------------------------------------------------------


def _old_graph() -> Graph:
    old = Graph()
    for i in range(5):
        old.add((URIRef(f"urn:x:old{i}"), URIRef("urn:x:p"), Literal(i)))
    return old


def _contents(store: RemoteStore, target: str) -> set[tuple[str, ...]]:
    text = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"
    return {tuple(map(str, row)) for row in RemoteStore(store.endpoint, None).select(text).rows}


def test_server_killed_mid_load_leaves_target(graph: Graph, tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db")
    server.start()
    try:
        target = "https://example.org/killed"
        publish(_old_graph(), server.endpoint(), target, progress=lambda _: None)
        before = _contents(RemoteStore(server.endpoint(), None), target)
        assert len(before) == 5

        def kill_at_chunk_3(message: str) -> None:
            if message.strip().startswith("chunk 3/"):
                server.kill()

        with pytest.raises(RemoteError, match=r"connection refused|closed the connection") as e:
            publish(graph, server.endpoint(timeout=5), target, progress=kill_at_chunk_3)
        assert f"the target graph <{target}> was left as it was" in str(e.value)
        server.start()  # same location: what the server had committed is back
        assert _contents(RemoteStore(server.endpoint(), None), target) == before
    finally:
        server.stop()


class _FakeStore(BaseHTTPRequestHandler):
    """A SPARQL endpoint that takes updates and answers COUNT queries; it can refuse the
    ``fail_at``-th update (HTTP 500) and miscount the temporary graph by one."""

    updates: ClassVar[list[str]] = []
    fail_at: int | None = None
    miscount = False

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        cls = type(self)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        if self.path.startswith("/update"):
            cls.updates.append(body)
            refuse = len(cls.updates) == cls.fail_at
            self.send_response(500 if refuse else 204)
            self.send_header("Content-Length", "17" if refuse else "0")
            self.end_headers()
            if refuse:
                self.wfile.write(b"disk full (fake)\n")
            return
        text = urllib.parse.parse_qs(body).get("query", [""])[0]
        loaded = sum(u.count(" .\n") for u in cls.updates if u.startswith("INSERT"))
        n = loaded - (1 if cls.miscount else 0) if "COUNT" in text and cls.updates else 0
        payload = json.dumps(
            {
                "head": {"vars": ["n"]},
                "results": {
                    "bindings": [
                        {
                            "n": {
                                "type": "literal",
                                "value": str(n),
                                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                            }
                        }
                    ]
                },
            }
        ).encode()
        if "COUNT" not in text:  # the look-up of stray temporary graphs: there are none
            payload = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture()
def fake_store() -> Iterator[Endpoint]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeStore)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeStore.updates, _FakeStore.fail_at, _FakeStore.miscount = [], None, False
    try:
        yield Endpoint(f"http://127.0.0.1:{server.server_address[1]}/query", timeout=5)
    finally:
        server.shutdown()
        server.server_close()


def test_wrong_count_never_moves(fake_store: Endpoint) -> None:
    _FakeStore.miscount = True
    with pytest.raises(RemoteError, match=r"holds 41 triples where 42 were sent"):
        publish(_old_graph_of(42), fake_store, "https://example.org/t", progress=lambda _: None)
    assert not any(u.startswith("MOVE") for u in _FakeStore.updates)
    assert _FakeStore.updates[-1].startswith("DROP SILENT GRAPH <urn:dmkg:publish-tmp:")


def test_refused_chunk_never_moves(fake_store: Endpoint) -> None:
    _FakeStore.fail_at = 3
    with pytest.raises(RemoteError, match=r"chunk 3 of 5.*HTTP 500.*disk full.*left as it was"):
        publish(
            _old_graph_of(50),
            fake_store,
            "https://example.org/t",
            chunk_size=10,
            progress=lambda _: None,
        )
    assert len(_FakeStore.updates) == 4  # three chunks, the last refused, then DROP
    assert _FakeStore.updates[-1].startswith("DROP SILENT GRAPH <urn:dmkg:publish-tmp:")


def test_fake_store_counts_what_it_was_sent(fake_store: Endpoint) -> None:
    report = publish(
        _old_graph_of(42), fake_store, "https://example.org/t", progress=lambda _: None
    )
    assert report.triples == 42 and _FakeStore.updates[-1].startswith("MOVE <urn:dmkg:publish-tmp:")


def _old_graph_of(n: int) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((URIRef(f"urn:x:s{i}"), URIRef("urn:x:p"), Literal(i)))
    return g


def test_publish_refuses_a_target_that_is_not_an_iri(graph: Graph) -> None:
    with pytest.raises(RemoteError, match="not an absolute IRI"):
        publish(graph, Endpoint("http://127.0.0.1:1/query"), "my graph")


def test_cli_progress_goes_to_stderr(build_dir: Path, oxigraph: OxigraphServer) -> None:
    run = dmkg(
        "publish",
        "--endpoint",
        f"{oxigraph.base}/query",
        "--graph",
        "https://example.org/quiet",
        "--from",
        str(build_dir),
        "--chunk-size",
        "5000",
    )
    assert run.returncode == 0
    assert run.stdout.count("\n") == 1 and "chunk 3/3" in run.stderr
