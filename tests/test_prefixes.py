"""Default prefixes: ``dmkg:``, ``rdfs:``, ``HP:``, ... are declared for every query on every
surface (``dmkg sparql`` on each engine and store, the web ``/sparql`` endpoint, the Python
API), a query's own ``PREFIX`` wins, and the text the read-only check sees is the text that runs.

Hand count: the bundled papers give 26 patients (Requena 2024's 25 cases and the case report's
one woman), so ``SELECT (COUNT(?x) AS ?n) WHERE { ?x a dmkg:Patient }`` answers 26.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal

from kg.api import open_graph
from kg.cli import main
from kg.errors import QueryError
from kg.prefixes import DEFAULT_PREFIXES
from kg.store.readonly import checked_query, with_default_prefixes
from kg.web.server import free_port

GRAPH_IRI = "https://example.org/prefixes"
#: no PREFIX: dmkg: must come from the defaults
COUNT = "SELECT (COUNT(?x) AS ?n) WHERE { ?x a dmkg:Patient }"
#: the query's own dmkg: names another namespace, so it finds no patient
OWN = "PREFIX dmkg: <urn:not-dmkg/>\n" + COUNT


@pytest.fixture(scope="module")
def web(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dmkg serve`` in its own process; yields the /sparql URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--graph", str(build_dir)]
            + ["--port", str(port), "--workers", "1", "--log-level", "warning"],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"dmkg serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=15)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _count(output: str) -> int:
    """The one number of a ``--format json`` COUNT answer."""
    return int(json.loads(output)["results"]["bindings"][0]["n"]["value"])


def test_the_prefixes_the_issue_names_are_defaults() -> None:
    for name in ("dmkg", "dmkgd", "rdfs", "rdf", "owl", "skos", "xsd", "prov", "obo", "dcterms"):
        assert name in DEFAULT_PREFIXES, name
    assert DEFAULT_PREFIXES["dmkg"] == "https://w3id.org/dmkg/ontology/"
    assert DEFAULT_PREFIXES["HP"] == "http://purl.obolibrary.org/obo/HP_"


def test_only_used_and_undeclared_prefixes_are_added() -> None:
    text = with_default_prefixes("ASK { ?x rdfs:label ?l ; a dmkg:Patient }")
    assert text.startswith("PREFIX dmkg: <https://w3id.org/dmkg/ontology/> ")
    assert "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " in text
    assert "PREFIX owl:" not in text
    assert "\n" not in text  # on the first line: the user's line numbers stay right
    own = "# mine\nPREFIX rdfs: <urn:r#>\nBASE <urn:b/>\nASK { ?x rdfs:label ?l }"
    assert with_default_prefixes(own) == own


def test_the_checked_text_is_the_text_that_runs() -> None:
    checked = checked_query("SELECT ?x WHERE { ?x a dmkg:Patient }")
    assert checked.text.startswith("PREFIX dmkg: <https://w3id.org/dmkg/ontology/> SELECT")
    assert "https://w3id.org/dmkg/ontology/Patient" in str(checked.query.algebra)
    # an update that uses a default prefix is still an update once the prefix is declared
    with pytest.raises(QueryError, match="update"):
        checked_query("INSERT DATA { dmkg:a dmkg:b dmkg:c }")
    with pytest.raises(QueryError, match="SERVICE"):
        checked_query("SELECT * WHERE { SERVICE dmkgd:x { ?s ?p ?o } }")


def test_cli_on_every_engine_and_store(
    build_dir: Path,
    store_dir: Path,
    server: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sources = {
        "oxigraph (default engine)": ["--graph", str(build_dir)],
        "store": ["--store", str(store_dir)],
        "endpoint": ["--endpoint", server, "--graph", GRAPH_IRI],
    }
    for name, options in sources.items():
        assert _count(_cli(capsys, "sparql", COUNT, "--format", "json", *options)) == 26, name
        assert _count(_cli(capsys, "sparql", OWN, "--format", "json", *options)) == 0, name
    monkeypatch.setenv("DMKG_ENGINE", "rdflib")
    options = ["--graph", str(build_dir)]
    assert _count(_cli(capsys, "sparql", COUNT, "--format", "json", *options)) == 26
    assert _count(_cli(capsys, "sparql", OWN, "--format", "json", *options)) == 0
    table = _cli(capsys, "sparql", "SELECT ?x WHERE { ?x a dmkg:Patient }", *options)
    assert table.rstrip().endswith("(26 rows)")


def test_the_issue_command_runs() -> None:
    """The command the issue quotes, as a user types it (a process of its own)."""
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "sparql", "SELECT ?x WHERE { ?x a dmkg:Patient }"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DMKG_ENGINE": "oxigraph"},
    )
    assert run.returncode == 0, run.stderr
    assert "Unknown namespace prefix" not in run.stderr
    assert run.stdout.rstrip().endswith("(26 rows)")


def test_web_endpoint(web: str) -> None:
    def ask(query: str) -> int:
        request = urllib.request.Request(
            web,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(json.load(response)["results"]["bindings"][0]["n"]["value"])

    assert ask(COUNT) == 26
    assert ask(OWN) == 0
    # an OBO CURIE as the graph writes it: one dmkg class (photodistributed violaceous rash)
    # has HP:0000992 as a close match (ontology/dmkg-terms.ttl)
    assert ask("SELECT (COUNT(?c) AS ?n) WHERE { ?c skos:closeMatch HP:0000992 }") == 1


def test_python_api(build_dir: Path) -> None:
    graph = open_graph(build_dir)
    frame = graph.sparql(COUNT)
    assert frame["n"].tolist() == [26]
    assert graph.sparql(OWN)["n"].tolist() == [0]
    assert graph.sparql("ASK { ?x a dmkg:Patient ; rdfs:label ?l }") is True
    assert graph.store.sparql(COUNT).select.rows[0][0] == Literal(26)  # type: ignore[union-attr]


def test_a_comment_with_update_words_is_sent_as_a_query(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SPARQLWrapper guesses a query's form from its text and skips only some comment lines:
    a read-only query whose comments say "move", "load" or "clear" was sent as an update and
    refused by the server. The remote store sends what passed the read-only check as a query."""
    text = "# move the counts\n# load nothing, clear nothing\n# add\n" + COUNT
    options = ["--endpoint", server, "--graph", GRAPH_IRI]
    assert _count(_cli(capsys, "sparql", text, "--format", "json", *options)) == 26
