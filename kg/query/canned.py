"""Canned SPARQL queries: files in ``queries/`` with a comment header, run read-only.

A query file starts with a header of ``#`` lines::

    # title: Sign frequency
    # description: Per clinical finding, patients with it present, absent or unknown.
    # param: source doi optional DOI of a publication; every source when omitted
    # param: min_age integer 18 youngest age included
    # columns: sign present absent unknown patients
    # median: months_list -> median_followup_months
    # rename: assessed1 -> N1

``param`` lines give name, type, default (``required``, ``optional`` or a value) and a
description. Types: ``string``, ``integer``, ``decimal``, ``doi`` (a DOI string) and
``term:Root`` (a label, synonym or CURIE of an ontology term under ``dmkg:Root``, bound as
its IRI). Each value reaches the query as a binding of the variable of the same name,
never by editing the query text. A ``median`` line turns a ``GROUP_CONCAT`` column of
numbers into their median (SPARQL has no median aggregate). A ``rename`` line gives a result
column its declared name where the query cannot use that name itself (Virtuoso reads
variable names without regard to case, so ``?n1`` and ``?N1`` are one variable there).

>>> q = load_query("summary-sources")
>>> q.title
'Sources in the graph'
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node, Variable

from kg.errors import NotFoundError, QueryError
from kg.namespaces import DMKG
from kg.resources import query_files

if TYPE_CHECKING:  # kg.store.stores imports this module
    from kg.store.stores import Store

__all__ = [
    "PARAM_TYPES",
    "QUERY_NS",
    "CannedQuery",
    "Param",
    "QueryResult",
    "bind_params",
    "catalogue_graph",
    "list_queries",
    "load_query",
    "run_query",
    "run_violation_checks",
]

#: canned queries are published in the graph under this namespace (SIB sparql-examples style)
QUERY_NS = "https://w3id.org/dmkg/query/"

PARAM_TYPES = ("string", "integer", "decimal", "doi", "term")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a canned query."""

    name: str
    type: str
    default: str | None  # None: optional with no default
    required: bool
    description: str
    root: str | None = None  # for term parameters: the local name of the root class

    def as_dict(self) -> dict[str, Any]:
        kind = f"term:{self.root}" if self.type == "term" else self.type
        return {
            "name": self.name,
            "type": kind,
            "default": self.default,
            "required": self.required,
            "description": self.description,
        }


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its name (file stem), header fields and SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    medians: tuple[tuple[str, str], ...]
    text: str
    renames: tuple[tuple[str, str], ...] = ()

    @property
    def is_violation_check(self) -> bool:
        return self.name.endswith("-violation")

    @property
    def prepared(self) -> Query:
        return _prepare(self.text, self.name)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (its parameters: {known})")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [p.as_dict() for p in self.params],
            "columns": list(self.columns),
        }


