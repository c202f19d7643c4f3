"""dmkg query / dmkg sparql: read-only, bound parameters, readable output, the query catalogue."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.query import Result

from kg.build.graph import BuildResult, write_graph
from kg.errors import QueryError
from kg.query import QUERY_NS, list_queries
from kg.store import as_store
from kg.store.readonly import check_read_only

REFUSED = {
    "update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "delete": "DELETE WHERE { ?s ?p ?o }",
    "load": "LOAD <http://example.org/data.ttl>",
    "clear": "CLEAR ALL",
    "service": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "nested-service": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://x.org/s> { ?s ?p ?o } } } }",
    "from": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_queries(name: str) -> None:
    with pytest.raises(QueryError):
        check_read_only(REFUSED[name])


@pytest.fixture(scope="module")
def build_dir(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    write_graph(built, out)
    return out


def dmkg(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=False,
    )


@pytest.mark.parametrize("name", ["update", "service", "from"])
def test_cli_refuses_without_traceback(build_dir: Path, name: str) -> None:
    run = dmkg("sparql", REFUSED[name], "--graph", str(build_dir))
    assert run.returncode == 2
    assert "refused" in run.stderr or "read-only" in run.stderr
    assert "Traceback" not in run.stderr


def test_sparql_select_ask_construct(graph: Graph, build_dir: Path, tmp_path: Path) -> None:
    answer = as_store(graph).sparql(
        "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }",
    )
    assert answer.select is not None and answer.select.rows[0][0] == Literal(26)
    assert (
        as_store(graph).sparql("ASK { ?s a <https://w3id.org/dmkg/ontology/Patient> }").ask is True
    )
    file = tmp_path / "q.rq"
    file.write_text(
        "PREFIX dmkg: <https://w3id.org/dmkg/ontology/>\n"
        "CONSTRUCT { ?p dmkg:caseLabel ?c } WHERE { ?p dmkg:caseLabel ?c }\n"
    )
    run = dmkg("sparql", str(file), "--graph", str(build_dir))
    assert run.returncode == 0
    assert len(Graph().parse(data=run.stdout, format="turtle")) == 26
    piped = dmkg(
        "sparql",
        "-",
        "--graph",
        str(build_dir),
        "--format",
        "json",
        stdin="SELECT ?doi WHERE { ?p <https://w3id.org/dmkg/ontology/doi> ?doi } ORDER BY ?doi",
    )
    bindings = json.loads(piped.stdout)["results"]["bindings"]
    assert [r["doi"]["value"] for r in bindings] == [
        "10.1016/j.ad.2025.02.012",
        "10.1016/j.jaad.2020.03.058",
        "10.3390/curroncol28030182",
    ]


#: IRIs, a typed literal, a language-tagged literal, a plain literal and an unbound column
W3C_QUERY = """SELECT ?patient ?age ?title ?label ?none WHERE {
  ?patient a dmkg:Patient ; rdfs:label ?label ; dmkg:ageAtDiagnosis ?age .
  OPTIONAL { ?patient dmkg:noSuchProperty ?none }
  dmkg:Patient rdfs:label ?title .
} ORDER BY ?label LIMIT 5"""


def test_sparql_json_is_w3c_results(graph: Graph, build_dir: Path) -> None:
    """``--format json`` parses as SPARQL 1.1 results JSON (rdflib's own parser) into the same
    terms the store gives: IRIs as IRIs, datatypes and languages kept, no label columns."""
    run = dmkg("sparql", W3C_QUERY, "--graph", str(build_dir), "--format", "json")
    assert run.returncode == 0, run.stderr
    parsed = Result.parse(io.StringIO(run.stdout), format="json")
    expected = as_store(graph).sparql(W3C_QUERY).select
    assert expected is not None and len(expected.rows) == 5
    assert [str(v) for v in parsed.vars] == expected.columns == [
        "patient", "age", "title", "label", "none"
    ]  # fmt: skip
    rows = [[row.get(v) for v in parsed.vars] for row in parsed.bindings]
    assert rows == expected.rows
    first = json.loads(run.stdout)["results"]["bindings"][0]
    assert first["patient"]["type"] == "uri" and first["patient"]["value"].startswith(
        "https://w3id.org/dmkg/data/patient/"
    )
    assert first["age"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert first["title"]["xml:lang"] == "en" and "none" not in first
    ask = dmkg("sparql", "ASK { ?p a dmkg:Patient }", "--graph", str(build_dir), "--format", "json")
    assert Result.parse(io.StringIO(ask.stdout), format="json").askAnswer is True


def test_query_json_is_w3c_results(graph: Graph, build_dir: Path) -> None:
    """The canned ``dmkg query --format json`` writes the same format, parsed by rdflib into
    the rows the query gives (labels stay in the table)."""
    from kg.query import run_query

    run = dmkg("query", "cancer-sites", "--graph", str(build_dir), "--format", "json")
    assert run.returncode == 0, run.stderr
    parsed = Result.parse(io.StringIO(run.stdout), format="json")
    expected = run_query(as_store(graph), "cancer-sites", {})
    assert [str(v) for v in parsed.vars] == expected.columns
    assert [[row.get(v) for v in parsed.vars] for row in parsed.bindings] == expected.rows
    assert any(isinstance(v, URIRef) for row in expected.rows for v in row)


def test_query_list_json_names_every_canned_query(build_dir: Path) -> None:
    run = dmkg("query", "--list", "--format", "json")
    listed = {q["name"] for q in json.loads(run.stdout)}
    expected = {
        p.stem
        for p in (Path(__file__).parents[1] / "queries").glob("*.rq")
        if not p.stem.endswith("-violation")
    }
    assert listed == expected


def test_unknown_query_and_bad_param_are_usage_errors(build_dir: Path) -> None:
    run = dmkg("query", "no-such-query", "--graph", str(build_dir))
    assert run.returncode == 2 and "known queries" in run.stderr and "Traceback" not in run.stderr
    run = dmkg("query", "summary-sources", "--param", "nonsense", "--graph", str(build_dir))
    assert run.returncode == 2 and "KEY=VALUE" in run.stderr
    run = dmkg("query", "summary-sources", "--param", "x=1", "--graph", str(build_dir))
    assert run.returncode == 2 and "no parameter 'x'" in run.stderr


def test_queries_are_published_in_the_graph(graph: Graph) -> None:
    published = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    canned = list_queries(include_checks=False)
    assert {str(q) for q in published} == {QUERY_NS + q.name for q in canned}
    for q in canned:
        node = next(iter(p for p in published if str(p).endswith("/" + q.name)))
        assert graph.value(node, RDFS.comment) == Literal(q.description, lang="en")
        assert graph.value(node, SH.select) == Literal(q.text)
