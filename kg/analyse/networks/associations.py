"""The association graph: findings, antibodies and cancer sites, linked by co-occurrence in
patients, by printed cohort comparisons and by figures from the literature."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import TYPE_CHECKING, Any

from rdflib import RDF, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.analyse.networks.nodes import (
    FEATURE_KINDS,
    NS,
    feature_kind,
    label,
    node_id,
    number,
    select,
    term_index,
)
from kg.errors import UsageError
from kg.namespaces import DMKG

if TYPE_CHECKING:
    import networkx as nx

    from kg.terms import TermIndex

__all__ = ["association_graph"]

#: who has each feature (yes), who is known not to have it (no)
Statuses = dict[Node, set[Node]]

_STATUSES = prepareQuery(
    """
    SELECT ?patient ?feature ?status ?kind WHERE {
      { ?record a dmkg:FindingObservation ; dmkg:finding ?feature ; dmkg:findingStatus ?status .
        BIND("finding" AS ?kind) }
      UNION
      { ?record a dmkg:AntibodyTestResult ; dmkg:antibody ?feature ; dmkg:antibodyStatus ?status .
        BIND("antibody" AS ?kind) }
      ?record dmkg:ofPatient ?patient .
    }""",
    initNs=NS,
)

_EXPOSED = {DMKG.Present, DMKG.Positive}
_UNEXPOSED = {DMKG.Absent, DMKG.Negative}


def association_graph(
    graph: Graph, min_patients: int = 2, terms: TermIndex | None = None
) -> nx.MultiGraph[Any]:
    """Findings, antibodies and cancer sites, linked by co-occurrence and by evidence.

    Nodes (named by CURIE): every finding present, antibody positive or cancer site in at
    least one patient, with ``label``, ``kind`` (``finding``, ``antibody``, ``cancer site``;
    ``cancer`` for a broader outcome such as any malignancy), ``iri`` and ``patients`` (how
    many patients have it; 0 for features known only from cohorts or the literature).

    Edges (a MultiGraph: one pair may have several), each with ``kind``, ``weight``,
    ``measure``, ``value``, ``ci_low``, ``ci_high`` and ``source`` (DOIs):

    ``co-occurrence`` (key ``co-occurrence``)
        Two features that at least ``min_patients`` patients have together; ``weight`` and
        ``patients`` are that number. The 2x2 table counts, over the patients with a yes or
        no status for both (present/positive vs absent/negative; for a site: the site or
        not), ``a`` both, ``b`` only ``exposure``, ``c`` only ``outcome``, ``d`` neither;
        ``excluded`` the other patients. ``odds_ratio`` (``value``; ``measure``
        "odds ratio"), ``or_ci_low``/``or_ci_high`` and ``p_fisher`` come from
        :func:`kg.analyse.statistics.two_by_two`, so a feature-by-site edge carries the numbers of
        the matching ``dmkg associations --kind patient-level`` row; they are None where a
        margin of the table is empty.
    ``cohort`` (key ``cohort:<comparison CURIE>``)
        A printed comparison of a feature between two cohorts, placed between the feature
        and the antibody or finding that splits the two cohorts: the feature every member
        of the first cohort has and no member of the second (anti-Mi2 in Monseau Table I:
        64/64 vs 0/55). Attributes as in ``dmkg associations --kind cohort``: ``a``-``d``
        from n/N, ``odds_ratio``, CI, ``p_fisher``, ``reported_p``, ``exposure`` and
        ``reference`` (the cohorts), ``table``, ``row``; ``weight`` is ``a``. Comparisons
        of cohorts that no feature splits are left out.
    ``literature`` (key ``literature:<statistic CURIE>``)
        A figure a publication states about an antibody and cancer (the canned query
        ``antibody-cancer-evidence``): ``measure`` (odds ratio, standardized incidence
        ratio, specificity, ...), ``value``, CI, ``population``, ``cited``, ``label``;
        ``weight`` 0 (no patients counted here).

    >>> from kg.api import load
    >>> a = load().association_graph()
    >>> e = a.edges["dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy", "co-occurrence"]
    >>> e["weight"], (e["a"], e["b"], e["c"], e["d"])
    (5, (5, 3, 1, 3))
    """
    import networkx as nx

    if min_patients < 1:
        raise UsageError(f"min_patients must be 1 or more, not {min_patients}")
    terms = term_index(graph, terms)
    result: nx.MultiGraph[Any] = nx.MultiGraph(name="dmkg associations", min_patients=min_patients)
    patients, yes, no, kinds, doi = _patient_statuses(graph)
    order = {kind: i for i, kind in enumerate(FEATURE_KINDS)}
    features = sorted(
        (f for f in yes if yes[f]), key=lambda f: (order[kinds[f]], label(graph, f).casefold())
    )
    for feature in features:
        _add_feature(result, graph, terms, feature, len(yes[feature]))
    _co_occurrence_edges(result, features, min_patients, patients, yes, no, doi)
    _cohort_edges(result, graph, terms, yes)
    _literature_edges(result, graph, terms, yes)
    return result


def _co_occurrence_edges(
    result: nx.MultiGraph[Any],
    features: list[Node],
    min_patients: int,
    patients: set[Node],
    yes: Statuses,
    no: Statuses,
    doi: dict[Node, str],
) -> None:
    """An edge between two features that at least ``min_patients`` patients have together."""
    for u, v in combinations(features, 2):
        both = yes[u] & yes[v]
        if len(both) < min_patients:
            continue
        known = (yes[u] | no[u]) & (yes[v] | no[v])
        a = len(both)
        b = len(yes[u] & no[v])
        c = len(no[u] & yes[v])
        d = len(no[u] & no[v])
        stats = _stat_attrs(a, b, c, d)
        result.add_edge(
            node_id(u),
            node_id(v),
            key="co-occurrence",
            kind="co-occurrence",
            weight=a,
            patients=a,
            exposure=node_id(u),
            outcome=node_id(v),
            a=a,
            b=b,
            c=c,
            d=d,
            excluded=len(patients - known),
            **stats,
            measure="odds ratio",
            value=stats["odds_ratio"],
            ci_low=stats["or_ci_low"],
            ci_high=stats["or_ci_high"],
            source="; ".join(sorted({doi[p] for p in known if doi.get(p)})),
        )


def _cohort_edges(
    result: nx.MultiGraph[Any], graph: Graph, terms: TermIndex, yes: Statuses
) -> None:
    """An edge per printed comparison, between the feature compared and the feature that
    splits the two cohorts."""
    from kg.analyse.cohorts import cohort_comparisons

    comparisons = cohort_comparisons(graph)
    splitters: dict[tuple[Node, Node], Node] = {}
    for comp in comparisons:
        if comp.N1 > 0 and comp.n1 == comp.N1 and comp.n2 == 0:
            splitters.setdefault((comp.cohort1, comp.cohort2), comp.feature)
    for comp in comparisons:
        splitter = splitters.get((comp.cohort1, comp.cohort2))
        if splitter is None or comp.feature == splitter:
            continue
        a, b, c, d = comp.cells
        stats = _stat_attrs(a, b, c, d)
        first = _add_feature(result, graph, terms, splitter, len(yes.get(splitter, ())))
        second = _add_feature(result, graph, terms, comp.feature, len(yes.get(comp.feature, ())))
        result.add_edge(
            first,
            second,
            key=f"cohort:{node_id(comp.comparison)}",
            kind="cohort",
            weight=a,
            a=a,
            b=b,
            c=c,
            d=d,
            **stats,
            measure="odds ratio",
            value=stats["odds_ratio"],
            ci_low=stats["or_ci_low"],
            ci_high=stats["or_ci_high"],
            reported_p=comp.printed_p,
            exposure=label(graph, comp.cohort1),
            reference=label(graph, comp.cohort2),
            source=comp.source,
            table=comp.table,
            row=comp.row,
        )


def _literature_edges(
    result: nx.MultiGraph[Any], graph: Graph, terms: TermIndex, yes: Statuses
) -> None:
    """An edge per figure a publication states about an antibody and a cancer."""
    from kg.query import run_query

    for row in run_query(graph, "antibody-cancer-evidence").records():
        antibody, outcome = row["antibody"], row["outcome"]
        if antibody is None or outcome is None:
            continue
        first = _add_feature(result, graph, terms, antibody, len(yes.get(antibody, ())))
        second = _add_feature(result, graph, terms, outcome, len(yes.get(outcome, ())))
        result.add_edge(
            first,
            second,
            key=f"literature:{node_id(row['statistic'] or antibody)}",
            kind="literature",
            weight=0,
            measure=label(graph, row["measure"]) if row["measure"] else None,
            value=number(row["value"]),
            ci_low=number(row["ci_low"]),
            ci_high=number(row["ci_high"]),
            population=str(row["population"]) if row["population"] else None,
            cited=str(row["cited"]) if row["cited"] else None,
            label=str(row["label"]) if row["label"] else None,
            source=str(row["source"]) if row["source"] else None,
        )


def _patient_statuses(
    graph: Graph,
) -> tuple[
    set[Node], dict[Node, set[Node]], dict[Node, set[Node]], dict[Node, str], dict[Node, str]
]:
    """(patients, yes, no, kind, doi): who has each feature, who is known not to have it."""
    patients = set(graph.subjects(RDF.type, DMKG.Patient))
    doi: dict[Node, str] = {}
    for patient in patients:
        publication = graph.value(patient, DMKG.describedIn)
        value = graph.value(publication, DMKG.doi) if publication is not None else None
        doi[patient] = str(value) if value is not None else ""
    statuses: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
    kinds: dict[Node, str] = {}
    for row in select(graph, _STATUSES):
        statuses[row["feature"]][row["patient"]].add(row["status"])
        kinds[row["feature"]] = str(row["kind"])
    yes: dict[Node, set[Node]] = {}
    no: dict[Node, set[Node]] = {}
    for feature, by_patient in statuses.items():
        # a patient with both a yes and a no record of one feature counts as neither
        yes[feature] = {p for p, s in by_patient.items() if s & _EXPOSED and not s & _UNEXPOSED}
        no[feature] = {p for p, s in by_patient.items() if s & _UNEXPOSED and not s & _EXPOSED}
    for diagnosis in graph.subjects(RDF.type, DMKG.CancerDiagnosis):
        # the source's own category where it defines one, else the organ site (as
        # patient_associations and the cancer-sites query count)
        site = graph.value(diagnosis, DMKG.cancerCategory) or graph.value(
            diagnosis, DMKG.cancerSite
        )
        whose = graph.value(diagnosis, DMKG.ofPatient)
        if site is not None and whose is not None:
            yes.setdefault(site, set()).add(whose)
            kinds[site] = "cancer site"
    for feature, kind in kinds.items():
        if kind == "cancer site":
            no[feature] = patients - yes[feature]
    return patients, yes, no, kinds, doi


def _stat_attrs(a: int, b: int, c: int, d: int) -> dict[str, Any]:
    from kg.analyse.statistics import two_by_two

    keys = ("odds_ratio", "or_ci_low", "or_ci_high", "p_fisher")
    if min(a + b, c + d, a + c, b + d) == 0:  # a margin is empty: the table says nothing
        return dict.fromkeys(keys)
    stats = two_by_two(a, b, c, d)
    return {key: number(stats[key]) for key in keys}


def _add_feature(
    result: nx.MultiGraph[Any], graph: Graph, terms: TermIndex, iri: Node, patients: int = 0
) -> str:
    name = node_id(iri)
    if name not in result:
        result.add_node(
            name,
            iri=str(iri),
            label=label(graph, iri),
            kind=feature_kind(terms, URIRef(str(iri))),
            patients=patients,
        )
    return name
