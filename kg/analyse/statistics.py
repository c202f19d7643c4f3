"""Associations as 2x2 tables, with Fisher's exact test, odds ratios and Wilson intervals.

Two kinds of rows, in one column layout (:data:`ASSOCIATION_COLUMNS`):

``patient-level``
    Over individual patients (every source with patient records): a clinical finding or an
    autoantibody as the exposure, a cancer site as the outcome. ``a`` exposed with the site,
    ``b`` exposed without, ``c`` unexposed with the site, ``d`` unexposed without. Exposed means
    the finding present or the antibody positive, unexposed absent or negative; a patient with
    any other status (unknown, equivocal, not reported, not performed) or with no record of
    the exposure is left out and counted in ``excluded``. Exposures are the classes as
    recorded (no roll-up along the class hierarchy); the site is the category a source's own
    grouping gives each of the patient's cancer diagnoses (``dmkg:cancerCategory``, from the
    categories its totals row prints), else its organ site (``dmkg:cancerSite``).
``cohort``
    Each printed group comparison whose two groups are cohort-level counts n/N: the first
    cohort is the exposure, the second the reference, the compared feature the outcome:
    ``a = n1``, ``b = N1 - n1``, ``c = n2``, ``d = N2 - n2``. ``excluded`` counts the cohort
    members not assessed for the feature (cohort size minus N, both cohorts), and
    ``reported_p`` is the p-value as printed, beside the recomputed ``p_fisher``;
    ``p_convention`` names the conventions that reproduce the printed p at its printed
    precision (Fisher two-sided by minimum likelihood or by doubling, chi-square with or
    without Yates' correction; "none" if none does; see :mod:`kg.analyse.qa.conventions`).

``proportion`` is ``a / (a + b)`` (for cohorts: p1), ``proportion_reference`` is
``c / (c + d)`` (p2), each with its Wilson 95% interval. The odds ratio is scipy's
conditional maximum-likelihood estimate with its exact 95% interval; where a zero cell
makes it or a bound unbounded, the value is the string ``"inf"`` (:data:`INFINITY`), so
that every row stays valid JSON and CSV; 0 stays the number 0.0. Rows are skipped where the
exposure has no exposed or no unexposed patient, and (patient-level) where no included
patient, or every included patient, has the site: such a table carries no information.

Values are kept at full precision; :func:`display` rounds them for reading.
"""

from __future__ import annotations

import math
from collections import defaultdict
from functools import lru_cache
from typing import Any

from rdflib import RDFS, Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node
from scipy.stats import binomtest, fisher_exact
from scipy.stats.contingency import odds_ratio

from kg.analyse.cohorts import CohortComparison, cohort_comparisons, text_value
from kg.namespaces import DATA, DMKG, PROV

__all__ = [
    "ASSOCIATION_COLUMNS",
    "CONFIDENCE_LEVEL",
    "INFINITY",
    "CohortComparison",
    "associations",
    "cohort_associations",
    "cohort_comparisons",
    "curie",
    "display",
    "label",
    "patient_associations",
    "select",
    "two_by_two",
]

#: column order for tables and CSV output
#: the statistics of one 2x2 table, in the order ``_statistics`` gives them
_STAT_KEYS = (
    "proportion",
    "prop_ci_low",
    "prop_ci_high",
    "proportion_reference",
    "prop_reference_ci_low",
    "prop_reference_ci_high",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "p_fisher",
)

ASSOCIATION_COLUMNS = (
    "kind",
    "exposure",
    "exposure_id",
    "exposure_kind",
    "reference",
    "reference_id",
    "outcome",
    "outcome_id",
    "a",
    "b",
    "c",
    "d",
    "excluded",
    *_STAT_KEYS,
    "reported_p",
    "p_convention",
    "source",
)
#: how an unbounded odds ratio or bound is written
INFINITY = "inf"
CONFIDENCE_LEVEL = 0.95

_NS = {"dmkg": DMKG._NS, "prov": PROV, "rdfs": RDFS}

_PATIENTS = prepareQuery(
    """
    SELECT ?patient ?doi WHERE {
      ?patient a dmkg:Patient ; dmkg:describedIn/dmkg:doi ?doi .
    }""",
    initNs=_NS,
)

_OBSERVATIONS = prepareQuery(
    """
    SELECT ?patient ?exposure ?status ?kind WHERE {
      { ?obs a dmkg:FindingObservation ; dmkg:finding ?exposure ; dmkg:findingStatus ?status .
        BIND("finding" AS ?kind) }
      UNION
      { ?obs a dmkg:AntibodyTestResult ; dmkg:antibody ?exposure ; dmkg:antibodyStatus ?status .
        BIND("antibody" AS ?kind) }
      ?obs dmkg:ofPatient ?patient .
    }""",
    initNs=_NS,
)

