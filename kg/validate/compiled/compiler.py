"""The compiler: each constraint of the targeted shapes as one SPARQL check."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.validate.compiled.checks import CompiledCheck
from kg.validate.compiled.constraints import _ConstraintWriter
from kg.validate.compiled.reader import _PREFIX_USE
from kg.validate.shacl import _short

__all__ = ["compile_shapes"]


class _Compiler(_ConstraintWriter):
    """Translates the shapes of one shapes graph; see :func:`compile_shapes`."""

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
