"""Shared fixtures: the bundled graph is built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.build.graph import BuildResult, build_graph
from kg.ontology import load_ontology
from kg.terms import TermIndex

REPO = Path(__file__).resolve().parents[1]
#: the source papers as text, beside the repository (present in CI; see README)
SEEDS = REPO.parent / "shared" / "seeds"


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The bundled sources, loaded, validated and classified (not written)."""
    return build_graph(progress=_quiet)


@pytest.fixture(scope="session")
def graph(built: BuildResult) -> Graph:
    return built.graph


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="session")
def terms(ontology: Graph) -> TermIndex:
    return TermIndex(ontology)
