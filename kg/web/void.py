"""The dataset's VoID description and the SPARQL endpoint's service description.

Both are built with rdflib from numbers counted in the app's store (never typed in), and
placed at the app's own address: ``/.well-known/void`` (VoID, `RFC 5785` well-known place)
and ``/sparql`` without a query (SPARQL 1.1 Service Description).

>>> from rdflib import Graph, Literal, URIRef
>>> from kg.store import as_store
>>> g = Graph(); _ = g.add((URIRef("https://w3id.org/dmkg/data/x"), URIRef("a:p"), Literal(1)))
>>> facts = dataset_facts(as_store(g))
>>> facts.triples, facts.properties, facts.subjects
(1, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, VOID
from rdflib.term import Node

from kg.namespaces import DATA, DMKG, ONTOLOGY_IRI, bind_prefixes
from kg.store import Store
from kg.web.site import WebSettings
from kg.web.views import RECORD_KINDS

__all__ = [
    "FEATURES",
    "MAIN_CLASSES",
    "SD",
    "DatasetFacts",
    "dataset_facts",
    "dataset_iri",
    "service_graph",
    "void_graph",
]

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
_FORMATS = Namespace("http://www.w3.org/ns/formats/")

#: the classes VoID gives a partition for: patients, sources, cohorts and the record kinds
MAIN_CLASSES: tuple[URIRef, ...] = (DMKG.Patient, DMKG.Publication, DMKG.Cohort, *RECORD_KINDS)

#: the sd:features /sparql claims. None of the five the recommendation defines holds:
#: sd:BasicFederatedQuery (SERVICE is refused), sd:DereferencesURIs (FROM is refused, nothing
#: is fetched), sd:UnionDefaultGraph (there are no named graphs: the data are the default
#: graph itself), sd:RequiresDataset (a query runs without FROM) and sd:EmptyGraphs (an update
#: feature; the endpoint is read-only).
FEATURES: tuple[URIRef, ...] = ()

#: result formats of /sparql (see kg.web.endpoint), as W3C format IRIs
RESULT_FORMATS = tuple(
    _FORMATS[name]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    )
)

_TITLE = "dmkg: a knowledge graph of dermatomyositis, myositis autoantibodies and cancer"


@dataclass(frozen=True)
class DatasetFacts:
    """What VoID says of the graph, counted in the store."""

    triples: int
    classes: int
    properties: int
    subjects: int
    objects: int
    partitions: dict[URIRef, int] = field(default_factory=dict)
    vocabularies: tuple[str, ...] = ()
    examples: tuple[URIRef, ...] = ()
    description: Node | None = None
    license: Node | None = None


def _number(store: Store, text: str) -> int:
    rows = store.select(text).rows
    value = rows[0][0] if rows else None
    return int(value.toPython()) if isinstance(value, Literal) else 0


def _namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: up to its last ``#``, else its last ``/``; an OBO
    IRI (``.../obo/IAO_0000115``) belongs to ``.../obo/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def dataset_facts(store: Store) -> DatasetFacts:
    """Count triples, classes, properties, subjects, objects and the main classes' members;
    read the vocabularies the predicates come from, an example patient and source, and the
    ontology's description and licence."""
    values = " ".join(c.n3() for c in MAIN_CLASSES)
    partitions = {
        row[0]: int(row[1].toPython())
        for row in store.select(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }} "
            "GROUP BY ?c"
        ).rows
        if isinstance(row[0], URIRef) and isinstance(row[1], Literal)
    }
    predicates = store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }").rows
    examples = []
    for kind in (DMKG.Patient, DMKG.Publication):
        rows = store.select(f"SELECT ?s WHERE {{ ?s a {kind.n3()} }} ORDER BY ?s LIMIT 1").rows
        examples += [row[0] for row in rows if isinstance(row[0], URIRef)]
    about = store.select(
        f"SELECT ?d ?l WHERE {{ OPTIONAL {{ {ONTOLOGY_IRI.n3()} {DCTERMS.description.n3()} ?d }}"
        f" OPTIONAL {{ {ONTOLOGY_IRI.n3()} {DCTERMS.license.n3()} ?l }} }} LIMIT 1"
    ).rows
    description, licence = about[0] if about else (None, None)
    return DatasetFacts(
        triples=store.count(),
        classes=_number(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        properties=_number(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        subjects=_number(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        objects=_number(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        partitions=partitions,
        vocabularies=tuple(sorted({_namespace(str(row[0])) for row in predicates if row[0]})),
        examples=tuple(examples),
        description=description,
        license=licence,
    )


def dataset_iri(base: str) -> URIRef:
    """The dataset's IRI at the app's address ``base`` (no trailing slash)."""
    return URIRef(f"{base}/.well-known/void#dmkg")


def _graph() -> Graph:
    graph = Graph(bind_namespaces="core")
    bind_prefixes(graph)
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    graph.bind("foaf", FOAF)
    return graph


def void_graph(facts: DatasetFacts, base: str) -> Graph:
    """The VoID description of the dataset served at ``base`` (no trailing slash)."""
    graph = _graph()
    dataset = dataset_iri(base)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(_TITLE, lang="en")))
    if facts.description is not None:
        graph.add((dataset, DCTERMS.description, facts.description))
    if facts.license is not None:
        graph.add((dataset, DCTERMS.license, facts.license))
    graph.add((dataset, FOAF.homepage, URIRef(base + "/")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(str(DATA))))
    for name, number in (
        ("triples", facts.triples),
        ("classes", facts.classes),
        ("properties", facts.properties),
        ("distinctSubjects", facts.subjects),
        ("distinctObjects", facts.objects),
    ):
        graph.add((dataset, VOID[name], Literal(number)))
    for vocabulary in facts.vocabularies:
        graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for example in facts.examples:
        graph.add((dataset, VOID.exampleResource, example))
    for cls, members in sorted(facts.partitions.items()):
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, Literal(members)))
    return graph


def service_graph(base: str, triples: int, settings: WebSettings) -> Graph:
    """The SPARQL 1.1 Service Description of ``base``/sparql, its default dataset the one
    ``/.well-known/void`` describes, a default graph of ``triples`` triples."""
    graph = _graph()
    service = URIRef(base + "/sparql")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for media in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, media))
    for feature in FEATURES:
        graph.add((service, SD.feature, feature))
    # inferences are written into the graph at build time; queries see the triples as they are
    graph.add(
        (service, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple"))
    )
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only: updates, SERVICE, LOAD and FROM are refused. A query runs at most "
                f"{settings.timeout:g} s and a result has at most {settings.row_limit} rows "
                "(a larger one is refused, never cut short).",
                lang="en",
            ),
        )
    )
    dataset = dataset_iri(base)
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDFS.seeAlso, URIRef(str(dataset).split("#")[0])))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(triples)))
    return graph