_SITES = prepareQuery(
    """
    SELECT ?patient ?site WHERE {
      ?diagnosis a dmkg:CancerDiagnosis ; dmkg:ofPatient ?patient .
      # the source's own category where it defines one (Requena's lymphoma of the breast is
      # "Lymphoma"), else the organ site
      OPTIONAL { ?diagnosis dmkg:cancerCategory ?category }
      OPTIONAL { ?diagnosis dmkg:cancerSite ?organ }
      BIND(COALESCE(?category, ?organ) AS ?site)
      FILTER(BOUND(?site))
    }""",
    initNs=_NS,
)

_EXPOSED = {DMKG.Present, DMKG.Positive}
_UNEXPOSED = {DMKG.Absent, DMKG.Negative}
_REFERENCE = {"finding": DMKG.Absent, "antibody": DMKG.Negative}
_KIND_ORDER = {"finding": 0, "antibody": 1}


def curie(iri: Node) -> str:
    """A dmkg term as ``dmkg:Name``, a data IRI as ``dmkgd:path``, anything else in full.

    >>> curie(DMKG.HeliotropeRash)
    'dmkg:HeliotropeRash'
    >>> curie(DATA["cohort/monseau2020/mi2pos"])
    'dmkgd:cohort/monseau2020/mi2pos'
    """
    text = str(iri)
    for prefix, namespace in (("dmkg", str(DMKG._NS)), ("dmkgd", str(DATA))):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def label(graph: Graph, iri: Node) -> str:
    """The rdfs:label of a term (its local name when it has none)."""
    value = graph.value(iri, RDFS.label)
    return str(value) if value is not None else str(iri).rsplit("/", 1)[-1]


def select(graph: Graph, query: Query, **bindings: Identifier) -> list[dict[str, Identifier]]:
    """The rows of a prepared SELECT query as dictionaries (unbound variables left out).

    Values reach the query as bindings, never pasted into its text.
    """
    rows: list[dict[str, Identifier]] = []
    for row in graph.query(query, initBindings=bindings):
        rows.append(row.asdict())  # type: ignore[union-attr]
    return rows


def _number(value: float) -> float | str | None:
    """A float for output: ``"inf"`` for infinity, None for an undefined value."""
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return INFINITY
    return value


def two_by_two(a: int, b: int, c: int, d: int) -> dict[str, Any]:
    """The statistics of the table [[a, b], [c, d]], all from scipy.

    Needs ``a + b > 0`` and ``c + d > 0`` (each group has at least one patient).

    >>> s = two_by_two(12, 43, 2, 53)  # Monseau Table I, Holster sign
    >>> round(s["p_fisher"], 5), round(s["proportion"], 4), round(s["proportion_reference"], 4)
    (0.00801, 0.2182, 0.0364)
    >>> two_by_two(3, 0, 2, 5)["odds_ratio"]
    'inf'
    """
    return dict(zip(_STAT_KEYS, _statistics(a, b, c, d)))


@lru_cache(maxsize=4096)
def _statistics(a: int, b: int, c: int, d: int) -> tuple[float | str | None, ...]:
    # cached: the exact odds-ratio interval is a root search, and many tables repeat
    table = [[a, b], [c, d]]
    p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    ratio = odds_ratio(table, kind="conditional")
    ci = ratio.confidence_interval(confidence_level=CONFIDENCE_LEVEL)
    exposed = binomtest(a, a + b).proportion_ci(confidence_level=CONFIDENCE_LEVEL, method="wilson")
    reference = binomtest(c, c + d).proportion_ci(
        confidence_level=CONFIDENCE_LEVEL, method="wilson"
    )
    return (
        a / (a + b),
        float(exposed.low),
        float(exposed.high),
        c / (c + d),
        float(reference.low),
        float(reference.high),
        _number(ratio.statistic),
        _number(ci.low),
        _number(ci.high),
        p_value,
    )


