"""The SPARQL 1.1 Protocol, read-only: parse a request, pick a result format, answer.

The HTTP side (:func:`protocol_request`) turns a GET or POST into a :class:`QueryRequest`
or refuses it (an update, a dataset the endpoint does not hold, a missing query). The
evaluation side (:func:`evaluate`) runs in a worker process (see :mod:`kg.web.pool`): it checks
the query with :func:`kg.store.readonly.check_read_only` (no update, SERVICE, LOAD or FROM), runs it,
refuses a result over the row limit, and serialises it in the negotiated format. Every
refusal is an :class:`Answer` with a 4xx or 5xx status and a plain-text message, never a
truncated 200. ``GET /sparql`` without a query answers the service description of
:func:`kg.web.void.service_graph`.

>>> negotiate("application/sparql-results+xml;q=0.9, text/csv", (), "results")
'csv'
>>> negotiate("*/*", (), "graph")
'turtle'
>>> negotiate("image/png", (), "results") is None
True
>>> negotiate("text/*;q=0.5, text/csv;q=0", (), "results")
'tsv'
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import Node

from kg.errors import QueryError
from kg.namespaces import bind_prefixes
from kg.store.readonly import check_read_only
from kg.web.conneg import parse_accept, quality

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Answer",
    "QueryRequest",
    "error",
    "evaluate",
    "negotiate",
    "protocol_request",
]

#: SELECT and ASK result formats: name -> media type
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: CONSTRUCT and DESCRIBE formats: name -> media type
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_RDFLIB_GRAPH_FORMAT = {"turtle": "turtle", "nt": "nt", "rdfxml": "xml", "jsonld": "json-ld"}

# other media types and short names clients use for the same formats
_RESULT_ALIASES = {
    "application/json": "json",
    "text/javascript": "json",
    "application/javascript": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
}
_GRAPH_ALIASES = {
    "application/x-turtle": "turtle",
    "application/turtle": "turtle",
    "turtle": "turtle",
    "ttl": "turtle",
    "text/plain": "nt",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    "xml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdfxml": "rdfxml",
    "application/json": "jsonld",
    "json": "jsonld",
    "json-ld": "jsonld",
    "jsonld": "jsonld",
}


@dataclass(frozen=True)
class Answer:
    """What the endpoint sends back: status, media type and body."""

    status: int
    content_type: str
    body: bytes

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def error(status: int, message: str) -> Answer:
    """A refusal or failure with a readable message."""
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


@dataclass(frozen=True)
class QueryRequest:
    """A query to run: its text, the client's Accept header and any ``format`` hints."""

    text: str
    accept: str = ""
    hints: tuple[str, ...] = ()


def _accept_items(accept: str) -> list[tuple[str, float]]:
    """The media ranges of ``accept`` (read by :func:`kg.web.conneg.parse_accept`) the
    client accepts, best first; among equal q-values the client's order."""
    ranges = parse_accept(accept)
    items = [(f"{r.type}/{r.subtype}", r.q, n) for n, r in enumerate(ranges) if r.q > 0]
    items.sort(key=lambda item: (-item[1], item[2]))
    return [(media, q) for media, q, _ in items]


def negotiate(accept: str, hints: tuple[str, ...] | list[str], kind: str) -> str | None:
    """The format to answer in (a key of ``RESULT_FORMATS`` or ``GRAPH_FORMATS``), or None.

    ``kind`` is ``results`` (SELECT, ASK) or ``graph`` (CONSTRUCT, DESCRIBE). A ``format`` or
    ``output`` parameter the client sent wins over its Accept header (SPARQLWrapper and
    browsers' download links use it); an absent or wildcard Accept gives the default, JSON
    results or Turtle.

    >>> negotiate("", ["text/csv"], "results"), negotiate("", ["xml"], "graph")
    ('csv', 'rdfxml')
    """
    formats = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    aliases = _RESULT_ALIASES if kind == "results" else _GRAPH_ALIASES
    by_type = {media: name for name, media in formats.items()}

    def known(media: str) -> str | None:
        return by_type.get(media) or aliases.get(media)

    for hint in hints:
        found = known(hint.strip().lower())
        if found:
            return found
    ranges = parse_accept(accept)
    if not ranges:  # no Accept header, or none that can be read: the default
        return next(iter(formats))
    for media, _ in _accept_items(accept):
        found = known(media)
        if found:
            return found
        if media.endswith("/*"):  # a wildcard: the first format not refused by a q=0
            for name, full in formats.items():
                if quality(full, ranges) > 0 and (media == "*/*" or full.startswith(media[:-1])):
                    return name
    return None


# -- serialisation ------------------------------------------------------------------------


