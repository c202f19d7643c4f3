"""/sparql through SPARQLWrapper, a real client, against a real server (``dmkg serve``).

The server runs as its own process on 127.0.0.1 and a free port, with a 3-second query
limit. Every result format is read back and compared with counts made from the papers:
- Requena et al. 2024 (seed 000), Table 2, column "Heliotrope rash": 20 "+"/"++"/"+++",
  4 absent ("—" in cases 19, 20, 21; "No" in case 6), "U" in case 12.
- Requena Table 1, column "Sex": 16 F and 9 M; the case report (seed 002) is "a 61-year-old
  female": 17 women and 9 men in all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any
from xml.dom.minidom import Document

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.build.graph import BuildResult, write_graph
from kg.namespaces import DMKG
from kg.web.server import free_port

# SPARQLWrapper and rdflib's JSON-LD parser build ConjunctiveGraphs, which rdflib 7 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

TIMEOUT = 3.0
ROW_LIMIT = 5000
DMKG_PREFIX = "PREFIX dmkg: <https://w3id.org/dmkg/ontology/>\n"
REQUENA = "10.1016/j.ad.2025.02.012"

#: Requena Table 2, heliotrope rash, by status (hand count)
HELIOTROPE = {"Present": 20, "Absent": 4, "Unknown": 1}
HELIOTROPE_QUERY = (
    DMKG_PREFIX
    + f"""
SELECT ?status (COUNT(DISTINCT ?patient) AS ?n) WHERE {{
  ?observation dmkg:finding dmkg:HeliotropeRash ; dmkg:findingStatus ?status ;
               dmkg:ofPatient ?patient .
  ?patient dmkg:describedIn/dmkg:doi "{REQUENA}" .
}} GROUP BY ?status"""
)
#: every patient with a sex: Requena 16 F + 9 M, and the case report's woman
SEX_CONSTRUCT = (
    DMKG_PREFIX
    + """
CONSTRUCT { ?patient dmkg:sex ?sex } WHERE { ?patient a dmkg:Patient ; dmkg:sex ?sex }"""
)
SEXES = {DMKG.Female: 17, DMKG.Male: 9}

HOSTILE = {
    "cross-join": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "path": "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (rdfs:subClassOf|^rdfs:subClassOf|"
    "<https://w3id.org/dmkg/ontology/ofPatient>|"
    "^<https://w3id.org/dmkg/ontology/ofPatient>)* ?b . ?c ?d ?e }",
    "regex": "SELECT ?s WHERE { ?s ?p ?o FILTER(REGEX(CONCAT(STR(?o), "
    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'), '^(a+)+$')) }",
}


@pytest.fixture(scope="module")
def endpoint(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dmkg serve`` in its own process; yields the endpoint URL."""
    out = tmp_path_factory.mktemp("build")
    write_graph(built, out)
    port = free_port()
    log = out / "serve.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "serve",
                "--graph",
                str(out),
                "--port",
                str(port),
                "--timeout",
                str(TIMEOUT),
                "--row-limit",
                str(ROW_LIMIT),
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
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
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    assert process.returncode in (0, -15), log.read_text()


