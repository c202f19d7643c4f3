"""Small helpers of the Python API: labels, CURIEs, literal values and result frames."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from kg.analyse.frames import records_frame
from kg.query.render import curie, python_value, render_records
from kg.store import QueryResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "case_order",
    "curie_of",
    "float_of",
    "label_of",
    "normalise",
    "result_frame",
    "value_of",
]


def result_frame(result: QueryResult, graph: Any, title: str) -> pd.DataFrame:
    """A query result as a typed DataFrame, each IRI column with its ``_id`` CURIE column."""
    records = render_records(result, graph)
    columns: list[str] = []
    for column in result.columns:
        columns.append(column)
        if records and f"{column}_id" in records[0]:
            columns.append(f"{column}_id")
    frame = records_frame(records, columns)
    frame.attrs["title"] = title
    return frame


def curie_of(iri: Node) -> str:
    """The CURIE of an IRI (the IRI itself where no prefix fits)."""
    return curie(URIRef(str(iri)))


def label_of(graph: Graph, iri: Node | None) -> str | None:
    """The English label (the same one the command line shows), else the CURIE."""
    if iri is None:
        return None
    labels = [lab for lab in graph.objects(iri, RDFS.label) if isinstance(lab, Literal)]
    english = [lab for lab in labels if lab.language in ("en", None)]
    chosen = sorted(str(lab) for lab in (english or labels))
    return chosen[0] if chosen else curie_of(iri)


def case_order(case: str | None) -> tuple[int, str]:
    text = case or ""
    return (int(text), "") if text.isdigit() else (10**9, text)


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def value_of(graph: Graph, subject: Node, prop: URIRef) -> Any:
    """The value of ``prop`` on ``subject`` as a Python int, float, bool or str."""
    return python_value(graph.value(subject, prop))


def float_of(value: Node | None) -> float | None:
    return None if value is None else float(str(value))
