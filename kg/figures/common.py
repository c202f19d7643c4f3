"""What every figure shares: :class:`FigureResult` and small helpers for tables and labels."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef

from kg.analyse.frames import natural
from kg.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from kg.terms import TermIndex

__all__ = ["FORMATS", "FigureResult", "estimate_text", "natural"]

#: file suffixes a figure can be saved as
FORMATS = (".png", ".svg")
CONFIDENCE = 0.95
KIND_COLOURS = {
    "finding": "#4C72B0",
    "antibody": "#DD8452",
    "cancer site": "#55A868",
    "cancer": "#C44E52",
    "other": "#8C8C8C",
}


@dataclass
class FigureResult:
    """A drawn figure and the numbers behind it.

    ``data`` is the main table (one row per bar, curve step, edge or odds ratio), ``tables``
    holds further tables (e.g. the patients of a survival figure) and ``notes`` says what
    was left out and why.
    """

    name: str
    figure: Figure
    data: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # lay the figure out once and freeze it: every later save gives the same file
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")

    def __repr__(self) -> str:
        return f"<FigureResult {self.name!r}: {len(self.data)} rows, {len(self.notes)} notes>"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the figure as PNG or SVG (by suffix), under a temporary name first."""
        out = Path(path)
        suffix = out.suffix.lower()
        if suffix not in FORMATS:
            raise UsageError(
                f"{out}: a figure is written as .png or .svg, not "
                f"{suffix or 'a file without suffix'!r}"
            )
        import matplotlib

        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        # a fixed SVG id salt and no date: the same figure gives the same file
        with matplotlib.rc_context({"svg.hashsalt": "dmkg"}):
            self.figure.savefig(
                tmp,
                format=suffix[1:],
                dpi=150,
                metadata={"Date": None} if suffix == ".svg" else None,
            )
        os.replace(tmp, out)
        return out

    def _repr_png_(self) -> bytes:
        import io

        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    from kg.analyse.frames import records_frame

    return records_frame(records, columns)


def term_index(graph: Graph, terms: TermIndex | None) -> TermIndex:
    if terms is not None:
        return terms
    from kg.terms import TermIndex

    return TermIndex(graph)


def resolve_term(graph: Graph, terms: TermIndex | None, text: str) -> URIRef:
    """The term named by a label, synonym or CURIE (``dmkg:HeliotropeRash``)."""
    from rdflib import RDFS

    from kg.errors import NotFoundError
    from kg.namespaces import DMKG

    if text.startswith("dmkg:") and graph.value(DMKG._NS[text[5:]], RDFS.label) is not None:
        return DMKG._NS[text[5:]]
    try:
        return URIRef(term_index(graph, terms).resolve(text))
    except Exception as exc:  # noqa: BLE001 - CurationError: unknown or ambiguous term
        raise NotFoundError(f"term {text!r}: {exc}") from None


def label(graph: Graph, iri: Any) -> str:
    from kg.analyse.networks.nodes import label as network_label

    return network_label(graph, iri)


def curie(iri: Any) -> str:
    from kg.analyse.networks import node_id

    return node_id(iri)


def to_float(value: Any) -> float | None:
    if value is None:
        return None
    return math.inf if value == "inf" else float(value)


def estimate_text(
    value: float | None, low: float | None, high: float | None, digits: int | None = None
) -> str:
    """An estimate with its interval as a reader writes it.

    ``digits`` decimals for each (a printed estimate keeps its printed precision); without,
    two significant digits below 0.1, two decimals below 10, one below 100, none above.

    >>> estimate_text(5.1, 3.0, 8.6, digits=1)
    '5.1 (3.0-8.6)'
    >>> estimate_text(1.0997, 0.4876, 2.479)
    '1.10 (0.49-2.48)'
    >>> estimate_text(27.0, None, None, digits=0)
    '27 (no interval)'
    >>> estimate_text(math.inf, 0.0128, math.inf)
    'inf (0.013-inf)'
    >>> estimate_text(61.5, -105.8, 237.5, digits=1)  # a negative bound: "to", not a dash
    '61.5 (-105.8 to 237.5)'
    """

    def shown(x: float | None) -> str:
        if x is None:
            return "undefined"
        if math.isinf(x):
            return "inf"
        if x == 0:
            return "0"
        if digits is None and abs(x) < 0.1:
            return f"{x:.2g}"  # two significant digits: 0.013, not 0.01
        places = digits if digits is not None else 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0
        return f"{x:.{places}f}"

    if low is None and high is None:
        return f"{shown(value)} (no interval)"
    negative = any(x is not None and x < 0 for x in (low, high))
    return f"{shown(value)} ({shown(low)}{' to ' if negative else '-'}{shown(high)})"
