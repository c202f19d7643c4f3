"""``evidence-forest``: the odds ratios and printed risk estimates about one term, one
forest."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.figures.common import (
    FigureResult,
    curie,
    estimate_text,
    frame,
    label,
    resolve_term,
    to_float,
)
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from kg.terms import TermIndex

__all__ = ["evidence_forest"]

_COLUMNS = [
    "evidence",
    "kind",
    "measure",
    "n1",
    "N1",
    "n2",
    "N2",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "estimate",
    "reported_p",
    "plotted",
    "source",
]
#: the measures that are ratios, drawn on the same log axis as the odds ratios
_RATIOS = {DMKG.OddsRatio, DMKG.StandardizedIncidenceRatio}

_PRINTED = prepareQuery(
    """
    SELECT ?statistic ?measure ?value ?low ?high ?name ?doi ?outcome WHERE {
      ?statistic a dmkg:RiskEstimate ; dmkg:about ?term ; dmkg:measure ?measure ;
                 dmkg:value ?value .
      OPTIONAL { ?statistic dmkg:ciLow ?low }
      OPTIONAL { ?statistic dmkg:ciHigh ?high }
      OPTIONAL { ?statistic dmkg:statisticLabel ?name }
      OPTIONAL { ?statistic dmkg:outcomeOfInterest ?outcome }
      OPTIONAL { ?statistic dmkg:statedIn/dmkg:doi ?doi }
    }""",
    initNs={"dmkg": DMKG._NS},
)


def evidence_forest(
    graph: Graph,
    *,
    term: str | None = None,
    source: str | None = None,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Odds ratios and printed risk ratios about one term, with 95% CIs (log scale).

    ``term`` defaults to anti-TIF1-gamma. Given ``source`` (a DOI) alone: the risk estimates
    that source prints, about any term; given both: those about the term in that source.

    Three kinds of rows. ``patient-level``: the term (finding present or antibody positive,
    against absent or negative) and each cancer site over individual patients, as
    ``dmkg associations`` computes them. ``cohort comparison``: every printed comparison of
    the term between two cohorts (n/N each; the first cohort against the second): the
    conditional MLE odds ratio with its exact 95% interval, as ``mi2-forest`` computes it.
    ``printed estimate``:
    every risk estimate a paper states about the term (odds ratio, standardized incidence
    ratio, specificity, ...) with its printed interval; only ratios with both bounds are
    drawn with their whisker, a printed ratio without interval as a hollow point; rows that
    cannot be drawn on a log scale (a zero or infinite bound, a measure that is not a ratio)
    stay in ``data`` with ``plotted`` False and are named in ``notes``.

    ``data``: ``evidence``, ``kind``, ``measure``, ``n1``, ``N1``, ``n2``, ``N2``,
    ``odds_ratio`` (the estimate), ``ci_low``, ``ci_high``, ``estimate`` (the text
    "5.1 (3.0-8.6)"), ``reported_p``, ``plotted``, ``source``.
    """
    from kg.analyse.cohorts import cohort_comparisons
    from kg.figures.forest import comparison_row, draw_forest

    doi = _doi(graph, source) if source else None
    wanted = resolve_term(graph, terms, term or "anti-TIF1-gamma") if term or not doi else None
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for comp in cohort_comparisons(graph) if wanted is not None else []:
        if comp.feature != wanted or (doi and comp.source != doi):
            continue
        row = comparison_row(graph, comp, notes)
        rows.append(
            {
                **row,
                "evidence": f"{label(graph, comp.cohort1)} vs {label(graph, comp.cohort2)}",
                "kind": "cohort comparison",
                "measure": "odds ratio",
                "estimate": estimate_text(row["odds_ratio"], row["ci_low"], row["ci_high"]),
            }
        )
    if wanted is not None and not doi:  # patients of every source
        rows.extend(_patient_level(graph, wanted, notes))
    rows.extend(r for r in _printed(graph, wanted, notes) if not doi or r["source"] == doi)
    for r in rows:
        counts = f"{r['n1']}/{r['N1']} vs {r['n2']}/{r['N2']}, " if r["N1"] is not None else ""
        r["label"] = f"{r['evidence']} ({counts}{r['estimate']})"
    data = frame(rows, _COLUMNS)
    xlabel = "odds or risk ratio, 95% CI (log scale)\n> 1: more often in the first group named"
    title = f"Evidence about {label(graph, wanted)}" if wanted is not None else ""
    title = f"{title} in {doi}" if title and doi else title or f"Risk estimates printed in {doi}"
    figure = draw_forest(rows, title, xlabel)
    return FigureResult("evidence-forest", figure, data, notes=notes)


