"""The HTML pages: one method per route, each reading the graph through the site's view.

Pages are rendered on the server from the Jinja2 templates of :mod:`kg.html`; a page about
something the graph does not hold is the 404 page, saying what was asked for.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.errors import DmkgError, NotFoundError, QueryError
from kg.namespaces import DMKG
from kg.query import CannedQuery, bind_params, list_queries, load_query, run_query
from kg.query.render import render
from kg.web.classes import usage
from kg.web.endpoint import QueryRequest
from kg.web.model import GraphView
from kg.web.site import Site
from kg.web.sources import publication, publications
from kg.web.sparql_view import EXAMPLES, editor_result
from kg.web.views import Cell

__all__ = ["DOWNLOADS", "Pages"]

#: the formats a canned query's result downloads in, with their media types
DOWNLOADS = {"csv": "text/csv", "tsv": "text/tab-separated-values", "json": "application/json"}
_RESULT_FORMATS = (("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv"))
_GRAPH_FORMATS = (("Turtle", "turtle"), ("N-Triples", "nt"))


class Pages:
    """The page handlers over one site (bound methods, so Starlette calls them with the
    request alone)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.view = site.view

    def home(self, request: Request) -> Response:
        return self.site.page(
            request,
            "home.html",
            summary=self.view.summary,
            publications=publications(self.view),
            queries=list_queries(include_checks=False),
        )

    def ontology(self, request: Request) -> Response:
        ontology = self.view.ontology
        return self.site.page(
            request, "ontology.html", groups=ontology.tree_groups(), count=len(ontology.classes())
        )

    def term(self, request: Request) -> Response:
        name = request.path_params["name"]
        iri = URIRef(str(DMKG._NS) + name)
        ontology = self.view.ontology
        if iri not in ontology.kinds:
            return self.site.not_found(request, f"no term dmkg:{name} in the ontology")
        info = ontology.term(iri)
        is_class = info.kind == "class"
        ids = ("exposure_id", "outcome_id", "reference_id")
        stats = (
            [row for row in self.site.associations() if info.curie in (row.get(k) for k in ids)]
            if is_class
            else []
        )
        return self.site.page(
            request,
            "term.html",
            info=info,
            usage=usage(self.view, iri),
            stats=stats,
            path=[ontology.ref(a) for a in _path_to_root(self.view, iri)],
            tree=ontology.tree([iri]) if is_class else [],
        )

    def search(self, request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        found = self.view.search(text) if text else {"terms": [], "patients": []}
        if (
            len(found["terms"]) == 1
            and not found["patients"]
            and request.query_params.get("go") == "1"
        ):
            return RedirectResponse(self.view.href(found["terms"][0][0].iri), status_code=303)
        return self.site.page(request, "search.html", q=text, search_text=text, found=found)

    def patients(self, request: Request) -> Response:
        return self.site.page(request, "patients.html", patients=self.view.patients())

    def patient(self, request: Request) -> Response:
        iri = self.view.iri_for("patient", request.path_params["id"])
        if iri is None or iri not in set(self.view.patient_iris()):
            return self.site.not_found(request, f"no patient {request.path_params['id']!r}")
        return self.site.page(request, "patient.html", p=self.view.patient(iri))

    def source(self, request: Request) -> Response:
        iri = self.view.iri_for("publication", request.path_params["id"])
        if iri is None or not any(p["iri"] == iri for p in publications(self.view)):
            return self.site.not_found(request, f"no source {request.path_params['id']!r}")
        return self.site.page(request, "source.html", s=publication(self.view, iri))

    def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        iri = self.view.iri_for("", path)
        if iri is None:
            return self.site.not_found(request, f"nothing in the graph is called {path!r}")
        target = self.view.href(iri)
        if not target.startswith("/resource/"):
            return RedirectResponse(target, status_code=303)
        return self.site.page(request, "resource.html", r=self.view.resource(iri))

    def queries(self, request: Request) -> Response:
        return self.site.page(request, "queries.html", queries=list_queries(include_checks=False))

    def query(self, request: Request) -> Response:
        try:
            canned = load_query(request.path_params["name"])
        except NotFoundError as exc:
            return self.site.not_found(request, str(exc))
        if canned.is_violation_check:
            return self.site.not_found(request, f"{canned.name} is a data check, not a query")
        values = _param_values(canned, request)
        context: dict[str, Any] = {
            "q": canned,
            "values": values,
            "fields": _fields(self.view, canned, values),
        }
        status = 200
        if "run" in request.query_params:
            try:
                context.update(self._run(canned, values))
            except DmkgError as exc:
                context["error"] = str(exc)
                status = 400
        return self.site.page(request, "query.html", status, **context)

    def _run(self, canned: CannedQuery, values: dict[str, str]) -> dict[str, Any]:
        """A canned query's result as the query page shows it."""
        view = self.view
        bindings = bind_params(canned, values, view.graph, view.terms)
        result = run_query(view.graph, canned.name, values, terms=view.terms)
        return {
            "columns": result.columns,
            "rows": [[_cell(view, v) for v in row] for row in result.rows],
            "bindings": [(k, view.cell(v)) for k, v in bindings.items()],
            "downloads": {
                fmt: f"/queries/{canned.name}/download?" + urlencode({**values, "format": fmt})
                for fmt in DOWNLOADS
            },
        }

    def download(self, request: Request) -> Response:
        view = self.view
        try:
            canned = load_query(request.path_params["name"])
            fmt = request.query_params.get("format", "csv")
            if fmt not in DOWNLOADS:
                raise QueryError(f"unknown format {fmt!r}; expected one of " + ", ".join(DOWNLOADS))
            values = _param_values(canned, request)
            result = run_query(view.graph, canned.name, values, terms=view.terms)
        except NotFoundError as exc:
            return Response(str(exc) + "\n", 404, media_type="text/plain")
        except DmkgError as exc:
            return Response(str(exc) + "\n", 400, media_type="text/plain")
        body = render(result, fmt, view.graph) + "\n"
        return Response(
            body,
            media_type=DOWNLOADS[fmt] + "; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{canned.name}.{fmt}"'},
        )

    def editor(self, request: Request) -> Response:
        text = request.query_params.get("query", "")
        context: dict[str, Any] = {"query": text or EXAMPLES[0][1], "examples": EXAMPLES}
        status = 200
        if text:
            answer = self.site.pool.run(
                QueryRequest(text, "application/sparql-results+json, text/turtle;q=0.9")
            )
            context.update(editor_result(self.view, answer))
            formats = _RESULT_FORMATS if context.get("kind") == "results" else _GRAPH_FORMATS
            context["downloads"] = {
                label: "/sparql?" + urlencode({"query": text, "format": fmt})
                for label, fmt in formats
            }
            status = 200 if answer.ok else answer.status
        return self.site.page(request, "sparql_editor.html", status, **context)


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
            field["choices"] = [(p["doi"], f"{p['doi']} ({p['id']})") for p in publications(view)]
        fields.append(field)
    return fields


def _cell(view: GraphView, value: Any) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, (URIRef, Literal)):
        return view.cell(value)
    return Cell(str(value))
