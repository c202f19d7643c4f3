"""Integration: the same answers on Virtuoso 7 (Debian's virtuoso-opensource) as embedded.

The fixture writes its own virtuoso.ini (database in a temporary folder, SQL and HTTP ports
free on 127.0.0.1), starts ``virtuoso-t`` in the foreground as a child process, and stops it
after. The graph is published through the authenticated endpoint ``/sparql-auth`` with Digest
authentication as ``dba`` (a fresh database's default password), queries go to the anonymous
``/sparql``. Virtuoso reads variable names without regard to case (``?n1`` is ``?N1``), and
loses rows with some property paths: the canned queries are written to avoid both, and
this test is what shows it. It needs the ``virtuoso-t`` binary (Debian: apt-get install
virtuoso-opensource, which CI's .ci/run installs); without it the test is skipped, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from test_publish import (
    CASE_IDS,
    CASES,
    assert_hand_counts,
    assert_same_answer,
    assert_same_violations,
    free_port,
    wait_until_up,
)

from kg.build.publish import publish
from kg.errors import RemoteError
from kg.query import run_query
from kg.store import DEFAULT_GRAPH_IRI, Endpoint, RemoteStore

VIRTUOSO = shutil.which("virtuoso-t")
pytestmark = pytest.mark.skipif(
    VIRTUOSO is None, reason="virtuoso-t not installed (apt-get install virtuoso-opensource)"
)

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


class Virtuoso:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "www").mkdir(parents=True)
        self.http = free_port()
        (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql=free_port(), http=self.http))
        self.base = f"http://127.0.0.1:{self.http}"

    def start(self) -> None:
        assert VIRTUOSO is not None
        self.process = subprocess.Popen(
            [VIRTUOSO, "+configfile", str(self.folder / "virtuoso.ini"), "+foreground"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(f"{self.base}/sparql?query=ASK%7B%7D", 60, self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def endpoint(self, password: str = "dba") -> Endpoint:
        return Endpoint(
            f"{self.base}/sparql",
            update_url=f"{self.base}/sparql-auth",
            user="dba",
            password=password,
            auth="digest",
            timeout=60,
        )


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def on_virtuoso(virtuoso: Virtuoso, graph: Graph) -> RemoteStore:
    report = publish(graph, virtuoso.endpoint(), progress=lambda _: None)
    assert report.triples == len(graph)
    return RemoteStore(Endpoint(f"{virtuoso.base}/sparql", timeout=60), DEFAULT_GRAPH_IRI)


@pytest.mark.parametrize("name, params", CASES, ids=CASE_IDS)
def test_canned_query_same_on_virtuoso(
    graph: Graph, on_virtuoso: RemoteStore, name: str, params: dict[str, str]
) -> None:
    assert_same_answer(graph, on_virtuoso, name, params)


def test_hand_counts_on_virtuoso(on_virtuoso: RemoteStore) -> None:
    assert_hand_counts(on_virtuoso)  # includes n1 and N1 of one row: 12, 55


def test_violation_checks_on_virtuoso(
    graph: Graph, virtuoso: Virtuoso, on_virtuoso: RemoteStore
) -> None:
    assert_same_violations(graph, virtuoso.endpoint())


def test_wrong_password_is_refused_and_target_kept(
    graph: Graph, virtuoso: Virtuoso, on_virtuoso: RemoteStore
) -> None:
    with pytest.raises(RemoteError, match=r"HTTP 401.*credentials.*left as it was"):
        publish(graph, virtuoso.endpoint(password="wrong"), progress=lambda _: None)
    assert on_virtuoso.count(DEFAULT_GRAPH_IRI) == len(graph)
    # the seven organ sites of the papers and Requena's own category Lymphoma (case 6)
    assert len(run_query(on_virtuoso, "cancer-sites").rows) == 8


def test_anonymous_update_is_refused_with_a_hint(graph: Graph, virtuoso: Virtuoso) -> None:
    anonymous = Endpoint(f"{virtuoso.base}/sparql", timeout=60)
    with pytest.raises(RemoteError, match=r"may not do this.*sparql-auth"):
        publish(
            graph, anonymous, "https://example.org/anon", chunk_size=100, progress=lambda _: None
        )
