"""The W3C SHACL Core test suite, run against the SHACL engines dmkg could validate with.

Reads the suite in ``tests/w3c-shacl-core`` (a copy of ``../shared/w3c-shacl-core``) (one ``sht:Validate`` entry per test file: a
data graph, a shapes graph and the expected report) and runs each case through two engines:

- ``shacl``: the ``shacl`` wheel from PyPI (Rust), as :mod:`kg.validate.shacl` runs it;
- ``pyshacl``: pySHACL, the reference, called with ``ont_graph`` as dmkg called it.

(A third, the shapes compiled to SPARQL on pyoxigraph, ran here until it was removed: see
tests/test_w3c_shacl.py and the README's SHACL section for what it failed.)

An engine passes a case when it gives the expected ``sh:conforms`` and the same set of results,
each as (focus node, result path, constraint component); blank nodes compare as ``_:`` and paths
without their brackets and spaces (the engines write complex paths with different brackets).
An engine that raises on a case fails it. Used by tests/test_w3c_shacl.py; run as a script it prints a table.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

#: the suite as the W3C publishes it, copied unchanged into the repository (its README names
#: the commit and the licences) so a fresh clone runs it; ../shared/w3c-shacl-core beside the
#: repository, where it is, must hold the same bytes (tests/test_w3c_shacl.py)
SUITE = Path(__file__).resolve().parent / "w3c-shacl-core"
SHARED_SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "w3c-shacl-core"
SHAPES_DIR = Path(__file__).resolve().parents[1] / "shapes"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"

#: (focus node, result path, constraint component local name)
Result = tuple[str, str, str]
Outcome = tuple[bool, frozenset[Result]]


@dataclass(frozen=True)
class Case:
    """One ``sht:Validate`` entry: its graphs and the expected outcome."""

    name: str  # e.g. "property/minCount-001"
    data: Graph
    shapes: Graph
    expected: Outcome


def _term(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_:"
    return node.n3()


def _path(text: str) -> str:
    return re.sub(r"[()\s]", "", text)


def _render_path(graph: Graph, node: Node | None) -> str:
    """An ``sh:resultPath`` node in SPARQL property-path syntax."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if (node, RDF.first, None) in graph:
        return "/".join(_render_path(graph, item) for item in graph.items(node))
    for key, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, key)
        if inner is not None:
            return f"{_render_path(graph, inner)}{suffix}"
    inner = graph.value(node, SH.inversePath)
    if inner is not None:
        return f"^{_render_path(graph, inner)}"
    inner = graph.value(node, SH.alternativePath)
    if inner is not None:
        return "|".join(_render_path(graph, item) for item in graph.items(inner))
    return "?"


def report_results(report: Graph) -> Outcome:
    """The verdict and results of a SHACL validation report graph."""
    top = report.value(predicate=RDF.type, object=SH.ValidationReport)
    assert top is not None, "no sh:ValidationReport in the engine's report"
    return _expected(report, top)


def load_cases(root: Path = SUITE) -> list[Case]:
    """Every ``sht:Validate`` case of the suite, in file order."""
    cases = []
    for manifest_file in sorted(root.glob("*/manifest.ttl")):
        manifest = Graph().parse(manifest_file)
        for included in sorted(manifest.objects(None, URIRef(MF + "include")), key=str):
            test = Graph().parse(str(included))
            for entry in test.subjects(RDF.type, URIRef(SHT + "Validate")):
                action = test.value(entry, URIRef(MF + "action"))
                data_ref = test.value(action, URIRef(SHT + "dataGraph"))
                shapes_ref = test.value(action, URIRef(SHT + "shapesGraph"))
                expected = test.value(entry, URIRef(MF + "result"))
                assert data_ref is not None and shapes_ref is not None and expected is not None
                name = f"{manifest_file.parent.name}/{Path(str(included)).stem}"
                cases.append(
                    Case(
                        name,
                        test if data_ref == included else Graph().parse(str(data_ref)),
                        test if shapes_ref == included else Graph().parse(str(shapes_ref)),
                        _expected(test, expected),
                    )
                )
    return cases


