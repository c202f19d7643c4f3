"""The evidence graph: publications, studies, cohorts, the claims they print and what the
claims are about."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from kg.analyse.networks.nodes import feature_kind, label, node_id, number, term_index
from kg.namespaces import DMKG, PROV

if TYPE_CHECKING:
    import networkx as nx

    from kg.terms import TermIndex

__all__ = ["evidence_graph"]


def evidence_graph(graph: Graph, terms: TermIndex | None = None) -> nx.MultiDiGraph[Any]:
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

    >>> from kg.api import load
    >>> e = load().evidence_graph()
    >>> sorted(n for n, k in e.nodes(data="kind") if k == "publication")
    ['publication:curroncol2021', 'publication:monseau2020', 'publication:requena2024']
    """
    import networkx as nx

    terms = term_index(graph, terms)
    result: nx.MultiDiGraph[Any] = nx.MultiDiGraph(name="dmkg evidence")
    _add_sources(result, graph)
    for claim, claim_type in _claim_types(graph).items():
        _add_claim(result, graph, terms, claim, claim_type)
    return result


def _edge(result: nx.MultiDiGraph[Any], source: Node, target: Node, relation: str) -> None:
    result.add_edge(node_id(source), node_id(target), key=relation, relation=relation)


def _term_node(result: nx.MultiDiGraph[Any], graph: Graph, terms: TermIndex, iri: Node) -> None:
    if node_id(iri) not in result:
        result.add_node(
            node_id(iri), kind=feature_kind(terms, URIRef(str(iri))), label=label(graph, iri)
        )


def _add_sources(result: nx.MultiDiGraph[Any], graph: Graph) -> None:
    """The publications, the studies they describe and the cohorts of the studies."""
    for publication in graph.subjects(RDF.type, DMKG.Publication):
        year = graph.value(publication, DMKG.year)
        result.add_node(
            node_id(publication),
            kind="publication",
            label=label(graph, publication),
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
                label=label(graph, study),
                design=label(graph, design),
            )
            for publication in graph.objects(study, DMKG.describedIn):
                _edge(result, study, publication, "described in")
    for cohort in graph.subjects(RDF.type, DMKG.Cohort):
        size = graph.value(cohort, DMKG.cohortSize)
        result.add_node(
            node_id(cohort),
            kind="cohort",
            label=label(graph, cohort),
            size=int(str(size)) if size is not None else None,
        )
        for study in graph.objects(cohort, DMKG.partOfStudy):
            _edge(result, cohort, study, "part of study")


def _add_claim(
    result: nx.MultiDiGraph[Any], graph: Graph, terms: TermIndex, claim: Node, claim_type: str
) -> None:
    """A claim node, with its edges to what it is about, its cohorts and its publications."""
    location = graph.value(claim, PROV.wasDerivedFrom)
    # a table cell's publication, table and row are on its source row
    row = (graph.value(location, DMKG.inRow) or location) if location is not None else None
    attrs: dict[str, Any] = {
        "kind": "claim",
        "claim_type": claim_type,
        "label": _text(graph, claim, DMKG.statisticLabel),
        "measure": label(graph, graph.value(claim, DMKG.measure)) or None,
        "value": number(_text(graph, claim, DMKG.value)),
        "ci_low": number(_text(graph, claim, DMKG.ciLow)),
        "ci_high": number(_text(graph, claim, DMKG.ciHigh)),
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
        _add_comparison(result, graph, terms, claim, attrs)
    else:
        result.add_node(node_id(claim), **attrs)
        for about in graph.objects(claim, DMKG.about):
            _term_node(result, graph, terms, about)
            _edge(result, claim, about, "about")
        for outcome in graph.objects(claim, DMKG.outcomeOfInterest):
            _term_node(result, graph, terms, outcome)
            _edge(result, claim, outcome, "outcome")
        for cohort in graph.objects(claim, DMKG.cohort):
            _edge(result, claim, cohort, "cohort")
    for publication in publications:
        _edge(result, claim, publication, "stated in")


def _add_comparison(
    result: nx.MultiDiGraph[Any], graph: Graph, terms: TermIndex, claim: Node, attrs: dict[str, Any]
) -> None:
    """A group comparison, labelled by its feature and counts, linked to its two cohorts."""
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
    attrs["label"] = f"{label(graph, feature)}" + (
        f": {counts[0]} vs {counts[1]}" if len(counts) == 2 else ""
    )
    result.add_node(node_id(claim), **attrs)
    if feature is not None:
        _term_node(result, graph, terms, feature)
        _edge(result, claim, feature, "about")
    for group, relation in ((first, "first group"), (second, "second group")):
        compared = graph.value(group, DMKG.cohort) if group is not None else None
        if compared is not None:
            _edge(result, claim, compared, relation)


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
