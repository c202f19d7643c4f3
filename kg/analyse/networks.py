"""networkx views of a dmkg graph: the raw RDF, patients and features, associations, evidence.

Nodes other than those of :func:`to_networkx` are named by CURIE strings, the identifiers
the command line prints (``dmkg:HeliotropeRash``, ``patient:Pd94b72d8786a3c33``,
``record:...``; IRIs without a prefix, such as cohorts, stay whole), so a node can be
looked up with the ``*_id`` columns of :meth:`kg.api.graph.KnowledgeGraph.query`. Every node has
``label`` and ``kind``. Numbers are floats; an unbounded odds ratio or bound is
``math.inf``, and a statistic that cannot be computed is None.

>>> from kg.api.graph import load
>>> g = load()
>>> bipartite = g.patient_feature_graph()
>>> sorted(bipartite.nodes[p]["label"] for p in bipartite.neighbors("dmkg:AntiTIF1gamma"))
... # doctest: +NORMALIZE_WHITESPACE
['curroncol2021 case 1', 'requena2024 case 15', 'requena2024 case 16',
 'requena2024 case 17', 'requena2024 case 18', 'requena2024 case 20',
 'requena2024 case 22', 'requena2024 case 23']
>>> bipartite.nodes["dmkg:AntiTIF1gamma"]["patients"]
8
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Identifier, Node

from kg.errors import UsageError
from kg.namespaces import DMKG, PROV

if TYPE_CHECKING:
    import networkx as nx

    from kg.terms import TermIndex

__all__ = [
    "FEATURE_KINDS",
    "association_graph",
    "evidence_graph",
    "feature_kind",
    "node_id",
    "patient_feature_graph",
    "select",
    "to_networkx",
]

#: kinds of feature nodes, in the order they are listed
FEATURE_KINDS = ("finding", "antibody", "cancer site", "cancer", "other")

_NS = {"dmkg": DMKG._NS, "prov": PROV, "rdfs": RDFS}

_PRESENT_FEATURES = prepareQuery(
    """
    SELECT ?patient ?feature ?kind ?record ?grade WHERE {
      { ?record a dmkg:FindingObservation ; dmkg:findingStatus dmkg:Present ;
                dmkg:finding ?feature .
        OPTIONAL { ?record dmkg:grade ?grade }
        BIND("finding" AS ?kind) }
      UNION
      { ?record a dmkg:AntibodyTestResult ; dmkg:antibodyStatus dmkg:Positive ;
                dmkg:antibody ?feature .
        BIND("antibody" AS ?kind) }
      UNION
      { ?record a dmkg:CancerDiagnosis ; dmkg:cancerSite ?feature .
        BIND("cancer site" AS ?kind) }
      ?record dmkg:ofPatient ?patient .
    }""",
    initNs=_NS,
)

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
    initNs=_NS,
)

_EXPOSED = {DMKG.Present, DMKG.Positive}
_UNEXPOSED = {DMKG.Absent, DMKG.Negative}


def select(graph: Graph, query: Any, **bindings: Identifier) -> list[dict[str, Identifier]]:
    """The rows of a prepared SELECT query as dictionaries (unbound variables left out);
    values reach the query as bindings."""
    rows: list[dict[str, Identifier]] = []
    for row in graph.query(query, initBindings=bindings):
        rows.append(row.asdict())  # type: ignore[union-attr]
    return rows


def node_id(iri: Node) -> str:
    """The CURIE a node is named by (the command line's ``*_id``), else the IRI itself."""
    from kg.query.render import curie

    return curie(URIRef(str(iri)))


def _label(graph: Graph, iri: Node | None) -> str:
    if iri is None:
        return ""
    labels = [lab for lab in graph.objects(iri, RDFS.label) if isinstance(lab, Literal)]
    english = [lab for lab in labels if lab.language in ("en", None)]
    chosen = sorted(str(lab) for lab in (english or labels))
    return chosen[0] if chosen else node_id(iri)


def _terms(graph: Graph, terms: TermIndex | None) -> TermIndex:
    if terms is not None:
        return terms
    from kg.terms import TermIndex

    return TermIndex(graph)


def feature_kind(terms: TermIndex, iri: URIRef) -> str:
    """``finding``, ``antibody``, ``cancer site``, ``cancer`` or ``other``, by the class
    hierarchy (clinical finding, autoantibody, malignancy by site, malignancy)."""
    for root, kind in (
        (DMKG.ClinicalFinding, "finding"),
        (DMKG.Autoantibody, "antibody"),
        (DMKG.MalignancyBySite, "cancer site"),
        (DMKG.Malignancy, "cancer"),
    ):
        if terms.is_under(iri, root):
            return kind
    return "other"


def _number(value: Any) -> float | None:
    """Statistics from :mod:`kg.analyse.statistics` as floats (``"inf"`` becomes ``math.inf``)."""
    if value is None:
        return None
    return math.inf if value == "inf" else float(value)


# ---------------------------------------------------------------------------------------------


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Every triple as an edge from subject to object, keyed by the predicate.

    Built by rdflib's ``rdflib_to_networkx_multidigraph``: the nodes are the rdflib terms
    themselves (URIRef, BNode, Literal; equal literals are one node). Edge attributes:
    ``key`` and ``predicate`` (the predicate IRI) and ``predicate_id`` (its CURIE). Node
    attributes: ``term`` (``iri``, ``blank node`` or ``literal``); IRIs also ``id`` (CURIE)
    and ``label``; literals ``value`` (as Python) and ``datatype``. The edge count equals
    the triple count.
    """
    from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph

    def edge(s: Node, p: Node, o: Node) -> dict[str, Any]:
        return {"key": p, "predicate": p, "predicate_id": node_id(p)}

    result = rdflib_to_networkx_multidigraph(graph, edge_attrs=edge)
    for node, data in result.nodes(data=True):
        if isinstance(node, URIRef):
            data.update(term="iri", id=node_id(node), label=_label(graph, node))
        elif isinstance(node, BNode):
            data["term"] = "blank node"
        elif isinstance(node, Literal):
            data.update(
                term="literal",
                value=node.toPython(),
                datatype=str(node.datatype) if node.datatype else None,
            )
    return result


def patient_feature_graph(graph: Graph) -> nx.Graph:
    """A bipartite graph: patients on one side, what they have on the other.

    Nodes: every patient (``bipartite`` 0, ``kind`` ``patient``, ``label`` such as
    "requena2024 case 5", ``source`` DOI, ``case``), and every finding present, antibody
    positive and cancer site in at least one patient (``bipartite`` 1, ``kind`` ``finding``,
    ``antibody`` or ``cancer site``, ``label``, ``patients``: its degree). An edge joins a
    patient to a finding recorded present, an antibody tested positive, or the site of a
    cancer diagnosis (absent, negative, unknown, equivocal, not reported and not performed
    make no edge). Edge attributes: ``kind`` (``finding present``, ``antibody positive``,
    ``cancer site``), ``records`` (CURIEs of the records behind the edge) and, for graded
    findings, ``grade`` (the highest).
    """
    import networkx as nx

    result = nx.Graph(name="dmkg patients and features")
    for patient in sorted(set(graph.subjects(RDF.type, DMKG.Patient)), key=str):
        publication = graph.value(patient, DMKG.describedIn)
        doi = graph.value(publication, DMKG.doi) if publication is not None else None
        case = graph.value(patient, DMKG.caseLabel)
        result.add_node(
            node_id(patient),
            bipartite=0,
            kind="patient",
            label=_label(graph, patient),
            source=str(doi) if doi else None,
            case=str(case) if case is not None else None,
        )
    edge_kinds = {
        "finding": "finding present",
        "antibody": "antibody positive",
        "cancer site": "cancer site",
    }
    for row in select(graph, _PRESENT_FEATURES):
        who, what = node_id(row["patient"]), node_id(row["feature"])
        kind = str(row["kind"])
        if what not in result:
            result.add_node(what, bipartite=1, kind=kind, label=_label(graph, row["feature"]))
        if not result.has_edge(who, what):
            result.add_edge(who, what, kind=edge_kinds[kind], records=[])
        data = result.edges[who, what]
        data["records"] = sorted({*data["records"], node_id(row["record"])})
        if row.get("grade") is not None:
            data["grade"] = max(int(str(row["grade"])), data.get("grade", 0))
    for node, data in result.nodes(data=True):
        if data["bipartite"] == 1:
            data["patients"] = result.degree(node)
    return result


# ---------------------------------------------------------------------------------------------


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
        site = graph.value(diagnosis, DMKG.cancerSite)
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
    return {key: _number(stats[key]) for key in keys}


def _add_feature(
    result: nx.MultiGraph, graph: Graph, terms: TermIndex, iri: Node, patients: int = 0
) -> str:
    name = node_id(iri)
    if name not in result:
        result.add_node(
            name,
            iri=str(iri),
            label=_label(graph, iri),
            kind=feature_kind(terms, URIRef(str(iri))),
            patients=patients,
        )
    return name


def association_graph(
    graph: Graph, min_patients: int = 2, terms: TermIndex | None = None
) -> nx.MultiGraph:
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

    >>> from kg.api.graph import load
    >>> a = load().association_graph()
    >>> e = a.edges["dmkg:AntiTIF1gamma", "dmkg:BreastMalignancy", "co-occurrence"]
    >>> e["weight"], (e["a"], e["b"], e["c"], e["d"])
    (5, (5, 3, 1, 3))
    """
    import networkx as nx

    from kg.query.canned import run_query
    from kg.analyse.statistics import cohort_comparisons

    if min_patients < 1:
        raise UsageError(f"min_patients must be 1 or more, not {min_patients}")
    terms = _terms(graph, terms)
    result = nx.MultiGraph(name="dmkg associations", min_patients=min_patients)
    patients, yes, no, kinds, doi = _patient_statuses(graph)
    order = {kind: i for i, kind in enumerate(FEATURE_KINDS)}
    features = sorted(
        (f for f in yes if yes[f]), key=lambda f: (order[kinds[f]], _label(graph, f).casefold())
    )
    for feature in features:
        _add_feature(result, graph, terms, feature, len(yes[feature]))
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
            exposure=_label(graph, comp.cohort1),
            reference=_label(graph, comp.cohort2),
            source=comp.source,
            table=comp.table,
            row=comp.row,
        )

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
            measure=_label(graph, row["measure"]) if row["measure"] else None,
            value=_number(row["value"]),
            ci_low=_number(row["ci_low"]),
            ci_high=_number(row["ci_high"]),
            population=str(row["population"]) if row["population"] else None,
            cited=str(row["cited"]) if row["cited"] else None,
            label=str(row["label"]) if row["label"] else None,
            source=str(row["source"]) if row["source"] else None,
        )
    return result


