"""Kaplan-Meier survival of the patients, grouped by a finding's status, an antibody's status
or the cancer site.

Death is the event; alive and lost to follow-up are censored at their months. A patient whose
outcome has no months (in Requena's Table 1 the four "L" patients, printed without a time)
cannot be placed on a time axis and is left out, named in ``notes`` and in ``patients`` with
``included`` False. Three groupings (:data:`GROUPINGS`), one code path:

``finding``
    the status (present, absent, unknown, ...) of the patient's observation of one clinical
    finding (that exact class);
``antibody``
    the status (positive, negative, not performed, ...) of the patient's test for one
    autoantibody (that exact class);
``cancer-site``
    the site of the patient's cancer diagnosis: the source's own category where it gives one
    (Requena's lymphoma of the breast is "Lymphoma"), else the organ site, as
    ``cancer-sites`` and the association statistics group them. Patients without a cancer
    diagnosis are not in any group (no record says they had none).

A patient with two records of different statuses (or two cancer sites) is in both groups
and named in ``notes``.

>>> from kg.api import load
>>> s = survival_analysis(load().rdf, "antibody", "anti-TIF1-gamma")
>>> [(g["group"], g["patients"], g["included"], g["events"]) for g in s.groups]
[('positive', 8, 7, 4), ('negative', 4, 4, 3), ('not performed', 3, 1, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery

from kg.analyse.frames import natural
from kg.analyse.statistics import label
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from kg.terms import TermIndex

__all__ = ["GROUPINGS", "SurvivalAnalysis", "at_risk_table", "survival_analysis"]

_OUTCOME = """
  ?patient dmkg:describedIn ?publication .
  ?publication dmkg:doi ?source .
  OPTIONAL {
    ?outcome a dmkg:Outcome ; dmkg:ofPatient ?patient ; dmkg:vitalStatus ?vital .
    OPTIONAL { ?outcome dmkg:monthsSinceDiagnosis ?months }
  }
"""
_NS = {"dmkg": DMKG._NS}

#: the patients of one term by the status of their record (?kind, ?termProperty,
#: ?statusProperty and ?term arrive as bindings)
_BY_STATUS = prepareQuery(
    "SELECT DISTINCT ?patient ?group ?vital ?months ?source WHERE {"
    "  ?record a ?kind ; ?termProperty ?term ; ?statusProperty ?group ;"
    "          dmkg:ofPatient ?patient ." + _OUTCOME + "}",
    initNs=_NS,
)
#: the patients with a cancer diagnosis by its site (the source's category, else the organ)
_BY_SITE = prepareQuery(
    "SELECT DISTINCT ?patient ?group ?vital ?months ?source WHERE {"
    "  ?record a dmkg:CancerDiagnosis ; dmkg:ofPatient ?patient ."
    "  { ?record dmkg:cancerCategory ?group }"
    "  UNION { ?record dmkg:cancerSite ?group"
    "          FILTER NOT EXISTS { ?record dmkg:cancerCategory ?category } }" + _OUTCOME + "}",
    initNs=_NS,
)

_STATUS_ORDER = {
    status: rank
    for rank, status in enumerate(
        [
            DMKG.Present,
            DMKG.Positive,
            DMKG.Absent,
            DMKG.Negative,
            DMKG.Equivocal,
            DMKG.Unknown,
            DMKG.NotPerformed,
            DMKG.NotReported,
            DMKG.ResultNotReported,
        ]
    )
}


@dataclass(frozen=True)
class Grouping:
    """How the patients are grouped: the record kind and properties, the term's root class
    and default."""

    kind: URIRef | None
    term_property: URIRef | None
    status_property: URIRef | None
    root: str | None
    default: str | None


#: grouping name -> how it reads the records
GROUPINGS: dict[str, Grouping] = {
    "finding": Grouping(
        DMKG.FindingObservation, DMKG.finding, DMKG.findingStatus, "ClinicalFinding", "myositis"
    ),
    "antibody": Grouping(
        DMKG.AntibodyTestResult,
        DMKG.antibody,
        DMKG.antibodyStatus,
        "Autoantibody",
        "anti-TIF1-gamma",
    ),
    "cancer-site": Grouping(None, None, None, None, None),
}

#: a group and its patients placed on the time axis
Fitted = tuple[str, list[dict[str, Any]]]


@dataclass
class SurvivalAnalysis:
    """Kaplan-Meier curves of the groups and the log-rank test across them.

    ``steps``: per group and time (time 0 first) ``group``, ``time`` (months), ``at_risk``,
    ``events``, ``censored``, ``survival``, ``ci_low``, ``ci_high`` (lifelines' exponential
    Greenwood interval). ``groups``: per group ``patients``, ``included``, ``events``,
    ``censored``, ``excluded``, ``median_months`` (the smallest time at which the curve is at
    or below one half; None if it never is). ``patients``: ``patient``, ``patient_id``,
    ``group``, ``vital_status``, ``months``, ``event``, ``included``, ``note``. ``logrank``:
    the test across the groups drawn (empty with fewer than two).
    """

    grouping: str
    term: str | None  # the finding's or antibody's label; None for cancer sites
    patients: list[dict[str, Any]]
    steps: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    logrank: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fitted: list[Fitted] = field(default_factory=list)

    @property
    def p_value(self) -> float | None:
        """The log-rank p across the groups drawn (None with fewer than two groups)."""
        return float(self.logrank[0]["p"]) if self.logrank else None

    def group_label(self, group: str) -> str:
        """A group as a reader names it: "myositis present", "breast cancer"."""
        return f"{self.term} {group}" if self.term else group


def _query_for(grouping: str, name: str) -> Any:
    """The parameters of a grouping as a canned query's, so that they are checked and bound
    as every query's are (a term by label, synonym or CURIE; a source by any of its DOIs)."""
    from kg.query import CannedQuery, Param

    spec = GROUPINGS[grouping]
    params = [Param("source", "doi", None, False, "DOI of one publication")]
    if spec.root is not None:
        what = "clinical finding" if grouping == "finding" else "autoantibody"
        params.insert(0, Param(grouping, "term", spec.default, False, f"the {what}", spec.root))
    return CannedQuery(name, f"survival by {grouping}", "", tuple(params), (), (), "")


