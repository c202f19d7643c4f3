"""The constraints of a shape as SPARQL expressions and patterns (a layer of the compiler in
:mod:`kg.validate.compiled.compiler`)."""

from __future__ import annotations

from itertools import combinations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validate.compiled.reader import (
    _ANY_FORM,
    _CASTABLE,
    _MAX_COUNT,
    _NODE_KINDS,
    _NUMERIC,
    _PAIRS,
    _RANGES,
    _ShapeReader,
    _Test,
)
from kg.validate.shacl import _short

__all__: list[str] = []


class _ConstraintWriter(_ShapeReader):
    """Writes the constraints of shapes as SPARQL expressions and patterns, for the compiler
    (:class:`kg.validate.compiled.compiler._Compiler`)."""

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
