"""Where queries run: the embedded in-process graph, or a remote SPARQL 1.1 endpoint.

Both stores answer with :class:`kg.query.canned.QueryResult` rows of the same rdflib term types
(``URIRef``, ``Literal`` with its datatype or language, ``BNode``), so :mod:`kg.query.render`
renders an embedded answer and a remote one identically. The remote store talks the SPARQL
1.1 Protocol through SPARQLWrapper (JSON results); the bindings of a canned query reach it as
a ``VALUES`` block built from RDF terms and put at the start of the query's outermost
``WHERE`` group, never as pasted user text:

>>> from rdflib import Literal
>>> print(with_values("SELECT ?x WHERE { ?x ?p ?age FILTER(?age >= ?min) }",
...                   {"min": Literal(60)}))
SELECT ?x WHERE { VALUES (?min) { ("60"^^<http://www.w3.org/2001/XMLSchema#integer>) }
 ?x ?p ?age FILTER(?age >= ?min) }

Every failure of a remote (refused connection, timeout, HTTP 4xx/5xx, wrong credentials, an
answer that is not SPARQL results) becomes one :class:`RemoteError` naming the URL, what
happened and what to check.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node, Variable

from kg.errors import QueryError, RemoteError
from kg.namespaces import DMKG
from kg.query.canned import QueryResult
from kg.store.readonly import SparqlAnswer, check_read_only, run_sparql

__all__ = [
    "BENCH_PARAMS",
    "DEFAULT_GRAPH_IRI",
    "DEFAULT_TIMEOUT",
    "EmbeddedStore",
    "Endpoint",
    "OxigraphStore",
    "RemoteError",
    "RemoteStore",
    "Store",
    "benchmark_engines",
    "graph_iri",
    "replicate",
    "term_from_json",
    "values_block",
    "with_values",
]

#: the named graph that ``dmkg publish`` writes and ``--endpoint`` queries read by default
DEFAULT_GRAPH_IRI = "https://w3id.org/dmkg/graph"
#: seconds a remote may take to answer one request
DEFAULT_TIMEOUT = 30.0

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# ---------------------------------------------------------------------------------------------
# VALUES blocks
# ---------------------------------------------------------------------------------------------


def values_block(bindings: Mapping[str, Identifier]) -> str:
    """One row of ``VALUES`` for ``bindings``, each value written by rdflib's ``n3()``.

    >>> from rdflib import URIRef
    >>> values_block({"sign": URIRef("https://w3id.org/dmkg/ontology/Myositis")})
    'VALUES (?sign) { (<https://w3id.org/dmkg/ontology/Myositis>) }'
    >>> values_block({"doi": Literal('a" } DROP ALL #')})
    'VALUES (?doi) { ("a\\\\" } DROP ALL #") }'
    """
    names, terms = [], []
    for name, value in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise QueryError(
                f"{name!r} is not a SPARQL variable name (expected letters, digits and underscores)"
            )
        if not isinstance(value, (URIRef, Literal)):
            raise QueryError(
                f"variable ?{name}: only IRIs and literals can be bound remotely, "
                f"not {type(value).__name__}"
            )
        names.append(f"?{name}")
        terms.append(value.n3())
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def graph_iri(value: str, flag: str = "--graph") -> str:
    """``value`` if it is an absolute IRI that can be written as ``<value>`` in SPARQL.

    >>> graph_iri("https://w3id.org/dmkg/graph")
    'https://w3id.org/dmkg/graph'
    >>> graph_iri("build/dmkg.nt")
    Traceback (most recent call last):
    kg.errors.RemoteError: --graph 'build/dmkg.nt' is not an absolute IRI (expected e.g. https://w3id.org/dmkg/graph)
    """
    if not (re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) and _IRIREF.fullmatch(f"<{value}>")):
        raise RemoteError(
            f"{flag} {value!r} is not an absolute IRI (expected e.g. {DEFAULT_GRAPH_IRI})"
        )
    return value


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _outer_group(text: str) -> int:
    """Index of the ``{`` opening the outermost WHERE group of a query (comments, strings and
    IRIs skipped; braces inside parentheses, as in ``(EXISTS {...} AS ?x)``, ignored)."""
    i, n = 0, len(text)
    braces = parens = 0
    form: str | None = None
    last_word = ""
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            match = _IRIREF.match(text, i)
            if match:
                i = match.end()
                continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if braces == 0 and parens == 0 and (form != "CONSTRUCT" or last_word == "WHERE"):
                return i
            braces += 1
        elif c == "}":
            braces -= 1
        elif c.isalpha() or c == "_":
            match = _WORD.match(text, i)
            assert match is not None
            word = match.group().upper()
            if braces == 0 and parens == 0 and text[i - 1 : i] not in ("?", "$", ":"):
                last_word = word
                if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                    form = word
            i = match.end()
            continue
        i += 1
    raise QueryError("cannot find the WHERE group of the query to bind its parameters")


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with a ``VALUES`` row for ``bindings`` first in its outermost WHERE group.

    First, not last: a trailing ``VALUES`` is joined after the group's FILTERs are applied,
    so ``FILTER(?age >= ?min_age)`` would see ``?min_age`` unbound.
    """
    if not bindings:
        return text
    at = _outer_group(text) + 1
    return f"{text[:at]} {values_block(bindings)}\n{text[at:]}"


# ---------------------------------------------------------------------------------------------
# SPARQL JSON results -> rdflib terms
# ---------------------------------------------------------------------------------------------


def term_from_json(cell: Mapping[str, str]) -> Node:
    """An rdflib term from one cell of SPARQL 1.1 JSON results.

    Virtuoso still writes SPARQL 1.0's ``typed-literal``; ``xsd:string`` is dropped, since in
    RDF 1.1 a plain literal and an ``xsd:string`` literal are the same term (rdflib 7 keeps
    them apart, and the embedded store gives plain literals).

    >>> term_from_json({"type": "literal", "value": "77",
    ...                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}).toPython()
    77
    >>> term_from_json({"type": "typed-literal", "value": "x",
    ...                 "datatype": "http://www.w3.org/2001/XMLSchema#string"}) == Literal("x")
    True
    """
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = cell.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        datatype = cell.get("datatype")
        if datatype and datatype != str(XSD.string):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise RemoteError(f"the endpoint answered a result cell of unknown type {kind!r}")


# ---------------------------------------------------------------------------------------------
# The stores
# ---------------------------------------------------------------------------------------------


class Store(ABC):
    """Where the graph lives and queries run. Subclasses give the same rows and term types."""

    #: a short description for messages ("embedded graph", "http://... <graph>")
    description: str = "store"

    @abstractmethod
    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        """Run a SELECT query (a trusted one, e.g. canned) with ``bindings``."""

    @abstractmethod
    def sparql(self, text: str) -> SparqlAnswer:
        """Run a user's query after the read-only check of :func:`kg.store.readonly.check_read_only`."""

    @abstractmethod
    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        """Every ``rdfs:label`` of each IRI (for :mod:`kg.query.render` to choose one)."""

    @abstractmethod
    def lookup_graph(self) -> Graph:
        """A graph holding at least the publications' DOIs (``dmkg:doi``, ``dmkg:alsoDoi``),
        for checking a ``source`` parameter."""


class EmbeddedStore(Store):
    """The in-process rdflib graph (the default: no server to start).

    >>> from kg.query.canned import QueryResult
    >>> g = Graph()
    >>> _ = g.add((DMKG.Myositis, RDFS.label, Literal("myositis")))
    >>> EmbeddedStore(g).select("SELECT ?l WHERE { ?s ?p ?l }").rows
    [[rdflib.term.Literal('myositis')]]
    """

    description = "embedded graph"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        from kg.query.canned import _prepare

        result = self.graph.query(
            _prepare(text, "query"),
            initBindings={Variable(k): v for k, v in (bindings or {}).items()},
        )
        columns = [str(v) for v in (result.vars or [])]
        rows = [[row[i] for i in range(len(columns))] for row in result]  # type: ignore[index]
        return QueryResult(columns, rows)

    def sparql(self, text: str) -> SparqlAnswer:
        return run_sparql(self.graph, text)

    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        return {iri: list(self.graph.objects(iri, RDFS.label)) for iri in iris}

    def lookup_graph(self) -> Graph:
        return self.graph


@dataclass(frozen=True)
class Endpoint:
    """How to reach a remote store: URLs, credentials and a timeout in seconds.

    ``update_url`` defaults to the query URL, or to ``.../update`` when the query URL ends in
    ``/query`` (Oxigraph, Fuseki).

    >>> Endpoint("http://127.0.0.1:7878/query").update
    'http://127.0.0.1:7878/update'
    >>> Endpoint("http://127.0.0.1:8890/sparql").update
    'http://127.0.0.1:8890/sparql'
    """

    url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = None
    auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("url", "update_url", "gsp_url"):
            value = getattr(self, name)
            if value is not None and urllib.parse.urlsplit(value).scheme not in ("http", "https"):
                flag = {
                    "url": "--endpoint",
                    "update_url": "--update-endpoint",
                    "gsp_url": "--gsp-endpoint",
                }[name]
                raise RemoteError(
                    f"{flag} {value!r} is not an http(s) URL (expected e.g. "
                    "http://127.0.0.1:7878/query)"
                )
        if self.auth not in ("basic", "digest"):
            raise RemoteError(f"unknown authentication {self.auth!r}; expected basic or digest")
        if self.timeout <= 0:
            raise RemoteError(f"timeout must be positive, not {self.timeout}")

    @property
    def update(self) -> str:
        if self.update_url:
            return self.update_url
        if self.url.rstrip("/").endswith("/query"):
            return self.url.rstrip("/")[: -len("query")] + "update"
        return self.url

    def with_timeout(self, timeout: float) -> Endpoint:
        return replace(self, timeout=timeout)

    # -- plain HTTP, for updates and the Graph Store Protocol --------------------------------

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.user and self.password and self.auth == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.url, self.update, self.gsp_url):
                if url:
                    manager.add_password(None, url, self.user, self.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        return urllib.request.build_opener(*handlers)

    def request(
        self,
        url: str,
        *,
        method: str = "POST",
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        what: str = "request",
    ) -> bytes:
        """Send one HTTP request and return the body; any failure is a :class:`RemoteError`."""
        req = urllib.request.Request(url, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        if accept:
            req.add_header("Accept", accept)
        if self.user and self.password and self.auth == "basic":
            import base64

            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with self._opener().open(req, timeout=self.timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise self.http_error(
                url, exc.code, exc.reason, _read(exc), exc.headers, what
            ) from None
        except Exception as exc:  # noqa: BLE001 - mapped to one clear message below
            raise self.transport_error(url, exc, what) from None

    def update_request(self, text: str, what: str = "update") -> None:
        """POST a SPARQL 1.1 Update (``application/sparql-update``)."""
        self.request(
            self.update,
            data=text.encode("utf-8"),
            content_type="application/sparql-update",
            what=what,
        )

    # -- error messages ----------------------------------------------------------------------

    def transport_error(self, url: str, exc: BaseException, what: str) -> RemoteError:
        reason = getattr(exc, "reason", None)
        if isinstance(exc, (TimeoutError, socket.timeout)) or isinstance(
            reason, (TimeoutError, socket.timeout)
        ):
            return RemoteError(
                f"{what} to {url}: no answer within {self.timeout:g} s "
                "(the server is slow or stuck; raise --timeout if it is only "
                "slow)"
            )
        if isinstance(reason, ConnectionRefusedError) or isinstance(exc, ConnectionRefusedError):
            return RemoteError(
                f"{what} to {url}: connection refused (is the server running "
                "and listening on that host and port?)"
            )
        if isinstance(
            exc,
            (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.IncompleteRead,
            ),
        ) or isinstance(reason, (ConnectionResetError, BrokenPipeError)):
            return RemoteError(
                f"{what} to {url}: the server closed the connection before "
                "answering (did it stop or crash?)"
            )
        if isinstance(exc, urllib.error.URLError):
            return RemoteError(f"{what} to {url}: cannot connect ({exc.reason})")
        return RemoteError(f"{what} to {url} failed: {type(exc).__name__}: {str(exc)[:200]}")

    def http_error(
        self, url: str, code: int, reason: str, body: str, headers: Any, what: str
    ) -> RemoteError:
        detail = _first_lines(body)
        text = f"{what} to {url}: HTTP {code} {reason}"
        if code in (401, 403):
            challenge = str((headers or {}).get("WWW-Authenticate", "") or "")
            hint = (
                "wrong or missing credentials: give --user and --password (or the "
                "DMKG_USER and DMKG_PASSWORD environment variables)"
            )
            if self.auth != "digest" and not challenge.lower().startswith("basic"):
                hint += (
                    "; the server did not ask for Basic authentication: if it takes Digest "
                    "(as Virtuoso's /sparql-auth does), add --auth digest"
                )
            if code == 403:
                hint = (
                    "the account may not do this (for updates on Virtuoso, grant "
                    "SPARQL_UPDATE or use /sparql-auth with an account that may update)"
                )
            return RemoteError(f"{text}: {hint}")
        if code == 404:
            return RemoteError(
                f"{text}: no SPARQL service at this URL (Oxigraph: /query and "
                "/update; Fuseki: /DATASET/query; Virtuoso: /sparql; GraphDB: "
                "/repositories/REPO)"
            )
        if code in (405, 415):
            return RemoteError(
                f"{text}: this URL does not take this kind of request; is it the "
                f"right endpoint for a {what}? {detail}".rstrip()
            )
        if "permission" in detail.lower():  # Virtuoso answers 500 "SR186: No permission"
            return RemoteError(
                f"{text}: the account may not do this (for updates on Virtuoso, "
                "use /sparql-auth with --auth digest and an account that may "
                f"update, or grant SPARQL_UPDATE): {detail}"
            )
        if 400 <= code < 500:
            return RemoteError(f"{text}: the server refused the request: {detail}")
        return RemoteError(f"{text}: server error: {detail}")


def _read(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - a body we cannot read adds nothing to the message
        return ""


def _wrapper_body(exc: BaseException) -> str:
    """The response body a SPARQLWrapper exception carries in its message (as a repr)."""
    import ast

    _, found, tail = str(exc).partition("Response:\n")
    if not found:
        return ""
    try:
        body = ast.literal_eval(tail.strip())
    except (ValueError, SyntaxError):
        return tail
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _first_lines(body: str | bytes, limit: int = 300) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = re.sub(r"<[^>]+>", " ", body)  # HTML error pages
    text = " ".join(text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


class _QueryTextStore(Store):
    """A store that only takes query text: labels and DOIs are fetched with a query each."""

    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        """One read-only query with a VALUES block of the IRIs (so labels come from the
        store that gave the rows)."""
        wanted = sorted(set(iris))
        found: dict[URIRef, list[Node]] = {iri: [] for iri in wanted}
        if not wanted:
            return found
        text = (
            "SELECT ?iri ?label WHERE { VALUES ?iri { "
            + " ".join(iri.n3() for iri in wanted)
            + f" }} ?iri {RDFS.label.n3()} ?label }}"
        )
        for iri, label in self.select(text).rows:
            if isinstance(iri, URIRef) and label is not None:
                found.setdefault(iri, []).append(label)
        return found

    def lookup_graph(self) -> Graph:
        graph = Graph()
        text = (
            f"SELECT ?pub ?p ?doi WHERE {{ VALUES ?p {{ {DMKG.doi.n3()} "
            f"{DMKG.alsoDoi.n3()} }} ?pub ?p ?doi }}"
        )
        for pub, prop, doi in self.select(text).rows:
            if pub is not None and prop is not None and doi is not None:
                graph.add((pub, prop, doi))
        return graph


class OxigraphStore(_QueryTextStore):
    """The graph in an in-process Oxigraph store (pyoxigraph): no server, the same engine as
    Oxigraph server, and far quicker than rdflib's evaluator (see ``dmkg bench-store``).

    >>> store = OxigraphStore.from_bytes(
    ...     b'<https://w3id.org/dmkg/ontology/Myositis> '
    ...     b'<http://www.w3.org/2000/01/rdf-schema#label> "myositis" .')
    >>> store.select("SELECT ?l WHERE { ?s ?p ?l }").rows
    [[rdflib.term.Literal('myositis')]]
    """

    description = "embedded Oxigraph store"

    def __init__(self, store: Any) -> None:
        self.store = store

    @classmethod
    def from_bytes(cls, data: bytes, fmt: str = "nt") -> OxigraphStore:
        """Load N-Triples (``nt``) or Turtle (``ttl``)."""
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE)
        return cls(store)

    @classmethod
    def from_graph(cls, graph: Graph) -> OxigraphStore:
        return cls.from_bytes(graph.serialize(format="nt", encoding="utf-8"))

    def _run(self, text: str) -> Any:
        try:
            return self.store.query(text)
        except SyntaxError as exc:
            raise QueryError(f"the query does not parse: {str(exc)[:300]}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {type(exc).__name__}: {str(exc)[:300]}") from None

    def _rows(self, answer: Any) -> QueryResult:
        columns = [v.value for v in answer.variables]
        # a term repeats down a column (the DOI, a site, a status): convert each once, which
        # halves the time of turning 20,000 rows into rdflib terms
        seen: dict[Any, Any] = {}

        def term(value: Any) -> Any:
            if value is None:
                return None
            found = seen.get(value)
            if found is None:
                found = seen[value] = _from_ox(value)
            return found

        rows: list[list[Node | None]] = [[term(value) for value in solution] for solution in answer]
        return QueryResult(columns, rows)

    def select(self, text: str, bindings: Mapping[str, Identifier] | None = None) -> QueryResult:
        return self._rows(self._run(with_values(text, bindings or {})))

    def sparql(self, text: str) -> SparqlAnswer:
        query = check_read_only(text)
        kind = query.algebra.name
        if kind == "AskQuery":
            return SparqlAnswer(ask=bool(self._run(text)))
        if kind in ("ConstructQuery", "DescribeQuery"):
            graph = Graph()
            for triple in self._run(text):
                graph.add(
                    (_from_ox(triple.subject), _from_ox(triple.predicate), _from_ox(triple.object))
                )
            return SparqlAnswer(graph=graph)
        return SparqlAnswer(select=self._rows(self._run(text)))


def _from_ox(term: Any) -> Any:
    """An rdflib term from a pyoxigraph term (``xsd:string`` dropped, as in
    :func:`term_from_json`)."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


class RemoteStore(_QueryTextStore):
    """A SPARQL 1.1 endpoint, queried through SPARQLWrapper with JSON results.

    ``graph`` is the named graph the queries read, sent as the protocol's
    ``default-graph-uri`` (the query text stays as it is); ``None`` reads the endpoint's own
    default graph.
    """

    def __init__(self, endpoint: Endpoint, graph: str | None = DEFAULT_GRAPH_IRI) -> None:
        self.endpoint = endpoint
        self.graph = graph_iri(graph) if graph else None
        self.description = endpoint.url + (f" <{graph}>" if graph else "")

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
        query = check_read_only(text)
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


# ---------------------------------------------------------------------------------------------
# Choosing the embedded engine
# ---------------------------------------------------------------------------------------------

#: parameters for the canned queries that need some, in the benchmark
BENCH_PARAMS = {"patients-matching": {"antibody": "anti-TIF1-gamma", "sign": "heliotrope rash"}}


def replicate(graph: Graph, copies: int) -> bytes:
    """The graph ``copies`` times as N-Triples, each copy's data IRIs (patients, records,
    publications, ...) and blank nodes renamed, the ontology shared: a bigger graph of the
    same shape, for timing."""
    from kg.namespaces import DATA

    base = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    prefix = f"<{DATA}"
    parts = []
    for k in range(copies):
        text = base.replace(prefix, f"{prefix}copy{k}/") if k else base
        parts.append(re.sub(r"_:(\w+)", rf"_:c{k}x\1", text))
    return "".join(parts).encode("utf-8")


def benchmark_engines(
    graph: Graph,
    scales: Iterable[int] = (1, 100),
    repeat: int = 3,
    rdflib_max_scale: int = 10,
    progress: Any = None,
) -> list[dict[str, Any]]:
    """Seconds to load the graph (N-Triples) and to run each canned query, on rdflib's
    in-memory store and on an in-process Oxigraph store (:class:`OxigraphStore`, what
    ``dmkg query`` uses); best of ``repeat`` runs. rdflib runs the queries only up to
    ``rdflib_max_scale`` copies (beyond, a single query can take hours). ``rows`` is the row
    count, or both counts where the engines differ."""
    import time

    from kg.query.canned import bind_params, list_queries

    results: list[dict[str, Any]] = []
    for scale in scales:
        data = replicate(graph, scale)
        started = time.perf_counter()
        rdf = Graph().parse(data=data, format="nt")
        rdflib_load = time.perf_counter() - started
        started = time.perf_counter()
        ox = OxigraphStore.from_bytes(data)
        oxigraph_load = time.perf_counter() - started
        triples = len(rdf)
        del data
        if progress:
            progress(f"scale {scale}: {triples:,} triples loaded")
        results.append(
            {
                "scale": scale,
                "triples": triples,
                "step": "load N-Triples",
                "rdflib_s": round(rdflib_load, 3),
                "oxigraph_s": round(oxigraph_load, 3),
                "rows": None,
            }
        )
        for query in list_queries(include_checks=False):
            bound = bind_params(query, BENCH_PARAMS.get(query.name, {}), rdf)
            runs: dict[str, Any] = {
                "oxigraph": lambda q=query, b=bound, o=ox: len(o.select(q.text, b).rows)
            }
            if scale <= rdflib_max_scale:
                runs["rdflib"] = lambda q=query, b=bound, g=rdf: len(
                    list(g.query(q.prepared, initBindings={Variable(k): v for k, v in b.items()}))
                )
            seconds: dict[str, float | None] = {"rdflib": None}
            rows: dict[str, int] = {}
            for engine, run in runs.items():
                best = float("inf")
                for _ in range(max(1, repeat)):
                    started = time.perf_counter()
                    rows[engine] = run()
                    best = min(best, time.perf_counter() - started)
                seconds[engine] = round(best, 3)
            if progress:
                progress(f"scale {scale}: {query.name} done")
            counts = sorted(set(rows.values()))
            results.append(
                {
                    "scale": scale,
                    "triples": triples,
                    "step": query.name,
                    "rdflib_s": seconds["rdflib"],
                    "oxigraph_s": seconds["oxigraph"],
                    "rows": counts[0]
                    if len(counts) == 1
                    else f"{rows.get('rdflib')} vs {rows['oxigraph']}",
                }
            )
    return results
