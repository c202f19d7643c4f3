"""Reading the shapes graph: its terms and parameters as SPARQL text, and SHACL paths as
SPARQL property paths (the base of the compiler in :mod:`kg.validate.compiled.compiler`)."""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.validate.compiled.checks import ShapeCompileError, _names
from kg.validate.shacl import _short

__all__: list[str] = []


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


class _ShapeReader:
    """Reads the terms, parameters and paths of one shapes graph for the compiler
    (:class:`kg.validate.compiled.compiler._Compiler`)."""

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
