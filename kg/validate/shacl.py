"""The SHACL gate: a graph that does not conform to ``shapes/`` is never written.

Violations are reported the way a curator can act on them: the curated file, line, table
column and cell text the offending record came from, the value, and the rule in words.

The engine is the ``shacl`` wheel from PyPI (a SHACL Core validator in Rust): it passes every
case of the W3C SHACL Core test suite for the features our shapes use and gives pySHACL's
results on every shape fixture (tests/test_w3c_shacl.py, tests/test_shapes_sparql.py), 10 times
faster than pySHACL on the fixtures and about 60 times on a 10,000-patient registry. It reads N-Triples; the ontology is validated with the data (the
class hierarchy sh:class and sh:targetClass follow), as pySHACL does with ``ont_graph``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, Literal, Node, URIRef
from rdflib.util import from_n3

from kg.namespaces import DMKG, PROV, SHAPES, bind_prefixes
from kg.ontology import load_ontology, load_shapes

__all__ = ["ShapeResult", "ValidationReport", "Violation", "check_ntriples", "validate_graph"]


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result, located in the curated files where possible."""

    file: str
    line: str
    column: str
    value: str
    message: str
    focus: str
    path: str

    def __str__(self) -> str:
        column = self.column
        if column and not column.startswith(("item ", "section ")):
            column = f"column {column!r}"
        where = ", ".join(
            x for x in (self.file, f"line {self.line}" if self.line else "", column) if x
        )
        text = f"{where or self.focus}: {self.message}"
        if self.value:
            text += f" (value {self.value!r})"
        if self.path:
            text += f" [property {self.path}]"
        return text


@dataclass(frozen=True)
class ValidationReport:
    """The verdict and its violations, sorted by file and line."""

    conforms: bool
    violations: list[Violation]

    def text(self) -> str:
        if self.conforms:
            return "conforms: no violations"
        lines = [f"does not conform: {len(self.violations)} violation(s)"]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)


def _short(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - a display nicety only
            return str(node)
    return str(node)


def _locate(data: Graph, focus: Node) -> tuple[str, str, str]:
    """File, line and column of the record (or its patient) a violation is about.

    A table cell's file and line are on its source row (``dmkg:inRow``), a text location's on
    the location itself.
    """
    candidates = [focus]
    candidates += list(data.objects(focus, DMKG.ofPatient))
    for node in candidates:
        for loc in sorted(data.objects(node, PROV.wasDerivedFrom), key=str):
            row = data.value(loc, DMKG.inRow) or loc
            file = data.value(row, DMKG.curatedFile)
            line = data.value(row, DMKG.curatedLine)
            cell = data.value(loc, DMKG.column)
            if cell is not None:
                column = str(cell)
            else:  # a text location: name the YAML item and the paper's section
                item = data.value(loc, DMKG.curatedItem)
                section = data.value(loc, DMKG.section)
                column = f"item {item} (section {section})" if item else f"section {section}"
            if file is not None:
                return str(file), str(line or ""), column
    if (focus, RDF.type, DMKG.SourceLocation) in data or (focus, RDF.type, DMKG.SourceRow) in data:
        row = data.value(focus, DMKG.inRow) or focus
        return (
            str(data.value(row, DMKG.curatedFile) or ""),
            str(data.value(row, DMKG.curatedLine) or ""),
            str(data.value(focus, DMKG.column) or ""),
        )
    return "", "", ""


def names() -> Graph:
    """An empty graph whose prefixes shorten IRIs in reports (dmkg's and the shapes')."""
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("dmkgsh", SHAPES)
    return graph


@dataclass(frozen=True)
class ShapeResult:
    """One result of the engine: focus node, value, result path (short form), message, the
    constraint component (IRI), and ``check``: the shape, path and component (short forms)."""

    focus: Node
    value: Node | None
    path: str
    message: str
    component: str
    check: str


@lru_cache(maxsize=4)
def _engine(shapes_text: str) -> Any:
    import shacl

    return shacl.Shapes.from_text(shapes_text, format="ntriples")


def _node(text: str) -> Node:
    """A term the engine wrote in N-Triples syntax."""
    if text.startswith("<"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    node = from_n3(text)
    assert isinstance(node, Node)
    return node


def _path(prefixes: Graph, text: str | None) -> str:
    """A SPARQL property path with its IRIs in short form."""
    return re.sub(r"<([^>]*)>", lambda m: _short(prefixes, URIRef(m.group(1))), text or "")


def check_ntriples(source: str | Path, shapes: Graph, prefixes: Graph) -> list[ShapeResult]:
    """The engine's results for N-Triples ``source`` (text, or a file's path): data and
    ontology together. IRIs are shortened with the prefixes of ``prefixes``."""
    engine = _engine(shapes.serialize(format="nt"))
    if isinstance(source, Path):
        report = engine.validate_file(str(source))
    else:
        report = engine.validate_text(source, format="ntriples")
    found = []
    for r in report.results:
        value = None
        if r.value is not None:
            value = Literal(r.value_plain) if r.value.startswith('"') else _node(r.value)
        path = _path(prefixes, r.path)
        component = _short(prefixes, URIRef(r.component_iri))
        shape = _short(prefixes, _node(r.root_shape or r.source_shape or ""))
        found.append(
            ShapeResult(
                _node(r.focus_node),
                value,
                path,
                r.message or "constraint not met",
                r.component_iri,
                " ".join(x for x in (shape, path, component) if x),
            )
        )
    return found


def validate_graph(
    data: Graph, ontology: Graph | None = None, shapes: Graph | None = None
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology for the class hierarchy."""
    ontology = ontology if ontology is not None else load_ontology()
    shapes = shapes if shapes is not None else load_shapes()
    text = ontology.serialize(format="nt") + data.serialize(format="nt")
    violations = []
    for r in check_ntriples(text, shapes, data):
        file, line, column = _locate(data, r.focus)
        violations.append(
            Violation(
                file=file,
                line=line,
                column=column,
                value=_short(data, r.value),
                message=r.message,
                focus=_short(data, r.focus),
                path=r.path,
            )
        )
    return ValidationReport(not violations, sorted(set(violations)))