def _tsv_term(term: Node | None) -> str:
    """A term in the SPARQL 1.1 TSV results format (Turtle syntax; blank nodes as _:x)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def _tsv(variables: list[str], rows: list[list[Node | None]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _ask_tabular(answer: bool, fmt: str) -> bytes:
    # The CSV/TSV results note defines no boolean form; like Apache Jena, we answer with a
    # one-cell table named _askResult.
    head = "?_askResult" if fmt == "tsv" else "_askResult"
    return f"{head}\n{'true' if answer else 'false'}\n".encode()


def _select_body(result: Any, fmt: str) -> bytes:
    if fmt == "tsv":
        variables = [str(v) for v in (result.vars or [])]
        rows = [[row[i] for i in range(len(variables))] for row in result]
        return _tsv(variables, rows)
    if fmt == "csv":
        # rdflib's CSV serialiser writes \r\n line ends as RFC 4180 asks
        buffer = io.BytesIO()
        result.serialize(buffer, format="csv")
        return buffer.getvalue()
    body = result.serialize(format=fmt)
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def evaluate(graph: Graph, request: QueryRequest, row_limit: int) -> Answer:
    """Check, run and serialise one query (called inside a worker process).

    Statuses: 200 with the result; 400 a malformed or refused query, or a result over the
    row limit; 403 an update; 406 no acceptable format; 500 a failure while evaluating.
    """
    text = request.text
    if not text.strip():
        return error(400, "the query is empty; send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if _is_update(text):
        return error(
            403,
            "this endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, "
            "CREATE, DROP, ...) are refused",
        )
    try:
        query = check_read_only(text)
    except QueryError as exc:
        return error(400, str(exc))
    name = query.algebra.name
    kind = "graph" if name in ("ConstructQuery", "DescribeQuery") else "results"
    fmt = negotiate(request.accept, request.hints, kind)
    offered = RESULT_FORMATS if kind == "results" else GRAPH_FORMATS
    if fmt is None:
        return error(
            406,
            f"none of the requested formats ({request.accept or 'none'}) can "
            f"carry this result; offered: {', '.join(offered.values())}",
        )
    try:
        result = graph.query(query)
        if result.type == "ASK":
            answer = bool(result.askAnswer)
            if fmt in ("csv", "tsv"):
                return Answer(200, _content_type(offered[fmt]), _ask_tabular(answer, fmt))
            return Answer(200, _content_type(offered[fmt]), _select_body(result, fmt))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            out = result.graph
            if out is None:  # pragma: no cover - rdflib always gives a graph here
                out = Graph()
            if len(out) > row_limit:
                return _too_many(len(out), row_limit, "triples")
            bind_prefixes(out)
            body = out.serialize(format=_RDFLIB_GRAPH_FORMAT[fmt], encoding="utf-8")
            return Answer(200, _content_type(offered[fmt]), body)
        rows = len(result)
        if rows > row_limit:
            return _too_many(rows, row_limit, "rows")
        return Answer(200, _content_type(offered[fmt]), _select_body(result, fmt))
    except Exception as exc:  # noqa: BLE001 - evaluation errors of many kinds
        return error(500, f"the query failed while running: {type(exc).__name__}: {str(exc)[:300]}")


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8"


def _too_many(found: int, limit: int, what: str) -> Answer:
    return error(
        400,
        f"the result has {found} {what}, more than this endpoint's limit of "
        f"{limit}; narrow the query or add a LIMIT (results are never cut short)",
    )


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update (or not SPARQL at all)
        return False
    return True


# -- the HTTP side ------------------------------------------------------------------------


def protocol_request(
    method: str, query_string: str, content_type: str, body: bytes, accept: str
) -> QueryRequest | Answer:
    """Read a SPARQL 1.1 Protocol request; return the query to run, or a refusal.

    GET carries ``query=`` in the URL; POST carries it form-encoded or as the body of an
    ``application/sparql-query`` request. ``update=`` and ``application/sparql-update`` are
    refused (403), so are ``default-graph-uri`` and ``named-graph-uri`` (the endpoint has
    one graph and names no other) and a request with no query or two of them (400).

    >>> protocol_request("GET", "query=ASK%7B%7D", "", b"", "text/csv").text
    'ASK{}'
    >>> protocol_request("POST", "", "application/sparql-update", b"CLEAR ALL", "").status
    403
    """
    params = parse_qs(query_string, keep_blank_values=True)
    media = content_type.split(";")[0].strip().lower()
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    text: list[str] = []
    if method == "POST":
        try:
            decoded = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return error(400, f"the request body is not valid {charset} text")
        if media == "application/sparql-update":
            return error(403, "this endpoint is read-only: SPARQL updates are refused")
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(decoded, keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            text.append(decoded)
        else:
            return error(
                415,
                f"unsupported request content type {media or 'none'!r}; send "
                "application/x-www-form-urlencoded or application/sparql-query",
            )
    elif method != "GET":
        return error(405, f"{method} is not supported; use GET or POST")
    if "update" in params:
        return error(403, "this endpoint is read-only: SPARQL updates are refused")
    for key in ("default-graph-uri", "named-graph-uri"):
        if key in params:
            return error(
                400,
                f"{key} is refused: queries run on this endpoint's own graph "
                "only, which has no name to select",
            )
    text += params.get("query", [])
    if not text:
        return error(
            400,
            "no query: send query=... (GET or form POST) or a POST body of type "
            "application/sparql-query",
        )
    if len(text) > 1:
        return error(400, f"{len(text)} queries in one request; send exactly one")
    hints = tuple(params.get("format", []) + params.get("output", []))
    return QueryRequest(text[0], accept, hints)
