"""SHACL shapes: the shapes file itself, and every case of tests/shapes/manifest.yaml.

Each case validates one small fixture (plus the shared valid context in
tests/shapes/fixtures/base.ttl) against shapes/dmkg-shapes.ttl, with the core ontology and a
stand-in terms file (tests/shapes/mini-terms.ttl) as the ontology graph. A failing case must
fail for exactly the stated reason: every validation result has the expected shape, constraint
component, focus node, path and message.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import yaml
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH
from rdflib.term import Node

REPO = Path(__file__).resolve().parents[1]
SHAPES_FILE = REPO / "shapes" / "dmkg-shapes.ttl"
CORE_FILE = REPO / "ontology" / "dmkg-core.ttl"
TERMS_FILE = REPO / "ontology" / "dmkg-terms.ttl"
CASES_DIR = Path(__file__).resolve().parent / "shapes"
MINI_TERMS_FILE = CASES_DIR / "mini-terms.ttl"
MANIFEST_FILE = CASES_DIR / "manifest.yaml"
FIXTURES_DIR = CASES_DIR / "fixtures"
BASE_FIXTURE = FIXTURES_DIR / "base.ttl"

DMKG = Namespace("https://w3id.org/dmkg/ontology/")
DMKGSH = Namespace("https://w3id.org/dmkg/shapes/")
DATA = Namespace("https://w3id.org/dmkg/data/")
# rdflib's XSD is a DefinedNamespace that warns when pytest probes module attributes.
XSD_NS = Namespace("http://www.w3.org/2001/XMLSchema#")
PREFIXES = {
    "dmkg": DMKG,
    "dmkgsh": DMKGSH,
    "dmkgc": Namespace("https://w3id.org/dmkg/classification/"),
    "data": DATA,
    "prov": PROV,
    "dcterms": DCTERMS,
    "rdfs": RDFS,
    "xsd": XSD_NS,
}

# Classes the shapes expect from ontology/dmkg-terms.ttl (written separately).
TERMS_TOP_CLASSES = frozenset(
    DMKG[name]
    for name in (
        "Autoantibody",
        "ClinicalFinding",
        "Malignancy",
        "MalignancyBySite",
        "MalignancyByHistology",
        "Intervention",
        "Disease",
        "TumourMarker",
        "LabAnalyte",
        "StatisticalMeasure",
        "StatisticalTest",
    )
)

# Constraint parameter -> the constraint component it belongs to (SHACL Core, as used here).
COMPONENT_OF_PARAMETER = {
    SH[parameter]: SH[component + "ConstraintComponent"]
    for parameter, component in {
        "class": "Class",
        "datatype": "Datatype",
        "nodeKind": "NodeKind",
        "minCount": "MinCount",
        "maxCount": "MaxCount",
        "minInclusive": "MinInclusive",
        "maxInclusive": "MaxInclusive",
        "minExclusive": "MinExclusive",
        "maxExclusive": "MaxExclusive",
        "minLength": "MinLength",
        "maxLength": "MaxLength",
        "pattern": "Pattern",
        "languageIn": "LanguageIn",
        "uniqueLang": "UniqueLang",
        "equals": "Equals",
        "disjoint": "Disjoint",
        "lessThan": "LessThan",
        "lessThanOrEquals": "LessThanOrEquals",
        "not": "Not",
        "and": "And",
        "or": "Or",
        "xone": "Xone",
        "node": "Node",
        "qualifiedValueShape": "QualifiedMinCount",
        "closed": "Closed",
        "hasValue": "HasValue",
        "in": "In",
        "sparql": "SPARQL",
    }.items()
}
NODE_LEVEL_PARAMETERS = frozenset(SH[p] for p in ("or", "xone", "and", "not", "sparql", "closed"))


# --------------------------------------------------------------------------- loading


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE)


@cache
def core_graph() -> Graph:
    return Graph().parse(CORE_FILE)


@cache
def ontology_graph() -> Graph:
    graph = Graph()
    graph.parse(CORE_FILE)
    graph.parse(MINI_TERMS_FILE)
    return graph


def load_manifest() -> list[dict[str, Any]]:
    with MANIFEST_FILE.open(encoding="utf-8") as handle:
        cases: list[dict[str, Any]] = yaml.safe_load(handle)
    return cases


def expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(PREFIXES[prefix] + local)


def short(node: Node | None) -> str:
    if isinstance(node, URIRef):
        return shapes_graph().namespace_manager.normalizeUri(node)
    return str(node)


def validate(fixture: Path) -> tuple[bool, Graph, str]:
    data = Graph()
    data.parse(BASE_FIXTURE)
    data.parse(fixture)
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return bool(conforms), results, str(text)


# --------------------------------------------------------------------------- shapes file


def node_shapes() -> set[Node]:
    return set(shapes_graph().subjects(RDF.type, SH.NodeShape))


def targeted_shapes() -> set[Node]:
    return {s for s in node_shapes() if (s, SH.targetClass, None) in shapes_graph()}


def owning_node_shape(source_shape: Node) -> Node:
    """The node shape a result's source shape is, or holds as one of its sh:property."""
    owner = shapes_graph().value(predicate=SH.property, object=source_shape)
    return owner if owner is not None else source_shape


