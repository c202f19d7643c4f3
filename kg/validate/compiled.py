"""The SHACL gate for large graphs: the shapes compiled into SPARQL, run on a pyoxigraph Store.

pySHACL checks one focus node after another in Python, far too slowly for a registry of
100,000 patients (15-20 million triples). :func:`compile_shapes` turns each constraint of
``shapes/`` into a SPARQL SELECT listing its violations (``?focus``, ``?value``), and
:func:`validate_store` runs them on a Store holding the ontology and the data: the same union
pySHACL validates when ``kg.validate.shacl`` passes the ontology as ``ont_graph``. The report is a
:class:`kg.validate.shacl.ValidationReport`, each violation located in the curated files exactly as
``kg.validate.shacl`` locates it (:func:`run_checks` gives the raw results). pySHACL stays the
reference: ``tests/test_shapes_sparql.py`` compares the two on every shape fixture, every bad
input that loads and the bundled data.

A run reads each predicate's triples a few times rather than asking per focus node where it
can: a maxCount is first screened by comparing a path's number of triples with its number of
distinct subjects (equal: no node has two values); each value constraint is tested in one
scan of its path's triples, and only the flagged values' focus nodes are looked up in the
shape's target; the remaining per-node tests (minCount, sh:or, sh:xone, ...) of one shape
share one query over its focus nodes. pyoxigraph releases the GIL while it evaluates, so the
queries run on two threads.

A SHACL feature the compiler does not translate raises :class:`ShapeCompileError` when the
shapes are compiled, so an edit of the shapes cannot weaken the gate unnoticed. Two places
where the store reads data differently from rdflib (both follow the standards):

- Oxigraph keeps literals in canonical form and stores the integer subtypes as
  ``xsd:integer`` (``"5"^^xsd:int`` is read back as ``"5"^^xsd:integer``), so ``sh:datatype``
  compiles only for datatypes that survive loading (``xsd:string``, ``xsd:integer``, ...).
- ``sh:pattern`` runs as SPARQL ``REGEX`` (XPath rules: ``$`` matches only at the very end),
  where pySHACL uses Python's ``re`` (there ``$`` also matches before a final newline).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations
from typing import TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import DmkgError
from kg.namespaces import DMKG, PROV, SHAPES, bind_prefixes
from kg.ontology import load_shapes
from kg.validate.shacl import ValidationReport, Violation, _locate, _short

__all__ = [
    "CheckResult",
    "CompiledCheck",
    "ShapeCompileError",
    "StoreValidationReport",
    "compile_shapes",
    "run_checks",
    "validate_store",
]


class ShapeCompileError(DmkgError):
    """The shapes use a SHACL feature the SPARQL compiler does not translate."""

    def __init__(self, shape: str, problem: str) -> None:
        self.shape = shape
        self.problem = problem
        super().__init__(f"cannot compile shape {shape} to SPARQL: {problem}")


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one targeted shape, as a SPARQL query listing its violations.

    ``sparql`` selects ``?focus`` and, where SHACL reports one, ``?value`` (and ``?path`` for
    ``sh:closed``, whose result path is the offending predicate). The other fields let
    :func:`run_checks` batch checks: ``target`` binds ``?focus``; a ``focus``-level check's
    ``test`` is an expression true for a violating ``?focus``; a ``value``-level check's
    ``test`` is a pattern binding ``?focus ?value`` once per violation, and ``value_test``,
    where set, the same as an expression on ``?value`` alone. ``unbounded`` paths (with
    ``*``, ``+`` or ``?``) are only ever walked from a bound focus node.
    """

    shape: str
    component: str
    path: str
    message: str
    sparql: str
    target: str = field(repr=False)
    level: str = field(repr=False)
    test: str = field(repr=False)
    has_value: bool = field(repr=False)
    unbounded: bool = field(default=False, repr=False)
    value_test: str = field(default="", repr=False)
    max_count: int | None = field(default=None, repr=False)


@dataclass(frozen=True)
class CheckResult:
    """One violation found by a check: focus node, value (if SHACL gives one), result path."""

    check: CompiledCheck
    focus: Node
    value: Node | None
    path: str


@dataclass(frozen=True)
class StoreValidationReport(ValidationReport):
    """A :class:`ValidationReport` that may list only the first violations of each check.

    ``omitted`` counts the violations not listed, per check; ``seconds`` is the time each
    query of the run took.
    """

    omitted: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        more = sum(self.omitted.values())
        if self.conforms or not more:
            return super().text()
        lines = [
            (
                f"does not conform: {len(self.violations) + more} violation(s), the first "
                f"{len(self.violations)} listed"
            )
        ]
        lines += [f"  - {v}" for v in self.violations]
        lines += [
            f"  ... and {n} more violation(s) of {what}" for what, n in sorted(self.omitted.items())
        ]
        return "\n".join(lines)


# --------------------------------------------------------------------------- compiling

