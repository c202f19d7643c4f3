"""The gate's report: the violations of a run, located in the curated files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.namespaces import DMKG, PROV
from kg.ontology import load_shapes
from kg.validate.compiled.compiler import compile_shapes
from kg.validate.compiled.run import _find, _results, _run_names, _to_rdflib
from kg.validate.shacl import ValidationReport, Violation, _locate, _short

__all__ = ["StoreValidationReport", "validate_store"]


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
