"""dmkg: a knowledge graph of dermatomyositis phenotypes, myositis autoantibodies and cancers.

The pipeline runs one way: curated files -> :mod:`kg.loaders` -> :mod:`kg.validate.shacl` (SHACL
gate) -> :mod:`kg.reason.hermit` (HermiT) -> :mod:`kg.build.graph` (written atomically) -> queries,
command line and exports.
"""

from __future__ import annotations

__version__ = "0.1.0"

from kg.api.graph import KnowledgeGraph, PatientRecord, cache_dir, load
from kg.build.graph import BuildResult, build_graph, write_graph
from kg.errors import (
    CurationError,
    CurationErrors,
    DmkgError,
    NotFoundError,
    QueryError,
    ReasonerError,
    UsageError,
    ValidationFailed,
)
from kg.loaders import load_source, load_sources, source_folders
from kg.namespaces import DATA, DMKG
from kg.ontology import load_ontology, load_shapes
from kg.query import list_queries, load_query, run_query
from kg.analyse.summary import GraphSummary, summarise
from kg.terms import TermIndex
from kg.validate.shacl import ValidationReport, validate_graph

__all__ = [
    "DATA",
    "DMKG",
    "BuildResult",
    "CurationError",
    "CurationErrors",
    "DmkgError",
    "GraphSummary",
    "KnowledgeGraph",
    "NotFoundError",
    "PatientRecord",
    "QueryError",
    "ReasonerError",
    "TermIndex",
    "UsageError",
    "ValidationFailed",
    "ValidationReport",
    "__version__",
    "build_graph",
    "cache_dir",
    "list_queries",
    "load",
    "load_ontology",
    "load_query",
    "load_shapes",
    "load_source",
    "load_sources",
    "run_query",
    "source_folders",
    "summarise",
    "validate_graph",
    "write_graph",
]