#: shape parameters that select or describe, but do not constrain
_DESCRIPTIVE = frozenset(
    SH[p]
    for p in (
        "path",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "message",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
        "severity",
        "deactivated",
    )
)
#: constraint parameters this compiler translates
_CONSTRAINTS = frozenset(
    SH[p]
    for p in (
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "property",
        "hasValue",
        "in",
        "closed",
        "ignoredProperties",
    )
)
#: parameters with at most one value per shape
_SINGLE = frozenset(
    SH[p]
    for p in (
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "closed",
        "ignoredProperties",
        "path",
        "deactivated",
    )
)
#: parameters only a property shape may have
_PROPERTY_ONLY = (
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
)
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
# Datatypes whose literals keep their datatype in the store: numbers are well formed when
# isNumeric says so, the others when a cast to their own type succeeds.
_NUMERIC = frozenset((XSD.integer, XSD.decimal, XSD.float, XSD.double))
_CASTABLE = frozenset((XSD.boolean, XSD.date, XSD.dateTime, XSD.time))
_ANY_FORM = frozenset((XSD.string, RDF.langString))
_RANGES = {  # parameter -> (component, comparison true for a conforming value)
    SH.minInclusive: ("MinInclusive", "{c} <= {v}"),
    SH.minExclusive: ("MinExclusive", "{c} < {v}"),
    SH.maxInclusive: ("MaxInclusive", "{c} >= {v}"),
    SH.maxExclusive: ("MaxExclusive", "{c} > {v}"),
}
_PAIRS = {
    SH.equals: "Equals",
    SH.disjoint: "Disjoint",
    SH.lessThan: "LessThan",
    SH.lessThanOrEquals: "LessThanOrEquals",
}
#: the largest count a count test spells out as pairwise-distinct variables
_MAX_COUNT = 8
_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
_PREFIX_USE = re.compile(r"(?<![\w<\"?$])([A-Za-z][\w\-]*):")

#: (constraint component name, SPARQL text)
_Test = tuple[str, str]


def _names() -> Graph:
    """An empty graph whose prefixes shorten IRIs in queries and reports."""
    names = Graph()
    bind_prefixes(names)
    names.bind("dmkgsh", SHAPES)
    return names


