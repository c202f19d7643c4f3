"""``survival``: Kaplan-Meier curves by the status of one finding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.figures.common import FigureResult, curie, frame, label, natural, new_figure, term_index
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kg.terms import TermIndex

__all__ = ["survival"]

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

#: a group and the patients of it placed on the time axis
Fitted = tuple[str, list[dict[str, Any]]]


def survival(
    graph: Graph,
    *,
    finding: str = "myositis",
    source: str | None = None,
    terms: TermIndex | None = None,
) -> FigureResult:
    """Kaplan-Meier survival by the status of a finding; alive and lost are censored.

    See the module docstring of :mod:`kg.figures` for the patients left out.

    ``data``: one row per group and time (time 0 first): ``group``, ``time`` (months),
    ``at_risk``, ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high``
    (lifelines' exponential Greenwood interval). ``tables["groups"]``: per group
    ``patients``, ``included``, ``events``, ``censored``, ``excluded``, ``median_months``
    (the smallest time at which the curve is at or below one half; None if it never is).
    ``tables["patients"]``: ``patient``, ``patient_id``, ``group``, ``vital_status``,
    ``months``, ``event``, ``included``, ``note``. ``tables["logrank"]``: the log-rank test
    across the groups drawn.
    """
    from kg.query import bind_params, load_query

    params = {"finding": finding, **({"source": source} if source else {})}
    bindings = bind_params(
        load_query("survival-by-finding"), params, graph, term_index(graph, terms)
    )
    finding_label = label(graph, bindings["finding"])
    people = _patients(graph, bindings)
    notes = [
        f"{p['patient']} ({p['group']}): {p['note']}; left out" for p in people if not p["included"]
    ]
    steps, summary, fitted = _fit_groups(people, notes)
    data = frame(steps, _STEP_COLUMNS)
    tables = {
        "groups": frame(summary, _GROUP_COLUMNS),
        "patients": frame(people, _PATIENT_COLUMNS),
        "logrank": frame(_logrank(fitted, notes), ["groups", "statistic", "p"]),
    }
    figure = _draw(steps, fitted, finding_label)
    return FigureResult("survival", figure, data, tables, notes)


def _patients(graph: Graph, bindings: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per patient and status of the finding, whether it can be placed or not."""
    from kg.analyse.networks import select

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
                f"{label(graph, vital)} without follow-up months: cannot be placed on the time axis"
            )
        else:
            included, note = True, None
        patients[key] = {
            "patient": label(graph, row["patient"]),
            "patient_id": curie(row["patient"]),
            "group": label(graph, status),
            "order": _STATUS_ORDER.get(URIRef(str(status)), 9),
            "vital_status": label(graph, vital) if vital is not None else None,
            "months": months,
            "event": vital == DMKG.Dead,
            "included": included,
            "note": note,
        }
    return sorted(patients.values(), key=lambda p: (p["order"], natural(p["patient"])))


def _fit_groups(
    people: list[dict[str, Any]], notes: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Fitted]]:
    """Fit one Kaplan-Meier curve per group: its steps, the group summaries, the groups drawn."""
    steps: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    fitted: list[Fitted] = []
    from lifelines import KaplanMeierFitter

    for _, group in sorted({(p["order"], p["group"]) for p in people}):
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
    return steps, summary, fitted


def _logrank(fitted: list[Fitted], notes: list[str]) -> list[dict[str, Any]]:
    """The log-rank test across the groups drawn (none with fewer than two groups)."""
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
    return logrank


def _draw(steps: list[dict[str, Any]], fitted: list[Fitted], finding_label: str) -> Figure:
    figure, ax = new_figure(7, 4.5)
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
    return figure
