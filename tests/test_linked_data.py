"""Linked data: content negotiation on term, data and query IRIs, VoID, the service description.

Hand counts (seed texts in /work/shared/seeds, and the repository's files):
- Requena et al. 2024 (000), Table 1, row 5: 43, F; Table 2, row 5: heliotrope "+++" (grade 3).
  The series has 25 patients (cases 1-25), all described in the paper's DOI
  10.1016/j.ad.2025.02.012.
- Heliotrope rash is HPO's HP:0040324; its synonyms in ontology/dmkg-terms.ttl are
  "heliotrope erythema" and "heliotropic rash".
- Monseau et al. 2020 (003), Table I: the anti-Mi2-positive cohort has 64 patients.
- Every queries/*.rq file but the *-violation data checks is a canned query in the catalogue.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import VOID
from starlette.testclient import TestClient

from kg.api import open_graph
from kg.build.graph import BuildResult, write_graph
from kg.namespaces import DATA, DMKG
from kg.query import QUERY_NS
from kg.web import create_app
from kg.web.conneg import MediaRange, best_match, parse_accept, quality
from kg.web.server import BackgroundServer

REPO = Path(__file__).resolve().parents[1]
REQUENA_CASE5 = "Pd94b72d8786a3c33"  # opaque patient id of Requena case 5 (see README)
HELIOTROPE = DMKG.HeliotropeRash
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
#: what Chromium sends for a page
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


@pytest.fixture(scope="module")
def client(graph: Graph) -> Iterator[TestClient]:
    with TestClient(create_app(graph, workers=1, timeout=20)) as test_client:
        yield test_client


def _rdf(response: object, fmt: str) -> Graph:
    body = getattr(response, "text")  # noqa: B009 - httpx and urllib responses alike
    return Graph().parse(data=body, format=fmt)


# -- the Accept header --------------------------------------------------------------------


def test_accept_parser_reads_q_values_and_specificity() -> None:
    ranges = parse_accept('text/*;q=0.2, text/turtle;q=0.9, application/ld+json;profile="a,b"')
    assert ranges == [
        MediaRange("text", "*", 0.2),
        MediaRange("text", "turtle", 0.9),
        MediaRange("application", "ld+json", 1.0),
    ]
    assert quality("text/turtle", ranges) == 0.9  # the most specific range decides
    assert quality("text/html", ranges) == 0.2
    assert quality("image/png", ranges) == 0.0
    # q=0 refuses what a wildcard would accept; a bad q or range is left out
    assert best_match("*/*, text/html;q=0", ["text/html", "text/turtle"]) == "text/turtle"
    assert parse_accept("text/turtle;q=1.5, nonsense, */turtle") == []
    assert best_match("", ["text/html", "text/turtle"]) == "text/html"
    assert best_match("image/png", ["text/html", "text/turtle"]) is None


# -- terms --------------------------------------------------------------------------------


def test_term_as_turtle(client: TestClient) -> None:
    response = client.get("/term/HeliotropeRash", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["vary"] == "Accept"
    g = _rdf(response, "turtle")
    assert (HELIOTROPE, RDFS.label, Literal("heliotrope rash", lang="en")) in g
    assert set(g.objects(HELIOTROPE, URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"))) == {
        URIRef("http://purl.obolibrary.org/obo/HP_0040324")
    }
    synonym = URIRef("http://www.geneontology.org/formats/oboInOwl#hasExactSynonym")
    assert {str(s) for s in g.objects(HELIOTROPE, synonym)} == {
        "heliotrope erythema",
        "heliotropic rash",
    }
    # the labels of the IRIs it names come along: its parent's
    (parent,) = g.objects(HELIOTROPE, RDFS.subClassOf)
    assert g.value(parent, RDFS.label) is not None


def test_term_as_jsonld(client: TestClient) -> None:
    response = client.get("/term/HeliotropeRash", headers={"accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "@context" in json.loads(response.text)
    g = _rdf(response, "json-ld")
    assert (HELIOTROPE, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g


def test_term_as_html_for_a_browser(client: TestClient) -> None:
    for accept in (BROWSER, "text/html"):
        response = client.get("/term/HeliotropeRash", headers={"accept": accept})
        assert response.status_code == 200 and response.headers["vary"] == "Accept"
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        assert (
            '<link rel="alternate" type="text/turtle" href="/term/HeliotropeRash?format=ttl"'
            in page
        )
        assert 'type="application/ld+json" href="/term/HeliotropeRash?format=jsonld"' in page
    # the links a person follows give the data
    linked = client.get("/term/HeliotropeRash?format=ttl", headers={"accept": BROWSER})
    assert linked.headers["content-type"].startswith("text/turtle")
    assert (HELIOTROPE, RDFS.label, None) in _rdf(linked, "turtle")
    assert "@graph" in client.get("/term/HeliotropeRash?format=jsonld").text


def test_term_q_values(client: TestClient) -> None:
    def media(accept: str) -> str:
        response = client.get("/term/HeliotropeRash", headers={"accept": accept})
        assert response.status_code == 200
        return str(response.headers["content-type"]).split(";")[0]

    assert media("text/html;q=0.5, text/turtle") == "text/turtle"
    assert media("text/turtle;q=0.4, application/ld+json;q=0.9") == "application/ld+json"
    assert media("application/ld+json;q=0.9, text/html") == "text/html"
    assert media("text/*;q=0.1, text/turtle") == "text/turtle"
    assert media("*/*;q=0.3, text/html;q=0.2") == "text/turtle"  # html itself asked less


def test_term_wildcard_and_unknown_types_get_html(client: TestClient) -> None:
    for accept in ("*/*", "image/png", "application/x-unknown;q=0.9", ""):
        response = client.get("/term/HeliotropeRash", headers={"accept": accept})
        assert response.status_code == 200, accept  # never 406
        assert response.headers["content-type"].startswith("text/html"), accept


def test_unknown_term_is_404_in_rdf_too(client: TestClient) -> None:
    assert client.get("/term/NoSuchTerm", headers={"accept": "text/turtle"}).status_code == 404
    page = client.get("/term/NoSuchTerm", headers={"accept": BROWSER})
    assert page.status_code == 404 and 'rel="alternate"' not in page.text  # no data to link


# -- data IRIs ----------------------------------------------------------------------------


def test_patient_description(client: TestClient) -> None:
    response = client.get(f"/patient/{REQUENA_CASE5}", headers={"accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["vary"] == "Accept"
    g = _rdf(response, "turtle")
    patient = DATA[f"patient/{REQUENA_CASE5}"]
    assert g.value(patient, DMKG.ageAtDiagnosis) == Literal(43)
    assert g.value(patient, RDFS.label) == Literal("requena2024 case 5")
    # its records come with their own triples: heliotrope "+++", grade 3
    (record,) = [
        r for r in g.subjects(DMKG.finding, HELIOTROPE) if (r, DMKG.ofPatient, patient) in g
    ]
    assert g.value(record, DMKG.verbatim) == Literal("+++")
    assert g.value(record, DMKG.grade).toPython() == 3  # type: ignore[union-attr]
    assert g.value(HELIOTROPE, RDFS.label) == Literal("heliotrope rash", lang="en")
    # the same IRI under /resource/ answers the same description
    same = client.get(f"/resource/patient/{REQUENA_CASE5}", headers={"accept": "text/turtle"})
    assert len(_rdf(same, "turtle")) == len(g)


def test_source_description(client: TestClient) -> None:
    response = client.get("/source/requena2024", headers={"accept": "application/ld+json"})
    assert response.status_code == 200
    g = _rdf(response, "json-ld")
    source = DATA["publication/requena2024"]
    assert g.value(source, DMKG.doi) == Literal("10.1016/j.ad.2025.02.012")
    described = {
        str(g.value(p, RDFS.label))
        for p in g.subjects(DMKG.describedIn, source)
        if str(g.value(p, RDFS.label)).startswith("requena2024 case")
    }
    assert described == {f"requena2024 case {n}" for n in range(1, 26)}


def test_every_data_iri_dereferences(client: TestClient) -> None:
    cohort = client.get("/resource/cohort/monseau2020/mi2pos", headers={"accept": "text/turtle"})
    g = _rdf(cohort, "turtle")
    iri = DATA["cohort/monseau2020/mi2pos"]
    assert (iri, None, None) in g and Literal(64) in set(g.objects(iri, None))
    html = client.get("/resource/cohort/monseau2020/mi2pos", headers={"accept": BROWSER})
    assert html.headers["content-type"].startswith("text/html") and html.headers["vary"] == "Accept"
    missing = client.get("/resource/nothing/here", headers={"accept": "text/turtle"})
    assert missing.status_code == 404 and missing.headers["vary"] == "Accept"
    assert client.get("/patient/nobody", headers={"accept": "text/turtle"}).status_code == 404


# -- VoID, the service description, the catalogue ------------------------------------------


def test_void(client: TestClient, graph: Graph) -> None:
    response = client.get("/.well-known/void")
    assert response.headers["content-type"].startswith("text/turtle")
    g = _rdf(response, "turtle")
    (dataset,) = g.subjects(RDF.type, VOID.Dataset)
    assert g.value(dataset, VOID.triples).toPython() == len(graph)  # type: ignore[union-attr]
    counted = {
        "classes": len(set(graph.objects(None, RDF.type))),
        "properties": len(set(graph.predicates())),
        "distinctSubjects": len(set(graph.subjects())),
    }
    for name, number in counted.items():
        assert g.value(dataset, VOID[name]).toPython() == number, name  # type: ignore[union-attr]
    assert g.value(dataset, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert g.value(dataset, VOID.uriSpace) == Literal(str(DATA))
    assert URIRef(str(DMKG._NS)) in set(g.objects(dataset, VOID.vocabulary))
    partitions = {
        g.value(p, VOID["class"]): g.value(p, VOID.entities).toPython()  # type: ignore[union-attr]
        for p in g.objects(dataset, VOID.classPartition)
    }
    assert partitions[DMKG.Patient] == 26 and partitions[DMKG.Publication] == 3
    for example in g.objects(dataset, VOID.exampleResource):
        assert (example, None, None) in graph
    assert g.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    as_jsonld = client.get("/.well-known/void", headers={"accept": "application/ld+json"})
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(_rdf(as_jsonld, "json-ld")) == len(g)


def test_service_description(client: TestClient) -> None:
    described: dict[str, Graph] = {}
    for media, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        response = client.get("/sparql", headers={"accept": media})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert response.headers["vary"] == "Accept"
        described[fmt] = _rdf(response, fmt)
    g = described["turtle"]
    service = URIRef("http://testserver/sparql")
    assert (service, RDF.type, SD.Service) in g
    assert g.value(service, SD.endpoint) == service
    assert g.value(service, SD.supportedLanguage) == SD.SPARQL11Query
    formats = {str(f).rsplit("/", 1)[-1] for f in g.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD"} <= formats
    # no feature is claimed that does not hold: SERVICE and FROM are refused, and the data
    # are the default graph itself (no named graphs to take the union of)
    assert set(g.objects(service, SD.feature)) == set()
    refused = client.get(
        "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 400
    dataset = g.value(service, SD.defaultDataset)
    assert g.value(dataset, RDFS.seeAlso) == URIRef("http://testserver/.well-known/void")
    assert len(described["json-ld"]) == len(g) == len(described["xml"])
    browser = client.get("/sparql", headers={"accept": BROWSER}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/sparql-editor"


def test_catalogue_names_its_endpoint(client: TestClient) -> None:
    queries = sorted(
        p.stem for p in (REPO / "queries").glob("*.rq") if not p.stem.endswith("-violation")
    )
    assert queries
    response = client.get("/queries", headers={"accept": "text/turtle"})
    assert response.headers["vary"] == "Accept"
    g = _rdf(response, "turtle")
    targets = list(g.subject_objects(SCHEMA.target))
    assert sorted(str(s) for s, _ in targets) == [QUERY_NS + name for name in queries]
    assert {o for _, o in targets} == {URIRef("http://testserver/sparql")}
    for query, _ in targets:
        assert (query, RDF.type, SH.SPARQLExecutable) in g and g.value(query, RDFS.label)
        assert "SELECT" in str(g.value(query, SH.select)).upper()
    one = _rdf(client.get("/queries/cancer-sites", headers={"accept": "text/turtle"}), "turtle")
    assert set(one.subjects()) == {URIRef(QUERY_NS + "cancer-sites")}
    page = client.get("/queries", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert '<link rel="alternate" type="text/turtle" href="/queries?format=ttl"' in page.text


def test_same_answers_from_an_oxigraph_store(
    client: TestClient, built: BuildResult, tmp_path: Path
) -> None:
    """The descriptions come from the app's store, whichever it is: a KnowledgeGraph over
    Oxigraph (as ``dmkg serve`` opens build/) answers what the rdflib graph answers."""
    write_graph(built, tmp_path)
    knowledge = open_graph(tmp_path, engine="oxigraph")
    with TestClient(create_app(knowledge, workers=1, timeout=20)) as oxigraph:
        for path in (f"/patient/{REQUENA_CASE5}", "/term/HeliotropeRash", "/source/requena2024"):
            ours = _rdf(oxigraph.get(path, headers={"accept": "text/turtle"}), "turtle")
            theirs = _rdf(client.get(path, headers={"accept": "text/turtle"}), "turtle")
            assert len(theirs) > 0 and isomorphic(ours, theirs), path
        void = _rdf(oxigraph.get("/.well-known/void"), "turtle")
        (dataset,) = void.subjects(RDF.type, VOID.Dataset)
        assert void.value(dataset, VOID.triples) == Literal(len(knowledge))


# -- through the real server ---------------------------------------------------------------


def _fetch(url: str, accept: str) -> tuple[int, dict[str, str], str]:
    """Status, headers (names in lower case) and body of a GET with a plain HTTP client."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.status, headers, response.read().decode("utf-8")


def test_through_a_real_server(graph: Graph) -> None:
    with BackgroundServer(create_app(graph, workers=1, timeout=20)) as server:
        status, headers, body = _fetch(server.url + "/term/HeliotropeRash", "text/turtle;q=0.9")
        assert status == 200 and headers["content-type"].startswith("text/turtle")
        assert headers["vary"] == "Accept"
        assert (HELIOTROPE, RDFS.label, None) in Graph().parse(data=body, format="turtle")
        _, headers, _ = _fetch(server.url + "/term/HeliotropeRash", BROWSER)
        assert headers["content-type"].startswith("text/html")
        _, _, body = _fetch(server.url + "/.well-known/void", "*/*")
        void = Graph().parse(data=body, format="turtle")
        (dataset,) = void.subjects(RDF.type, VOID.Dataset)
        assert void.value(dataset, VOID.triples) == Literal(len(graph))
        assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(server.url + "/sparql")