class _Compiler:
    """Translates the shapes of one shapes graph; see :func:`compile_shapes`."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.names = _names()
        bound = {prefix for prefix, _ in self.names.namespaces()}
        for prefix, namespace in shapes.namespaces():
            if prefix and prefix not in bound:
                self.names.bind(prefix, namespace)
        self.namespaces = {p: str(n) for p, n in self.names.namespaces() if p}
        self.counter = 0
        self.shape = ""

    # -- terms and the shapes graph ----------------------------------------------------------

    def fail(self, problem: str) -> ShapeCompileError:
        return ShapeCompileError(self.shape, problem)

    def iri(self, term: Node) -> str:
        if not isinstance(term, URIRef):
            raise self.fail(f"expected an IRI, found {term.n3()}")
        for prefix, namespace in sorted(self.namespaces.items(), key=lambda x: -len(x[1])):
            local = str(term)[len(namespace) :]
            if str(term).startswith(namespace) and (not local or _PN_LOCAL.fullmatch(local)):
                return f"{prefix}:{local}"
        return f"<{term}>"

    def constant(self, term: Node) -> str:
        if isinstance(term, Literal):
            return term.n3()
        if isinstance(term, BNode):
            raise self.fail(f"a blank node ({term.n3()}) cannot stand as a constant in a query")
        return self.iri(term)

    def fresh(self) -> str:
        self.counter += 1
        return f"?_v{self.counter}"

    def values(self, shape: Node, parameter: URIRef) -> list[Node]:
        found = sorted(self.g.objects(shape, parameter), key=lambda n: n.n3())
        if parameter in _SINGLE and len(found) > 1:
            raise self.fail(f"{_short(self.names, parameter)} has {len(found)} values, not one")
        return found

    def one(self, shape: Node, parameter: URIRef) -> Node | None:
        found = self.values(shape, parameter)
        return found[0] if found else None

    def items(self, node: Node, what: str) -> list[Node]:
        if node != RDF.nil and (node, RDF.first, None) not in self.g:
            raise self.fail(f"the value of {what} is not an RDF list")
        return list(Collection(self.g, node))

    def integer(self, shape: Node, parameter: URIRef) -> int | None:
        value = self.one(shape, parameter)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
            raise self.fail(f"{_short(self.names, parameter)} must be an integer")
        return int(value.toPython())

    def flag(self, shape: Node, parameter: URIRef) -> bool:
        value = self.one(shape, parameter)
        return isinstance(value, Literal) and value.toPython() is True

    def message(self, shape: Node) -> str:
        found = sorted(
            self.g.objects(shape, SH.message),
            key=lambda m: (not (isinstance(m, Literal) and m.language in (None, "en")), str(m)),
        )
        return str(found[0]) if found else ""

    def check_parameters(self, shape: Node, is_property: bool) -> None:
        for parameter in set(self.g.predicates(shape)):
            if str(parameter).startswith(str(SH)) and parameter not in _DESCRIPTIVE | _CONSTRAINTS:
                raise self.fail(f"{_short(self.names, parameter)} is not supported")
        for parameter in _PROPERTY_ONLY if not is_property else ():
            if self.values(shape, parameter):
                raise self.fail(f"{_short(self.names, parameter)} on a node shape")
        if is_property and self.flag(shape, SH.closed):
            raise self.fail("sh:closed on a property shape")
        if self.one(shape, SH.flags) is not None and self.one(shape, SH.pattern) is None:
            raise self.fail("sh:flags without sh:pattern")

    # -- paths -------------------------------------------------------------------------------

    def path(self, node: Node) -> str:
        """The SHACL path ``node`` as a SPARQL property path."""
        if isinstance(node, URIRef):
            return self.iri(node)
        if (node, RDF.first, None) in self.g:
            steps = [self.path(step) for step in self.items(node, "sh:path")]
            if len(steps) < 2:
                raise self.fail("a sequence path needs at least two steps")
            return "(" + "/".join(steps) + ")"
        kinds = {
            SH.inversePath: "^{}",
            SH.zeroOrMorePath: "{}*",
            SH.oneOrMorePath: "{}+",
            SH.zeroOrOnePath: "{}?",
            SH.alternativePath: "",
        }
        found = [
            (kinds[p], o)
            for p, o in self.g.predicate_objects(node)
            if isinstance(p, URIRef) and p in kinds
        ]
        if len(found) != 1:
            raise self.fail(f"unsupported or malformed sh:path {node.n3()}")
        form, inner = found[0]
        if not form:
            options = [self.path(step) for step in self.items(inner, "sh:alternativePath")]
            return "(" + "|".join(options) + ")"
        text = self.path(inner)
        return form.format(text if isinstance(inner, URIRef) or text[0] == "(" else f"({text})")

    def unbounded(self, node: Node) -> bool:
        """Whether the path ``node`` has a step under ``*``, ``+`` or ``?``."""
        if isinstance(node, URIRef):
            return False
        if (node, RDF.first, None) in self.g:
            return any(self.unbounded(step) for step in self.items(node, "sh:path"))
        for kind, inner in self.g.predicate_objects(node):
            if kind in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
                return True
            if kind == SH.inversePath:
                return self.unbounded(inner)
            if kind == SH.alternativePath:
                return any(self.unbounded(s) for s in self.items(inner, "sh:alternativePath"))
        return False

    # -- tests, as SPARQL expressions true when a node satisfies them -------------------------

    def conforms(self, shape: Node, var: str, stack: tuple[Node, ...]) -> str:
        """An expression true when ``var`` conforms to ``shape`` (a nested shape: no targets)."""
        if shape in stack:
            raise self.fail(f"the shape {shape.n3()} refers to itself (recursive shapes)")
        stack = (*stack, shape)
        path = self.one(shape, SH.path)
        self.check_parameters(shape, path is not None)
        if self.flag(shape, SH.deactivated):
            return "true"
        if path is not None:
            parts = self.property_tests(shape, var, self.path(path), stack)
        else:
            parts = [t for _, t in self.value_tests(shape, var, stack)]
            parts += [
                f"sameTerm({var}, {self.constant(h)})" for h in self.values(shape, SH.hasValue)
            ]
            parts += [self.conforms(p, var, stack) for p in self.values(shape, SH.property)]
            if self.flag(shape, SH.closed):
                parts.append(f"NOT EXISTS {{ {self.closed_pattern(shape, var)} }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def property_tests(
        self, shape: Node, var: str, path: str, stack: tuple[Node, ...]
    ) -> list[str]:
        """Expressions all true when focus ``var`` conforms to the property shape ``shape``."""
        parts = [t for _, t in self.count_tests(shape, var, path)]
        y = self.fresh()
        each = [t for _, t in self.value_tests(shape, y, stack)]
        each += [self.conforms(p, y, stack) for p in self.values(shape, SH.property)]
        if each:
            parts.append(f"NOT EXISTS {{ {var} {path} {y} FILTER(!({' && '.join(each)})) }}")
        parts += [
            f"NOT EXISTS {{ {pattern} }}"
            for _, pattern in self.pair_patterns(shape, var, path, self.fresh())
        ]
        return parts

    def value_tests(self, shape: Node, var: str, stack: tuple[Node, ...]) -> list[_Test]:
        """Per value constraint of ``shape``: an expression true when ``var`` satisfies it."""
        tests: list[_Test] = [
            ("Class", f"EXISTS {{ {var} rdf:type/rdfs:subClassOf* {self.iri(c)} }}")
            for c in self.values(shape, SH["class"])
        ]
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            tests.append(("Datatype", self.datatype_test(datatype, var)))
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if not isinstance(kind, URIRef) or kind not in _NODE_KINDS:
                raise self.fail(f"unknown sh:nodeKind {kind.n3()}")
            tests.append(("NodeKind", _NODE_KINDS[kind].format(v=var)))
        for parameter, (name, comparison) in _RANGES.items():
            bound = self.one(shape, parameter)
            if bound is not None:
                if not isinstance(bound, Literal):
                    raise self.fail(f"{_short(self.names, parameter)} must be a literal")
                tests.append((name, f"COALESCE({comparison.format(c=bound.n3(), v=var)}, false)"))
        for parameter, name, op in (
            (SH.minLength, "MinLength", ">="),
            (SH.maxLength, "MaxLength", "<="),
        ):
            length = self.integer(shape, parameter)
            if length is not None:  # STR() of a blank node fails: a violation, as SHACL says
                tests.append((name, f"COALESCE(STRLEN(STR({var})) {op} {length}, false)"))
        pattern = self.one(shape, SH.pattern)
        if pattern is not None:
            flags = self.one(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            regex = f"REGEX(STR({var}), {Literal(str(pattern)).n3()}{extra})"
            tests.append(("Pattern", f"COALESCE({regex}, false)"))
        languages = self.one(shape, SH.languageIn)
        if languages is not None:
            ranges = [
                f"langMatches(LANG({var}), {Literal(str(x)).n3()})"
                for x in self.items(languages, "sh:languageIn")
            ]
            any_range = " || ".join(ranges) or "false"
            tests.append(("LanguageIn", f"(isLiteral({var}) && ({any_range}))"))
        allowed = self.one(shape, SH["in"])
        if allowed is not None:  # sameTerm: sh:in compares terms, not values
            same = [f"sameTerm({var}, {self.constant(x)})" for x in self.items(allowed, "sh:in")]
            tests.append(("In", "(" + (" || ".join(same) or "false") + ")"))
        tests += [("Node", self.conforms(n, var, stack)) for n in self.values(shape, SH.node)]
        tests += [
            ("Not", f"!{self.conforms(n, var, stack)}") for n in self.values(shape, SH["not"])
        ]
        for parameter, name in ((SH["and"], "And"), (SH["or"], "Or"), (SH.xone, "Xone")):
            for members in self.values(shape, parameter):
                parts = [
                    self.conforms(m, var, stack)
                    for m in self.items(members, _short(self.names, parameter))
                ]
                if name == "Xone":
                    total = " + ".join(f"IF({p}, 1, 0)" for p in parts) or "0"
                    tests.append((name, f"(({total}) = 1)"))
                elif name == "And":
                    tests.append((name, "(" + (" && ".join(parts) or "true") + ")"))
                else:
                    tests.append((name, "(" + (" || ".join(parts) or "false") + ")"))
        return tests

    def datatype_test(self, datatype: Node, var: str) -> str:
        same = f"isLiteral({var}) && sameTerm(DATATYPE({var}), {self.iri(datatype)})"
        if datatype in _NUMERIC:  # isNumeric is false for an ill-formed number
            return f"({same} && isNumeric({var}))"
        if datatype in _CASTABLE:
            return f"({same} && COALESCE(STRLEN(STR({self.iri(datatype)}({var}))) >= 0, false))"
        if datatype in _ANY_FORM or not str(datatype).startswith((str(XSD), str(RDF), str(RDFS))):
            return f"({same})"
        raise self.fail(
            f"sh:datatype {_short(self.names, datatype)} is not supported (the "
            "store rewrites such literals or cannot tell if they are well formed)"
        )

    def distinct_values(self, var: str, path: str, n: int) -> str:
        """A pattern that matches when ``var`` has ``n`` or more distinct values on ``path``."""
        if n > _MAX_COUNT:
            raise self.fail(f"a count of {n} is too large to compile (at most {_MAX_COUNT})")
        names = [self.fresh() for _ in range(n)]
        differ = " && ".join(f"!sameTerm({a}, {b})" for a, b in combinations(names, 2))
        return " . ".join(f"{var} {path} {v}" for v in names) + (
            f" FILTER({differ})" if differ else ""
        )

    def count_tests(self, shape: Node, var: str, path: str) -> list[_Test]:
        """Expressions true when satisfied, for counts, sh:hasValue and sh:uniqueLang."""
        tests: list[_Test] = []
        low = self.integer(shape, SH.minCount)
        if low:
            tests.append(("MinCount", f"EXISTS {{ {self.distinct_values(var, path, low)} }}"))
        high = self.integer(shape, SH.maxCount)
        if high is not None:
            more = self.distinct_values(var, path, high + 1)
            tests.append(("MaxCount", f"NOT EXISTS {{ {more} }}"))
        tests += [
            ("HasValue", f"EXISTS {{ {var} {path} {self.constant(h)} }}")
            for h in self.values(shape, SH.hasValue)
        ]
        if self.flag(shape, SH.uniqueLang):
            a, b = self.fresh(), self.fresh()
            tests.append(
                (
                    "UniqueLang",
                    (
                        f"NOT EXISTS {{ {var} {path} {a} . {var} {path} {b} FILTER(!sameTerm({a}, {b})"
                        f' && LANG({a}) != "" && LANG({a}) = LANG({b})) }}'
                    ),
                )
            )
        return tests

    def pair_patterns(self, shape: Node, focus: str, path: str, value: str) -> list[_Test]:
        """Per property-pair constraint: a pattern binding ``value`` once per violation."""
        found: list[_Test] = []
        for parameter, name in _PAIRS.items():
            for other in self.values(shape, parameter):
                q = self.iri(other)
                if name == "Equals":
                    found.append(
                        (
                            name,
                            (
                                f"{{ {focus} {path} {value} MINUS {{ {focus} {q} {value} }} }} UNION "
                                f"{{ {focus} {q} {value} MINUS {{ {focus} {path} {value} }} }}"
                            ),
                        )
                    )
                elif name == "Disjoint":
                    found.append((name, f"{focus} {path} {value} . {focus} {q} {value}"))
                else:  # values that cannot be compared violate it too
                    op, o = ("<" if name == "LessThan" else "<="), self.fresh()
                    found.append(
                        (
                            name,
                            (
                                f"{focus} {path} {value} . {focus} {q} {o} "
                                f"FILTER(!COALESCE({value} {op} {o}, false))"
                            ),
                        )
                    )
        return found

    def closed_pattern(self, shape: Node, var: str, predicate: str = "", value: str = "") -> str:
        allowed = sorted(
            {
                self.iri(path)
                for prop in self.g.objects(shape, SH.property)
                for path in self.g.objects(prop, SH.path)
                if isinstance(path, URIRef)
            }
        )
        ignored = self.one(shape, SH.ignoredProperties)
        if ignored is not None:
            allowed += [self.iri(p) for p in self.items(ignored, "sh:ignoredProperties")]
        predicate, value = predicate or self.fresh(), value or self.fresh()
        test = f" FILTER({predicate} NOT IN ({', '.join(allowed)}))" if allowed else ""
        return f"{var} {predicate} {value}{test}"

    # -- top level ---------------------------------------------------------------------------

    def target(self, shape: Node) -> str | None:
        """A pattern binding ``?focus`` to each focus node of ``shape`` (None: no target)."""
        classes = set(self.g.objects(shape, SH.targetClass))
        if any(
            RDFS.Class in set(self.g.transitive_objects(t, RDFS.subClassOf))
            for t in self.g.objects(shape, RDF.type)
        ):
            classes.add(shape)  # a shape that is also a class targets its instances
        parts = [
            f"?focus rdf:type/rdfs:subClassOf* {self.iri(c)} ."
            for c in sorted(classes, key=lambda n: n.n3())
        ]
        nodes = self.values(shape, SH.targetNode)
        if nodes:
            parts.append(f"VALUES ?focus {{ {' '.join(self.constant(n) for n in nodes)} }}")
        parts += [f"?focus {self.iri(p)} [] ." for p in self.values(shape, SH.targetSubjectsOf)]
        parts += [f"[] {self.iri(p)} ?focus ." for p in self.values(shape, SH.targetObjectsOf)]
        if len(parts) == 1 and len(classes) == 1:
            return parts[0]
        union = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?focus WHERE {{ {union} }} }}" if parts else None

    def compile_shape(self, shape: Node) -> list[CompiledCheck]:
        self.shape = _short(self.names, shape)
        path = self.one(shape, SH.path)
        self.check_parameters(shape, path is not None)
        target = self.target(shape)
        if target is None or self.flag(shape, SH.deactivated):
            return []
        if path is not None:  # a property shape with its own targets
            return self.compile_property(shape, shape, target)
        message, checks = self.message(shape), []
        for name, test in self.value_tests(shape, "?focus", (shape,)):
            checks.append(
                self.check(shape, name, "", message, target, "focus", f"!{test}", has_value=True)
            )
        for value in self.values(shape, SH.hasValue):
            test = f"!sameTerm(?focus, {self.constant(value)})"
            checks.append(self.check(shape, "HasValue", "", message, target, "focus", test))
        if self.flag(shape, SH.closed):
            pattern = self.closed_pattern(shape, "?focus", "?path", "?value")
            checks.append(
                self.check(
                    shape,
                    "Closed",
                    "",
                    message,
                    target,
                    "value",
                    pattern,
                    has_value=True,
                    unbounded=True,
                )
            )
        for prop in self.values(shape, SH.property):
            self.check_parameters(prop, True)
            if not self.flag(prop, SH.deactivated):
                checks += self.compile_property(shape, prop, target)
        return checks

    def compile_property(self, shape: Node, prop: Node, target: str) -> list[CompiledCheck]:
        path_node = self.one(prop, SH.path)
        if path_node is None:
            raise self.fail("a sh:property value without sh:path")
        if self.values(prop, SH.property):
            raise self.fail(
                "sh:property on a property shape at the top level (its results "
                "would be about the value nodes)"
            )
        path, message = self.path(path_node), self.message(prop)
        unbounded = self.unbounded(path_node)
        checks = []
        high = self.integer(prop, SH.maxCount)
        for name, test in self.count_tests(prop, "?focus", path):
            checks.append(
                self.check(
                    shape,
                    name,
                    path,
                    message,
                    target,
                    "focus",
                    f"!{test}",
                    unbounded=unbounded,
                    max_count=high if name == "MaxCount" else None,
                )
            )
        for cls in self.values(prop, SH["class"]):  # MINUS: one hash of the class's instances
            pattern = (
                f"?focus {path} ?value MINUS {{ ?value rdf:type/rdfs:subClassOf* {self.iri(cls)} }}"
            )
            checks.append(
                self.check(
                    shape,
                    "Class",
                    path,
                    message,
                    target,
                    "value",
                    pattern,
                    has_value=True,
                    unbounded=unbounded,
                )
            )
        for name, test in self.value_tests(prop, "?value", (prop,)):
            if name != "Class":
                pattern = f"?focus {path} ?value FILTER(!{test})"
                checks.append(
                    self.check(
                        shape,
                        name,
                        path,
                        message,
                        target,
                        "value",
                        pattern,
                        has_value=True,
                        unbounded=unbounded,
                        value_test=f"!{test}",
                    )
                )
        for name, pattern in self.pair_patterns(prop, "?focus", path, "?value"):
            checks.append(
                self.check(
                    shape,
                    name,
                    path,
                    message,
                    target,
                    "value",
                    pattern,
                    has_value=True,
                    unbounded=unbounded,
                )
            )
        return checks

    def check(
        self,
        shape: Node,
        name: str,
        path: str,
        message: str,
        target: str,
        level: str,
        test: str,
        *,
        has_value: bool = False,
        unbounded: bool = False,
        value_test: str = "",
        max_count: int | None = None,
    ) -> CompiledCheck:
        component = URIRef(f"{SH}{name}ConstraintComponent")
        if level == "focus":
            select = "?focus ?value" if has_value else "?focus"
            body = f"{target} FILTER({test})" + (" BIND(?focus AS ?value)" if has_value else "")
        else:
            select = "?focus ?value ?path" if name == "Closed" else "?focus ?value"
            body = f"{target} {test}"
        sparql = self.prologue(body) + f"SELECT DISTINCT {select} WHERE {{ {body} }}"
        fallback = f"{_short(self.names, component)} not met" + (f" on {path}" if path else "")
        return CompiledCheck(
            str(shape),
            str(component),
            path,
            message or fallback,
            sparql,
            target,
            level,
            test,
            has_value,
            unbounded,
            value_test,
            max_count,
        )

    def prologue(self, text: str) -> str:
        used = {p for p in _PREFIX_USE.findall(text) if p in self.namespaces} | {"rdf", "rdfs"}
        return "".join(f"PREFIX {p}: <{self.namespaces[p]}>\n" for p in sorted(used))

    def compile(self) -> list[CompiledCheck]:
        shapes: set[Node] = set()
        for parameter in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes |= set(self.g.subjects(parameter, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            shapes |= {s for s in self.g.subjects(RDF.type, kind) if self.target(s) is not None}
        checks = []
        for shape in sorted(shapes, key=lambda n: n.n3()):
            checks += self.compile_shape(shape)
        # features that act outside the shapes checked above (rules, custom targets, ...)
        for parameter in (SH.sparql, SH.target, SH.rule, SH.entailment, SH.qualifiedValueShape):
            for subject in self.g.subjects(parameter, None):
                self.shape = _short(self.names, subject)
                raise self.fail(f"{_short(self.names, parameter)} is not supported")
        return checks


def compile_shapes(shapes: Graph) -> list[CompiledCheck]:
    """Translate each constraint of the targeted shapes in ``shapes`` into a SPARQL check.

    Raises :class:`ShapeCompileError` on a SHACL feature the compiler does not translate.

    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    ...         sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs ex:p" ] .''')
    >>> [(c.component.split("#")[1], c.path, c.message) for c in compile_shapes(shapes)]
    [('MinCountConstraintComponent', 'ex:p', 'needs ex:p')]
    """
    return _Compiler(shapes).compile()


# --------------------------------------------------------------------------- running

_Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal"
#: one violation as the store gives it: focus, value, result path (None where there is none)
_Row: TypeAlias = "tuple[_Term, _Term | None, _Term | None]"
#: above this many flagged values, a value check runs its own query instead of having the
#: flagged values' focus nodes looked up in its target
_MAX_CANDIDATES = 5000


@dataclass(frozen=True)
class _Query:
    """One query of a run; ``kind`` (screen, scan, pattern, single, focus, member) says how
    its rows are read, ``members`` which checks (or, for member, which target) they serve."""

    name: str
    kind: str
    text: str
    members: tuple[int, ...]


def _prefixes(checks: list[CompiledCheck], members: Iterable[int]) -> str:
    lines = {
        line
        for i in members
        for line in checks[i].sparql.splitlines()
        if line.startswith("PREFIX ")
    }
    return "".join(line + "\n" for line in sorted(lines))


def _any_flag(tests: list[str]) -> str:
    return " || ".join(f"COALESCE({t}, false)" for t in tests)


def _flags(tests: list[str]) -> str:
    """One projected flag per test: SPARQL computes them only for rows the filter keeps."""
    return " ".join(f"(COALESCE({t}, false) AS ?_t{k})" for k, t in enumerate(tests))


def _flagged(
    checks: list[CompiledCheck],
    query: _Query,
    flags: Iterable[_Term | None],
    test: Callable[[CompiledCheck], str],
) -> list[int]:
    """The checks of ``query`` whose flag is true in one row."""
    tests = sorted({test(checks[i]) for i in query.members})
    true = {
        t for t, flag in zip(tests, flags) if isinstance(flag, ox.Literal) and flag.value == "true"
    }
    return [i for i in query.members if test(checks[i]) in true]


def _first_queries(checks: list[CompiledCheck], names: Graph) -> list[_Query]:
    """The queries that need no target: maxCount screens, value scans, value patterns and
    the checks on unbounded paths (which run as compiled)."""
    screens: dict[str, list[int]] = defaultdict(list)
    scans: dict[str, list[int]] = defaultdict(list)
    patterns: dict[str, list[int]] = defaultdict(list)
    queries = []
    for i, check in enumerate(checks):
        if check.level == "value" and check.unbounded:
            name = " ".join(
                x
                for x in (
                    _short(names, URIRef(check.shape)),
                    check.path,
                    _short(names, URIRef(check.component)),
                )
                if x
            )
            queries.append(_Query(name, "single", check.sparql, (i,)))
        elif check.max_count is not None and not check.unbounded:
            # no node with 2 values (triples = distinct subjects), or none at all for 0
            distinct = "COUNT(DISTINCT ?s)" if check.max_count else "0"
            screens[
                f"SELECT (COUNT(*) AS ?n) ({distinct} AS ?d) WHERE {{ ?s {check.path} ?o }}"
            ].append(i)
        elif check.level == "value" and check.value_test:
            scans[check.path].append(i)
        elif check.level == "value":
            patterns[check.test].append(i)
    for text, members in screens.items():
        queries.append(
            _Query(
                f"screen {checks[members[0]].path} ({len(members)} maxCount)",
                "screen",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    for path, members in scans.items():
        tests = sorted({checks[i].value_test for i in members})
        text = (
            f"SELECT ?focus ?value {_flags(tests)} "
            f"WHERE {{ ?focus {path} ?value FILTER({_any_flag(tests)}) }}"
        )
        queries.append(
            _Query(
                f"values of {path} ({len(members)} checks)",
                "scan",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    for test, members in patterns.items():
        check = checks[members[0]]
        queries.append(
            _Query(
                f"{_short(names, URIRef(check.component))} on {check.path}",
                "pattern",
                _prefixes(checks, members) + f"SELECT DISTINCT ?focus ?value WHERE {{ {test} }}",
                tuple(members),
            )
        )
    return queries


def _focus_queries(checks: list[CompiledCheck], names: Graph, skip: set[int]) -> list[_Query]:
    """Per shape, one query over its focus nodes for all its focus-level checks."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, check in enumerate(checks):
        if check.level == "focus" and i not in skip:
            groups[(check.shape, check.target)].append(i)
    queries = []
    for (shape, target), members in groups.items():
        tests = sorted({checks[i].test for i in members})
        text = f"SELECT ?focus {_flags(tests)} WHERE {{ {target} FILTER({_any_flag(tests)}) }}"
        queries.append(
            _Query(
                f"{_short(names, URIRef(shape))} focus checks ({len(members)})",
                "focus",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    return queries


def _member_queries(
    checks: list[CompiledCheck],
    names: Graph,
    candidates: dict[int, set[tuple[_Term, _Term | None]]],
) -> tuple[list[_Query], list[str]]:
    """Queries re-running value checks with many flagged values, and queries looking the
    other flagged values' focus nodes up in their targets (numbered by the returned list)."""
    queries: list[_Query] = []
    wanted: dict[str, set[_Term]] = defaultdict(set)
    for i, pairs in candidates.items():
        check = checks[i]
        if len(pairs) > _MAX_CANDIDATES or any(isinstance(f, ox.BlankNode) for f, _ in pairs):
            name = f"{_short(names, URIRef(check.shape))} {check.path} (rerun)"
            queries.append(_Query(name, "single", check.sparql, (i,)))
        else:
            wanted[check.target] |= {focus for focus, _ in pairs}
    targets = sorted(wanted)
    for t, target in enumerate(targets):
        users = [i for i, c in enumerate(checks) if c.target == target]
        foci = sorted(wanted[target], key=str)
        for start in range(0, len(foci), 1000):
            values = " ".join(str(f) for f in foci[start : start + 1000])
            text = f"SELECT DISTINCT ?focus WHERE {{ VALUES ?focus {{ {values} }} {target} }}"
            queries.append(
                _Query(f"target {t} lookup", "member", _prefixes(checks, users) + text, (t,))
            )
    return queries, targets


def _execute(store: ox.Store, query: _Query) -> tuple[float, list[tuple[_Term | None, ...]]]:
    start = time.perf_counter()
    solutions = store.query(query.text)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [tuple(solution) for solution in solutions]
    return time.perf_counter() - start, rows


def _find(
    store: ox.Store, checks: list[CompiledCheck], names: Graph, threads: int
) -> tuple[dict[int, set[_Row]], dict[str, float]]:
    """The violations of each check (by index) and the time each query took."""
    seconds: dict[str, float] = {}
    found: dict[int, set[_Row]] = defaultdict(set)

    def run(queries: list[_Query]) -> list[tuple[_Query, list[tuple[_Term | None, ...]]]]:
        if threads > 1 and len(queries) > 1:
            with ThreadPoolExecutor(threads) as pool:
                answers = list(pool.map(lambda q: _execute(store, q), queries))
        else:
            answers = [_execute(store, q) for q in queries]
        for query, (took, _) in zip(queries, answers):
            seconds[query.name] = seconds.get(query.name, 0.0) + took
        return [(query, rows) for query, (_, rows) in zip(queries, answers)]

    def single(query: _Query, rows: list[tuple[_Term | None, ...]]) -> None:
        for focus, value, *path in rows:
            assert focus is not None
            found[query.members[0]].add((focus, value, path[0] if path else None))

    passed: set[int] = set()
    candidates: dict[int, set[tuple[_Term, _Term | None]]] = defaultdict(set)
    for query, rows in run(_first_queries(checks, names)):
        if query.kind == "screen":
            n, d = rows[0]
            if isinstance(n, ox.Literal) and isinstance(d, ox.Literal) and n.value == d.value:
                passed.update(query.members)
        elif query.kind == "single":
            single(query, rows)
        else:
            for focus, value, *flags in rows:
                assert focus is not None
                hit = (
                    query.members
                    if query.kind == "pattern"
                    else _flagged(checks, query, flags, lambda c: c.value_test)
                )
                for i in hit:
                    candidates[i].add((focus, value))

    lookups, targets = _member_queries(checks, names, candidates)
    inside: dict[str, set[_Term]] = defaultdict(set)
    for query, rows in run(_focus_queries(checks, names, passed) + lookups):
        if query.kind == "single":
            single(query, rows)
        elif query.kind == "member":
            inside[targets[query.members[0]]] |= {r[0] for r in rows if r[0] is not None}
        else:
            for focus, *flags in rows:
                assert focus is not None
                for i in _flagged(checks, query, flags, lambda c: c.test):
                    found[i].add((focus, focus if checks[i].has_value else None, None))
    rerun = {q.members[0] for q in lookups if q.kind == "single"}
    for i, pairs in candidates.items():
        if i not in rerun:
            found[i] |= {(f, v, None) for f, v in pairs if f in inside[checks[i].target]}
    return {i: rows for i, rows in found.items() if rows}, seconds


def _to_rdflib(term: _Term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def _run_names(checks: list[CompiledCheck]) -> Graph:
    """Prefixes for a run: dmkg's and those the compiler used (for sh:closed's result paths)."""
    names = _names()
    for check in checks:
        for prefix, namespace in re.findall(r"^PREFIX (\S*): <(.*)>$", check.sparql, re.MULTILINE):
            names.bind(prefix, namespace, override=False)
    return names


def _results(
    checks: list[CompiledCheck], rows: dict[int, set[_Row]], names: Graph, limit: int | None = None
) -> tuple[list[CheckResult], dict[int, int]]:
    """The rows as results, in a stable order; at most ``limit`` per check, with the number
    left out per check."""
    results, left_out = [], {}
    for i in sorted(rows):
        ordered = sorted(rows[i], key=lambda row: tuple(str(t) for t in row))
        if limit is not None and len(ordered) > limit:
            left_out[i] = len(ordered) - limit
            ordered = ordered[:limit]
        results += [
            CheckResult(
                checks[i],
                _to_rdflib(focus),
                _to_rdflib(value) if value is not None else None,
                _short(names, _to_rdflib(path)) if path is not None else checks[i].path,
            )
            for focus, value, path in ordered
        ]
    return results, left_out


def run_checks(
    store: ox.Store, checks: list[CompiledCheck], *, threads: int = 2
) -> tuple[list[CheckResult], dict[str, float]]:
    """Every violation of ``checks`` in the default graph of ``store``, and the seconds each
    query of the run took (on ``threads`` threads)."""
    names = _run_names(checks)
    rows, seconds = _find(store, checks, names, threads)
    return _results(checks, rows, names)[0], seconds


def _neighbourhood(store: ox.Store, foci: Iterable[Node]) -> Graph:
    """The triples ``kg.validate.shacl._locate`` reads about ``foci``, copied from the store."""
    graph = Graph()

    def copy(nodes: Iterable[Node], predicates: tuple[URIRef, ...], extra: str = "") -> None:
        wanted = f"?p IN ({', '.join(p.n3() for p in predicates)}){extra}"
        ordered = sorted({n for n in nodes if not isinstance(n, BNode)}, key=lambda n: n.n3())
        for start in range(0, len(ordered), 1000):
            values = " ".join(n.n3() for n in ordered[start : start + 1000])
            solutions = store.query(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER({wanted}) }}"
            )
            assert isinstance(solutions, ox.QuerySolutions)
            for s, p, o in solutions:
                graph.add((_to_rdflib(s), _to_rdflib(p), _to_rdflib(o)))

    at = (DMKG.curatedFile, DMKG.curatedLine, DMKG.column, DMKG.inRow)
    located = (
        f" || (?p = {RDF.type.n3()} && ?o IN ({DMKG.SourceLocation.n3()}, {DMKG.SourceRow.n3()}))"
    )
    copy(foci, (DMKG.ofPatient, PROV.wasDerivedFrom, *at), located)
    copy(graph.objects(None, DMKG.ofPatient), (PROV.wasDerivedFrom,))
    copy(graph.objects(None, PROV.wasDerivedFrom), (*at, DMKG.curatedItem, DMKG.section))
    copy(graph.objects(None, DMKG.inRow), (DMKG.curatedFile, DMKG.curatedLine))
    return graph


def validate_store(
    store: ox.Store, shapes: Graph | None = None, *, limit: int = 1000, threads: int = 2
) -> StoreValidationReport:
    """Validate the default graph of ``store`` (ontology and data) against the shapes.

    Lists at most ``limit`` violations per check and counts the others; each is located in
    the curated files as :func:`kg.validate.shacl.validate_graph` locates it.
    """
    checks = compile_shapes(shapes if shapes is not None else load_shapes())
    names = _run_names(checks)
    rows, seconds = _find(store, checks, names, threads)
    kept, left_out = _results(checks, rows, names, limit)
    omitted: dict[str, int] = defaultdict(int)
    for i, n in left_out.items():
        check = checks[i]
        omitted[
            " ".join(
                x
                for x in (
                    _short(names, URIRef(check.shape)),
                    check.path,
                    _short(names, URIRef(check.component)),
                )
                if x
            )
        ] += n
    located = _neighbourhood(store, (r.focus for r in kept))
    violations = []
    for r in kept:
        file, line, column = _locate(located, r.focus)
        violations.append(
            Violation(
                file=file,
                line=line,
                column=column,
                value=_short(names, r.value),
                message=r.check.message,
                focus=_short(names, r.focus),
                path=r.path,
            )
        )
    return StoreValidationReport(not rows, sorted(set(violations)), dict(omitted), seconds)
