"""The classification section of a patient page: what ``dmkg classify --patient`` shows.

Read from the patient's classification records (derived when the graph was built), one
criteria set at a time; the item evidence stays in the page's record tables, each with its
source cell.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef

from kg.api.values import label_of, value_of
from kg.reason.vocabulary import DMKGC

__all__ = ["patient_classifications"]

_STATUSES = ((DMKGC.itemMet, "met"), (DMKGC.itemNotMet, "not met"), (DMKGC.itemUnknown, "unknown"))


def _range(graph: Graph, record: Any, low: URIRef, high: URIRef) -> str | None:
    lo, hi = graph.value(record, low), graph.value(record, high)
    if lo is None or hi is None:
        return None
    lo_text, hi_text = label_of(graph, lo) or str(lo), label_of(graph, hi) or str(hi)
    return lo_text if lo_text == hi_text else f"{lo_text} to {hi_text}"


def patient_classifications(graph: Graph, patient: URIRef) -> list[dict[str, Any]]:
    """One dictionary per criteria set the patient was classified by."""
    views = []
    for record in sorted(graph.subjects(DMKGC.classifiedPatient, patient), key=str):
        criteria = graph.value(record, DMKGC.byCriteria)
        if criteria is None:
            continue
        items = []
        for link, status in _STATUSES:
            for item in graph.objects(record, link):
                items.append(
                    {
                        "order": value_of(graph, item, DMKGC.itemOrder) or 0,
                        "item": label_of(graph, item) or str(item),
                        "status": status,
                        "points_without": value_of(graph, item, DMKGC.pointsWithoutBiopsy),
                        "points_with": value_of(graph, item, DMKGC.pointsWithBiopsy),
                    }
                )
        views.append(
            {
                "criteria": label_of(graph, criteria) or str(criteria),
                "citation": value_of(graph, criteria, DMKGC.citation),
                "score": _range(graph, record, DMKGC.scoreLow, DMKGC.scoreHigh),
                "category": _range(graph, record, DMKGC.categoryLow, DMKGC.categoryHigh),
                "biopsy_score": _range(graph, record, DMKGC.biopsyScoreLow, DMKGC.biopsyScoreHigh),
                "biopsy_category": _range(
                    graph, record, DMKGC.biopsyCategoryLow, DMKGC.biopsyCategoryHigh
                ),
                "decided": value_of(graph, record, DMKGC.decided),
                "subgroups": sorted(
                    label_of(graph, s) or str(s)
                    for s in graph.objects(record, DMKGC.possibleSubgroup)
                ),
                "item_rows": sorted(items, key=lambda i: i["order"]),
            }
        )
    return views
