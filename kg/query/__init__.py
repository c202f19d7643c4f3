"""Stage 7, questions: the canned queries in ``queries/``, their parameters, and running them
on any store (:mod:`kg.store`)."""

from kg.query.catalogue import (
    PARAM_TYPES,
    QUERY_NS,
    CannedQuery,
    Param,
    catalogue_graph,
    list_queries,
    load_query,
)
from kg.query.params import bind_params
from kg.query.run import run_query, run_violation_checks
from kg.store.base import QueryResult

__all__ = [
    "PARAM_TYPES",
    "QUERY_NS",
    "CannedQuery",
    "Param",
    "QueryResult",
    "bind_params",
    "catalogue_graph",
    "list_queries",
    "load_query",
    "run_query",
    "run_violation_checks",
]
