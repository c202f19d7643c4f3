"""dmkg docs: static HTML documentation of every class, property and individual.

The documentation is checked against the ontology files themselves (every owl:Class and
property IRI must appear, with its label, definition and synonyms) and against the verified
identifier table tests/fixtures/external_ids.tsv (every cross-reference links to its public
page: HPO's browser, an OBO PURL, HGNC's gene report).
"""

from __future__ import annotations

import csv
import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.cli import main
from kg.docs import OntologyIndex, manchester, public_url
from kg.namespaces import DMKG, IAO, OBOINOWL

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


class _Page(HTMLParser):
    """Collects ids, links and the text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    assert main(["docs", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def page(docs: Path) -> _Page:
    parsed = _Page()
    parsed.feed((docs / "index.html").read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="module")
def text(page: _Page) -> str:
    return " ".join(" ".join(page.text).split())


def _external_ids() -> list[dict[str, str]]:
    lines = [
        line
        for line in (FIXTURES / "external_ids.tsv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return [row for row in csv.DictReader(lines, delimiter="\t") if row["id"] != "NONE"]


def test_docs_writes_page_stylesheet_and_ontology(docs: Path, ontology: Graph) -> None:
    assert sorted(p.name for p in docs.iterdir()) == [
        "dmkg-ontology.ttl",
        "index.html",
        "style.css",
    ]
    shipped = Graph().parse(docs / "dmkg-ontology.ttl", format="turtle")
    assert len(shipped) == len(ontology)
    page = (docs / "index.html").read_text(encoding="utf-8")
    assert 'href="style.css"' in page
    assert "<script" not in page  # a static page, nothing to run or fetch
    assert "http://" not in page.split("<body>")[0].replace("http://www.w3.org", "")


def test_every_class_and_property_iri_appears(text: str, ontology: Graph) -> None:
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    properties = {
        p
        for kind in PROPERTY_TYPES
        for p in ontology.subjects(RDF.type, kind)
        if isinstance(p, URIRef)
    }
    assert len(classes) > 150 and len(properties) > 100
    missing = sorted(str(iri) for iri in classes | properties if str(iri) not in text)
    assert missing == []


def test_every_term_has_its_own_section(page: _Page, ontology: Graph) -> None:
    index = OntologyIndex(ontology)
    terms = [
        t
        for kind in (
            "class",
            "object property",
            "datatype property",
            "annotation property",
            "individual",
        )
        for t in index.terms(kind)
    ]
    anchors = {index.term(t).anchor for t in terms}
    assert anchors <= set(page.ids)
    assert len(page.ids) == len(set(page.ids)), "ids on the page must be unique"
    internal = {link[1:] for link in page.links if link.startswith("#")}
    assert internal - set(page.ids) == set(), "every in-page link has a target"


def test_labels_definitions_and_synonyms_appear(text: str, ontology: Graph) -> None:
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if not isinstance(cls, URIRef):
            continue
        for prop in (
            RDFS.label,
            IAO["0000115"],
            OBOINOWL.hasExactSynonym,
            OBOINOWL.hasRelatedSynonym,
            DMKG.mappingNote,
        ):
            for value in ontology.objects(cls, prop):
                assert " ".join(str(value).split()) in text, (cls, prop, value)


@pytest.mark.parametrize("row", _external_ids(), ids=lambda r: f"{r['dmkg_class']}-{r['id']}")
def test_cross_references_link_to_public_pages(row: dict[str, str], page: _Page) -> None:
    prefix, local = row["id"].split(":", 1)
    if prefix == "HP":
        expected = f"https://hpo.jax.org/browse/term/HP:{local}"
    elif prefix == "HGNC":
        expected = f"https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:{local}"
    else:
        expected = f"http://purl.obolibrary.org/obo/{prefix}_{local}"
    assert html.unescape(expected) in page.links


def test_public_url_by_prefix() -> None:
    assert (
        public_url("http://purl.obolibrary.org/obo/HP_0025508")
        == "https://hpo.jax.org/browse/term/HP:0025508"
    )
    assert (
        public_url("http://purl.obolibrary.org/obo/NCIT_C26744")
        == "http://purl.obolibrary.org/obo/NCIT_C26744"
    )
    assert (
        public_url("https://identifiers.org/hgnc:1919")
        == "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:1919"
    )


def test_defined_classes_are_shown_as_class_expressions(text: str, ontology: Graph) -> None:
    index = OntologyIndex(ontology)
    expression = manchester(
        ontology,
        next(ontology.objects(DMKG.CancerWithinTwoYears, OWL.equivalentClass)),
        index.label,
    )
    # the definition of the class: an interval of at most 24 months either way
    assert expression == (
        "'cancer diagnosis' and ('dermatomyositis to cancer interval "
        "(months)' some xsd:decimal[>= -24, <= 24])"
    )
    assert expression in text


def test_docs_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs"]) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["docs", "--out", str(blocker)]) == 2
    assert "not a folder" in capsys.readouterr().err
