"""The HTML pages: one method per route, each reading the graph through the site's view.

Pages are rendered on the server from the Jinja2 templates of :mod:`kg.html`; a page about
something the graph does not hold is the 404 page, saying what was asked for.
"""

from __future__ import annotations

import re
from dataclasses import replace
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from kg.errors import DmkgError, NotFoundError, QueryError
from kg.namespaces import DMKG
from kg.query import CannedQuery, bind_params, list_queries, load_query, run_query
from kg.query.render import render
from kg.web.classes import usage
from kg.web.endpoint import QueryRequest
from kg.web.model import GraphView
from kg.web.site import Site
from kg.web.sources import publication, publications
from kg.web.sparql_view import EXAMPLES, editor_config, editor_result
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

    # -- errors: the styled page, status kept ------------------------------------------------

    def error(self, request: Request, status: int, message: str, meant: str = "") -> Response:
        """The error page; ``meant`` is searched for the terms a person may have meant."""
        hits = self.view.index.search(meant, limit=5) if len(meant) >= 4 else []
        suggestions = [(h.ref.label, self.view.href(h.ref.iri)) for h in hits]
        title = "Not found" if status == 404 else HTTPStatus(status).phrase
        return self.site.page(
            request, "error.html", status, title=title, message=message, suggestions=suggestions
        )

    def http_error(self, request: Request, exc: Exception) -> Response:
        """An HTTP error raised by the router or a page (unknown address, wrong method)."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        message = (
            f"There is no page at {request.url.path}."
            if status == 404
            else f"This page does not answer {request.method} requests."
            if status == 405
            else str(getattr(exc, "detail", "")) or HTTPStatus(status).description
        )
        response = self.error(request, status, message)
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    def server_error(self, request: Request, exc: Exception) -> Response:
        """An error inside a page: the styled 500 page (the server logs the traceback)."""
        return self.error(
            request,
            500,
            "Something went wrong inside dmkg while making this page "
            f"({type(exc).__name__}). The server's log has the details.",
        )

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
            return self.error(
                request, 404, f"There is no term dmkg:{name} in the ontology.", _words(name)
            )
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
            return RedirectResponse(self.view.href(found["terms"][0].ref.iri), status_code=303)
        return self.site.page(request, "search.html", q=text, search_text=text, found=found)

    def suggest(self, request: Request) -> Response:
        """The autocomplete's choices for ``?q=``: terms by label, synonym, id or CURIE
        (typing mistakes forgiven), then patients whose label holds the text."""
        text = request.query_params.get("q", "").strip()[:200]
        view = self.view
        terms = view.index.suggest(text) if text else []
        found = [hit.as_dict(view.href(hit.ref.iri)) for hit in terms]
        if text:
            wanted = text.casefold()
            for p in view.patients():
                if wanted in p.label.casefold() and len(found) < 12:
                    found.append(
                        {
                            "label": p.label,
                            "curie": "",
                            "kind": "patient",
                            "matched": p.label,
                            "how": "label",
                            "href": f"/patient/{p.id}",
                        }
                    )
        return JSONResponse({"query": text, "suggestions": found})

    def patients(self, request: Request) -> Response:
        return self.site.page(request, "patients.html", patients=self.view.patients())

    def patient(self, request: Request) -> Response:
        iri = self.view.iri_for("patient", request.path_params["id"])
        if iri is None or iri not in set(self.view.patient_iris()):
            return self.error(request, 404, f"There is no patient {request.path_params['id']!r}.")
        from kg.api.classification import patient_classifications

        classifications = patient_classifications(self.view.graph, iri)
        return self.site.page(
            request, "patient.html", p=self.view.patient(iri), classifications=classifications
        )

    def source(self, request: Request) -> Response:
        iri = self.view.iri_for("publication", request.path_params["id"])
        if iri is None or not any(p["iri"] == iri for p in publications(self.view)):
            return self.error(request, 404, f"There is no source {request.path_params['id']!r}.")
        return self.site.page(request, "source.html", s=publication(self.view, iri))

    def resource(self, request: Request) -> Response:
        path = request.path_params["path"]
        iri = self.view.iri_for("", path)
        if iri is None:
            return self.error(request, 404, f"Nothing in the graph is called {path!r}.")
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
            return self.error(request, 404, _for_people(str(exc)))
        if canned.is_violation_check:
            return self.error(request, 404, f"{canned.name} is a data check, not a query.")
        values = _param_values(canned, request)
        context: dict[str, Any] = {"q": canned, "values": values}
        status = 200
        errors: dict[str, dict[str, Any]] = {}
        if "run" in request.query_params:
            errors = self._check(canned, values)
            try:
                if not errors:
                    context.update(self._run(canned, values))
            except DmkgError as exc:
                context["error"] = _for_people(str(exc))
            if errors or "error" in context:
                status = 400
        context["fields"] = _fields(self.view, canned, values, errors)
        context["errors"] = errors
        return self.site.page(request, "query.html", status, **context)

    def _check(self, canned: CannedQuery, values: dict[str, str]) -> dict[str, dict[str, Any]]:
        """What is wrong with each field of a canned query's form, in words for a person;
        an unknown term comes with the terms under the parameter's root it may mean."""
        view = self.view
        errors: dict[str, dict[str, Any]] = {}
        for param in canned.params:
            raw = values.get(param.name)
            if raw is None:
                if param.required and param.default is None:
                    errors[param.name] = {
                        "message": f"Please fill in {param.name}: {param.description}."
                    }
                continue
            try:
                one = replace(canned, params=(param,))
                bind_params(one, {param.name: raw}, view.graph, view.terms)
            except DmkgError as exc:
                error: dict[str, Any] = {"message": _for_people(str(exc)), "suggestions": []}
                if param.type == "term":
                    root = URIRef(str(DMKG._NS) + param.root) if param.root else None
                    within = view.ontology.descendants(root) if root is not None else None
                    kind = view.ontology.label(root) if root is not None else "term"
                    error["message"] = f"\u201c{raw}\u201d is not a known {kind}."
                    error["suggestions"] = [
                        (
                            hit.ref.label,
                            "?" + urlencode({**values, param.name: hit.ref.label, "run": "1"}),
                        )
                        for hit in view.index.search(raw, limit=5, within=within)
                    ]
                errors[param.name] = error
        return errors

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
        context: dict[str, Any] = {
            "query": text or EXAMPLES[0][1],
            "examples": EXAMPLES,
            "editor": editor_config(text),
        }
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


