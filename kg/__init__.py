"""dmkg: a knowledge graph of dermatomyositis phenotypes, myositis autoantibodies and cancers.

The pipeline runs one way: curated files -> :mod:`kg.loaders` -> :mod:`kg.validate` (SHACL
gate) -> :mod:`kg.reason` (HermiT) -> :mod:`kg.build` (written atomically) -> queries,
command line and exports.
"""

from __future__ import annotations

__version__ = "0.1.0"

from kg.api import KnowledgeGraph, PatientRecord, cache_dir, load  # noqa: E402
from kg.build import BuildResult, build_graph, write_graph  # noqa: E402
from kg.errors import (  # noqa: E402
    CurationError,
    CurationErrors,
    DmkgError,
    NotFoundError,
    QueryError,
    ReasonerError,
    UsageError,
    ValidationFailed,
)
from kg.loaders import load_source, load_sources, source_folders  # noqa: E402
from kg.namespaces import DATA, DMKG  # noqa: E402
from kg.ontology import load_ontology, load_shapes  # noqa: E402
from kg.queries import list_queries, load_query, run_query  # noqa: E402
from kg.stats import GraphSummary, summarise  # noqa: E402
from kg.terms import TermIndex  # noqa: E402
from kg.validate import ValidationReport, validate_graph  # noqa: E402

__all__ = [
    "__version__",
    "KnowledgeGraph", "PatientRecord", "cache_dir", "load",
    "BuildResult", "build_graph", "write_graph",
    "CurationError", "CurationErrors", "DmkgError", "NotFoundError", "QueryError",
    "ReasonerError", "UsageError", "ValidationFailed",
    "load_source", "load_sources", "source_folders",
    "DATA", "DMKG",
    "load_ontology", "load_shapes",
    "list_queries", "load_query", "run_query",
    "GraphSummary", "summarise",
    "TermIndex",
    "ValidationReport", "validate_graph",
]
