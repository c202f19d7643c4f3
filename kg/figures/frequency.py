"""``finding-frequency``: per finding, the share of assessed patients with it present."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph

from kg.figures.common import CONFIDENCE, FigureResult, frame, new_figure

if TYPE_CHECKING:
    from kg.terms import TermIndex

__all__ = ["finding_frequency"]


def finding_frequency(
    graph: Graph,
    *,
    source: str | None = None,
    min_assessed: int = 2,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Share of assessed patients with each finding present, with Wilson 95% CIs.

    ``data``: ``finding``, ``finding_id``, ``present``, ``absent``, ``assessed`` (present +
    absent), ``excluded`` (unknown, equivocal, not reported), ``proportion``, ``ci_low``,
    ``ci_high``; sorted by proportion, largest first. Findings assessed in fewer than
    ``min_assessed`` patients (by default those only the case report records, 1 of 1) are
    left out and named in ``notes``.
    """
    from scipy.stats import binomtest

    from kg.query import run_query
    from kg.query.render import render_records

    result = run_query(graph, "sign-frequency", {"source": source} if source else {}, terms=terms)
    rows, notes = [], []
    for record in render_records(result, graph):
        present, absent = int(record["present"]), int(record["absent"])
        excluded = int(record["unknown"]) + int(record["equivocal"]) + int(record["not_reported"])
        assessed = present + absent
        if assessed == 0 or assessed < min_assessed:
            notes.append(
                f"{record['sign']}: {present}/{assessed} assessed (present or "
                f"absent), fewer than {max(min_assessed, 1)}; left out"
            )
            continue
        ci = binomtest(present, assessed).proportion_ci(
            confidence_level=CONFIDENCE, method="wilson"
        )
        rows.append(
            {
                "finding": record["sign"],
                "finding_id": record["sign_id"],
                "present": present,
                "absent": absent,
                "assessed": assessed,
                "excluded": excluded,
                "proportion": present / assessed,
                "ci_low": float(ci.low),
                "ci_high": float(ci.high),
            }
        )
    rows.sort(key=lambda r: (-r["proportion"], -r["assessed"], r["finding"].casefold()))
    data = frame(
        rows,
        [
            "finding",
            "finding_id",
            "present",
            "absent",
            "assessed",
            "excluded",
            "proportion",
            "ci_low",
            "ci_high",
        ],
    )

    figure, ax = new_figure(7.5, 1.2 + 0.28 * max(len(rows), 1))
    y = list(range(len(rows)))[::-1]
    values = [100 * r["proportion"] for r in rows]
    errors = [
        [100 * (r["proportion"] - r["ci_low"]) for r in rows],
        [100 * (r["ci_high"] - r["proportion"]) for r in rows],
    ]
    ax.errorbar(values, y, xerr=errors, fmt="o", color="#4C72B0", ecolor="#888888", capsize=2)
    ax.set_yticks(y, [f"{r['finding']} ({r['present']}/{r['assessed']})" for r in rows], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("patients with the finding present, % of those assessed (Wilson 95% CI)")
    ax.set_title(f"Finding frequency{f' ({source})' if source else ' (all sources)'}")
    ax.grid(axis="x", alpha=0.3)
    return FigureResult("finding-frequency", figure, data, notes=notes)