def patient_associations(graph: Graph) -> list[dict[str, Any]]:
    """Every finding and antibody against every cancer site, over individual patients."""
    doi: dict[Node, str] = {row["patient"]: str(row["doi"]) for row in select(graph, _PATIENTS)}
    statuses: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    kinds: dict[Node, str] = {}
    for row in select(graph, _OBSERVATIONS):
        statuses[row["exposure"]][row["patient"]].add(row["status"])
        kinds[row["exposure"]] = str(row["kind"])
    sites: dict[Node, set[Node]] = defaultdict(set)
    for row in select(graph, _SITES):
        sites[row["patient"]].add(row["site"])
    all_sites = sorted(
        {s for found in sites.values() for s in found}, key=lambda s: label(graph, s).casefold()
    )
    rows: list[dict[str, Any]] = []
    for exposure, by_patient in statuses.items():
        # a patient with both a yes and a no record of the same exposure is left out
        exposed = {p for p, s in by_patient.items() if s & _EXPOSED and not s & _UNEXPOSED}
        unexposed = {p for p, s in by_patient.items() if s & _UNEXPOSED and not s & _EXPOSED}
        if not exposed or not unexposed:
            continue
        kind = kinds[exposure]
        included = exposed | unexposed
        for site in all_sites:
            a = sum(1 for p in exposed if site in sites.get(p, ()))
            c = sum(1 for p in unexposed if site in sites.get(p, ()))
            b, d = len(exposed) - a, len(unexposed) - c
            if a + c == 0 or b + d == 0:
                continue
            reference = _REFERENCE[kind]
            rows.append(
                {
                    "kind": "patient-level",
                    "exposure": label(graph, exposure),
                    "exposure_id": curie(exposure),
                    "exposure_kind": kind,
                    "reference": f"{label(graph, exposure)} {label(graph, reference)}",
                    "reference_id": curie(reference),
                    "outcome": label(graph, site),
                    "outcome_id": curie(site),
                    "a": a,
                    "b": b,
                    "c": c,
                    "d": d,
                    "excluded": len(doi) - len(included),
                    **two_by_two(a, b, c, d),
                    "reported_p": None,
                    "p_convention": None,
                    "source": "; ".join(sorted({doi[p] for p in included if p in doi})),
                }
            )
    rows.sort(
        key=lambda r: (
            _KIND_ORDER[r["exposure_kind"]],
            r["exposure"].casefold(),
            r["outcome"].casefold(),
        )
    )
    return [{c: r[c] for c in ASSOCIATION_COLUMNS} for r in rows]


def cohort_associations(graph: Graph) -> list[dict[str, Any]]:
    """The cohort comparisons as 2x2 rows, the printed p beside the recomputed one."""
    rows = []
    for comp in cohort_comparisons(graph):
        a, b, c, d = comp.cells
        excluded = 0
        for cohort, assessed in ((comp.cohort1, comp.N1), (comp.cohort2, comp.N2)):
            size = text_value(graph, cohort, DMKG.cohortSize)
            excluded += int(size) - assessed if size is not None else 0
        row = {
            "kind": "cohort",
            "exposure": label(graph, comp.cohort1),
            "exposure_id": curie(comp.cohort1),
            "exposure_kind": "cohort",
            "reference": label(graph, comp.cohort2),
            "reference_id": curie(comp.cohort2),
            "outcome": label(graph, comp.feature),
            "outcome_id": curie(comp.feature),
            "a": a,
            "b": b,
            "c": c,
            "d": d,
            "excluded": excluded,
            **two_by_two(a, b, c, d),
            "reported_p": comp.printed_p,
            "p_convention": _convention(comp.printed_p, a, b, c, d),
            "source": comp.source,
        }
        rows.append({col: row[col] for col in ASSOCIATION_COLUMNS})
    return rows


def _convention(printed: str | None, a: int, b: int, c: int, d: int) -> str | None:
    """Which p-value conventions reproduce the printed p ("none" if none does)."""
    if not printed:
        return None
    from kg.analyse.qa.conventions import convention_p_values, matching_conventions

    return "; ".join(matching_conventions(printed, convention_p_values(a, b, c, d))) or "none"


def associations(graph: Graph) -> list[dict[str, Any]]:
    """Patient-level rows, then cohort rows (see the module docstring for the columns)."""
    return patient_associations(graph) + cohort_associations(graph)


def display(row: dict[str, Any], digits: int = 4) -> dict[str, str]:
    """A row as strings for reading: floats to ``digits`` significant digits, None empty.

    >>> display({"a": 3, "p_fisher": 0.0080090567, "odds_ratio": "inf", "reported_p": None})
    {'a': '3', 'p_fisher': '0.008009', 'odds_ratio': 'inf', 'reported_p': ''}
    """
    shown = {}
    for key, value in row.items():
        if value is None:
            shown[key] = ""
        elif isinstance(value, float):
            shown[key] = f"{value:.{digits}g}"
        else:
            shown[key] = str(value)
    return shown
