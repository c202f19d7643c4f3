"""The gate at registry scale: N-Triples files and pyoxigraph stores, violations capped per check.

The build validates each batch of patients from its N-Triples file (ontology and data), and
locates the violations, if any, in a store holding the same triples: only then is one needed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.namespaces import DMKG, PROV
from kg.ontology import load_shapes
from kg.validate.shacl import ValidationReport, Violation, _locate, _short, check_ntriples, names

__all__ = ["StoreValidationReport", "validate_ntriples", "validate_store"]


@dataclass(frozen=True)
class StoreValidationReport(ValidationReport):
    """A :class:`ValidationReport` that may list only the first violations of each check.

    ``omitted`` counts the violations not listed, per check (shape, path and component).
    """

    omitted: dict[str, int] = field(default_factory=dict)

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


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


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


def validate_ntriples(
    path: Path,
    shapes: Graph | None = None,
    *,
    ontology: bytes = b"",
    store: ox.Store | None = None,
    limit: int = 1000,
) -> StoreValidationReport:
    """Validate the N-Triples file ``path`` with the ``ontology`` (N-Triples) against the shapes.

    Lists at most ``limit`` violations per check and counts the others; each is located in
    the curated files as :func:`kg.validate.shacl.validate_graph` locates it, from ``store``
    (the same triples) or, if none is given, a store read from ``path``.
    """
    prefixes = names()
    shapes = shapes if shapes is not None else load_shapes()
    if ontology:  # one input for the engine: a copy of the data after the ontology
        both = path.with_name(path.name + ".shacl.nt")
        try:
            with open(both, "wb") as out, open(path, "rb") as data:
                out.write(ontology)
                shutil.copyfileobj(data, out, 1 << 20)
            results = check_ntriples(both, shapes, prefixes)
        finally:
            both.unlink(missing_ok=True)
    else:
        results = check_ntriples(path, shapes, prefixes)
    if not results:
        return StoreValidationReport(True, [])
    by_check = defaultdict(list)
    for r in results:
        by_check[r.check].append(r)
    kept, omitted = [], {}
    for check, found in by_check.items():
        found.sort(key=lambda r: (r.focus.n3(), r.value.n3() if r.value is not None else ""))
        kept += found[:limit]
        if len(found) > limit:
            omitted[check] = len(found) - limit
    if store is None:
        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    located = _neighbourhood(store, (r.focus for r in kept))
    violations = []
    for r in kept:
        file, line, column = _locate(located, r.focus)
        violations.append(
            Violation(
                file=file,
                line=line,
                column=column,
                value=_short(prefixes, r.value),
                message=r.message,
                focus=_short(prefixes, r.focus),
                path=r.path,
            )
        )
    return StoreValidationReport(False, sorted(set(violations)), omitted)


def validate_store(
    store: ox.Store, shapes: Graph | None = None, *, limit: int = 1000
) -> StoreValidationReport:
    """Validate the default graph of ``store`` (ontology and data) against the shapes; see
    :func:`validate_ntriples`."""
    with tempfile.TemporaryDirectory(prefix="dmkg-validate-") as folder:
        path = Path(folder) / "graph.nt"
        store.dump(str(path), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return validate_ntriples(path, shapes, store=store, limit=limit)
