"""Show query results to people and programs: table, CSV, TSV or JSON records, and W3C
SPARQL 1.1 results JSON (:func:`sparql_json`, what ``--format json`` of the CLI writes).

IRIs are shown by their label, with the CURIE beside them (``sign`` and ``sign_id``) in
CSV, TSV and JSON; the table shows labels only. Numbers keep their type: integers stay
integers and decimals become floats in JSON.

>>> from rdflib import RDFS, Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("https://w3id.org/dmkg/ontology/Myositis"), RDFS.label, Literal("myositis")))
>>> r = QueryResult(["sign", "present"], [[URIRef("https://w3id.org/dmkg/ontology/Myositis"),
...                                       Literal(15)]])
>>> print(render(r, "json", g))
[
  {
    "sign": "myositis",
    "sign_id": "dmkg:Myositis",
    "present": 15
  }
]
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.namespaces import bind_prefixes
from kg.prefixes import DEFAULT_PREFIXES
from kg.query import QueryResult
from kg.store import Store, as_store

__all__ = [
    "FORMATS",
    "curie",
    "python_value",
    "render",
    "render_dicts",
    "render_records",
    "sparql_json",
    "table_text",
]

FORMATS = ("table", "csv", "tsv", "json")


def _namespaces() -> NamespaceManager:
    nm = NamespaceManager(Graph(), bind_namespaces="core")
    graph = nm.graph
    bind_prefixes(graph)
    for prefix, namespace in DEFAULT_PREFIXES.items():  # the prefixes every query may use
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph.namespace_manager


_NM = _namespaces()
_BOUND = tuple(str(namespace) for _, namespace in _NM.namespaces())
#: a local name every IRI below a cached head keeps whole: letters, digits and '_', at least
#: one letter or '_' (rdflib's split_uri needs a place to start a name)
_PLAIN_NAME = re.compile(r"[0-9]*[A-Za-z_][A-Za-z0-9_]*")
#: head (an IRI up to its last '/' or '#') -> its prefix, for heads no longer namespace extends
_HEADS: dict[str, str] = {}


def curie(iri: URIRef) -> str:
    """A compact identifier for an IRI, or the IRI itself if no prefix fits: rdflib's
    ``curie`` (the longest bound namespace), remembered per IRI head, since a query's rows
    bring thousands of IRIs under a few heads and rdflib's own look-up costs 8 us each.

    >>> curie(URIRef("http://purl.obolibrary.org/obo/HP_0025508"))
    'HP:0025508'
    >>> curie(URIRef("https://w3id.org/dmkg/data/patient/P0e1")), _HEADS["https://w3id.org/dmkg/data/patient/"]
    ('patient:P0e1', 'patient')
    >>> curie(URIRef("https://w3id.org/dmkg/data/patient/P0e2"))  # from the head, same answer
    'patient:P0e2'
    """
    text = str(iri)
    cut = max(text.rfind("/"), text.rfind("#")) + 1
    head, tail = text[:cut], text[cut:]
    prefix = _HEADS.get(head)
    if prefix is not None and _PLAIN_NAME.fullmatch(tail):
        return f"{prefix}:{tail}"
    try:
        prefix, namespace, name = _NM.compute_qname(text, generate=False)
    except (KeyError, ValueError):
        return text
    if (
        str(namespace) == head
        and name == tail
        and _PLAIN_NAME.fullmatch(tail)
        and not any(bound.startswith(head) and len(bound) > cut for bound in _BOUND)
    ):
        _HEADS[head] = prefix
    return f"{prefix}:{name}"


def _labels(graph: Graph | Store | None, iris: set[URIRef]) -> dict[URIRef, str]:
    """One label per IRI (English or untagged first, then the smallest), from the store that
    gave the rows."""
    found: dict[URIRef, str] = {}
    if graph is None or not iris:
        return found
    every = as_store(graph).label_literals(iris)
    for iri, labels in every.items():
        english = [
            lab for lab in labels if isinstance(lab, Literal) and lab.language in ("en", None)
        ]
        chosen = sorted(str(lab) for lab in (english or labels))
        if chosen:
            found[iri] = chosen[0]
    return found


def python_value(value: Node | None) -> Any:
    """A literal as int, float, bool or str (None for no value): a decimal written without a
    point (``"15"``) is a whole number. Other terms as their text."""
    if value is None:
        return None
    if isinstance(value, Literal):
        py = value.toPython()
        if isinstance(py, Decimal):
            return int(py) if py == py.to_integral() and "." not in str(value) else float(py)
        if isinstance(py, (int, float, bool, str)):
            return py
        return str(value)
    return str(value)


def render_records(result: QueryResult, graph: Graph | Store | None) -> list[dict[str, Any]]:
    """Rows as dictionaries: labels for IRIs with a ``<column>_id`` CURIE beside them."""
    iri_columns = {
        c
        for i, c in enumerate(result.columns)
        if any(isinstance(row[i], URIRef) for row in result.rows)
    }
    labels = _labels(graph, {v for row in result.rows for v in row if isinstance(v, URIRef)})
    records = []
    for row in result.rows:
        record: dict[str, Any] = {}
        for column, value in zip(result.columns, row):
            if column in iri_columns:
                if isinstance(value, URIRef):
                    short = curie(value)
                    record[column] = labels.get(value, short)
                    record[f"{column}_id"] = short
                else:
                    record[column] = python_value(value)
                    record[f"{column}_id"] = None
            else:
                record[column] = python_value(value)
        records.append(record)
    return records


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table_text(columns: list[str], records: list[dict[str, Any]]) -> str:
    """An aligned plain-text table."""
    rows = [[_cell(r.get(c)) for c in columns] for r in records]
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in records)
        and any(r.get(c) is not None for r in records)
        for c in columns
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if num else cell.ljust(w) for cell, w, num in zip(cells, widths, numeric)
        ).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def render_dicts(columns: list[str], records: list[dict[str, Any]], fmt: str) -> str:
    """Render ready-made rows (e.g. statistics) in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False)
    if fmt == "table":
        return table_text(columns, records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(c) is None else record.get(c) for c in columns])
    return buffer.getvalue().rstrip("\n")


