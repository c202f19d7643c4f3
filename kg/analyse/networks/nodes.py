"""What the network views share: node names (CURIEs), labels, feature kinds, query rows."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.namespaces import DMKG, PROV

if TYPE_CHECKING:
    from kg.terms import TermIndex

__all__ = [
    "FEATURE_KINDS",
    "NS",
    "feature_kind",
    "label",
    "node_id",
    "number",
    "select",
    "term_index",
]

#: kinds of feature nodes, in the order they are listed
FEATURE_KINDS = ("finding", "antibody", "cancer site", "cancer", "other")

#: the prefixes of the network queries
NS = {"dmkg": DMKG._NS, "prov": PROV, "rdfs": RDFS}


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


def label(graph: Graph, iri: Node | None) -> str:
    """The English (or untagged) rdfs:label of a node, the first in sort order; its CURIE
    when it has none."""
    if iri is None:
        return ""
    labels = [lab for lab in graph.objects(iri, RDFS.label) if isinstance(lab, Literal)]
    english = [lab for lab in labels if lab.language in ("en", None)]
    chosen = sorted(str(lab) for lab in (english or labels))
    return chosen[0] if chosen else node_id(iri)


def term_index(graph: Graph, terms: TermIndex | None) -> TermIndex:
    """``terms``, or the term index of ``graph`` when none is given."""
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


def number(value: Any) -> float | None:
    """Statistics from :mod:`kg.analyse.statistics` as floats (``"inf"`` becomes ``math.inf``)."""
    if value is None:
        return None
    return math.inf if value == "inf" else float(value)
