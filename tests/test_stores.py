"""The store layer: VALUES binding, term conversion, the embedded Oxigraph engine, remote errors.

No server is needed here except small fake HTTP servers on 127.0.0.1 for the error cases
(tests/test_publish.py runs a real Oxigraph server).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from test_canned_queries import CASE_REPORT, REQUENA, REQUENA_SITES, TIF_HELIOTROPE_AGES
from test_publish import CASE_IDS, CASES, assert_same_answer, free_port

from kg.errors import EXIT_CODES, QueryError, RemoteError
from kg.query import bind_params, list_queries, load_query, run_query
from kg.store import (
    EmbeddedStore,
    Endpoint,
    OxigraphStore,
    RemoteStore,
    graph_iri,
    term_from_json,
    with_values,
)

# ---------------------------------------------------------------------------------------------
# VALUES at the start of the outermost WHERE group
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_values_block_gives_the_same_rows_as_init_bindings(
    graph: Graph, name: str, params: dict[str, str]
) -> None:
    """The text operation is checked on every canned query: rdflib runs the rewritten text
    with no bindings and must give what it gives with initBindings."""
    query = load_query(name)
    bound = bind_params(query, params, graph)
    rewritten = with_values(query.text, bound)
    assert rewritten.count("VALUES (") == query.text.count("VALUES (") + (1 if bound else 0)
    expected = run_query(graph, name, params)
    rows = [
        [row[i] for i in range(len(expected.columns))]
        for row in graph.query(prepareQuery(rewritten))
    ]  # type: ignore[index]
    if query.medians or query.renames:
        return  # post-processed columns: compared through run_query on a store below
    assert rows == expected.rows


def test_min_age_filter_sees_the_bound_value(graph: Graph) -> None:
    """A trailing VALUES would be joined after the FILTER on ?min_age; at the start it is not."""
    store = OxigraphStore.from_graph(graph)
    rows = run_query(
        store,
        "patients-matching",
        {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash", "min_age": "61"},
    )
    cases = {("CR" if str(r["source"]) == CASE_REPORT else str(r["case"])) for r in rows.records()}
    assert cases == {c for c, age in TIF_HELIOTROPE_AGES.items() if age >= 61}


@pytest.mark.parametrize(
    "prefix, rest",
    [
        ("SELECT ?s WHERE {", " ?s ?p ?o }"),
        ("PREFIX a: <http://x/a#> # a { comment\nSELECT * {", " ?s a:p '}' }"),
        ("SELECT (EXISTS { ?s ?p ?o } AS ?e) WHERE {", " ?s ?p ?o }"),
        ("CONSTRUCT { ?s ?p ?o } WHERE {", " ?s ?p ?o FILTER(?o < 3) }"),
        ("SELECT * WHERE {", ' ?s ?p """a } b""" }'),
    ],
)
def test_values_go_into_the_outermost_where_group(prefix: str, rest: str) -> None:
    rewritten = with_values(prefix + rest, {"x": Literal(1)})
    block = 'VALUES (?x) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }'
    assert rewritten == f"{prefix} {block}\n{rest}"
    prepareQuery(rewritten)  # still SPARQL


def test_values_cannot_be_escaped_by_a_value(graph: Graph) -> None:
    sneaky = Literal('x" } } ; DROP ALL ; SELECT * { "')
    rewritten = with_values("SELECT ?v WHERE { }", {"v": sneaky})
    assert [row[0] for row in Graph().query(rewritten)] == [sneaky]  # type: ignore[index]
    with pytest.raises(QueryError, match="not a SPARQL variable"):
        with_values("SELECT * WHERE { }", {"a b": Literal(1)})


def test_term_from_json() -> None:
    integer = term_from_json({"type": "typed-literal", "value": "15", "datatype": str(XSD.integer)})
    assert integer == Literal(15) and integer.datatype == XSD.integer
    assert term_from_json({"type": "literal", "value": "x", "xml:lang": "en"}) == Literal(
        "x", lang="en"
    )
    assert term_from_json(
        {"type": "literal", "value": "x", "datatype": str(XSD.string)}
    ) == Literal("x")
    assert term_from_json({"type": "uri", "value": "urn:a"}) == URIRef("urn:a")
    with pytest.raises(RemoteError, match="unknown type"):
        term_from_json({"type": "triple", "value": ""})


def test_graph_iri_and_endpoint_checks() -> None:
    assert graph_iri("urn:uuid:1") == "urn:uuid:1"
    for bad in ("no-scheme", "http://x/a b", "http://x/<>"):
        with pytest.raises(RemoteError, match="not an absolute IRI"):
            graph_iri(bad)
    with pytest.raises(RemoteError, match="not an http"):
        Endpoint("ftp://example.org/sparql")
    assert Endpoint("http://h:3030/ds/query").update == "http://h:3030/ds/update"
    assert Endpoint("http://h/sparql", update_url="http://h/sparql-auth").update.endswith("auth")
    assert EXIT_CODES[RemoteError] == 2


# ---------------------------------------------------------------------------------------------
# The embedded engines agree
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph_store(graph: Graph) -> OxigraphStore:
    return OxigraphStore.from_graph(graph)


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_embedded_oxigraph_same_as_rdflib(
    graph: Graph, oxigraph_store: OxigraphStore, name: str, params: dict[str, str]
) -> None:
    assert_same_answer(graph, oxigraph_store, name, params)


def test_embedded_stores_against_hand_counts(graph: Graph, oxigraph_store: OxigraphStore) -> None:
    for store in (EmbeddedStore(graph), oxigraph_store):
        rows = run_query(store, "cancer-sites", {"source": REQUENA}).records()
        assert {
            r["site"]: int(r["patients"].toPython())  # type: ignore[union-attr]
            for r in rows
        } == REQUENA_SITES


def test_oxigraph_labels_by_pattern_equal_the_values_queries(
    graph: Graph, oxigraph_store: OxigraphStore
) -> None:
    """The embedded store reads labels by pattern; every other store by VALUES queries in
    chunks: the same labels for every IRI of the graph (several labels, language tags, none)."""
    from kg.store.base import QueryTextStore

    iris = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    iris.add(URIRef("https://w3id.org/dmkg/data/no-such-thing"))
    fast = oxigraph_store.label_literals(iris)
    by_query = QueryTextStore.label_literals(oxigraph_store, iris)
    assert {i: sorted(v) for i, v in fast.items() if v} == {
        i: sorted(v) for i, v in by_query.items() if v
    }
    assert sum(len(v) for v in fast.values()) > 400  # patients, publications, studies, ...
    assert any(isinstance(v, Literal) and v.language for vs in fast.values() for v in vs)


def test_curies_remembered_per_head_equal_rdflib(graph: Graph) -> None:
    """render.curie answers from a remembered IRI head after the first IRI under it; for
    every IRI of the graph, asked twice, and IRIs whose names cannot be cut where the head
    ends, that is what rdflib's NamespaceManager.curie gives."""
    from kg.query.render import _NM, curie

    def rdflib_curie(iri: URIRef) -> str:
        try:
            return _NM.curie(iri, generate=False)
        except (KeyError, ValueError):
            return str(iri)

    odd = [
        "https://w3id.org/dmkg/data/record/0123",  # digits only: not from the head
        "https://w3id.org/dmkg/data/record/",
        "http://purl.obolibrary.org/obo/HP_0000001",  # a longer namespace than obo:
        "http://purl.obolibrary.org/obo/ZZ_1",
        "https://example.org/unbound/x",
    ]
    iris = sorted({t for triple in graph for t in triple if isinstance(t, URIRef)})
    iris += [URIRef(i) for i in odd]
    for _ in range(2):
        assert [curie(i) for i in iris] == [rdflib_curie(i) for i in iris]
    assert curie(URIRef(odd[2])) == "HP:0000001" and curie(URIRef(odd[4])) == odd[4]


