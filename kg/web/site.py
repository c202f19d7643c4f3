"""The state behind the pages: the one graph object, its view, the query pool, the templates.

``create_app`` takes the graph the command line and the Python API use: a
:class:`kg.api.KnowledgeGraph` (read through its ``.rdf`` view) or a bare rdflib ``Graph``.
Everything the app shows is read through that one object.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from rdflib import Graph
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from kg.html.templating import environment
from kg.version import __version__
from kg.web.charts import Charts
from kg.web.model import GraphView
from kg.web.pool import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, DEFAULT_WORKERS, QueryPool

__all__ = ["GraphSource", "Site", "WebSettings", "rdf_graph"]


class GraphSource(Protocol):
    """A graph object with an rdflib view of its triples (``kg.api.KnowledgeGraph``)."""

    @property
    def rdf(self) -> Graph: ...


def rdf_graph(graph: Graph | GraphSource) -> Graph:
    """The rdflib graph behind ``graph``: a KnowledgeGraph's ``.rdf``, or ``graph`` itself.

    >>> g = Graph()
    >>> rdf_graph(g) is g
    True
    """
    rdf = getattr(graph, "rdf", graph)
    if not isinstance(rdf, Graph):
        raise TypeError(f"expected an rdflib Graph or an object with .rdf, got {type(graph)}")
    return rdf


@dataclass(frozen=True)
class WebSettings:
    """Limits of the SPARQL endpoint: time per query, rows per result, worker processes."""

    timeout: float = DEFAULT_TIMEOUT
    row_limit: int = DEFAULT_ROW_LIMIT
    workers: int = DEFAULT_WORKERS


class Site:
    """The graph behind the pages, its view, the query pool and lazily computed tables."""

    def __init__(self, graph: Graph | GraphSource, settings: WebSettings) -> None:
        self.graph = graph
        rdf = rdf_graph(graph)
        # a KnowledgeGraph has its term index already; a bare Graph gets one of its own
        self.view = GraphView(rdf, terms=getattr(graph, "terms", None))
        self.settings = settings
        self.pool = QueryPool(
            rdf, workers=settings.workers, timeout=settings.timeout, row_limit=settings.row_limit
        )
        # the figures of dmkg plot on the class and source pages, drawn once per page
        self.charts = Charts(self.view)
        env = environment()
        env.globals.update(
            href=self.view.href,
            static="/static/",
            version=__version__,
            settings=settings,
            charts=self.charts,
        )
        self.templates = Jinja2Templates(env=env)
        self._lock = threading.Lock()
        self._associations: list[dict[str, Any]] | None = None

    def page(self, request: Request, name: str, status: int = 200, /, **context: Any) -> Response:
        """The template ``name`` rendered with ``context``."""
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def not_found(self, request: Request, what: str) -> Response:
        """The 404 page, saying what was not found."""
        return self.page(request, "error.html", 404, title="Not found", message=what)

    def associations(self) -> list[dict[str, Any]]:
        """The association statistics of ``kg.analyse.statistics`` (computed once, on first use)."""
        with self._lock:
            if self._associations is None:
                from kg.analyse.statistics import associations, display

                self._associations = [display(row) for row in associations(self.view.graph)]
            return self._associations