def _fields(
    view: GraphView, canned: CannedQuery, values: dict[str, str], errors: dict[str, Any]
) -> list[dict[str, Any]]:
    """Form fields for the parameters: term lists, the sources' DOIs, numbers, text; a
    field the query cannot run without is ``required``."""
    fields = []
    for param in canned.params:
        field: dict[str, Any] = {
            "p": param,
            "value": values.get(param.name, param.default or ""),
            "required": param.required and param.default is None,
            "error": errors.get(param.name),
        }
        if param.type == "term" and param.root:
            root = URIRef(str(DMKG._NS) + param.root)
            field["options"] = sorted(
                {view.ontology.label(t) for t in view.ontology.descendants(root)}, key=str.casefold
            )
        elif param.type == "doi":
            field["choices"] = [(p["doi"], f"{p['doi']} ({p['id']})") for p in publications(view)]
        fields.append(field)
    return fields


def _for_people(message: str) -> str:
    """A query error as a web form shows it: without the command line's wording.

    >>> _for_people("parameter 'min' of query 'q': 'x' is not a whole number")
    "'x' is not a whole number"
    """
    message = re.sub(r"^parameter '[^']+' of query '[^']+': ", "", message)
    message = re.sub(r"needs --param (\S+)=VALUE", r"needs a value for \1", message)
    return message[:1].upper() + message[1:]


def _words(name: str) -> str:
    """A term's local name as words, to look for what was meant (HeliotropRash -> heliotrop
    rash)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")


def _cell(view: GraphView, value: Any) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, (URIRef, Literal)):
        return view.cell(value)
    return Cell(str(value))
