"""What the compiler produces: one SPARQL check per constraint, and the results of a run."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node

from kg.errors import DmkgError
from kg.namespaces import SHAPES, bind_prefixes

__all__ = ["CheckResult", "CompiledCheck", "ShapeCompileError"]


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


def _names() -> Graph:
    """An empty graph whose prefixes shorten IRIs in queries and reports."""
    names = Graph()
    bind_prefixes(names)
    names.bind("dmkgsh", SHAPES)
    return names