@dataclass
class QueryResult:
    """Column names and rows of RDF terms (None where unbound)."""

    columns: list[str]
    rows: list[list[Node | None]] = field(default_factory=list)

    def records(self) -> list[dict[str, Node | None]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


def _parse_param(line: str, file: str) -> Param:
    parts = line.split(None, 3)
    if len(parts) < 3:
        raise QueryError(
            f"{file}: bad '# param:' line {line!r}; expected 'name type default description'"
        )
    name, kind, default = parts[0], parts[1], parts[2]
    description = parts[3] if len(parts) > 3 else ""
    root = None
    if kind.startswith("term:"):
        kind, root = "term", kind.split(":", 1)[1]
    if kind not in PARAM_TYPES:
        raise QueryError(
            f"{file}: parameter {name!r} has unknown type {kind!r}; expected one of "
            + ", ".join(PARAM_TYPES)
        )
    required = default == "required"
    return Param(
        name,
        kind,
        None if default in ("required", "optional") else default,
        required,
        description,
        root,
    )


def _header(text: str, file: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"params": [], "columns": (), "medians": [], "renames": []}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(\w+):\s*(.*)", line)
        if match:
            current = match.group(1).lower()
            value = match.group(2).strip()
            if current == "param":
                fields["params"].append(_parse_param(value, file))
            elif current == "columns":
                fields["columns"] = tuple(value.replace(",", " ").split())
            elif current in ("median", "rename"):
                source, _, target = value.partition("->")
                fields[current + "s"].append((source.strip(), target.strip()))
            else:
                fields[current] = value
        elif current in ("title", "description"):
            fields[current] += " " + line.lstrip("# ").strip()
    return fields


@cache
def _prepare(text: str, name: str) -> Query:
    try:
        return prepareQuery(text)
    except Exception as exc:  # noqa: BLE001 - rdflib raises pyparsing errors of several kinds
        raise QueryError(f"query {name!r} does not parse: {exc}") from None


@lru_cache(maxsize=1)
def _all_queries() -> tuple[CannedQuery, ...]:
    found = []
    for path in query_files():
        text = path.read_text(encoding="utf-8")
        head = _header(text, path.name)
        found.append(
            CannedQuery(
                path.stem,
                head.get("title", path.stem),
                head.get("description", ""),
                tuple(head["params"]),
                tuple(head["columns"]),
                tuple(head["medians"]),
                text,
                tuple(head["renames"]),
            )
        )
    return tuple(found)


def list_queries(include_checks: bool = True) -> list[CannedQuery]:
    """Every query file, sorted by name (``*-violation`` checks too unless excluded)."""
    return [q for q in _all_queries() if include_checks or not q.is_violation_check]


def load_query(name: str) -> CannedQuery:
    """The query file called ``name`` (without ``.rq``)."""
    for query in _all_queries():
        if query.name == name:
            return query
    known = ", ".join(q.name for q in _all_queries() if not q.is_violation_check)
    raise NotFoundError(f"no canned query named {name!r}; known queries: {known}")


def _resolve_doi(graph: Graph | None, value: str) -> Literal:
    """The publication's DOI as stored, found by its DOI or another DOI it has (any case)."""
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise QueryError(
            f"{value!r} is not a DOI (expected 10.NNNN/..., e.g. 10.1016/j.jaad.2020.03.058)"
        )
    if graph is None:
        return Literal(doi)
    for prop in (DMKG.doi, DMKG.alsoDoi):
        for pub, stored in graph.subject_objects(prop):
            if str(stored).casefold() == doi.casefold():
                main = graph.value(pub, DMKG.doi)
                return Literal(str(main if main is not None else stored))
    known = sorted(str(o) for o in graph.objects(None, DMKG.doi))
    raise QueryError(f"no publication with DOI {doi!r} in the graph; known: {', '.join(known)}")


def bind_params(
    query: CannedQuery, values: dict[str, str], graph: Graph | None = None, terms: Any = None
) -> dict[str, Identifier]:
    """Check and convert parameter values (strings, as typed by a user) to RDF terms.

    ``terms`` is a :class:`kg.terms.TermIndex` for ``term`` parameters.
    """
    bindings: dict[str, Identifier] = {}
    for name in values:
        query.param(name)  # unknown parameter -> QueryError
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise QueryError(
                    f"query {query.name!r} needs --param {param.name}=VALUE ({param.description})"
                )
            continue
        bindings[param.name] = _convert(query, param, str(raw), graph, terms)
    return bindings


def _convert(
    query: CannedQuery, param: Param, raw: str, graph: Graph | None, terms: Any
) -> Identifier:
    where = f"parameter {param.name!r} of query {query.name!r}"
    if param.type == "string":
        return Literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise QueryError(f"{where}: {raw!r} is not a whole number")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "decimal":
        try:
            return Literal(Decimal(raw.strip()), datatype=XSD.decimal)
        except InvalidOperation:
            raise QueryError(f"{where}: {raw!r} is not a number") from None
    if param.type == "doi":
        return _resolve_doi(graph, raw)
    # term
    from kg.errors import CurationError
    from kg.terms import TermIndex

    if terms is None:
        from kg.ontology import load_ontology

        terms = TermIndex(load_ontology())
    root = DMKG._NS[param.root] if param.root else None
    text = raw.strip()
    if text.startswith("dmkg:"):
        iri = DMKG._NS[text[5:]]
        if root is not None and not terms.is_under(iri, root):
            raise QueryError(f"{where}: {raw!r} is not under {terms.label(root)!r}")
        return iri
    try:
        return URIRef(terms.resolve(text, root=root))
    except CurationError as exc:
        hint = (
            f"; did you mean {' or '.join(map(repr, exc.suggestions))}?" if exc.suggestions else ""
        )
        kind = terms.label(root) if root is not None else "term"
        raise QueryError(f"{where}: {raw!r} is not a known {kind}{hint}") from None


def _median(cell: Node | None) -> Literal | None:
    if cell is None or not str(cell).strip():
        return None
    try:
        numbers = [Decimal(x) for x in str(cell).split()]
    except InvalidOperation:
        raise QueryError(f"median over non-numbers: {str(cell)[:80]!r}") from None
    value = statistics.median(numbers)
    return Literal(
        Decimal(value).normalize() if value == value.to_integral() else value, datatype=XSD.decimal
    )


def run_query(
    graph: Graph | Store,
    name: str,
    params: dict[str, str] | None = None,
    *,
    bindings: dict[str, Identifier] | None = None,
    terms: Any = None,
) -> QueryResult:
    """Run a canned query on ``graph`` (an rdflib graph or a :class:`kg.store.stores.Store`, e.g. a
    remote endpoint); ``params`` are user strings, checked and converted."""
    query = load_query(name)
    bound = dict(bindings or {})
    if not isinstance(graph, Graph):  # a Store: the embedded one, or a remote endpoint
        needs_dois = any(
            p.type == "doi" and (p.name in (params or {}) or p.default) for p in query.params
        )
        lookup = graph.lookup_graph() if needs_dois else None
        bound.update(bind_params(query, params or {}, lookup, terms))
        return _post_process(query, graph.select(query.text, bound))
    bound.update(bind_params(query, params or {}, graph, terms))
    result = graph.query(query.prepared, initBindings={Variable(k): v for k, v in bound.items()})
    columns = [str(v) for v in (result.vars or [])]
    rows = [[row[i] for i in range(len(columns))] for row in result]  # type: ignore[index]
    return _post_process(query, QueryResult(columns, rows))


def _post_process(query: CannedQuery, result: QueryResult) -> QueryResult:
    for source, target in query.renames:
        if source not in result.columns:
            raise QueryError(f"query {query.name!r}: renamed column {source!r} not selected")
        result.columns[result.columns.index(source)] = target
    for source, target in query.medians:
        if source not in result.columns:
            raise QueryError(f"query {query.name!r}: median source column {source!r} not selected")
        i = result.columns.index(source)
        result.columns[i] = target
        for row in result.rows:
            row[i] = _median(row[i])
    return result


def catalogue_graph() -> Graph:
    """The canned queries as ``sh:SPARQLExecutable`` resources, so SPARQL users find them.

    Follows the pattern of SIB's sparql-examples: the query text in ``sh:select``, the
    description in ``rdfs:comment``.
    """
    from rdflib import RDF, RDFS, Namespace
    from rdflib.namespace import DCTERMS, SH

    schema = Namespace("https://schema.org/")
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("schema", schema)
    for query in list_queries(include_checks=False):
        node = URIRef(QUERY_NS + query.name)
        graph.add((node, RDF.type, SH.SPARQLExecutable))
        graph.add((node, RDF.type, SH.SPARQLSelectExecutable))
        graph.add((node, RDFS.label, Literal(query.title, lang="en")))
        graph.add((node, RDFS.comment, Literal(query.description, lang="en")))
        graph.add((node, SH.select, Literal(query.text)))
        graph.add((node, DCTERMS.identifier, Literal(query.name)))
        for param in query.params:
            graph.add((node, schema.keywords, Literal(f"parameter:{param.name}")))
    return graph


def run_violation_checks(graph: Graph | Store) -> dict[str, int]:
    """Run every ``*-violation`` query on a graph or a store; return the number of rows each
    found (0 is good)."""
    found = {}
    for query in list_queries():
        if query.is_violation_check:
            if isinstance(graph, Graph):
                found[query.name] = len(graph.query(query.prepared))
            else:
                found[query.name] = len(graph.select(query.text).rows)
    return found