def _patient_level(graph: Graph, term: URIRef, notes: list[str]) -> list[dict[str, Any]]:
    """The term (a finding present or an antibody positive, against absent or negative) and
    each cancer site over individual patients, as ``dmkg associations`` gives them."""
    from kg.analyse.statistics import patient_associations

    rows = []
    for assoc in patient_associations(graph):
        if assoc["exposure_id"] != curie(term):
            continue
        ratio, low, high = (to_float(assoc[k]) for k in ("odds_ratio", "or_ci_low", "or_ci_high"))
        plotted = all(v is not None and 0 < v < math.inf for v in (ratio, low, high))
        text = estimate_text(ratio, low, high)
        split = (
            "present vs absent" if assoc["exposure_kind"] == "finding" else "positive vs negative"
        )
        what = f"{assoc['outcome']} ({split}, patients)"
        if not plotted:
            notes.append(f"{what}: odds ratio {text} cannot be drawn on a log scale; not plotted")
        rows.append(
            {
                "evidence": what,
                "kind": "patient-level",
                "measure": "odds ratio",
                "n1": assoc["a"],
                "N1": assoc["a"] + assoc["b"],
                "n2": assoc["c"],
                "N2": assoc["c"] + assoc["d"],
                "odds_ratio": ratio,
                "ci_low": low,
                "ci_high": high,
                "estimate": text,
                "reported_p": None,
                "plotted": plotted,
                "source": assoc["source"],
            }
        )
    return rows


def _doi(graph: Graph, source: str) -> str:
    """The stored DOI of a source given by any of its DOIs (checked as a query's is)."""
    from kg.query import bind_params, load_query

    return str(bind_params(load_query("sign-frequency"), {"source": source}, graph)["source"])


def _printed(graph: Graph, term: URIRef | None, notes: list[str]) -> list[dict[str, Any]]:
    from kg.analyse.statistics import select

    rows = []
    for hit in select(graph, _PRINTED, **({"term": term} if term is not None else {})):
        value = float(str(hit["value"]))
        low = float(str(hit["low"])) if "low" in hit else None
        high = float(str(hit["high"])) if "high" in hit else None
        measure = label(graph, hit["measure"])
        plotted = hit["measure"] in _RATIOS and value > 0
        text = estimate_text(value, low, high, digits=_decimals(str(hit["value"])))
        what = str(hit.get("name") or measure)
        if not plotted:
            notes.append(f"{what}: {measure} {text} (not a ratio); not plotted")
        rows.append(
            {
                "evidence": what,
                "kind": "printed estimate",
                "measure": measure,
                "n1": None,
                "N1": None,
                "n2": None,
                "N2": None,
                "odds_ratio": value,
                "ci_low": low,
                "ci_high": high,
                "estimate": text,
                "reported_p": None,
                "plotted": plotted,
                "source": str(hit.get("doi") or ""),
                "id": curie(hit["statistic"]),
            }
        )
    return sorted(rows, key=lambda r: (r["source"], r["evidence"]))


def _decimals(printed: str) -> int:
    """The decimals a printed number has: "5.1" has 1, "27" none."""
    return len(printed.split(".", 1)[1]) if "." in printed else 0
