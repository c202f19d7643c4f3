"""Figures of the graph, each returned with the numbers it draws.

Eight figures (:data:`FIGURES`), drawn with matplotlib's object API (no pyplot, so no display
and no global state: PNG through the Agg canvas, SVG through the SVG canvas, chosen by the
file suffix):

``finding-frequency``
    Per clinical finding, the share of patients with it present among those assessed
    (present or absent; unknown, equivocal and not reported are left out and counted in
    ``excluded``), with Wilson 95% intervals (scipy ``binomtest``). Parameters ``source``,
    ``min_assessed`` (default 2: a finding seen in one patient only says nothing).
``term-frequency``
    One finding or antibody: the share present (positive) among the assessed patients of
    each source, and each printed cohort frequency n/N, with Wilson 95% intervals. Parameter
    ``term`` (a label, synonym or CURIE).
``survival``
    Kaplan-Meier curves (lifelines) by the status of one finding (default myositis): death is
    the event; alive and lost to follow-up are censored at their months. A patient whose
    outcome has no months (in Requena's Table 1 the four "L" patients, printed without a
    time) cannot be placed on a time axis and is left out, listed in ``notes`` and in the
    ``patients`` table with ``included`` False. Parameters ``finding``, ``source``. The
    numbers at risk stand under the time axis and the log-rank p in the corner
    (:mod:`kg.analyse.survival` computes them).
``survival-by-antibody``
    The same by the status of one antibody test (positive, negative, not performed, ...).
    Parameters ``antibody`` (default anti-TIF1-gamma), ``source``.
``survival-by-site``
    The same by cancer site (the source's own category, else the organ site). Parameter
    ``source``.
``association-network``
    The association graph (:func:`kg.analyse.networks.association_graph`): co-occurrence edges as
    grey lines as wide as their patient count, cohort evidence dashed blue, literature
    evidence dotted red. Parameter ``min_patients``.
``mi2-forest``
    Odds ratios with exact 95% intervals (log scale) for every feature compared between two
    cohorts split by an antibody (default anti-Mi-2: Monseau Table I, anti-Mi2-positive vs
    anti-Mi2-negative DM), from the printed n/N. Rows whose odds ratio or a bound is 0 or
    infinite cannot be drawn on a log scale; they stay in the data with ``plotted`` False.
    Parameter ``antibody``.
``evidence-forest``
    Everything with an odds or risk ratio about one term: its cohort comparisons (n/N), its
    patient-level associations with each cancer site, the risk estimates papers print about
    it, each as "5.1 (3.0-8.6)" in ``estimate``. Parameters ``term``, ``source`` (alone: the
    risk estimates that source prints).

>>> from kg.api import load
>>> r = load().plot("mi2-forest")
>>> table = r.data.set_index("feature")
>>> table[["a", "b", "c", "d"]].loc["Holster sign"].tolist()
[12, 43, 2, 53]
>>> round(float(table.loc["Holster sign", "odds_ratio"]), 2)
7.28
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg.errors import NotFoundError, UsageError
from kg.figures.common import FORMATS, FigureResult
from kg.figures.evidence import evidence_forest
from kg.figures.forest import mi2_forest
from kg.figures.frequency import finding_frequency, term_frequency
from kg.figures.kaplan_meier import survival, survival_by_antibody, survival_by_site
from kg.figures.network import association_network

if TYPE_CHECKING:
    from kg.terms import TermIndex

__all__ = [
    "FIGURES",
    "FORMATS",
    "FigureResult",
    "association_network",
    "evidence_forest",
    "finding_frequency",
    "mi2_forest",
    "plot",
    "survival",
    "survival_by_antibody",
    "survival_by_site",
    "term_frequency",
]

#: figure name -> (function, its parameters with their types)
FIGURES: dict[str, tuple[Callable[..., FigureResult], dict[str, type]]] = {
    "finding-frequency": (finding_frequency, {"source": str, "min_assessed": int}),
    "term-frequency": (term_frequency, {"term": str}),
    "survival": (survival, {"finding": str, "source": str}),
    "survival-by-antibody": (survival_by_antibody, {"antibody": str, "source": str}),
    "survival-by-site": (survival_by_site, {"source": str}),
    "association-network": (association_network, {"min_patients": int}),
    "mi2-forest": (mi2_forest, {"antibody": str}),
    "evidence-forest": (evidence_forest, {"term": str, "source": str}),
}


def plot(
    graph: Graph,
    name: str,
    out: str | os.PathLike[str] | None = None,
    *,
    terms: TermIndex | None = None,
    **params: Any,
) -> FigureResult:
    """Draw the figure ``name`` of :data:`FIGURES` with ``params`` (strings are converted
    to each parameter's type); save it to ``out`` (.png or .svg) if given."""
    if name not in FIGURES:
        raise NotFoundError(f"no figure named {name!r}; known figures: {', '.join(FIGURES)}")
    function, types = FIGURES[name]
    values: dict[str, Any] = {}
    for key, value in params.items():
        if key not in types:
            known = ", ".join(types) or "none"
            raise UsageError(f"figure {name!r} has no parameter {key!r} (its parameters: {known})")
        if value is None:
            continue
        try:
            values[key] = types[key](value)
        except ValueError:
            raise UsageError(
                f"figure {name!r}: parameter {key!r} must be "
                f"{'a whole number' if types[key] is int else 'text'}, "
                f"not {value!r}"
            ) from None
    result = function(graph, terms=terms, **values)
    if out is not None:
        result.save(out)
    return result