# ---------------------------------------------------------------------------------------------


def _claim_types(graph: Graph) -> dict[Node, str]:
    """Every claim and its type: reported statistic, risk estimate or group comparison."""
    found: dict[Node, str] = {}
    for cls in set(graph.transitive_subjects(RDFS.subClassOf, DMKG.ReportedStatistic)):
        for claim in graph.subjects(RDF.type, cls):
            if cls == DMKG.RiskEstimate:
                found[claim] = "risk estimate"
            else:
                found.setdefault(claim, "reported statistic")
    for claim in graph.subjects(RDF.type, DMKG.GroupComparison):
        found[claim] = "group comparison"
    return found


def _text(graph: Graph, subject: Node | None, prop: URIRef) -> str | None:
    if subject is None:
        return None
    value = graph.value(subject, prop)
    return str(value) if value is not None else None


def evidence_graph(graph: Graph, terms: TermIndex | None = None) -> nx.MultiDiGraph:
    """Who says what: publications, studies, cohorts, claims and what the claims are about.

    Nodes (named by CURIE or IRI), by ``kind``:

    - ``publication``: ``label`` (title), ``doi``, ``journal``, ``year``;
    - ``study``: ``label``, ``design`` (case series study, case report, comparative cohort
      study);
    - ``cohort``: ``label``, ``size``;
    - ``claim``: every reported statistic, risk estimate and group comparison, with
      ``claim_type`` (those three words), ``label``, ``measure``, ``value``, ``ci_low``,
      ``ci_high``, ``p`` (as printed), ``population``, ``cited``, ``verbatim`` and where it
      was read (``table``, ``row``, ``section``);
    - the terms claims are about: ``finding``, ``antibody``, ``cancer site``, ``cancer`` or
      ``other`` (such as dermatomyositis itself), with ``label``.

    Edges, keyed by the relation (also in the ``relation`` attribute): study ->
    publication ``described in``; cohort -> study ``part of study``; claim -> publication
    ``stated in``; claim -> term ``about`` (a comparison: the compared feature) and
    ``outcome`` (the outcome of interest); claim -> cohort ``cohort``, or ``first group``
    and ``second group`` for a comparison.

    >>> from kg.api.graph import load
    >>> e = load().evidence_graph()
    >>> sorted(n for n, k in e.nodes(data="kind") if k == "publication")
    ['publication:curroncol2021', 'publication:monseau2020', 'publication:requena2024']
    """
    import networkx as nx

    terms = _terms(graph, terms)
    result = nx.MultiDiGraph(name="dmkg evidence")

    def edge(source: Node, target: Node, relation: str) -> None:
        result.add_edge(node_id(source), node_id(target), key=relation, relation=relation)

    for publication in graph.subjects(RDF.type, DMKG.Publication):
        year = graph.value(publication, DMKG.year)
        result.add_node(
            node_id(publication),
            kind="publication",
            label=_label(graph, publication),
            doi=_text(graph, publication, DMKG.doi),
            journal=_text(graph, publication, DMKG.journal),
            year=int(str(year)) if year is not None else None,
        )
    for design in (DMKG.CaseSeriesStudy, DMKG.CaseReport, DMKG.ComparativeCohortStudy, DMKG.Study):
        for study in graph.subjects(RDF.type, design):
            if node_id(study) in result:
                continue
            result.add_node(
                node_id(study),
                kind="study",
                label=_label(graph, study),
                design=_label(graph, design),
            )
            for publication in graph.objects(study, DMKG.describedIn):
                edge(study, publication, "described in")
    for cohort in graph.subjects(RDF.type, DMKG.Cohort):
        size = graph.value(cohort, DMKG.cohortSize)
        result.add_node(
            node_id(cohort),
            kind="cohort",
            label=_label(graph, cohort),
            size=int(str(size)) if size is not None else None,
        )
        for study in graph.objects(cohort, DMKG.partOfStudy):
            edge(cohort, study, "part of study")

    def term_node(iri: Node) -> None:
        if node_id(iri) not in result:
            result.add_node(
                node_id(iri), kind=feature_kind(terms, URIRef(str(iri))), label=_label(graph, iri)
            )

    for claim, claim_type in _claim_types(graph).items():
        location = graph.value(claim, PROV.wasDerivedFrom)
        # a table cell's publication, table and row are on its source row
        row = (graph.value(location, DMKG.inRow) or location) if location is not None else None
        attrs: dict[str, Any] = {
            "kind": "claim",
            "claim_type": claim_type,
            "label": _text(graph, claim, DMKG.statisticLabel),
            "measure": _label(graph, graph.value(claim, DMKG.measure)) or None,
            "value": _number(_text(graph, claim, DMKG.value)),
            "ci_low": _number(_text(graph, claim, DMKG.ciLow)),
            "ci_high": _number(_text(graph, claim, DMKG.ciHigh)),
            "p": _text(graph, claim, DMKG.printedPValue),
            "population": _text(graph, claim, DMKG.population),
            "cited": _text(graph, claim, DMKG.citedReference),
            "verbatim": _text(graph, claim, DMKG.verbatim),
            "table": _text(graph, row, DMKG.table),
            "row": _text(graph, row, DMKG.row),
            "section": _text(graph, location, DMKG.section),
        }
        publications = set(graph.objects(claim, DMKG.statedIn))
        if row is not None:
            publications |= set(graph.objects(row, DMKG.inPublication))
        if claim_type == "group comparison":
            first, second = (
                graph.value(claim, DMKG.firstGroup),
                graph.value(claim, DMKG.secondGroup),
            )
            feature = graph.value(claim, DMKG.feature)
            counts = [
                f"{_text(graph, g, DMKG.numerator)}/{_text(graph, g, DMKG.denominator)}"
                for g in (first, second)
                if _text(graph, g, DMKG.numerator) is not None
            ]
            attrs["label"] = f"{_label(graph, feature)}" + (
                f": {counts[0]} vs {counts[1]}" if len(counts) == 2 else ""
            )
            result.add_node(node_id(claim), **attrs)
            if feature is not None:
                term_node(feature)
                edge(claim, feature, "about")
            for group, relation in ((first, "first group"), (second, "second group")):
                compared = graph.value(group, DMKG.cohort) if group is not None else None
                if compared is not None:
                    edge(claim, compared, relation)
        else:
            result.add_node(node_id(claim), **attrs)
            for about in graph.objects(claim, DMKG.about):
                term_node(about)
                edge(claim, about, "about")
            for outcome in graph.objects(claim, DMKG.outcomeOfInterest):
                term_node(outcome)
                edge(claim, outcome, "outcome")
            for cohort in graph.objects(claim, DMKG.cohort):
                edge(claim, cohort, "cohort")
        for publication in publications:
            edge(claim, publication, "stated in")
    return result
