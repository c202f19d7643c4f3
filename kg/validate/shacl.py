"""The SHACL gate: a graph that does not conform to ``shapes/`` is never written.

Violations are reported the way a curator can act on them: the curated file, line, table
column and cell text the offending record came from, the value, and the rule in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Node, URIRef
from rdflib.namespace import SH

from kg.namespaces import DMKG, PROV
from kg.ontology import load_ontology, load_shapes

__all__ = ["ValidationReport", "Violation", "validate_graph"]


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


def validate_graph(
    data: Graph, ontology: Graph | None = None, shapes: Graph | None = None
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology for the class hierarchy."""
    ontology = ontology if ontology is not None else load_ontology()
    shapes = shapes if shapes is not None else load_shapes()
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
        abort_on_first=False,
    )
    violations = []
    # only top-level results: those nested in a failed sh:node check repeat the same problem
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    for result in results.objects(report, SH.result):
        focus = results.value(result, SH.focusNode)
        file, line, column = _locate(data, focus) if focus is not None else ("", "", "")
        violations.append(
            Violation(
                file=file,
                line=line,
                column=column,
                value=_short(data, results.value(result, SH.value)),
                message=str(results.value(result, SH.resultMessage) or "constraint not met"),
                focus=_short(data, focus),
                path=_short(results, results.value(result, SH.resultPath)),
            )
        )
    return ValidationReport(bool(conforms), sorted(set(violations)))