def _expected(report: Graph, top: Node) -> Outcome:
    """The verdict and results of the report ``top`` in ``report`` (a case's expected report,
    or an engine's)."""
    conforms = report.value(top, SH.conforms)
    found = set()
    for result in report.objects(top, SH.result):
        component = str(report.value(result, SH.sourceConstraintComponent))
        found.add(
            (
                _term(report.value(result, SH.focusNode)),
                _path(_render_path(report, report.value(result, SH.resultPath))),
                component.removeprefix(str(SH)),
            )
        )
    return bool(isinstance(conforms, Literal) and conforms.toPython()), frozenset(found)


# --------------------------------------------------------------------------- which cases


#: sh: predicates that are not constraints: descriptions, and the report's vocabulary (a W3C
#: test file holds its data, shapes and expected report in one graph)
_NOT_PARAMETERS = {
    "message",
    "name",
    "description",
    "order",
    "group",
    "severity",
    "conforms",
    "result",
    "focusNode",
    "resultPath",
    "resultSeverity",
    "sourceConstraintComponent",
    "sourceShape",
    "value",
    "resultMessage",
    "detail",
}


def shape_parameters(shapes: Graph) -> set[str]:
    """The SHACL parameters (sh: predicates and sh: path kinds) a shapes graph uses."""
    used = {str(p).removeprefix(str(SH)) for p in shapes.predicates() if str(p).startswith(str(SH))}
    return used - _NOT_PARAMETERS


def our_parameters() -> set[str]:
    """The SHACL parameters of dmkg's own shapes (shapes/*.ttl)."""
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path)
    used = shape_parameters(graph)
    return used | ({"message"} if (None, SH.message, None) in graph else set())


#: parameters that only select the focus nodes a W3C case checks (dmkg's shapes use
#: sh:targetClass; the suite tests constraints mostly on sh:targetNode)
TARGETS = {"targetNode", "targetClass", "targetSubjectsOf", "targetObjectsOf"}


def for_our_features(cases: list[Case], ours: set[str]) -> list[Case]:
    """The cases testing a constraint our shapes use with nothing our shapes do not use.

    A case is taken when its shapes use only our parameters (plus targets and a few
    parameters that come with one: sh:ignoredProperties with sh:closed, sh:flags with
    sh:pattern) and its file is named after one of our parameters."""
    companions = {"ignoredProperties": "closed", "flags": "pattern"}
    allowed = ours | TARGETS | {k for k, v in companions.items() if v in ours}
    taken = []
    for case in cases:
        folder, stem = case.name.split("/")
        if folder == "path":  # path-zeroOrMore-001: the sh:zeroOrMorePath case
            feature = stem.split("-")[1] + "Path"
        else:  # or-datatypes-001, datatype-ill-formed: the sh:or and sh:datatype cases
            feature = stem.split("-")[0]
        if feature in ours and shape_parameters(case.shapes) <= allowed:
            taken.append(case)
    return taken


# --------------------------------------------------------------------------- engines


def run_pyshacl(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Outcome:
    import pyshacl

    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return report_results(report)


def run_shacl_wheel(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Outcome:
    import shacl

    text = data.serialize(format="nt")
    if ontology is not None:
        text = ontology.serialize(format="nt") + text
    compiled = shacl.Shapes.from_text(shapes.serialize(format="nt"), format="ntriples")
    report = compiled.validate_text(text, format="ntriples")
    found = frozenset(
        (
            "_:" if r.focus_node.startswith("_:") else r.focus_node,
            _path(r.path or ""),
            r.component,
        )
        for r in report.results
    )
    return bool(report.conforms), found


ENGINES: dict[str, Callable[[Graph, Graph, Graph | None], Outcome]] = {
    "pyshacl": run_pyshacl,
    "shacl": run_shacl_wheel,
}


def outcome(engine: str, case: Case) -> Outcome | str:
    """The engine's outcome on the case, or the error it raised (as text)."""
    try:
        return ENGINES[engine](case.data, case.shapes, None)
    except Exception as exc:  # noqa: BLE001 - an engine's refusal is a result here
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def main() -> int:
    cases = load_cases()
    ours = our_parameters()
    taken = {c.name for c in for_our_features(cases, ours)}
    print(f"{len(cases)} cases, {len(taken)} for our features; our parameters: {sorted(ours)}")
    for engine in ENGINES:
        start, failed = time.perf_counter(), []
        for case in cases:
            got = outcome(engine, case)
            if got != case.expected:
                failed.append(case.name + ("*" if case.name in taken else ""))
        took = time.perf_counter() - start
        print(f"{engine}: {len(cases) - len(failed)}/{len(cases)} in {took:.1f} s; failed {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
