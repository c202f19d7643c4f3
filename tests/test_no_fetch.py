"""Nothing is fetched, in the product and not only under an audit hook.

Oxigraph's HTTP client is in Rust, where Python's audit hooks cannot see it, so these tests
listen on 127.0.0.1 and count the connections that arrive. Every surface that runs a user's
query (the stores' ``sparql()``, ``dmkg sparql`` with the default engine and ``--store``,
the text ``--endpoint`` forwards, and ``/sparql``) is given SERVICE calls hidden the ways
parsers disagree on (a ``#`` comment ended by a lone CR, which rdflib reads as part of the
comment and Oxigraph as a line end), and must refuse them with no connection made.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kg.build.store_folder import STORE_MANIFEST, STORE_SUBDIR
from kg.errors import EXIT_CODES, QueryError
from kg.store.memory import RdflibStore
from kg.store.oxigraph import OxigraphStore
from kg.store.readonly import checked_query
from kg.web.endpoint import QueryRequest, evaluate

REPO = Path(__file__).resolve().parents[1]


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.stop = True
    found.thread.join(2)
    found.sock.close()


def _hostile(port: int) -> list[str]:
    url = f"<http://127.0.0.1:{port}/sparql>"
    return [
        f"SELECT * WHERE {{ #x\rSERVICE {url} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c # x\rSERVICE {url} {{ ?s ?p ?o }}\n}}",  # rdflib: a comment
        f"SELECT * WHERE {{ #x\r\rservice silent {url} {{ ?s ?p ?o }} }}",
        f"ASK {{ # a comment\rSERVICE {url} {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ #\rSERVICE {url} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ #\r SERVICE {url} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ #\rSERVICE {url} {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ SERVICE {url} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND({url} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ]


def _graph() -> Graph:
    graph = Graph()
    graph.add((URIRef("https://example.org/a"), URIRef("https://example.org/p"), Literal(1)))
    return graph


@pytest.mark.parametrize("kind", ["oxigraph", "rdflib"])
def test_stores_refuse_hidden_service_and_connect_nowhere(kind: str, listener: Listener) -> None:
    store = OxigraphStore.from_graph(_graph()) if kind == "oxigraph" else RdflibStore(_graph())
    for text in _hostile(listener.port):
        with pytest.raises(QueryError, match="SERVICE is refused"):
            store.sparql(text)
    time.sleep(0.3)
    assert listener.hits == 0


def test_endpoint_refuses_hidden_service(listener: Listener) -> None:
    for text in _hostile(listener.port):
        answer = evaluate(_graph(), QueryRequest(text), row_limit=100)
        assert answer.status == 400 and "SERVICE is refused" in answer.text, answer.text
    assert listener.hits == 0


def test_the_checked_text_is_the_text_that_runs() -> None:
    """A query with CR line ends runs, as the text the check parsed (CRs made LFs)."""
    text = "SELECT ?o WHERE {\r\n ?s ?p ?o # a comment\r FILTER(?o = 1) }"
    checked = checked_query(text)
    assert "\r" not in checked.text
    for store in (OxigraphStore.from_graph(_graph()), RdflibStore(_graph())):
        answer = store.sparql(text)
        assert answer.select is not None and len(answer.select.rows) == 1


def test_a_word_service_in_a_string_or_comment_is_not_a_call() -> None:
    store = OxigraphStore.from_graph(_graph())
    text = 'SELECT ?o WHERE { ?s ?p ?o # SERVICE <http://x/>\n FILTER(?o != "SERVICE") }'
    answer = store.sparql(text)
    assert answer.select is not None and len(answer.select.rows) == 1


@pytest.mark.parametrize("where", ["--graph", "--store"])
def test_cli_sparql_refuses_hidden_service(where: str, listener: Listener, tmp_path: Path) -> None:
    source = tmp_path / "g.ttl"
    _graph().serialize(source, format="turtle")
    target = str(source)
    if where == "--store":  # a store folder as 'dmkg build --store' leaves it
        import pyoxigraph as ox

        folder = tmp_path / "store"
        folder.mkdir()
        engine = ox.Store(str(folder / STORE_SUBDIR))
        engine.bulk_load(_graph().serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
        engine.flush()
        del engine
        (folder / STORE_MANIFEST).write_text("{}", encoding="utf-8")
        target = str(folder)
    text = _hostile(listener.port)[0]
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "sparql", text, where, target],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == EXIT_CODES[QueryError], output
    assert "SERVICE is refused" in output and "Traceback" not in output
    time.sleep(0.3)
    assert listener.hits == 0


def test_endpoint_forwards_the_checked_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """--endpoint sends the remote store the normalised text the check parsed, and nothing
    for a hidden SERVICE (the remote engine could fetch as Oxigraph does)."""
    from kg.store.endpoint import Endpoint
    from kg.store.remote import RemoteStore

    sent: list[str] = []

    def fetch(self: RemoteStore, text: str, accept: str) -> bytes:
        sent.append(text)
        return b'{"head": {"vars": ["o"]}, "results": {"bindings": []}}'

    monkeypatch.setattr(RemoteStore, "_fetch", fetch)
    store = RemoteStore(Endpoint("http://127.0.0.1:9/sparql"), None)
    store.sparql("SELECT ?o WHERE {\r\n ?s ?p ?o # c\r FILTER(?o = 1) }")
    assert sent == ["SELECT ?o WHERE {\n ?s ?p ?o # c\n FILTER(?o = 1) }"]
    for text in _hostile(9):
        with pytest.raises(QueryError, match="SERVICE is refused"):
            store.sparql(text)
    assert len(sent) == 1


_FILLER = st.sampled_from(["", " ", "?s ?p ?o .", '"#"', '"""\r"""', "OPTIONAL { ?s ?p ?o }"])
_CALL = st.tuples(
    _FILLER,
    st.sampled_from(["", "#", "# a note", "#SERVICE"]),  # a comment before the call
    st.sampled_from(["", "\r", "\n", "\r\n", "\r\r", "\n\r", " "]),  # its line end
    st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service\rsilent"]),
    st.sampled_from([" <http://127.0.0.1:{port}/s>", "<http://127.0.0.1:{port}/s>", " ?e"]),
    st.sampled_from(["", "\n", " "]),  # a line end after the call ends rdflib's comment
    _FILLER,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=_CALL)
def test_no_query_that_passes_the_check_connects_out(call: tuple[str, ...]) -> None:
    """Hypothesis hides a SERVICE call behind comments and line ends of every kind: whatever
    passes the check runs on Oxigraph without a connection to the listener."""
    listener = _FUZZ_LISTENER
    before_call, comment, line_end, keyword, target, end, after = call
    body = f"{before_call} {comment}{line_end}{keyword}{target} {{ ?s ?p ?o }}{end} {after}"
    text = "SELECT * WHERE { BIND(<http://127.0.0.1:{port}/s> AS ?e) " + body + " }"
    text = text.replace("{port}", str(listener.port))
    before = listener.hits
    try:
        OxigraphStore.from_graph(_graph()).sparql(text)
    except QueryError:
        pass
    time.sleep(0.02)
    assert listener.hits == before, repr(text)


_FUZZ_LISTENER = Listener()
