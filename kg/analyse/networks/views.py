"""Two networkx views of a dmkg graph: the raw RDF triples, and patients with their features."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.analyse.networks.nodes import NS, label, node_id, select
from kg.namespaces import DMKG

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["patient_feature_graph", "to_networkx"]

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
      { ?record a dmkg:CancerDiagnosis .
        # the source's own category where it defines one, else the organ site (as the
        # cancer-sites query counts)
        OPTIONAL { ?record dmkg:cancerCategory ?category }
        OPTIONAL { ?record dmkg:cancerSite ?organ }
        BIND(COALESCE(?category, ?organ) AS ?feature)
        FILTER(BOUND(?feature))
        BIND("cancer site" AS ?kind) }
      ?record dmkg:ofPatient ?patient .
    }""",
    initNs=NS,
)


def to_networkx(graph: Graph) -> nx.MultiDiGraph[Any]:
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

    result: nx.MultiDiGraph[Any] = rdflib_to_networkx_multidigraph(graph, edge_attrs=edge)
    for node, data in result.nodes(data=True):
        if isinstance(node, URIRef):
            data.update(term="iri", id=node_id(node), label=label(graph, node))
        elif isinstance(node, BNode):
            data["term"] = "blank node"
        elif isinstance(node, Literal):
            data.update(
                term="literal",
                value=node.toPython(),
                datatype=str(node.datatype) if node.datatype else None,
            )
    return result


def patient_feature_graph(graph: Graph) -> nx.Graph[Any]:
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

    result: nx.Graph[Any] = nx.Graph(name="dmkg patients and features")
    for patient in sorted(set(graph.subjects(RDF.type, DMKG.Patient)), key=str):
        publication = graph.value(patient, DMKG.describedIn)
        doi = graph.value(publication, DMKG.doi) if publication is not None else None
        case = graph.value(patient, DMKG.caseLabel)
        result.add_node(
            node_id(patient),
            bipartite=0,
            kind="patient",
            label=label(graph, patient),
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
            result.add_node(what, bipartite=1, kind=kind, label=label(graph, row["feature"]))
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