def test_oxigraph_store_sparql_forms(oxigraph_store: OxigraphStore) -> None:
    dmkg = "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
    answer = oxigraph_store.sparql(dmkg + "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }")
    assert answer.select is not None and answer.select.rows == [[Literal(26)]]
    assert oxigraph_store.sparql(dmkg + "ASK { ?p a dmkg:Patient }").ask is True
    built = oxigraph_store.sparql(
        dmkg + "CONSTRUCT { ?p dmkg:caseLabel ?c } WHERE { ?p dmkg:caseLabel ?c }"
    ).graph
    assert built is not None and len(built) == 26
    with pytest.raises(QueryError, match="read-only"):
        oxigraph_store.sparql("CLEAR ALL")


def test_every_canned_query_is_covered() -> None:
    assert {n for n, _ in CASES} == {q.name for q in list_queries()}


# ---------------------------------------------------------------------------------------------
# Remote failures: a clear RemoteError within the timeout
# ---------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = type(self).mode
        if mode == "slow":
            time.sleep(4)
        codes = {
            "500": (500, b"Internal error: out of memory"),
            "404": (404, b"no such page"),
            "401": (401, b""),
            "401-digest": (401, b""),
            "html": (200, b"<html>hi</html>"),
            "slow": (200, b"{}"),
            "400": (400, b"Parse error: unexpected }"),
        }
        code, body = codes[mode]
        self.send_response(code)
        if mode == "401-digest":
            self.send_header("WWW-Authenticate", 'Digest realm="SPARQL", nonce="1"')
        elif mode == "401":
            self.send_header("WWW-Authenticate", 'Basic realm="x"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client gave up on a slow answer: expected here


@pytest.fixture()
def fake_endpoint() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "mode, message",
    [
        ("500", r"HTTP 500.*server error: Internal error: out of memory"),
        ("404", r"HTTP 404.*no SPARQL service at this URL"),
        ("400", r"HTTP 400.*refused the request: Parse error"),
        ("401", r"HTTP 401.*wrong or missing credentials"),
        ("401-digest", r"HTTP 401.*add --auth digest"),
        ("html", r"not SPARQL JSON results"),
        ("slow", r"no answer within 1 s"),
    ],
)
def test_remote_failures_are_clear(fake_endpoint: str, mode: str, message: str) -> None:
    _Handler.mode = mode
    store = RemoteStore(Endpoint(fake_endpoint, timeout=1, user="u", password="p"))
    started = time.monotonic()
    with pytest.raises(RemoteError, match=message):
        run_query(store, "cancer-sites")
    assert time.monotonic() - started < 3  # the timeout, not the server's 4 s


def test_remote_down_is_clear() -> None:
    store = RemoteStore(Endpoint(f"http://127.0.0.1:{free_port()}/sparql", timeout=2))
    with pytest.raises(RemoteError, match="connection refused.*is the server running"):
        run_query(store, "cancer-sites")


def test_cli_remote_error_exit_code_and_no_traceback(fake_endpoint: str) -> None:
    _Handler.mode = "500"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "query",
            "cancer-sites",
            "--endpoint",
            fake_endpoint,
            "--timeout",
            "3",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 2
    assert "HTTP 500" in run.stderr and "Traceback" not in run.stderr
    half = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "query",
            "cancer-sites",
            "--endpoint",
            fake_endpoint,
            "--user",
            "u",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert half.returncode == 2 and "both a user and a password" in half.stderr
