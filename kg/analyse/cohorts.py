"""Printed comparisons of a feature between two cohorts, each group as n/N.

The rows of :func:`kg.analyse.statistics.cohort_associations`, of the cohort edges of the
association graph, of the forest figure and of the QA p-value check.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kg.namespaces import DMKG, PROV

__all__ = ["CohortComparison", "cohort_comparisons", "text_value"]


@dataclass(frozen=True)
class CohortComparison:
    """A printed comparison of a feature between two cohorts, each group as n/N."""

    comparison: Node
    feature: Node
    cohort1: Node
    cohort2: Node
    n1: int
    N1: int
    n2: int
    N2: int
    source: str
    printed_p: str | None
    comparator: str | None
    table: str | None
    row: str | None
    column: str | None
    line: int

    @property
    def cells(self) -> tuple[int, int, int, int]:
        """The 2x2 table (a, b, c, d) = (n1, N1 - n1, n2, N2 - n2)."""
        return self.n1, self.N1 - self.n1, self.n2, self.N2 - self.n2


def cohort_comparisons(graph: Graph) -> list[CohortComparison]:
    """Every group comparison whose two groups are cohort-level counts, in table order."""
    found = []
    for node in set(graph.subjects(RDF.type, DMKG.GroupComparison)):
        first = _counts(graph, graph.value(node, DMKG.firstGroup))
        second = _counts(graph, graph.value(node, DMKG.secondGroup))
        feature = graph.value(node, DMKG.feature)
        location = graph.value(node, PROV.wasDerivedFrom)
        if first is None or second is None or feature is None or location is None:
            continue  # compares two summary statistics (such as mean CK), not counts
        row = graph.value(location, DMKG.inRow) or location  # a table cell's source row
        publication = graph.value(row, DMKG.inPublication)
        doi = graph.value(publication, DMKG.doi) if publication is not None else None
        found.append(
            CohortComparison(
                node,
                feature,
                first[0],
                second[0],
                first[1],
                first[2],
                second[1],
                second[2],
                str(doi) if doi is not None else "",
                text_value(graph, node, DMKG.printedPValue),
                text_value(graph, node, DMKG.pValueComparator),
                text_value(graph, row, DMKG.table),
                text_value(graph, row, DMKG.row),
                text_value(graph, location, DMKG.column),
                int(text_value(graph, row, DMKG.curatedLine) or 0),
            )
        )
    return sorted(found, key=lambda c: (c.source, c.table or "", c.line))


def text_value(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    """The value of ``predicate`` on ``subject`` as a string; None if there is none."""
    value = graph.value(subject, predicate)
    return str(value) if value is not None else None


def _counts(graph: Graph, group: Node | None) -> tuple[Node, int, int] | None:
    """(cohort, n, N) of a cohort-level frequency; None for anything else."""
    if group is None or (group, RDF.type, DMKG.CohortFrequency) not in graph:
        return None
    cohort = graph.value(group, DMKG.cohort)
    n = text_value(graph, group, DMKG.numerator)
    total = text_value(graph, group, DMKG.denominator)
    if cohort is None or n is None or total is None:
        return None
    return cohort, int(n), int(total)
