"""Canned SPARQL queries: files in ``queries/`` with a comment header, run read-only.

A query file starts with a header of ``#`` lines::

    # title: Sign frequency
    # description: Per clinical finding, patients with it present, absent or unknown.
    # param: source doi optional DOI of a publication; every source when omitted
    # param: min_age integer 18 youngest age included
    # columns: sign present absent unknown patients
    # median: months_list -> median_followup_months
    # rename: assessed1 -> N1
    # order: status

``param`` lines give name, type, default (``required``, ``optional`` or a value) and a
description. Types: ``string``, ``integer``, ``decimal``, ``doi`` (a DOI string) and
``term:Root`` (a label, synonym or CURIE of an ontology term under ``dmkg:Root``, bound as
its IRI). Each value reaches the query as a binding of the variable of the same name,
never by editing the query text. A ``median`` line turns a ``GROUP_CONCAT`` column of
numbers into their median (SPARQL has no median aggregate). A ``rename`` line gives a result
column its declared name where the query cannot use that name itself (Virtuoso reads
variable names without regard to case, so ``?n1`` and ``?N1`` are one variable there). An
``order`` line sorts the rows by those columns' text after the query, as ``ORDER BY`` would
for IRIs and strings, where the query cannot sort them itself (Virtuoso 7 cannot sort rows
holding a string longer than about 4,000 characters, such as a long ``GROUP_CONCAT``).

>>> q = load_query("summary-sources")
>>> q.title
'Sources in the graph'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib import Graph, Literal, URIRef

from kg.errors import NotFoundError, QueryError
from kg.resources import query_files

__all__ = [
    "PARAM_TYPES",
    "QUERY_NS",
    "CannedQuery",
    "Param",
    "catalogue_graph",
    "list_queries",
    "load_query",
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
    order: tuple[str, ...] = ()

    @property
    def is_violation_check(self) -> bool:
        return self.name.endswith("-violation")

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
        # a key line is "# key: value"; a line indented further ("#   ...") continues the last key
        match = re.match(r"# ?(\w+):\s*(.*)", line)
        if match:
            current = match.group(1).lower()
            value = match.group(2).strip()
            if current == "param":
                fields["params"].append(_parse_param(value, file))
            elif current in ("columns", "order"):
                fields[current] = tuple(value.replace(",", " ").split())
            elif current in ("median", "rename"):
                source, _, target = value.partition("->")
                fields[current + "s"].append((source.strip(), target.strip()))
            else:
                fields[current] = value
        elif current in ("title", "description"):
            fields[current] += " " + line.lstrip("# ").strip()
    return fields


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
                tuple(head.get("order", ())),
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


def catalogue_graph(target: str | None = None) -> Graph:
    """The canned queries as ``sh:SPARQLExecutable`` resources, so SPARQL users find them.

    Follows the pattern of SIB's sparql-examples: the query text in ``sh:select``, the
    description in ``rdfs:comment``, and the endpoint the query runs on in ``schema:target``
    when ``target`` names one (the web app names its own ``/sparql``; a built graph knows no
    endpoint, so the build leaves it out).

    >>> from rdflib import URIRef
    >>> g = catalogue_graph(target="http://127.0.0.1:8000/sparql")
    >>> sorted(set(g.objects(None, URIRef("https://schema.org/target"))))
    [rdflib.term.URIRef('http://127.0.0.1:8000/sparql')]
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
        if target is not None:
            graph.add((node, schema.target, URIRef(target)))
    return graph