def components_used(node_shape: Node) -> set[URIRef]:
    """Constraint components a node shape uses itself or in its own property shapes."""
    graph = shapes_graph()
    used = set()
    for shape in (node_shape, *graph.objects(node_shape, SH.property)):
        used |= {
            COMPONENT_OF_PARAMETER[p]
            for p in graph.predicates(shape)
            if p in COMPONENT_OF_PARAMETER
        }
    return used


def test_shapes_file_parses_and_every_node_shape_has_target_and_comment() -> None:
    graph = shapes_graph()
    assert len(graph) > 0
    referenced_by_node = set(graph.objects(None, SH.node))
    problems = []
    for shape in sorted(node_shapes()):
        if graph.value(shape, RDFS.comment) is None:
            problems.append(f"{short(shape)} has no rdfs:comment")
        if graph.value(shape, SH.targetClass) is None and shape not in referenced_by_node:
            problems.append(f"{short(shape)} has neither sh:targetClass nor a sh:node reference")
        if shape in referenced_by_node and any(
            (shape, target, None) in graph
            for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        ):
            problems.append(f"{short(shape)} is a sh:node helper but also has a target")
    assert not problems, "\n".join(problems)


def test_every_target_class_is_a_core_class() -> None:
    for target in shapes_graph().objects(None, SH.targetClass):
        assert (target, RDF.type, OWL.Class) in core_graph(), f"{short(target)} is not a core class"


def test_every_dmkg_term_in_the_shapes_exists() -> None:
    """A typo in a property or class IRI would make a shape silently check nothing."""
    core_terms = set(core_graph().subjects())
    unknown = {
        short(term)
        for triple in shapes_graph()
        for term in triple
        if isinstance(term, URIRef)
        and term.startswith(str(DMKG))
        and term not in core_terms
        and term not in TERMS_TOP_CLASSES
    }
    assert not unknown, f"not declared in dmkg-core.ttl: {sorted(unknown)}"


def test_every_constraint_has_a_message() -> None:
    graph = shapes_graph()
    problems = []
    for shape in sorted(targeted_shapes()):
        node_level = [p for p in graph.predicates(shape) if p in NODE_LEVEL_PARAMETERS]
        if len(node_level) > 1:
            problems.append(f"{short(shape)}: {len(node_level)} node-level constraints")
        if node_level and graph.value(shape, SH.message) is None:
            problems.append(f"{short(shape)} has a node-level constraint but no sh:message")
        for prop in graph.objects(shape, SH.property):
            if graph.value(prop, SH.message) is None:
                path = short(graph.value(prop, SH.path))
                problems.append(f"{short(shape)}: property shape on {path} has no sh:message")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not TERMS_FILE.exists(), reason="ontology/dmkg-terms.ttl not written yet")
def test_terms_file_declares_the_classes_the_shapes_expect() -> None:
    terms = Graph().parse(TERMS_FILE)
    missing = sorted(short(c) for c in TERMS_TOP_CLASSES if (c, RDF.type, OWL.Class) not in terms)
    assert not missing, f"dmkg-terms.ttl does not declare {missing}"


# --------------------------------------------------------------------------- manifest


def test_manifest_covers_every_shape_and_constraint_kind() -> None:
    cases = load_manifest()
    listed = {case["fixture"] for case in cases}
    on_disk = {p.relative_to(FIXTURES_DIR).as_posix() for p in FIXTURES_DIR.rglob("*.ttl")}
    on_disk.discard(BASE_FIXTURE.name)
    assert listed == on_disk, (
        f"not in manifest: {sorted(on_disk - listed)}; missing files: {sorted(listed - on_disk)}"
    )
    assert len(listed) == len(cases), "a fixture is listed twice"

    problems = []
    known = {short(s) for s in node_shapes()}
    for case in cases:
        if f"dmkgsh:{case['shape']}" not in known:
            problems.append(f"{case['fixture']}: unknown shape {case['shape']}")
    for shape in sorted(targeted_shapes()):
        name = str(shape).removeprefix(str(DMKGSH))
        mine = [c for c in cases if c["shape"] == name]
        if not any(c["conforms"] for c in mine):
            problems.append(f"{name}: no passing fixture")
        failing = {SH[c["constraint"] + "ConstraintComponent"] for c in mine if not c["conforms"]}
        for component in sorted(components_used(shape) - failing):
            problems.append(f"{name}: no failing fixture for {short(component)}")
    assert not problems, "\n".join(problems)


CASES = load_manifest()


@pytest.mark.parametrize("case", CASES, ids=[c["fixture"] for c in CASES])
def test_fixture(case: dict[str, Any]) -> None:
    conforms, results, text = validate(FIXTURES_DIR / case["fixture"])
    assert conforms is case["conforms"], text
    if conforms:
        return

    expected = {
        "shape": DMKGSH[case["shape"]],
        "component": SH[case["constraint"] + "ConstraintComponent"],
        "focus": expand(case["focus"]),
        "path": expand(case["path"]) if "path" in case else None,
    }
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    found = list(results.objects(report, SH.result))
    assert found, text
    for result in found:
        actual = {
            "shape": owning_node_shape(results.value(result, SH.sourceShape)),
            "component": results.value(result, SH.sourceConstraintComponent),
            "focus": results.value(result, SH.focusNode),
            "path": results.value(result, SH.resultPath),
        }
        assert actual == expected, f"unexpected result {actual}, expected {expected}\n{text}"
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        assert any(case["message"] in m for m in messages), (
            f"no message containing {case['message']!r} in {messages}\n{text}"
        )
