"""networkx views of a dmkg graph: the raw RDF, patients and features, associations, evidence.

Nodes other than those of :func:`to_networkx` are named by CURIE strings, the identifiers
the command line prints (``dmkg:HeliotropeRash``, ``patient:Pd94b72d8786a3c33``,
``record:...``; IRIs without a prefix, such as cohorts, stay whole), so a node can be
looked up with the ``*_id`` columns of :meth:`kg.api.graph.KnowledgeGraph.query`. Every node has
``label`` and ``kind``. Numbers are floats; an unbounded odds ratio or bound is
``math.inf``, and a statistic that cannot be computed is None.

>>> from kg.api import load
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

from kg.analyse.networks.associations import association_graph
from kg.analyse.networks.evidence import evidence_graph
from kg.analyse.networks.nodes import FEATURE_KINDS, feature_kind, node_id, select
from kg.analyse.networks.views import patient_feature_graph, to_networkx

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