def survival_analysis(
    graph: Graph,
    grouping: str,
    term: str | None = None,
    source: str | None = None,
    terms: TermIndex | None = None,
) -> SurvivalAnalysis:
    """Survival by ``grouping`` (a key of :data:`GROUPINGS`) of ``term`` (default: the
    grouping's default), over one ``source`` (a DOI) or all."""
    from kg.query import bind_params

    spec = GROUPINGS[grouping]
    values = {k: v for k, v in ((grouping, term), ("source", source)) if v}
    bindings: dict[str, Any] = dict(
        bind_params(_query_for(grouping, f"survival-by-{grouping}"), values, graph, terms)
    )
    term_label = None
    if spec.kind is not None:
        bindings["term"] = bindings.pop(grouping)
        term_label = label(graph, bindings["term"])
        bindings.update(
            kind=spec.kind, termProperty=spec.term_property, statusProperty=spec.status_property
        )
    query = _BY_STATUS if spec.kind is not None else _BY_SITE
    analysis = SurvivalAnalysis(grouping, term_label, _patients(graph, query, bindings))
    analysis.notes.extend(
        f"{p['patient']} ({p['group']}): {p['note']}; left out"
        for p in analysis.patients
        if not p["included"]
    )
    _fit_groups(analysis)
    _logrank(analysis)
    return analysis


def _patients(graph: Graph, query: Any, bindings: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per patient and group, whether the patient can be placed or not."""
    from kg.analyse.statistics import curie, select

    patients: dict[Any, dict[str, Any]] = {}
    for row in select(graph, query, **bindings):
        group, vital = row["group"], row.get("vital")
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
        name = label(graph, group)
        patients[(row["patient"], group)] = {
            "patient": label(graph, row["patient"]),
            "patient_id": curie(row["patient"]),
            "group": name,
            "order": (_STATUS_ORDER.get(URIRef(str(group)), 99), name.casefold()),
            "vital_status": label(graph, vital) if vital is not None else None,
            "months": months,
            "event": vital == DMKG.Dead,
            "included": included,
            "note": note,
        }
    return sorted(patients.values(), key=lambda p: (p["order"], natural(p["patient"])))


def _fit_groups(analysis: SurvivalAnalysis) -> None:
    """Fit one Kaplan-Meier curve per group: its steps, the group summaries, the groups drawn."""
    from lifelines import KaplanMeierFitter

    people = analysis.patients
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
        analysis.groups.append(entry)
        if not placed:
            analysis.notes.append(f"{group}: no patient with follow-up months; no curve")
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
            analysis.steps.append(
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
        analysis.fitted.append((group, placed))
    twice = sorted(
        {p["patient"] for p in people if sum(q["patient"] == p["patient"] for q in people) > 1}
    )
    if twice:
        analysis.notes.append(
            f"in more than one group (records of two statuses or sites): {', '.join(twice)}"
        )


def _logrank(analysis: SurvivalAnalysis) -> None:
    """The log-rank test across the groups drawn (none with fewer than two groups)."""
    fitted = analysis.fitted
    if len(fitted) < 2:
        return
    from lifelines.statistics import multivariate_logrank_test

    placed = [p for _, members in fitted for p in members]
    test = multivariate_logrank_test(
        [p["months"] for p in placed],
        [p["group"] for p in placed],
        [p["event"] for p in placed],
    )
    groups = [g for g, _ in fitted]
    analysis.logrank.append(
        {
            "groups": "; ".join(groups),
            "statistic": float(test.test_statistic),
            "p": float(test.p_value),
        }
    )
    analysis.notes.append(f"log-rank test ({' vs '.join(groups)}): p = {float(test.p_value):.3g}")


def at_risk_table(analysis: SurvivalAnalysis, times: list[float]) -> list[dict[str, Any]]:
    """Per group drawn and time, the patients still at risk: placed at that time or later
    (alive, lost or dead at ``time`` counts as at risk at ``time``, as in lifelines)."""
    return [
        {"group": group, "time": float(t), "at_risk": sum(p["months"] >= t for p in placed)}
        for group, placed in analysis.fitted
        for t in times
    ]
