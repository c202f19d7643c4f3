"""Linked data: every term, data and query IRI answers RDF or HTML by content negotiation.

The pages ``/term/{name}`` (ontology terms ``dmkg:``), ``/patient/{id}``, ``/source/{id}``,
``/resource/{path}`` (every data IRI ``dmkgd:``), ``/queries`` and ``/queries/{name}`` (the
canned-query catalogue) answer Turtle, JSON-LD, N-Triples or RDF/XML when the ``Accept``
header (see :mod:`kg.web.conneg`) or a ``?format=`` parameter asks for it, and the HTML page
otherwise: a browser never gets a 406. Every such answer says ``Vary: Accept``.

The RDF of a resource is its description read from the app's one store (:class:`Site`):
its concise bounded description (its triples and, through blank nodes, theirs), the labels
of the IRIs it names, and the records that hang off it (a patient's findings, results and
outcome; a cohort's frequencies), so a client sees what the page shows. ``/.well-known/void``
and ``/sparql`` describe the dataset and the endpoint (:mod:`kg.web.void`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import RDFS, XSD, Graph, Literal, URIRef
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.errors import NotFoundError
from kg.namespaces import DATA, DMKG, bind_prefixes
from kg.query import QUERY_NS, catalogue_graph, load_query
from kg.store import Store, as_store
from kg.web.conneg import best_match
from kg.web.site import Site
from kg.web.void import DatasetFacts, dataset_facts, service_graph, void_graph

__all__ = ["RDF_FORMATS", "LinkedData", "describe", "negotiate", "rdf_response"]

#: RDF answers: short name (as in ``?format=``) -> media type, rdflib format, label
RDF_FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("text/turtle", "turtle", "Turtle"),
    "jsonld": ("application/ld+json", "json-ld", "JSON-LD"),
    "nt": ("application/n-triples", "nt", "N-Triples"),
    "rdfxml": ("application/rdf+xml", "xml", "RDF/XML"),
}
_BY_MEDIA = {media: name for name, (media, _, _) in RDF_FORMATS.items()}
_FORMAT_ALIASES = {"turtle": "ttl", "json-ld": "jsonld", "xml": "rdfxml", "rdf": "rdfxml"}
_HTML = ("text/html", "application/xhtml+xml")
#: what a page offers, best first: HTML, the RDF formats, and XHTML last (an answer in HTML
#: for a client that asked for nothing better)
_PAGE = (_HTML[0], *_BY_MEDIA, _HTML[1])

#: links into a resource that its description follows back (a record names its patient)
_INCOMING = (DMKG.ofPatient, DMKG.cohort, DMKG.describedIn, DMKG.statedIn, DMKG.memberOf)


def negotiate(request: Request, offers: tuple[str, ...], fallback: str) -> str:
    """``html`` or a key of :data:`RDF_FORMATS`: what ``?format=`` names, else the offer the
    Accept header likes best, else ``fallback`` (a client that accepts none of the offers
    gets the fallback rather than a 406)."""
    asked = request.query_params.get("format", "").strip().lower()
    asked = _FORMAT_ALIASES.get(asked, asked)
    if asked in RDF_FORMATS or asked == "html":
        return asked
    media = best_match(request.headers.get("accept"), offers)
    if media is None:
        return fallback
    return "html" if media in _HTML else _BY_MEDIA[media]


def rdf_response(graph: Graph, fmt: str, status: int = 200) -> Response:
    """``graph`` serialised by rdflib in ``fmt`` (a key of :data:`RDF_FORMATS`)."""
    media, rdflib_format, _ = RDF_FORMATS[fmt]
    options: dict[str, Any] = {}
    if rdflib_format == "json-ld":  # compact IRIs with the graph's own prefixes
        options["context"] = {p: str(ns) for p, ns in graph.namespaces() if p}
        options["auto_compact"] = True
    body = graph.serialize(format=rdflib_format, encoding="utf-8", **options)
    return Response(body, status, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


def _empty() -> Graph:
    graph = Graph(bind_namespaces="core")
    bind_prefixes(graph)
    return graph


def describe(store: Store, iri: URIRef) -> Graph:
    """What the graph says about ``iri``: its concise bounded description, the records
    linked to it either way (each with its own description), and the labels of every IRI
    the description names."""
    rdf = store.rdf
    out = _empty()
    out += rdf.cbd(iri)
    records: set[URIRef] = set()
    for prop in _INCOMING:
        for subject in rdf.subjects(prop, iri):
            out.add((subject, prop, iri))
            if isinstance(subject, URIRef) and _is_record(subject):
                records.add(subject)
    records.update(o for o in out.objects(iri) if isinstance(o, URIRef) and _is_record(o))
    described: set[URIRef] = set()
    while records - described:  # a diagnosis record names its tumour marker results
        record = min(records - described)
        described.add(record)
        out += rdf.cbd(record)
        records.update(o for o in out.objects(record) if isinstance(o, URIRef) and _is_record(o))
    named = {n for t in out for n in (t[0], t[2]) if isinstance(n, URIRef) and n != iri}
    for node in named:
        for label in rdf.objects(node, RDFS.label):
            out.add((node, RDFS.label, label))
    # Oxigraph gives a plain string as xsd:string, rdflib without a datatype: the same
    # literal in RDF 1.1, written the one way whichever store answered
    for s, p, o in list(out.triples((None, None, None))):
        if isinstance(o, Literal) and o.datatype == XSD.string:
            out.remove((s, p, o))
            out.add((s, p, Literal(str(o))))
    return out


def _is_record(iri: URIRef) -> bool:
    return str(iri).startswith(f"{DATA}record/")


Handler = Callable[[Request], Response]


class LinkedData:
    """The negotiated routes over one site: each wraps the HTML page of the same path."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.store = as_store(site.graph)
        self._facts: DatasetFacts | None = None
        self._triples: int | None = None
        site.templates.env.globals["alternates"] = alternates

    def page(self, html: Handler, iri_of: Callable[[Request], URIRef | None]) -> Handler:
        """A route answering the description of ``iri_of(request)`` in RDF when asked, else
        the page ``html``; both with ``Vary: Accept``."""

        def endpoint(request: Request) -> Response:
            fmt = negotiate(request, _PAGE, "html")
            iri = iri_of(request)
            if fmt == "html":
                return _html(request, html, iri is not None)
            if iri is None:
                return _not_found(request)
            return rdf_response(describe(self.store, iri), fmt)

        return endpoint

    # -- which IRI a page is about -----------------------------------------------------------

    def term_iri(self, request: Request) -> URIRef | None:
        iri = URIRef(str(DMKG._NS) + request.path_params["name"])
        return iri if iri in self.site.view.ontology.kinds else None

    def patient_iri(self, request: Request) -> URIRef | None:
        iri = self.site.view.iri_for("patient", request.path_params["id"])
        return iri if iri is not None and (iri, None, DMKG.Patient) in self.store.rdf else None

    def source_iri(self, request: Request) -> URIRef | None:
        iri = self.site.view.iri_for("publication", request.path_params["id"])
        return iri if iri is not None and (iri, None, DMKG.Publication) in self.store.rdf else None

    def resource_iri(self, request: Request) -> URIRef | None:
        return self.site.view.iri_for("", request.path_params["path"])

    # -- the catalogue, the dataset and the endpoint -----------------------------------------

    def catalogue(self, html: Handler) -> Handler:
        """``/queries``: the canned queries as SPARQL examples, each naming this endpoint."""

        def endpoint(request: Request) -> Response:
            fmt = negotiate(request, _PAGE, "html")
            if fmt == "html":
                return _html(request, html, True)
            return rdf_response(catalogue_graph(target=_base(request) + "/sparql"), fmt)

        return endpoint

    def query(self, html: Handler) -> Handler:
        """``/queries/{name}``: one canned query's description, or its form."""

        def endpoint(request: Request) -> Response:
            fmt = negotiate(request, _PAGE, "html")
            iri = _query_iri(request.path_params["name"])
            if fmt == "html":
                return _html(request, html, iri is not None)
            if iri is None:
                return _not_found(request)
            catalogue = catalogue_graph(target=_base(request) + "/sparql")
            out = _empty()
            out += catalogue.triples((iri, None, None))
            return rdf_response(out, fmt)

        return endpoint

    def void(self, request: Request) -> Response:
        """``/.well-known/void``: the VoID description of the dataset (Turtle by default)."""
        fmt = negotiate(request, tuple(_BY_MEDIA), "ttl")
        if fmt == "html":
            fmt = "ttl"
        return rdf_response(self._void(_base(request)), fmt)

    def service(self, request: Request) -> Response:
        """``/sparql`` without a query: the service description; a browser goes to the
        editor."""
        fmt = negotiate(request, (*_BY_MEDIA, *_HTML), "ttl")
        if fmt == "html":
            return RedirectResponse("/sparql-editor", 303, headers={"Vary": "Accept"})
        if self._triples is None:  # one count, not the whole VoID (slow on a large store)
            self._triples = self._facts.triples if self._facts else self.store.count()
        graph = service_graph(_base(request), self._triples, self.site.settings)
        return rdf_response(graph, fmt)

    def _void(self, base: str) -> Graph:
        # the counts are read once: the graph behind the app never changes
        if self._facts is None:
            self._facts = dataset_facts(self.store)
        return void_graph(self._facts, base)


