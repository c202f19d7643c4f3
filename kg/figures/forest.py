"""``mi2-forest``: odds ratios of every feature compared between two cohorts split by an
antibody (and the row and drawing :mod:`kg.figures.evidence` shares)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef

from kg.errors import NotFoundError
from kg.figures.common import (
    FigureResult,
    curie,
    frame,
    label,
    new_figure,
    term_index,
    to_float,
)
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kg.analyse.cohorts import CohortComparison
    from kg.terms import TermIndex

__all__ = ["comparison_row", "draw_forest", "mi2_forest"]

_COLUMNS = [
    "feature",
    "feature_id",
    "n1",
    "N1",
    "n2",
    "N2",
    "a",
    "b",
    "c",
    "d",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_fisher",
    "reported_p",
    "plotted",
    "source",
]


def mi2_forest(
    graph: Graph, *, antibody: str = "anti-Mi-2", terms: TermIndex | None = None
) -> FigureResult:
    """Odds ratios with 95% CIs (log scale), antibody-positive vs negative cohorts.

    Every feature compared between two cohorts split by the antibody, from the printed n/N
    (see the module docstring of :mod:`kg.figures`).

    ``data``: ``feature``, ``feature_id``, ``n1``, ``N1``, ``n2``, ``N2`` (positive cohort
    first), ``a``-``d`` (the 2x2), ``odds_ratio`` (conditional MLE), ``ci_low``,
    ``ci_high`` (exact 95%), ``p_fisher``, ``reported_p``, ``plotted``, ``source``; sorted
    by odds ratio.
    """
    from kg.analyse.cohorts import cohort_comparisons

    index = term_index(graph, terms)
    try:
        wanted = URIRef(index.resolve(antibody, root=DMKG.Autoantibody))
    except Exception as exc:  # noqa: BLE001 - CurationError: unknown or ambiguous term
        raise NotFoundError(f"antibody {antibody!r}: {exc}") from None
    comparisons = cohort_comparisons(graph)
    pairs = {
        (c.cohort1, c.cohort2)
        for c in comparisons
        if c.feature == wanted and c.N1 > 0 and c.n1 == c.N1 and c.n2 == 0
    }
    if not pairs:
        raise NotFoundError(
            f"no cohort comparison splits two cohorts by {antibody!r} "
            "(a row with every member of one cohort positive and none of "
            "the other)"
        )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for comp in comparisons:
        if (comp.cohort1, comp.cohort2) not in pairs or comp.feature == wanted:
            continue
        rows.append(comparison_row(graph, comp, notes))
    rows.sort(
        key=lambda r: (
            math.inf if r["odds_ratio"] is None else r["odds_ratio"],
            r["feature"].casefold(),
        )
    )
    data = frame(rows, _COLUMNS)
    pair = min(pairs)
    title = f"{label(graph, pair[0])}\nvs {label(graph, pair[1])}"
    for r in rows:
        r["label"] = (
            f"{r['feature']} ({r['n1']}/{r['N1']} vs {r['n2']}/{r['N2']}, p {r['reported_p']})"
        )
    xlabel = "odds ratio with exact 95% CI (log scale)\n> 1: more frequent in the antibody-positive cohort"
    return FigureResult("mi2-forest", draw_forest(rows, title, xlabel), data, notes=notes)


def comparison_row(graph: Graph, comp: CohortComparison, notes: list[str]) -> dict[str, Any]:
    """The odds ratio of one comparison; a note if it cannot be drawn on a log scale."""
    from kg.analyse.statistics import two_by_two

    a, b, c, d = comp.cells
    stats = two_by_two(a, b, c, d)
    ratio, low, high = stats["odds_ratio"], stats["or_ci_low"], stats["or_ci_high"]
    drawable = all(isinstance(v, float) and 0 < v < math.inf for v in (ratio, low, high))
    name = label(graph, comp.feature)
    if not drawable:
        shown = [f"{to_float(v):.3g}" if v is not None else "undefined" for v in (ratio, low, high)]
        notes.append(
            f"{name} ({comp.n1}/{comp.N1} vs {comp.n2}/{comp.N2}): odds ratio "
            f"{shown[0]} (95% CI {shown[1]} to {shown[2]}) cannot be drawn on a "
            "log scale; not plotted"
        )
    return {
        "feature": name,
        "feature_id": curie(comp.feature),
        "n1": comp.n1,
        "N1": comp.N1,
        "n2": comp.n2,
        "N2": comp.N2,
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "odds_ratio": to_float(ratio),
        "ci_low": to_float(low),
        "ci_high": to_float(high),
        "p_fisher": float(stats["p_fisher"]),
        "reported_p": comp.printed_p,
        "plotted": drawable,
        "source": comp.source,
    }


def draw_forest(rows: list[dict[str, Any]], title: str, xlabel: str) -> Figure:
    """Each plotted row's ``odds_ratio`` with its ``ci_low``-``ci_high`` whisker on a log
    scale, labelled by its ``label`` (wrapped at 60 characters); a dashed line at 1."""
    import textwrap

    drawn = [r for r in rows if r["plotted"]]
    labels = ["\n".join(textwrap.wrap(r["label"], 60)) for r in drawn]
    lines = sum(text.count("\n") + 1 for text in labels)
    figure, ax = new_figure(8, 1.4 + 0.2 * max(lines, 1) + 0.1 * len(drawn))
    y = list(range(len(drawn)))
    whiskered = [(i, r) for i, r in zip(y, drawn, strict=True) if r["ci_low"] is not None]
    ax.errorbar(
        [r["odds_ratio"] for _, r in whiskered],
        [i for i, _ in whiskered],
        xerr=[
            [r["odds_ratio"] - r["ci_low"] for _, r in whiskered],
            [r["ci_high"] - r["odds_ratio"] for _, r in whiskered],
        ],
        fmt="s",
        color="#4C72B0",
        ecolor="#666666",
        capsize=2,
        markersize=4,
    )
    bare = [(i, r) for i, r in zip(y, drawn, strict=True) if r["ci_low"] is None]
    if bare:  # a printed ratio without an interval: a hollow point
        ax.plot(
            [r["odds_ratio"] for _, r in bare],
            [i for i, _ in bare],
            "s",
            markerfacecolor="none",
            color="#4C72B0",
            markersize=5,
        )
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, labels, fontsize=8)
    figure.suptitle(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.grid(axis="x", alpha=0.3, which="both")
    return figure
