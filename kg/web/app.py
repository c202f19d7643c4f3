"""The web app: pages over the graph and the ontology, canned queries, and ``/sparql``.

``create_app(graph)`` builds a Starlette app from the same graph object the command line
and the Python API use (``kg.cli.entry.load_graph`` or ``kg.build.graph.build_graph(...).graph``). Pages
are rendered on the server from Jinja2 templates; the only script is a small helper for the
SPARQL editor, shipped under ``static/`` (nothing is fetched from a CDN).

>>> from starlette.testclient import TestClient
>>> from kg.ontology import load_ontology
>>> with TestClient(create_app(load_ontology(), workers=1)) as client:
...     client.get("/term/HeliotropeRash").status_code
200
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from kg import __version__
from kg.errors import DmkgError, NotFoundError, QueryError
from kg.namespaces import DMKG
from kg.query.render import render
from kg.query.canned import CannedQuery, bind_params, list_queries, load_query, run_query
from kg.web.endpoint import (
    Answer,
    QueryRequest,
    protocol_request,
    service_description,
)
from kg.web.model import Cell, GraphView
from kg.web.pool import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, DEFAULT_WORKERS, QueryPool
from kg.web.sparql_view import EXAMPLES, editor_result
from kg.html.templating import STATIC_DIR, environment

__all__ = ["WebSettings", "create_app"]

#: the largest POST body /sparql reads (a query, not a data upload)
_MAX_BODY = 1_000_000
_DOWNLOADS = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}


@dataclass(frozen=True)
class WebSettings:
    """Limits of the SPARQL endpoint: time per query, rows per result, worker processes."""

    timeout: float = DEFAULT_TIMEOUT
    row_limit: int = DEFAULT_ROW_LIMIT
    workers: int = DEFAULT_WORKERS


class _Site:
    """The state behind the pages: the graph view, the query pool, lazily computed tables."""

    def __init__(self, graph: Graph, settings: WebSettings) -> None:
        self.view = GraphView(graph)
        self.settings = settings
        self.pool = QueryPool(
            graph, workers=settings.workers, timeout=settings.timeout, row_limit=settings.row_limit
        )
        env = environment()
        env.globals.update(
            href=self.view.href, static="/static/", version=__version__, settings=settings
        )
        self.templates = Jinja2Templates(env=env)
        self._lock = threading.Lock()
        self._associations: list[dict[str, Any]] | None = None

    def page(self, request: Request, name: str, status: int = 200, /, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def not_found(self, request: Request, what: str) -> Response:
        return self.page(request, "error.html", 404, title="Not found", message=what)

    def associations(self) -> list[dict[str, Any]]:
        """The association statistics of ``kg.analyse.statistics`` (computed once, on first use)."""
        with self._lock:
            if self._associations is None:
                from kg.analyse.statistics import associations, display

                self._associations = [display(row) for row in associations(self.view.graph)]
            return self._associations


def create_app(
    graph: Graph,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
    workers: int = DEFAULT_WORKERS,
    allowed_hosts: list[str] | None = None,
) -> Starlette:
    """The web app over ``graph``; ``/sparql`` answers within ``timeout`` seconds, at most
    ``row_limit`` rows, with ``workers`` queries at once (each in its own process).

    ``allowed_hosts`` limits the Host header the app answers to (``dmkg serve`` on
    127.0.0.1 allows 127.0.0.1 and localhost only, so a web page cannot reach the local
    server through DNS rebinding); None answers any host.
    """
    site = _Site(graph, WebSettings(timeout, row_limit, workers))
    view = site.view

    def home(request: Request) -> Response:
        return site.page(
            request,
            "home.html",
            summary=view.summary,
            publications=view.publications(),
            queries=list_queries(include_checks=False),
        )

    def ontology(request: Request) -> Response:
        return site.page(
            request,
            "ontology.html",
            groups=view.ontology.tree_groups(),
            count=len(view.ontology.classes()),
        )

    def term(request: Request) -> Response:
        name = request.path_params["name"]
        iri = URIRef(str(DMKG._NS) + name)
        if iri not in view.ontology.kinds:
            return site.not_found(request, f"no term dmkg:{name} in the ontology")
        info = view.ontology.term(iri)
        usage = view.usage(iri)
        ident = info.curie
        stats = (
            [
                row
                for row in site.associations()
                if ident in (row.get("exposure_id"), row.get("outcome_id"), row.get("reference_id"))
            ]
            if info.kind == "class"
            else []
        )
        path = [view.ontology.ref(a) for a in _path_to_root(view, iri)]
        return site.page(
            request,
            "term.html",
            info=info,
            usage=usage,
            stats=stats,
            path=path,
            tree=view.ontology.tree([iri]) if info.kind == "class" else [],
        )

    def search(request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        found = view.search(text) if text else {"terms": [], "patients": []}
        if (
            len(found["terms"]) == 1
            and not found["patients"]
            and request.query_params.get("go") == "1"
        ):
            return RedirectResponse(view.href(found["terms"][0][0].iri), status_code=303)
        return site.page(request, "search.html", q=text, search_text=text, found=found)

    def patients(request: Request) -> Response:
        return site.page(request, "patients.html", patients=view.patients())

    def patient(request: Request) -> Response:
        iri = view.iri_for("patient", request.path_params["id"])
        if iri is None or iri not in set(view.patient_iris()):
            return site.not_found(request, f"no patient {request.path_params['id']!r}")
        return site.page(request, "patient.html", p=view.patient(iri))

    def source(request: Request) -> Response:
        iri = view.iri_for("publication", request.path_params["id"])
        if iri is None or not any(p["iri"] == iri for p in view.publications()):
            return site.not_found(request, f"no source {request.path_params['id']!r}")
        return site.page(request, "source.html", s=view.publication(iri))

    def resource(request: Request) -> Response:
        path = request.path_params["path"]
        iri = view.iri_for("", path)
        if iri is None:
            return site.not_found(request, f"nothing in the graph is called {path!r}")
        target = view.href(iri)
        if not target.startswith("/resource/"):
            return RedirectResponse(target, status_code=303)
        return site.page(request, "resource.html", r=view.resource(iri))

    def queries(request: Request) -> Response:
        return site.page(request, "queries.html", queries=list_queries(include_checks=False))

    def query(request: Request) -> Response:
        try:
            canned = load_query(request.path_params["name"])
        except NotFoundError as exc:
            return site.not_found(request, str(exc))
        if canned.is_violation_check:
            return site.not_found(request, f"{canned.name} is a data check, not a query")
        values = _param_values(canned, request)
        context: dict[str, Any] = {
            "q": canned,
            "values": values,
            "fields": _fields(view, canned, values),
        }
        status = 200
        if "run" in request.query_params:
            try:
                bindings = bind_params(canned, values, view.graph, view.terms)
                result = run_query(view.graph, canned.name, values, terms=view.terms)
                context.update(
                    columns=result.columns,
                    rows=[[_cell(view, v) for v in row] for row in result.rows],
                    bindings=[(k, view.cell(v)) for k, v in bindings.items()],
                    downloads={
                        fmt: f"/queries/{canned.name}/download?"
                        + urlencode({**values, "format": fmt})
                        for fmt in _DOWNLOADS
                    },
                )
            except DmkgError as exc:
                context["error"] = str(exc)
                status = 400
        return site.page(request, "query.html", status, **context)

    def download(request: Request) -> Response:
        try:
            canned = load_query(request.path_params["name"])
            fmt = request.query_params.get("format", "csv")
            if fmt not in _DOWNLOADS:
                raise QueryError(
                    f"unknown format {fmt!r}; expected one of " + ", ".join(_DOWNLOADS)
                )
            values = _param_values(canned, request)
            result = run_query(view.graph, canned.name, values, terms=view.terms)
        except NotFoundError as exc:
            return Response(str(exc) + "\n", 404, media_type="text/plain")
        except DmkgError as exc:
            return Response(str(exc) + "\n", 400, media_type="text/plain")
        body = render(result, fmt, view.graph) + "\n"
        return Response(
            body,
            media_type=_DOWNLOADS[fmt] + "; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{canned.name}.{fmt}"'},
        )

    def editor(request: Request) -> Response:
        text = request.query_params.get("query", "")
        context: dict[str, Any] = {"query": text or EXAMPLES[0][1], "examples": EXAMPLES}
        status = 200
        if text:
            answer = site.pool.run(
                QueryRequest(text, "application/sparql-results+json, text/turtle;q=0.9")
            )
            context.update(editor_result(view, answer))
            context["downloads"] = (
                {
                    label: "/sparql?" + urlencode({"query": text, "format": fmt})
                    for label, fmt in (
                        ("JSON", "json"),
                        ("XML", "xml"),
                        ("CSV", "csv"),
                        ("TSV", "tsv"),
                    )
                }
                if context.get("kind") == "results"
                else {
                    label: "/sparql?" + urlencode({"query": text, "format": fmt})
                    for label, fmt in (("Turtle", "turtle"), ("N-Triples", "nt"))
                }
            )
            status = 200 if answer.ok else answer.status
        return site.page(request, "sparql_editor.html", status, **context)

    async def sparql(request: Request) -> Response:
        body = await request.body() if request.method == "POST" else b""
        if len(body) > _MAX_BODY:
            return _respond(
                Answer(
                    413,
                    "text/plain; charset=utf-8",
                    (
                        f"the request body has {len(body)} bytes; this endpoint takes at most "
                        f"{_MAX_BODY}\n"
                    ).encode(),
                )
            )
        accept = request.headers.get("accept", "")
        parsed = protocol_request(
            request.method, request.url.query, request.headers.get("content-type", ""), body, accept
        )
        if isinstance(parsed, Answer):
            if request.method == "GET" and not request.url.query:
                if "text/html" in accept:
                    return RedirectResponse("/sparql-editor", status_code=303)
                return Response(
                    service_description(str(request.url)), media_type="text/turtle; charset=utf-8"
                )
            return _respond(parsed)
        answer = await run_in_threadpool(site.pool.run, parsed)
        return _respond(answer)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # the association statistics take about a second: compute them before a class page
        # first needs them
        threading.Thread(target=site.associations, name="dmkg-associations", daemon=True).start()
        yield
        site.pool.close()

    routes = [
        Route("/", home),
        Route("/ontology", ontology),
        Route("/term/{name}", term),
        Route("/search", search),
        Route("/patients", patients),
        Route("/patient/{id}", patient),
        Route("/source/{id}", source),
        Route("/resource/{path:path}", resource),
        Route("/queries", queries),
        Route("/queries/{name}", query),
        Route("/queries/{name}/download", download),
        Route("/sparql-editor", editor),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    middleware = (
        [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    )
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.site = site
    app.state.pool = site.pool
    return app


def _respond(answer: Answer) -> Response:
    # no Access-Control-Allow-Origin header: a web page from elsewhere must not read the
    # graph (which may hold a user's own patients) through the user's browser
    headers = {}
    if answer.status == 405:
        headers["Allow"] = "GET, POST"
    return Response(answer.body, answer.status, media_type=answer.content_type, headers=headers)


def _path_to_root(view: GraphView, iri: URIRef) -> list[URIRef]:
    path = [iri]
    ours = set(view.ontology.classes())
    while True:
        parents = sorted(
            view.ontology.parents.get(path[-1], set()) & ours - set(path),
            key=lambda p: view.ontology.label(p),
        )
        if not parents:
            break
        path.append(parents[0])
    return list(reversed(path))


def _param_values(canned: CannedQuery, request: Request) -> dict[str, str]:
    names = {p.name for p in canned.params}
    return {k: v for k, v in request.query_params.items() if k in names and v.strip()}


def _fields(view: GraphView, canned: CannedQuery, values: dict[str, str]) -> list[dict[str, Any]]:
    """Form fields for the parameters: term lists, the sources' DOIs, numbers, text."""
    fields = []
    for param in canned.params:
        field: dict[str, Any] = {"p": param, "value": values.get(param.name, param.default or "")}
        if param.type == "term" and param.root:
            root = URIRef(str(DMKG._NS) + param.root)
            field["options"] = sorted(
                {view.ontology.label(t) for t in view.ontology.descendants(root)}, key=str.casefold
            )
        elif param.type == "doi":
            field["choices"] = [(p["doi"], f"{p['doi']} ({p['id']})") for p in view.publications()]
        fields.append(field)
    return fields


def _cell(view: GraphView, value: Any) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, (URIRef, Literal)):
        return view.cell(value)
    return Cell(str(value))