def render(result: QueryResult, fmt: str, graph: Graph | Store | None) -> str:
    """A query result in one of ``FORMATS`` (labels from ``graph``, a graph or a store)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    records = render_records(result, graph)
    columns: list[str] = []
    for column in result.columns:
        columns.append(column)
        if records and f"{column}_id" in records[0] and fmt != "table":
            columns.append(f"{column}_id")
    return render_dicts(columns, records, fmt)


def _json_term(value: Node) -> dict[str, str]:
    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    if isinstance(value, Literal):
        term = {"type": "literal", "value": str(value)}
        if value.language:
            term["xml:lang"] = value.language
        elif value.datatype is not None:
            term["datatype"] = str(value.datatype)
        return term
    raise ValueError(f"not an RDF term: {value!r}")


def sparql_json(result: QueryResult | None = None, *, ask: bool | None = None) -> str:
    """W3C SPARQL 1.1 Query Results JSON for a SELECT ``result`` (or an ASK answer): IRIs as
    IRIs, literals with their datatype or language, unbound variables left out; no labels.

    >>> print(sparql_json(QueryResult(["x"], [[URIRef("urn:a")], [None]])))
    {
      "head": {
        "vars": [
          "x"
        ]
      },
      "results": {
        "bindings": [
          {
            "x": {
              "type": "uri",
              "value": "urn:a"
            }
          },
          {}
        ]
      }
    }
    """
    if result is None:
        return json.dumps({"head": {}, "boolean": bool(ask)}, indent=2)
    bindings = [
        {c: _json_term(v) for c, v in zip(result.columns, row) if v is not None}
        for row in result.rows
    ]
    data = {"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}}
    return json.dumps(data, indent=2, ensure_ascii=False)
