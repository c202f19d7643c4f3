"""The web app: pages over the graph and the ontology, canned queries, and ``/sparql``.

``create_app(graph)`` builds a Starlette app from the same graph object the command line
and the Python API use: a ``kg.api.KnowledgeGraph`` or an rdflib ``Graph``. The pages are
:class:`kg.web.pages.Pages`, rendered on the server from the Jinja2 templates of
:mod:`kg.html`; the scripts (the search box's autocomplete, and the SPARQL editor: YASGUI
with a small setup script) are shipped under ``static/`` (nothing is fetched from a CDN).

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
from typing import Any

import anyio
import anyio.to_thread
from rdflib import Graph
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kg.html.templating import STATIC_DIR
from kg.web.endpoint import Answer, error, protocol_request
from kg.web.linked import LinkedData
from kg.web.pages import Pages
from kg.web.pool import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, DEFAULT_WORKERS
from kg.web.site import GraphSource, Site, WebSettings

__all__ = ["WebSettings", "create_app"]

#: the largest POST body /sparql reads (a query, not a data upload)
_MAX_BODY = 1_000_000


def create_app(
    graph: Graph | GraphSource,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    row_limit: int = DEFAULT_ROW_LIMIT,
    workers: int = DEFAULT_WORKERS,
    allowed_hosts: list[str] | None = None,
) -> Starlette:
    """The web app over ``graph`` (a ``KnowledgeGraph`` or an rdflib ``Graph``); ``/sparql``
    answers within ``timeout`` seconds, at most ``row_limit`` rows, with ``workers`` queries
    at once (each in its own process).

    ``allowed_hosts`` limits the Host header the app answers to (``dmkg serve`` on
    127.0.0.1 allows 127.0.0.1 and localhost only, so a web page cannot reach the local
    server through DNS rebinding); None answers any host.
    """
    site = Site(graph, WebSettings(timeout, row_limit, workers))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # the association statistics take about a second: compute them before a class page
        # first needs them
        threading.Thread(target=site.associations, name="dmkg-associations", daemon=True).start()
        yield
        site.pool.close()

    middleware = (
        [Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)] if allowed_hosts else []
    )
    pages = Pages(site)  # every 404, 405 and 500 is the site's styled page, status kept
    handlers = {HTTPException: pages.http_error, Exception: pages.server_error}
    app = Starlette(
        routes=_routes(site),
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers=handlers,
    )
    app.state.site = site
    app.state.pool = site.pool
    return app


def _routes(site: Site) -> list[BaseRoute]:
    pages = Pages(site)
    linked = LinkedData(site)  # the pages of terms, data and queries answer RDF when asked
    limiter: dict[str, Any] = {}  # made on the first request, inside the event loop

    async def sparql(request: Request) -> Response:
        return await _sparql(site, request, limiter, linked)

    return [
        Route("/", pages.home),
        Route("/ontology", pages.ontology),
        Route("/term/{name}", linked.page(pages.term, linked.term_iri)),
        Route("/search", pages.search),
        Route("/api/suggest", pages.suggest),
        Route("/patients", pages.patients),
        Route("/patient/{id}", linked.page(pages.patient, linked.patient_iri)),
        Route("/source/{id}", linked.page(pages.source, linked.source_iri)),
        Route("/resource/{path:path}", linked.page(pages.resource, linked.resource_iri)),
        Route("/queries", linked.catalogue(pages.queries)),
        Route("/queries/{name}", linked.query(pages.query)),
        Route("/queries/{name}/download", pages.download),
        Route("/sparql-editor", pages.editor),
        Route("/.well-known/void", linked.void),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]


def _too_large(size: str) -> Response:
    return _respond(
        error(413, f"the request body has {size} bytes; this endpoint takes at most {_MAX_BODY}")
    )


async def _read_body(request: Request) -> bytes | Response:
    """The POST body, refused (413) from its Content-Length or as soon as it passes the cap:
    a body is never read whole before its size is known."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > _MAX_BODY:
        return _too_large(declared.strip())
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _MAX_BODY:
            return _too_large(f"more than {_MAX_BODY}")
        chunks.append(chunk)
    return b"".join(chunks)


async def _sparql(
    site: Site, request: Request, limiter: dict[str, Any], linked: LinkedData
) -> Response:
    """The SPARQL 1.1 protocol endpoint: a query runs in the site's worker pool."""
    body = await _read_body(request) if request.method == "POST" else b""
    if isinstance(body, Response):
        return body
    accept = request.headers.get("accept", "")
    parsed = protocol_request(
        request.method, request.url.query, request.headers.get("content-type", ""), body, accept
    )
    if isinstance(parsed, Answer):
        if request.method == "GET" and not request.url.query:  # the service description
            return await anyio.to_thread.run_sync(linked.service, request)
        return _respond(parsed)
    # requests wait for a thread here, asynchronously, and never for the server's shared
    # thread pool: a crowd of queries cannot hold every thread the pages need
    if "sparql" not in limiter:
        limiter["sparql"] = anyio.CapacityLimiter(site.pool.max_running)
    answer = await anyio.to_thread.run_sync(site.pool.run, parsed, limiter=limiter["sparql"])
    return _respond(answer)


def _respond(answer: Answer) -> Response:
    # no Access-Control-Allow-Origin header: a web page from elsewhere must not read the
    # graph (which may hold a user's own patients) through the user's browser
    headers = {}
    if answer.status == 405:
        headers["Allow"] = "GET, POST"
    return Response(answer.body, answer.status, media_type=answer.content_type, headers=headers)
