"""A remote SPARQL 1.1 store, queried through SPARQLWrapper with JSON results.

The bindings of a canned query reach it as a ``VALUES`` block built from RDF terms
(:func:`kg.store.values.with_values`); its rdflib view (:attr:`RemoteStore.rdf`) asks the
endpoint one triple pattern at a time, through the same read-only queries.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator, Mapping
from typing import Any

from rdflib import Graph, Literal
from rdflib.store import Store as RdflibStoreBase
from rdflib.term import Identifier, Node, Variable

from kg.errors import RemoteError
from kg.store.base import QueryResult, QueryTextStore, SparqlAnswer
from kg.store.endpoint import Endpoint, _first_lines, _read, _wrapper_body
from kg.store.values import DEFAULT_GRAPH_IRI, graph_iri, term_from_json, with_values

__all__ = ["RemoteStore"]


class RemoteStore(QueryTextStore):
    """A SPARQL 1.1 endpoint, queried through SPARQLWrapper with JSON results.

    ``graph`` is the named graph the queries read, sent as the protocol's
    ``default-graph-uri`` (the query text stays as it is); ``None`` reads the endpoint's own
    default graph.
    """

    def __init__(self, endpoint: Endpoint, graph: str | None = DEFAULT_GRAPH_IRI) -> None:
        self.endpoint = endpoint
        self.graph = graph_iri(graph) if graph else None
        self.description = endpoint.url + (f" <{graph}>" if graph else "")
        self._rdf: Graph | None = None

    @property
    def rdf(self) -> Graph:
        """rdflib's API over the endpoint: each triple pattern is one read-only query."""
        if self._rdf is None:
            from kg.namespaces import bind_prefixes

            self._rdf = Graph(store=_RemoteTriples(self))
            bind_prefixes(self._rdf)
        return self._rdf

    # -- plumbing ----------------------------------------------------------------------------

    def _wrapper(self, text: str, accept: str) -> Any:
        from SPARQLWrapper import DIGEST, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.endpoint.url)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: some servers refuse them
        wrapper.setTimeout(int(max(1, round(self.endpoint.timeout))))
        if self.graph:
            wrapper.addDefaultGraph(self.graph)
        if self.endpoint.user and self.endpoint.password:
            wrapper.setCredentials(self.endpoint.user, self.endpoint.password)
            if self.endpoint.auth == "digest":
                wrapper.setHTTPAuth(DIGEST)
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form from the text and skips only some comment lines, so
        # a header comment with a word such as "move" or "load" made it send a read-only query
        # as an update (update=...), which servers refuse. This path sends queries only (the
        # text passed the read-only check or is a canned query); updates go by plain HTTP.
        if wrapper.isSparqlUpdateRequest():
            wrapper.queryType = "SELECT"
        wrapper.addCustomHttpHeader("Accept", accept)
        return wrapper

    def _fetch(self, text: str, accept: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        url = self.endpoint.url
        try:
            response = self._wrapper(text, accept).query().response
            body: bytes = response.read()
            return body
        except SPARQLWrapperException as exc:
            # SPARQLWrapper maps 400/401/404/414/500 to its own classes; the HTTP error
            # (with its headers) is the context of the one it raised
            cause = exc.__context__
            code = getattr(cause, "code", None) or {
                "QueryBadFormed": 400,
                "Unauthorized": 401,
                "EndPointNotFound": 404,
                "URITooLong": 414,
                "EndPointInternalError": 500,
            }.get(type(exc).__name__, 500)
            body_text = _wrapper_body(exc)
            raise self.endpoint.http_error(
                url,
                int(code),
                getattr(cause, "reason", "") or "",
                body_text,
                getattr(cause, "headers", None),
                "query",
            ) from None
        except urllib.error.HTTPError as exc:
            raise self.endpoint.http_error(
                url, exc.code, exc.reason, _read(exc), exc.headers, "query"
            ) from None
        except Exception as exc:  # noqa: BLE001 - mapped to one clear message
            raise self.endpoint.transport_error(url, exc, "query") from None

    def _json(self, text: str) -> dict[str, Any]:
        body = self._fetch(text, "application/sparql-results+json, application/json;q=0.9")
        try:
            answer = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise RemoteError(
                f"query to {self.endpoint.url}: the answer is not SPARQL JSON "
                f"results (is this a SPARQL endpoint?): {_first_lines(body, 120)}"
            ) from None
        if not isinstance(answer, dict) or not ("boolean" in answer or "results" in answer):
            raise RemoteError(
                f"query to {self.endpoint.url}: the answer is not SPARQL JSON "
                "results (no 'results' or 'boolean')"
            )
        return answer

    def _result(self, answer: dict[str, Any]) -> QueryResult:
        columns = [str(v) for v in answer.get("head", {}).get("vars", [])]
        rows: list[list[Node | None]] = []
        for binding in answer.get("results", {}).get("bindings", []):
            rows.append([term_from_json(binding[c]) if c in binding else None for c in columns])
        return QueryResult(columns, rows)

    # -- the Store interface -----------------------------------------------------------------

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        return self._result(self._json(with_values(text, bindings or {})))

    def sparql(self, text: str) -> SparqlAnswer:
        from kg.store.readonly import checked_query

        text, query = checked_query(text)  # send the text the check saw
        kind = query.algebra.name
        if kind == "AskQuery":
            return SparqlAnswer(ask=bool(self._json(text).get("boolean")))
        if kind in ("ConstructQuery", "DescribeQuery"):
            body = self._fetch(text, "application/n-triples, text/turtle;q=0.9")
            graph = Graph()
            try:
                graph.parse(data=body.decode("utf-8"), format="turtle")
            except Exception as exc:  # noqa: BLE001 - parser errors of several kinds
                raise RemoteError(
                    f"query to {self.endpoint.url}: the answer is not N-Triples "
                    f"or Turtle ({type(exc).__name__})"
                ) from None
            return SparqlAnswer(graph=graph)
        return SparqlAnswer(select=self._result(self._json(text)))

    def count(self, graph: str | None = None) -> int:
        """Triples in a named graph (``graph``), or in the graph this store reads."""
        if graph:
            text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri(graph)}> {{ ?s ?p ?o }} }}"
            rows = RemoteStore(self.endpoint, None).select(text).rows
        else:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        if len(rows) != 1 or not isinstance(rows[0][0], Literal):
            raise RemoteError(f"query to {self.endpoint.url}: a COUNT query gave {rows!r}")
        return int(rows[0][0].toPython())


_S, _P, _O = Variable("s"), Variable("p"), Variable("o")


class _RemoteTriples(RdflibStoreBase):
    """An rdflib store answering triple patterns from a :class:`RemoteStore` (read-only)."""

    def __init__(self, remote: RemoteStore) -> None:
        super().__init__()
        self.dmkg_store = remote  # as_store(view) finds the remote

    def triples(
        self, pattern: tuple[Any, Any, Any], context: Any = None
    ) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        bindings = {
            name: term
            for name, term in zip("spo", pattern)
            if term is not None and not isinstance(term, Variable)
        }
        text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        for s, p, o in self.dmkg_store.select(text, bindings).rows:
            triple = (
                s if s is not None else bindings["s"],
                p if p is not None else bindings["p"],
                o if o is not None else bindings["o"],
            )
            yield triple, iter([None])

    def __len__(self, context: Any = None) -> int:
        return self.dmkg_store.count()
