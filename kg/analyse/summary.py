"""What a graph holds: sources, patients, records by kind, inferred classes, triples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg.query import run_query
from kg.store import as_store

if TYPE_CHECKING:
    from kg.store import Store

__all__ = ["GraphSummary", "summarise"]


@dataclass(frozen=True)
class GraphSummary:
    """Counts that describe a built graph."""

    triples: int
    sources: list[dict[str, Any]]
    records: dict[str, int]
    inferred: dict[str, int]

    @property
    def patients(self) -> int:
        return sum(int(s["patients"]) for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "triples": self.triples,
            "patients": self.patients,
            "sources": self.sources,
            "records": self.records,
            "inferred_patients": self.inferred,
        }

    def text(self) -> str:
        lines = [
            (
                f"dmkg graph: {self.triples:,} triples, {len(self.sources)} sources, "
                f"{self.patients} patients"
            )
        ]
        lines.append("sources:")
        for s in self.sources:
            lines.append(f"  {s['doi']:<28} {s['patients']:>4} patients  {s['title'][:60]}")
        lines.append("records by kind:")
        for label, count in self.records.items():
            lines.append(f"  {label:<32} {count:>6}")
        lines.append("patients classified by the reasoner:")
        for label, count in self.inferred.items():
            lines.append(f"  {label:<60} {count:>4}")
        return "\n".join(lines)


def summarise(graph: Graph | Store, triples: int | None = None) -> GraphSummary:
    """Count what ``graph`` (or a store) holds, with the summary queries in ``queries/``.

    ``triples`` defaults to the number of triples the store holds.
    """
    sources = [
        {"doi": str(r["doi"]), "title": str(r["title"]), "patients": int(str(r["patients"]))}
        for r in run_query(graph, "summary-sources").records()
    ]
    records = {
        str(r["label"]): int(str(r["records"]))
        for r in run_query(graph, "summary-records").records()
    }
    inferred = {
        str(r["label"]): int(str(r["patients"]))
        for r in run_query(graph, "summary-inferred").records()
    }
    if triples is None:
        triples = len(as_store(graph))
    return GraphSummary(triples, sources, records, inferred)