def _client(url: str, query: str, fmt: str, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(POST if method != GET else GET)
    if method == POSTDIRECTLY:
        client.setRequestMethod(POSTDIRECTLY)
    elif method == POST:
        client.setRequestMethod(URLENCODED)
    return client


def _statuses_from(fmt: str, converted: Any) -> dict[str, int]:
    """Status local name -> count, from a converted SPARQLWrapper result of any format."""
    counts: dict[str, int] = {}
    if fmt == JSON:
        for row in converted["results"]["bindings"]:
            counts[row["status"]["value"].rsplit("/", 1)[-1]] = int(row["n"]["value"])
    elif fmt == XML:
        assert isinstance(converted, Document)
        for result in converted.getElementsByTagName("result"):
            values = {
                b.getAttribute("name"): b.firstChild.firstChild.data  # type: ignore[union-attr]
                for b in result.getElementsByTagName("binding")
            }
            counts[values["status"].rsplit("/", 1)[-1]] = int(values["n"])
    elif fmt == CSV:
        for row in csv.DictReader(io.StringIO(converted.decode("utf-8"))):
            counts[row["status"].rsplit("/", 1)[-1]] = int(row["n"])
    elif fmt == TSV:
        lines = converted.decode("utf-8").strip().splitlines()
        assert lines[0].split("\t") == ["?status", "?n"]
        for line in lines[1:]:
            status, n = line.split("\t")
            assert status.startswith("<") and status.endswith(">")  # TSV terms are N-Triples
            counts[status.strip("<>").rsplit("/", 1)[-1]] = int(
                Literal(n.split("^^")[0].strip('"'))
            )
    return counts


@pytest.mark.parametrize("method", [GET, POST, POSTDIRECTLY])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_in_every_format(endpoint: str, fmt: str, method: str) -> None:
    result = _client(endpoint, HELIOTROPE_QUERY, fmt, method).query()
    media = result.response.headers["Content-Type"].split(";")[0]
    assert (
        media
        == {
            JSON: "application/sparql-results+json",
            XML: "application/sparql-results+xml",
            CSV: "text/csv",
            TSV: "text/tab-separated-values",
        }[fmt]
    )
    assert _statuses_from(fmt, result.convert()) == HELIOTROPE


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_in_every_format(endpoint: str, fmt: str) -> None:
    yes = DMKG_PREFIX + (
        "ASK { ?o dmkg:finding dmkg:HeliotropeRash ; "
        "dmkg:findingStatus dmkg:Present ; dmkg:grade 3 }"
    )  # case 5, "+++"
    no = DMKG_PREFIX + (
        "ASK { ?o dmkg:finding dmkg:CalcinosisCutis ; dmkg:findingStatus dmkg:Present }"
    )  # Table 2: "No" in all 25 rows
    for query, expected in ((yes, True), (no, False)):
        converted = _client(endpoint, query, fmt).query().convert()
        if fmt == JSON:
            assert converted["boolean"] is expected
        elif fmt == XML:
            node = converted.getElementsByTagName("boolean")[0].firstChild
            assert node.data == ("true" if expected else "false")
        else:
            assert converted.decode().split() == [
                "?_askResult" if fmt == TSV else "_askResult",
                "true" if expected else "false",
            ]


def _sexes(graph: Graph) -> dict[URIRef, int]:
    counts: dict[URIRef, int] = {}
    for _, _, sex in graph.triples((None, DMKG.sex, None)):
        counts[sex] = counts.get(sex, 0) + 1  # type: ignore[index]
    return counts


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
def test_construct_in_every_format(endpoint: str, fmt: str) -> None:
    converted = _client(endpoint, SEX_CONSTRUCT, fmt, POST).query().convert()
    if isinstance(converted, bytes):
        converted = Graph().parse(data=converted, format="turtle")
    assert _sexes(converted) == SEXES


def test_construct_as_ntriples(endpoint: str) -> None:
    client = _client(endpoint, SEX_CONSTRUCT, TURTLE)
    client.setOnlyConneg(True)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    result = client.query()
    assert result.response.headers["Content-Type"].startswith("application/n-triples")
    body = result.response.read().decode("utf-8")
    assert all(line.endswith(" .") for line in body.strip().splitlines())
    assert _sexes(Graph().parse(data=body, format="nt")) == SEXES


def test_describe_as_turtle(endpoint: str) -> None:
    query = DMKG_PREFIX + "DESCRIBE dmkg:HeliotropeRash"
    body = _client(endpoint, query, TURTLE).query().convert()
    described = Graph().parse(data=body, format="turtle")
    assert (
        DMKG.HeliotropeRash,
        URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
        URIRef("http://purl.obolibrary.org/obo/HP_0040324"),
    ) in described


def _raw(
    url: str,
    *,
    method: str = "GET",
    params: dict[str, str] | None = None,
    body: bytes | None = None,
    content_type: str = "",
    accept: str = "",
    timeout: float = 30,
) -> tuple[int, str, str]:
    target = url + ("?" + urllib.parse.urlencode(params) if params else "")
    request = urllib.request.Request(target, data=body, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return (
                response.status,
                response.headers.get("Content-Type", ""),
                response.read().decode("utf-8"),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8")


REFUSED = {
    # name: (how it is sent, expected status, words in the message)
    "insert-as-query": (
        {"params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        403,
        "read-only",
    ),
    "delete-as-update": (
        {
            "method": "POST",
            "content_type": "application/x-www-form-urlencoded",
            "body": b"update=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
        },
        403,
        "read-only",
    ),
    "sparql-update-body": (
        {"method": "POST", "content_type": "application/sparql-update", "body": b"CLEAR ALL"},
        403,
        "read-only",
    ),
    "load": ({"params": {"query": "LOAD <http://example.org/data.ttl>"}}, 403, "read-only"),
    "service": (
        {
            "params": {
                "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
            }
        },
        400,
        "SERVICE",
    ),
    "from": (
        {"params": {"query": "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"}},
        400,
        "FROM",
    ),
    "from-named": (
        {
            "params": {
                "query": "SELECT * FROM NAMED <http://example.org/g> WHERE "
                "{ GRAPH ?g { ?s ?p ?o } }"
            }
        },
        400,
        "FROM",
    ),
    "default-graph-uri": (
        {"params": {"query": "ASK {}", "default-graph-uri": "http://example.org/g"}},
        400,
        "default-graph-uri",
    ),
    "malformed": ({"params": {"query": "SELEKT * WHERE { ?s ?p ?o }"}}, 400, "does not parse"),
    "too-many-rows": ({"params": {"query": "SELECT * WHERE { ?s ?p ?o }"}}, 400, "limit of 5000"),
    "no-acceptable-format": (
        {"params": {"query": "ASK {}"}, "accept": "image/png"},
        406,
        "application/sparql-results+json",
    ),
    "wrong-body-type": (
        {"method": "POST", "content_type": "text/plain", "body": b"ASK {}"},
        415,
        "application/sparql-query",
    ),
    "two-queries": (
        {
            "params": {"query": "ASK {}"},
            "method": "POST",
            "content_type": "application/sparql-query",
            "body": b"ASK {}",
        },
        400,
        "exactly one",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refusals_are_4xx_with_a_message(endpoint: str, name: str) -> None:
    how, status, words = REFUSED[name]
    code, media, text = _raw(endpoint, **how)  # type: ignore[arg-type]
    assert code == status, text
    assert media.startswith("text/plain") and words in text


def test_client_sees_update_and_service_refused(endpoint: str) -> None:
    update = SPARQLWrapper(endpoint)
    update.setMethod(POST)
    update.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError) as refused:  # SPARQLWrapper passes 403 on
        update.query()
    assert refused.value.code == 403 and "read-only" in refused.value.read().decode()
    service = _client(
        endpoint, "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }", JSON
    )
    with pytest.raises(QueryBadFormed) as bad:
        service.query()
    assert "SERVICE is refused" in str(bad.value)


@pytest.mark.serial
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_query_stops_at_the_time_limit(endpoint: str, name: str) -> None:
    answers: dict[str, tuple[int, str, str]] = {}

    def hostile() -> None:
        answers["hostile"] = _raw(endpoint, params={"query": HOSTILE[name]}, timeout=60)

    started = time.monotonic()
    worker = threading.Thread(target=hostile)
    worker.start()
    time.sleep(0.5)
    # meanwhile the server answers other requests at once, from its other worker
    before = time.monotonic()
    code, _, text = _raw(
        endpoint, params={"query": HELIOTROPE_QUERY}, accept="application/sparql-results+json"
    )
    assert code == 200 and time.monotonic() - before < TIMEOUT
    assert {
        b["status"]["value"].rsplit("/", 1)[-1]: int(b["n"]["value"])
        for b in json.loads(text)["results"]["bindings"]
    } == HELIOTROPE
    worker.join(timeout=60)
    elapsed = time.monotonic() - started
    code, media, text = answers["hostile"]
    assert code == 503 and "limit of 3 s" in text and media.startswith("text/plain")
    assert TIMEOUT - 0.5 <= elapsed < TIMEOUT + 3
    # the killed worker was replaced: two queries at once still run side by side
    results: list[int] = []
    pair = [
        threading.Thread(
            target=lambda: results.append(_raw(endpoint, params={"query": "ASK { ?s ?p ?o }"})[0])
        )
        for _ in range(2)
    ]
    for thread in pair:
        thread.start()
    for thread in pair:
        thread.join(timeout=30)
    assert results == [200, 200]


def test_service_description(endpoint: str) -> None:
    code, media, text = _raw(endpoint)
    assert code == 200 and media.startswith("text/turtle") and "sd:SPARQL11Query" in text
    assert Graph().parse(data=text, format="turtle")


def test_other_sites_cannot_read_the_endpoint(endpoint: str) -> None:
    # no CORS header for other origins, and a foreign Host header (DNS rebinding) is refused
    request = urllib.request.Request(
        endpoint + "?query=ASK%7B%7D", headers={"Origin": "http://evil.example"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "Access-Control-Allow-Origin" not in response.headers
    code, _, _ = _raw_with_host(endpoint, "evil.example")
    assert code == 400


def _raw_with_host(url: str, host: str) -> tuple[int, str, str]:
    import http.client

    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    connection.request("GET", parsed.path + "?query=ASK%7B%7D", headers={"Host": host})
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    connection.close()
    return response.status, response.getheader("Content-Type") or "", body


@pytest.mark.serial
def test_twenty_hostile_queries_do_not_starve_a_simple_one(endpoint: str) -> None:
    """One client sends 20 cross joins at once; a simple query still answers within 2 s."""
    answers: list[int] = []

    def hostile() -> None:
        answers.append(_raw(endpoint, params={"query": HOSTILE["cross-join"]}, timeout=60)[0])

    crowd = [threading.Thread(target=hostile) for _ in range(20)]
    for thread in crowd:
        thread.start()
    time.sleep(0.3)  # every hostile query is in flight
    before = time.monotonic()
    code, _, text = _raw(
        endpoint, params={"query": HELIOTROPE_QUERY}, accept="application/sparql-results+json"
    )
    waited = time.monotonic() - before
    assert code == 200, text
    assert waited < 2.0, f"a simple query waited {waited:.1f} s behind 20 hostile ones"
    for thread in crowd:
        thread.join(timeout=60)
    # each hostile query was stopped (time limit, or too many long queries at once)
    assert answers == [503] * 20


def test_a_huge_body_is_refused_from_its_length_before_it_is_read(endpoint: str) -> None:
    """A client declaring 500 MB gets a 413 after sending a few bytes: the server never waits
    for (or holds) the body; a chunked body is cut off once it passes the cap."""
    import http.client

    parsed = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    connection.putrequest("POST", parsed.path)
    connection.putheader("Content-Type", "application/sparql-query")
    connection.putheader("Content-Length", str(500_000_000))
    connection.endheaders(b"ASK {}")
    response = connection.getresponse()
    assert response.status == 413 and b"at most 1000000" in response.read()
    connection.close()

    def chunks() -> Iterator[bytes]:
        for _ in range(30):  # 3 MB in 100 kB chunks, no Content-Length
            yield b"#" * 100_000

    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=10)
    try:
        connection.request(
            "POST",
            parsed.path,
            body=chunks(),
            headers={"Content-Type": "application/sparql-query"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        assert response.status == 413 and b"more than 1000000" in response.read()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed the connection after its 413, while the body still came
    finally:
        connection.close()
