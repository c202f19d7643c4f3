"""``survival``, ``survival-by-antibody``, ``survival-by-site``: Kaplan-Meier curves by the
status of one finding, of one antibody, or by cancer site, with the numbers at risk under the
time axis and the log-rank p (the numbers from :mod:`kg.analyse.survival`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg.figures.common import FigureResult, frame

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from kg.analyse.survival import Fitted, SurvivalAnalysis
    from kg.terms import TermIndex

__all__ = ["survival", "survival_by_antibody", "survival_by_site"]

_STEP_COLUMNS = ["group", "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high"]
_GROUP_COLUMNS = [
    "group",
    "patients",
    "included",
    "events",
    "censored",
    "excluded",
    "median_months",
]
_PATIENT_COLUMNS = [
    "patient",
    "patient_id",
    "group",
    "vital_status",
    "months",
    "event",
    "included",
    "note",
]
_COLOURS = ["#C44E52", "#4C72B0", "#55A868", "#8172B2", "#937860", "#DA8BC3", "#8C8C8C"]


def survival(
    graph: Graph,
    *,
    finding: str = "myositis",
    source: str | None = None,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Kaplan-Meier survival by the status of a finding; alive and lost are censored.

    See :mod:`kg.analyse.survival` for the patients left out.

    ``data``: one row per group and time (time 0 first): ``group``, ``time`` (months),
    ``at_risk``, ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high``
    (lifelines' exponential Greenwood interval). ``tables["groups"]``: per group
    ``patients``, ``included``, ``events``, ``censored``, ``excluded``, ``median_months``
    (the smallest time at which the curve is at or below one half; None if it never is).
    ``tables["patients"]``: ``patient``, ``patient_id``, ``group``, ``vital_status``,
    ``months``, ``event``, ``included``, ``note``. ``tables["logrank"]``: the log-rank test
    across the groups drawn. ``tables["at_risk"]``: the numbers at risk drawn under the axis
    (``group``, ``time``, ``at_risk``).
    """
    return _survival_figure("survival", graph, "finding", finding, source, terms)


def survival_by_antibody(
    graph: Graph,
    *,
    antibody: str = "anti-TIF1-gamma",
    source: str | None = None,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Kaplan-Meier survival by the status of an antibody test; alive and lost are censored.

    The tables of :func:`survival`, the groups being the test's statuses (positive, negative,
    not performed, ...).
    """
    return _survival_figure("survival-by-antibody", graph, "antibody", antibody, source, terms)


def survival_by_site(
    graph: Graph, *, source: str | None = None, terms: TermIndex | None = None
) -> FigureResult:
    """Kaplan-Meier survival by cancer site (the source's category, else the organ site).

    The tables of :func:`survival`, the groups being the sites.
    """
    return _survival_figure("survival-by-site", graph, "cancer-site", None, source, terms)


def _survival_figure(
    name: str,
    graph: Graph,
    grouping: str,
    term: str | None,
    source: str | None,
    terms: TermIndex | None,
) -> FigureResult:
    from kg.analyse.survival import at_risk_table, survival_analysis

    analysis = survival_analysis(graph, grouping, term, source, terms)
    times = _ticks(max((s["time"] for s in analysis.steps), default=0.0))
    at_risk = at_risk_table(analysis, times)
    tables = {
        "groups": frame(analysis.groups, _GROUP_COLUMNS),
        "patients": frame(analysis.patients, _PATIENT_COLUMNS),
        "logrank": frame(analysis.logrank, ["groups", "statistic", "p"]),
        "at_risk": frame(at_risk, ["group", "time", "at_risk"]),
    }
    figure = _draw(analysis, times, at_risk)
    return FigureResult(name, figure, frame(analysis.steps, _STEP_COLUMNS), tables, analysis.notes)


def _ticks(longest: float) -> list[float]:
    """Round times (0, 12, 24, ... months) up to the longest follow-up, at most seven."""
    step = next((s for s in (3, 6, 12, 24, 36, 60, 120) if longest / s <= 6), 240)
    return [float(t) for t in range(0, int(longest) + 1, step)]


def _draw(analysis: SurvivalAnalysis, times: list[float], at_risk: list[dict[str, Any]]) -> Figure:
    from matplotlib.figure import Figure

    fitted = analysis.fitted
    figure = Figure(figsize=(7, 4.4 + 0.2 * (len(fitted) + 1)), layout="constrained")
    grid = figure.add_gridspec(2, 1, height_ratios=[4.2, 0.2 * (len(fitted) + 1)])
    ax = figure.add_subplot(grid[0])
    colours = dict(zip((g for g, _ in fitted), _COLOURS * 4, strict=False))
    for group, placed in fitted:
        rows = [s for s in analysis.steps if s["group"] == group]
        plot_times = [r["time"] for r in rows]
        events = sum(p["event"] for p in placed)
        colour = colours[group]
        ax.step(
            plot_times,
            [r["survival"] for r in rows],
            where="post",
            color=colour,
            label=f"{analysis.group_label(group)} (n={len(placed)}, {events} deaths)",
        )
        ax.fill_between(
            plot_times,
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
    ax.set_xticks(times)
    ax.set_xlabel("months since dermatomyositis diagnosis")
    ax.set_ylabel("survival probability")
    by = analysis.term or "cancer site"
    ax.set_title(f"Kaplan-Meier survival by {by} (| censored: alive or lost)", fontsize=10)
    if analysis.p_value is not None:
        ax.text(
            0.98,
            0.03,
            f"log-rank p = {analysis.p_value:.3g}",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
        )
    if fitted:
        ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    _draw_at_risk(figure.add_subplot(grid[1], sharex=ax), fitted, colours, at_risk)
    return figure


def _draw_at_risk(
    ax: Axes, fitted: list[Fitted], colours: dict[str, str], at_risk: list[dict[str, Any]]
) -> None:
    """The numbers at risk under the time axis, one line per group, at the ticks."""
    from matplotlib.transforms import blended_transform_factory

    ax.set_axis_off()
    ax.set_ylim(len(fitted) + 0.5, -0.5)
    left = blended_transform_factory(ax.transAxes, ax.transData)
    ax.text(-0.01, 0, "numbers at risk", transform=left, ha="right", va="center", fontsize=8)
    for line, (group, _) in enumerate(fitted, start=1):
        ax.text(
            -0.01,
            line,
            group,
            transform=left,
            ha="right",
            va="center",
            fontsize=8,
            color=colours[group],
        )
        for row in at_risk:
            if row["group"] == group:
                ax.text(
                    row["time"],
                    line,
                    str(row["at_risk"]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=colours[group],
                )
