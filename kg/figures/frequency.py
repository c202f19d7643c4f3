"""``finding-frequency``: per finding, the share of assessed patients with it present;
``term-frequency``: for one finding or antibody, that share per source and cohort."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery

from kg.figures.common import CONFIDENCE, FigureResult, frame, label, new_figure, resolve_term
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kg.terms import TermIndex

_TERM_COLUMNS = [
    "group",
    "kind",
    "source",
    "present",
    "absent",
    "assessed",
    "excluded",
    "excluded_statuses",
    "proportion",
    "ci_low",
    "ci_high",
]
_YES = {DMKG.Present, DMKG.Positive}
_NO = {DMKG.Absent, DMKG.Negative}
_PATIENTS = prepareQuery(
    """
    SELECT DISTINCT ?patient ?status ?doi ?publication WHERE {
      { ?record dmkg:finding ?term ; dmkg:findingStatus ?status }
      UNION { ?record dmkg:antibody ?term ; dmkg:antibodyStatus ?status }
      ?record dmkg:ofPatient ?patient .
      ?patient dmkg:describedIn ?publication . ?publication dmkg:doi ?doi .
    }""",
    initNs={"dmkg": DMKG._NS},
)
_COHORTS = prepareQuery(
    """
    SELECT DISTINCT ?cohort ?n ?total ?doi WHERE {
      ?frequency a dmkg:CohortFrequency ; dmkg:feature ?term ; dmkg:countsStatus ?status ;
                 dmkg:cohort ?cohort ; dmkg:numerator ?n ; dmkg:denominator ?total .
      FILTER(?status IN (dmkg:Present, dmkg:Positive))
      OPTIONAL { ?cohort dmkg:describedIn/dmkg:doi ?doi }
    }""",
    initNs={"dmkg": DMKG._NS},
)

__all__ = ["finding_frequency", "term_frequency"]


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
        low, high = wilson(present, assessed)
        rows.append(
            {
                "finding": record["sign"],
                "finding_id": record["sign_id"],
                "present": present,
                "absent": absent,
                "assessed": assessed,
                "excluded": excluded,
                "proportion": present / assessed,
                "ci_low": low,
                "ci_high": high,
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

    labels = [f"{r['finding']} ({r['present']}/{r['assessed']})" for r in rows]
    figure = _draw(
        rows,
        labels,
        "patients with the finding present, % of those assessed (Wilson 95% CI)",
        f"Finding frequency{f' ({source})' if source else ' (all sources)'}",
    )
    return FigureResult("finding-frequency", figure, data, notes=notes)


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of k of n (scipy's ``binomtest``)."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def _draw(rows: list[dict[str, Any]], labels: list[str], xlabel: str, title: str) -> Figure:
    """Each row's ``proportion`` as a point with its Wilson whisker, top to bottom."""
    figure, ax = new_figure(7.5, 1.2 + 0.28 * max(len(rows), 1))
    y = list(range(len(rows)))[::-1]
    values = [100 * r["proportion"] for r in rows]
    errors = [
        [100 * (r["proportion"] - r["ci_low"]) for r in rows],
        [100 * (r["ci_high"] - r["proportion"]) for r in rows],
    ]
    ax.errorbar(values, y, xerr=errors, fmt="o", color="#4C72B0", ecolor="#888888", capsize=2)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return figure


def term_frequency(
    graph: Graph, *, term: str = "heliotrope rash", terms: TermIndex | None = None
) -> FigureResult:
    """One finding's (or antibody's) share present (positive) per source and cohort, Wilson CIs.

    Rows of two kinds. ``patients``: per source with patient records of that exact class,
    the patients with it present (or positive) among those assessed (present or absent,
    positive or negative); every other status (unknown, equivocal, not performed, not
    reported) is counted in ``excluded`` and named in ``excluded_statuses``. ``cohort``: each
    printed cohort frequency n/N of it (present or positive).

    ``data``: ``group``, ``kind``, ``source``, ``present``, ``absent``, ``assessed``,
    ``excluded``, ``excluded_statuses``, ``proportion``, ``ci_low``, ``ci_high``.
    """
    from kg.analyse.statistics import select

    wanted = resolve_term(graph, terms, term)
    statuses: dict[tuple[str, str], dict[Any, set[str]]] = defaultdict(lambda: defaultdict(set))
    for hit in select(graph, _PATIENTS, term=wanted):
        key = (str(hit["doi"]), str(hit["publication"]).rsplit("/", 1)[-1])
        statuses[key][hit["status"]].add(str(hit["patient"]))
    rows, notes = [], []
    for (doi, name), by_status in sorted(statuses.items()):
        yes = sum(len(p) for s, p in by_status.items() if s in _YES)
        no = sum(len(p) for s, p in by_status.items() if s in _NO)
        other = {label(graph, s): len(p) for s, p in by_status.items() if s not in _YES | _NO}
        excluded = "; ".join(f"{name} {n}" for name, n in sorted(other.items()))
        if yes + no == 0:
            notes.append(f"{doi}: no patient assessed ({excluded}); left out")
            continue
        rows.append(_share(f"{name} patients", "patients", doi, yes, yes + no))
        rows[-1].update(excluded=sum(other.values()), excluded_statuses=excluded)
    for hit in select(graph, _COHORTS, term=wanted):
        n, total = int(str(hit["n"])), int(str(hit["total"]))
        if total > 0:
            name = label(graph, hit["cohort"])
            rows.append(_share(name, "cohort", str(hit.get("doi") or ""), n, total))
    rows.sort(key=lambda r: (r["kind"] != "patients", r["source"], r["group"]))
    data = frame(rows, _TERM_COLUMNS)
    name = label(graph, wanted)
    labels = [f"{r['group']} ({r['present']}/{r['assessed']})" for r in rows]
    xlabel = "% present or positive of those assessed (Wilson 95% CI)"
    figure = _draw(rows, labels, xlabel, f"{name} by source")
    return FigureResult("term-frequency", figure, data, notes=notes)


def _share(group: str, kind: str, source: str, k: int, n: int) -> dict[str, Any]:
    low, high = wilson(k, n)
    return {
        "group": group,
        "kind": kind,
        "source": source,
        "present": k,
        "absent": n - k,
        "assessed": n,
        "excluded": None,
        "excluded_statuses": None,
        "proportion": k / n,
        "ci_low": low,
        "ci_high": high,
    }