def _query_iri(name: str) -> URIRef | None:
    """The IRI of the canned query ``name``; None for an unknown name or a data check."""
    try:
        canned = load_query(name)
    except NotFoundError:
        return None
    return None if canned.is_violation_check else URIRef(QUERY_NS + canned.name)


def _html(request: Request, html: Handler, has_rdf: bool) -> Response:
    """The page, marked to link its RDF forms when there are some, with ``Vary: Accept``."""
    request.state.rdf_alternates = has_rdf
    response = html(request)
    response.headers["Vary"] = "Accept"
    return response


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _not_found(request: Request) -> Response:
    what = request.url.path
    return Response(
        f"nothing in the graph is described at {what}\n",
        404,
        media_type="text/plain; charset=utf-8",
        headers={"Vary": "Accept"},
    )


def alternates(request: Request | None) -> list[dict[str, str]]:
    """The RDF forms of the page ``request`` asked for, for ``<link rel="alternate">``: only
    on a page of something the graph describes (marked by :func:`_html`).

    >>> from types import SimpleNamespace as NS
    >>> page = NS(url=NS(path="/term/HeliotropeRash"), state=NS(rdf_alternates=True))
    >>> [a["href"] for a in alternates(page)]
    ['/term/HeliotropeRash?format=ttl', '/term/HeliotropeRash?format=jsonld']
    >>> alternates(NS(url=NS(path="/"), state=NS()))
    []
    """
    if request is None or not getattr(request.state, "rdf_alternates", False):
        return []
    path = request.url.path
    return [
        {"href": f"{path}?format={name}", "type": media, "label": label}
        for name, (media, _, label) in RDF_FORMATS.items()
        if name in ("ttl", "jsonld")
    ]
