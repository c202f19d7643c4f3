"""Figures of the graph, each returned with the numbers it draws.

Four figures (:data:`FIGURES`), drawn with matplotlib's object API (no pyplot, so no display
and no global state: PNG through the Agg canvas, SVG through the SVG canvas, chosen by the
file suffix):

``finding-frequency``
    Per clinical finding, the share of patients with it present among those assessed
    (present or absent; unknown, equivocal and not reported are left out and counted in
    ``excluded``), with Wilson 95% intervals (scipy ``binomtest``). Parameters ``source``,
    ``min_assessed`` (default 2: a finding seen in one patient only says nothing).
``survival``
    Kaplan-Meier curves (lifelines) by the status of one finding (default myositis): death is
    the event; alive and lost to follow-up are censored at their months. A patient whose
    outcome has no months (in Requena's Table 1 the four "L" patients, printed without a
    time) cannot be placed on a time axis and is left out, listed in ``notes`` and in the
    ``patients`` table with ``included`` False. Parameters ``finding``, ``source``.
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

>>> from kg.api.graph import load
>>> r = load().plot("mi2-forest")
>>> table = r.data.set_index("feature")
>>> table[["a", "b", "c", "d"]].loc["Holster sign"].tolist()
[12, 43, 2, 53]
>>> round(float(table.loc["Holster sign", "odds_ratio"]), 2)
7.28
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.errors import NotFoundError, UsageError
from kg.namespaces import DMKG

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from kg.terms import TermIndex

__all__ = [
    "FIGURES",
    "FORMATS",
    "FigureResult",
    "association_network",
    "finding_frequency",
    "mi2_forest",
    "plot",
    "survival",
]

#: file suffixes a figure can be saved as
FORMATS = (".png", ".svg")
_CONFIDENCE = 0.95
_KIND_COLOURS = {
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


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.add_subplot()


def _frame(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    from kg.analyse.frames import records_frame

    return records_frame(records, columns)


def _terms(graph: Graph, terms: TermIndex | None) -> TermIndex:
    if terms is not None:
        return terms
    from kg.terms import TermIndex

    return TermIndex(graph)


# ---------------------------------------------------------------------------------------------


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

    from kg.query.render import render_records
    from kg.query.canned import run_query

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
            confidence_level=_CONFIDENCE, method="wilson"
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
    data = _frame(
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

    figure, ax = _figure(7.5, 1.2 + 0.28 * max(len(rows), 1))
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


# ---------------------------------------------------------------------------------------------

_SURVIVAL_PATIENTS = prepareQuery(
    """
    SELECT DISTINCT ?patient ?status ?vital ?months ?source WHERE {
      ?observation a dmkg:FindingObservation ;
                   dmkg:finding ?finding ;
                   dmkg:findingStatus ?status ;
                   dmkg:ofPatient ?patient .
      ?patient dmkg:describedIn ?publication .
      ?publication dmkg:doi ?source .
      OPTIONAL {
        ?outcome a dmkg:Outcome ; dmkg:ofPatient ?patient ; dmkg:vitalStatus ?vital .
        OPTIONAL { ?outcome dmkg:monthsSinceDiagnosis ?months }
      }
    }""",
    initNs={"dmkg": DMKG._NS},
)

_STATUS_ORDER = {
    DMKG.Present: 0,
    DMKG.Absent: 1,
    DMKG.Equivocal: 2,
    DMKG.Unknown: 3,
    DMKG.NotReported: 4,
}


def _label(graph: Graph, iri: Any) -> str:
    from kg.analyse.networks import _label as label

    return label(graph, iri)


def survival(
    graph: Graph,
    *,
    finding: str = "myositis",
    source: str | None = None,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Kaplan-Meier survival by the status of a finding; alive and lost are censored.

    See the module docstring for the patients left out.

    ``data``: one row per group and time (time 0 first): ``group``, ``time`` (months),
    ``at_risk``, ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high``
    (lifelines' exponential Greenwood interval). ``tables["groups"]``: per group
    ``patients``, ``included``, ``events``, ``censored``, ``excluded``, ``median_months``
    (the smallest time at which the curve is at or below one half; None if it never is).
    ``tables["patients"]``: ``patient``, ``patient_id``, ``group``, ``vital_status``,
    ``months``, ``event``, ``included``, ``note``. ``tables["logrank"]``: the log-rank test
    across the groups drawn.
    """
    from kg.analyse.networks import select
    from kg.query.canned import bind_params, load_query

    params = {"finding": finding, **({"source": source} if source else {})}
    bindings = bind_params(load_query("survival-by-finding"), params, graph, _terms(graph, terms))
    finding_label = _label(graph, bindings["finding"])
    patients: dict[Any, dict[str, Any]] = {}
    for row in select(graph, _SURVIVAL_PATIENTS, **bindings):
        status, vital = row["status"], row.get("vital")
        key = (row["patient"], status)
        months = float(str(row["months"])) if row.get("months") is not None else None
        if vital is None:
            included, note = False, "no outcome recorded"
        elif months is None:
            included = False
            note = (
                f"{_label(graph, vital)} without follow-up months: cannot be placed on "
                "the time axis"
            )
        else:
            included, note = True, None
        patients[key] = {
            "patient": _label(graph, row["patient"]),
            "patient_id": _curie(row["patient"]),
            "group": _label(graph, status),
            "order": _STATUS_ORDER.get(URIRef(str(status)), 9),
            "vital_status": _label(graph, vital) if vital is not None else None,
            "months": months,
            "event": vital == DMKG.Dead,
            "included": included,
            "note": note,
        }
    people = sorted(patients.values(), key=lambda p: (p["order"], _natural(p["patient"])))
    notes = [
        f"{p['patient']} ({p['group']}): {p['note']}; left out" for p in people if not p["included"]
    ]
    groups = sorted({(p["order"], p["group"]) for p in people})
    steps, summary, fitted = [], [], []
    from lifelines import KaplanMeierFitter

    for _, group in groups:
        members = [p for p in people if p["group"] == group]
        placed = [p for p in members if p["included"]]
        entry: dict[str, Any] = {
            "group": group,
            "patients": len(members),
            "included": len(placed),
            "events": sum(p["event"] for p in placed),
            "censored": sum(not p["event"] for p in placed),
            "excluded": len(members) - len(placed),
            "median_months": None,
        }
        summary.append(entry)
        if not placed:
            notes.append(f"{group}: no patient with follow-up months; no curve")
            continue
        kmf = KaplanMeierFitter().fit(
            [p["months"] for p in placed], [p["event"] for p in placed], label=group
        )
        table, curve = kmf.event_table, kmf.survival_function_[group]
        # the smallest time with S(t) <= 1/2 (lifelines' median_survival_time_ takes the first
        # time strictly below 1/2, which differs where a curve rests exactly on 1/2)
        # (1e-9: the products of fractions carry rounding, 5/6 * 4/5 * 3/4 is 0.5000000000000001)
        entry["median_months"] = next(
            (float(t) for t in curve.index if curve.loc[t] <= 0.5 + 1e-9), None
        )
        interval = kmf.confidence_interval_
        for time in table.index:
            steps.append(
                {
                    "group": group,
                    "time": float(time),
                    "at_risk": int(table.loc[time, "at_risk"]),
                    "events": int(table.loc[time, "observed"]),
                    "censored": int(table.loc[time, "censored"]),
                    "survival": float(curve.loc[time]),
                    "ci_low": float(interval.loc[time].iloc[0]),
                    "ci_high": float(interval.loc[time].iloc[1]),
                }
            )
        fitted.append((group, placed))
    data = _frame(
        steps, ["group", "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
    )
    tables = {
        "groups": _frame(
            summary,
            ["group", "patients", "included", "events", "censored", "excluded", "median_months"],
        ),
        "patients": _frame(
            people,
            [
                "patient",
                "patient_id",
                "group",
                "vital_status",
                "months",
                "event",
                "included",
                "note",
            ],
        ),
    }
    logrank: list[dict[str, Any]] = []
    if len(fitted) >= 2:
        from lifelines.statistics import multivariate_logrank_test

        placed = [p for _, members in fitted for p in members]
        test = multivariate_logrank_test(
            [p["months"] for p in placed],
            [p["group"] for p in placed],
            [p["event"] for p in placed],
        )
        logrank.append(
            {
                "groups": "; ".join(g for g, _ in fitted),
                "statistic": float(test.test_statistic),
                "p": float(test.p_value),
            }
        )
        notes.append(
            f"log-rank test ({' vs '.join(g for g, _ in fitted)}): p = {float(test.p_value):.3g}"
        )
    tables["logrank"] = _frame(logrank, ["groups", "statistic", "p"])

    figure, ax = _figure(7, 4.5)
    colours = ["#C44E52", "#4C72B0", "#55A868", "#8172B2", "#8C8C8C"]
    for (group, placed), colour in zip(fitted, colours, strict=False):
        rows = [s for s in steps if s["group"] == group]
        times = [r["time"] for r in rows]
        events = sum(p["event"] for p in placed)
        ax.step(
            times,
            [r["survival"] for r in rows],
            where="post",
            color=colour,
            label=f"{finding_label} {group} (n={len(placed)}, {events} deaths)",
        )
        ax.fill_between(
            times,
            [r["ci_low"] for r in rows],
            [r["ci_high"] for r in rows],
            step="post",
            color=colour,
            alpha=0.15,
        )
        censored = [r for r in rows if r["censored"]]
        ax.plot(
            [r["time"] for r in censored],
            [r["survival"] for r in censored],
            "|",
            color=colour,
            markersize=10,
        )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("months since dermatomyositis diagnosis")
    ax.set_ylabel("survival probability")
    ax.set_title(f"Kaplan-Meier survival by {finding_label} (| censored: alive or lost)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return FigureResult("survival", figure, data, tables, notes)


def _natural(text: str) -> list[Any]:
    """Sort key that puts "case 9" before "case 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _curie(iri: Any) -> str:
    from kg.analyse.networks import node_id

    return node_id(iri)


# ---------------------------------------------------------------------------------------------


def association_network(
    graph: Graph, *, min_patients: int = 2, terms: TermIndex | None = None
) -> FigureResult:
    """The association graph: co-occurrence, cohort and literature edges.

    Drawn with a Kamada-Kawai layout (the same picture each run).

    ``data``: one row per edge: ``u``, ``v`` (node CURIEs), ``u_label``, ``v_label``,
    ``kind``, ``key``, ``weight``, ``measure``, ``value``, ``ci_low``, ``ci_high``,
    ``p_fisher``, ``reported_p``, ``source``. ``tables["nodes"]``: ``id``, ``label``,
    ``kind``, ``patients``, ``degree``, ``x``, ``y`` (the Kamada-Kawai layout; None for a node
    without an edge, which is not drawn and is named in ``notes``).
    """
    import networkx as nx
    from matplotlib.collections import LineCollection

    from kg.analyse.networks import association_graph

    network = association_graph(graph, min_patients=min_patients, terms=_terms(graph, terms))
    simple = nx.Graph()
    simple.add_nodes_from(network.nodes)
    for u, v, weight in network.edges(data="weight"):
        previous = simple.get_edge_data(u, v, {}).get("weight", 0)
        simple.add_edge(u, v, weight=max(previous, weight or 0) + 1)
    # nodes without an edge would only crowd the picture: they are listed, not drawn
    core = simple.subgraph([n for n in simple if simple.degree(n) > 0])
    layout = (
        nx.kamada_kawai_layout(core, weight=None)
        if len(core) > 1
        else {n: (0.0, 0.0) for n in core}
    )
    nodes = [
        {
            "id": n,
            "label": d["label"],
            "kind": d["kind"],
            "patients": d["patients"],
            "degree": network.degree(n),
            "x": float(layout[n][0]) if n in layout else None,
            "y": float(layout[n][1]) if n in layout else None,
        }
        for n, d in sorted(network.nodes(data=True))
    ]
    alone = [n["label"] for n in nodes if n["x"] is None]
    notes = (
        [f"{len(alone)} node(s) without an edge not drawn: {', '.join(sorted(alone))}"]
        if alone
        else []
    )
    edges = [
        {
            "u": u,
            "v": v,
            "u_label": network.nodes[u]["label"],
            "v_label": network.nodes[v]["label"],
            "kind": d["kind"],
            "key": k,
            "weight": d.get("weight"),
            "measure": d.get("measure"),
            "value": d.get("value"),
            "ci_low": d.get("ci_low"),
            "ci_high": d.get("ci_high"),
            "p_fisher": d.get("p_fisher"),
            "reported_p": d.get("reported_p"),
            "source": d.get("source"),
        }
        for u, v, k, d in sorted(
            network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])
        )
    ]
    data = _frame(
        edges,
        [
            "u",
            "v",
            "u_label",
            "v_label",
            "kind",
            "key",
            "weight",
            "measure",
            "value",
            "ci_low",
            "ci_high",
            "p_fisher",
            "reported_p",
            "source",
        ],
    )

    figure, ax = _figure(11, 9)
    styles = {
        "co-occurrence": ("#999999", "solid"),
        "cohort": ("#4C72B0", "dashed"),
        "literature": ("#C44E52", "dotted"),
    }
    for kind, (colour, style) in styles.items():
        chosen = [e for e in edges if e["kind"] == kind]
        if not chosen:
            continue
        segments = [[layout[e["u"]], layout[e["v"]]] for e in chosen]
        widths = [
            0.4 + 0.5 * (e["weight"] or 0) if kind == "co-occurrence" else 1.2 for e in chosen
        ]
        ax.add_collection(
            LineCollection(
                segments,
                colors=colour,
                linestyles=style,
                linewidths=widths,
                alpha=0.5,
                label=f"{kind} ({len(chosen)})",
            )
        )
    for kind, colour in _KIND_COLOURS.items():
        chosen = [n for n in nodes if n["kind"] == kind and n["x"] is not None]
        if chosen:
            ax.scatter(
                [n["x"] for n in chosen],
                [n["y"] for n in chosen],
                s=[40 + 25 * n["patients"] for n in chosen],
                color=colour,
                edgecolors="white",
                zorder=3,
                label=kind,
            )
    for node in (n for n in nodes if n["x"] is not None):
        ax.annotate(
            node["label"],
            (node["x"], node["y"]),
            fontsize=6,
            ha="center",
            va="bottom",
            xytext=(0, 5),
            textcoords="offset points",
            zorder=4,
        )
    ax.set_title(
        f"Associations: co-occurrence in at least {min_patients} patients, "
        "cohort and literature evidence"
    )
    ax.legend(fontsize=7, loc="lower left")
    ax.set_axis_off()
    ax.autoscale()
    return FigureResult(
        "association-network",
        figure,
        data,
        {"nodes": _frame(nodes, ["id", "label", "kind", "patients", "degree", "x", "y"])},
        notes,
    )


# ---------------------------------------------------------------------------------------------


def mi2_forest(
    graph: Graph, *, antibody: str = "anti-Mi-2", terms: TermIndex | None = None
) -> FigureResult:
    """Odds ratios with 95% CIs (log scale), antibody-positive vs negative cohorts.

    Every feature compared between two cohorts split by the antibody, from the printed n/N
    (see the module docstring).

    ``data``: ``feature``, ``feature_id``, ``n1``, ``N1``, ``n2``, ``N2`` (positive cohort
    first), ``a``-``d`` (the 2x2), ``odds_ratio`` (conditional MLE), ``ci_low``,
    ``ci_high`` (exact 95%), ``p_fisher``, ``reported_p``, ``plotted``, ``source``; sorted
    by odds ratio.
    """
    from kg.analyse.statistics import cohort_comparisons, two_by_two

    index = _terms(graph, terms)
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
        a, b, c, d = comp.cells
        stats = two_by_two(a, b, c, d)
        ratio, low, high = stats["odds_ratio"], stats["or_ci_low"], stats["or_ci_high"]
        drawable = all(isinstance(v, float) and 0 < v < math.inf for v in (ratio, low, high))
        label = _label(graph, comp.feature)
        if not drawable:
            shown = [
                f"{_float(v):.3g}" if v is not None else "undefined" for v in (ratio, low, high)
            ]
            notes.append(
                f"{label} ({comp.n1}/{comp.N1} vs {comp.n2}/{comp.N2}): odds ratio "
                f"{shown[0]} (95% CI {shown[1]} to {shown[2]}) cannot be drawn on a "
                "log scale; not plotted"
            )
        rows.append(
            {
                "feature": label,
                "feature_id": _curie(comp.feature),
                "n1": comp.n1,
                "N1": comp.N1,
                "n2": comp.n2,
                "N2": comp.N2,
                "a": a,
                "b": b,
                "c": c,
                "d": d,
                "odds_ratio": _float(ratio),
                "ci_low": _float(low),
                "ci_high": _float(high),
                "p_fisher": float(stats["p_fisher"]),
                "reported_p": comp.printed_p,
                "plotted": drawable,
                "source": comp.source,
            }
        )
    rows.sort(
        key=lambda r: (
            math.inf if r["odds_ratio"] is None else r["odds_ratio"],
            r["feature"].casefold(),
        )
    )
    data = _frame(
        rows,
        [
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
        ],
    )

    drawn = [r for r in rows if r["plotted"]]
    figure, ax = _figure(8, 1.4 + 0.3 * max(len(drawn), 1))
    y = list(range(len(drawn)))
    ax.errorbar(
        [r["odds_ratio"] for r in drawn],
        y,
        xerr=[
            [r["odds_ratio"] - r["ci_low"] for r in drawn],
            [r["ci_high"] - r["odds_ratio"] for r in drawn],
        ],
        fmt="s",
        color="#4C72B0",
        ecolor="#666666",
        capsize=2,
        markersize=4,
    )
    ax.set_xscale("log")
    ax.axvline(1, color="black", linewidth=0.8, linestyle="--")
    ax.set_yticks(
        y,
        [
            f"{r['feature']} ({r['n1']}/{r['N1']} vs {r['n2']}/{r['N2']}, p {r['reported_p']})"
            for r in drawn
        ],
        fontsize=8,
    )
    pair = sorted(pairs)[0]
    figure.suptitle(f"{_label(graph, pair[0])}\nvs {_label(graph, pair[1])}", fontsize=10)
    ax.set_xlabel(
        "odds ratio with exact 95% CI (log scale)\n> 1: more frequent in the "
        "antibody-positive cohort",
        fontsize=9,
    )
    ax.grid(axis="x", alpha=0.3, which="both")
    return FigureResult("mi2-forest", figure, data, notes=notes)


def _float(value: Any) -> float | None:
    if value is None:
        return None
    return math.inf if value == "inf" else float(value)


# ---------------------------------------------------------------------------------------------

#: figure name -> (function, its parameters with their types)
FIGURES: dict[str, tuple[Callable[..., FigureResult], dict[str, type]]] = {
    "finding-frequency": (finding_frequency, {"source": str, "min_assessed": int}),
    "survival": (survival, {"finding": str, "source": str}),
    "association-network": (association_network, {"min_patients": int}),
    "mi2-forest": (mi2_forest, {"antibody": str}),
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
