"""dmkg: a knowledge graph of dermatomyositis phenotypes, myositis autoantibodies and cancers.

The pipeline runs one way, and the packages are named after its stages: curated files
(:mod:`kg.sources`) -> :mod:`kg.loaders` -> :mod:`kg.validate` (the SHACL gate) ->
:mod:`kg.reason` (HermiT, rules, summary links) -> :mod:`kg.store` -> :mod:`kg.query` ->
:mod:`kg.analyse` -> :mod:`kg.build` (graph files, on-disk store, publishing) -> the
presenters (:mod:`kg.api`, :mod:`kg.cli`, :mod:`kg.web`, :mod:`kg.exchange`, :mod:`kg.docs`,
:mod:`kg.figures`), with :mod:`kg.bench` apart.

The names below are imported on first use, so ``import kg`` loads nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import Any

from kg.version import __version__

#: where each public name lives
_EXPORTS = {
    "KnowledgeGraph": "kg.api",
    "PatientRecord": "kg.api",
    "cache_dir": "kg.api",
    "load": "kg.api",
    "open_graph": "kg.api",
    "BuildResult": "kg.build.graph",
    "build_graph": "kg.build.graph",
    "write_graph": "kg.build.graph",
    "CurationError": "kg.errors",
    "CurationErrors": "kg.errors",
    "DmkgError": "kg.errors",
    "NotFoundError": "kg.errors",
    "QueryError": "kg.errors",
    "ReasonerError": "kg.errors",
    "UsageError": "kg.errors",
    "ValidationFailed": "kg.errors",
    "load_source": "kg.loaders",
    "load_sources": "kg.loaders",
    "source_folders": "kg.loaders",
    "DATA": "kg.namespaces",
    "DMKG": "kg.namespaces",
    "load_ontology": "kg.ontology",
    "load_shapes": "kg.ontology",
    "list_queries": "kg.query",
    "load_query": "kg.query",
    "run_query": "kg.query",
    "GraphSummary": "kg.analyse.summary",
    "summarise": "kg.analyse.summary",
    "TermIndex": "kg.terms",
    "ValidationReport": "kg.validate.shacl",
    "validate_graph": "kg.validate.shacl",
}

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
    "open_graph",
    "run_query",
    "source_folders",
    "summarise",
    "validate_graph",
    "write_graph",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
