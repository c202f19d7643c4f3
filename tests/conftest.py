"""Shared fixtures: the bundled graph is built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build.graph import BuildResult, build_graph, write_graph
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


# -- the same graph as a build folder, an on-disk store and a SPARQL server (module scope) ----


@pytest.fixture(scope="module")
def build_dir(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph written as ``dmkg build --out`` writes it."""
    out = tmp_path_factory.mktemp("build")
    write_graph(built, out)
    return out


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph as ``dmkg build --store`` writes it."""
    from kg.build.store import build_store

    target = tmp_path_factory.mktemp("store") / "store"
    build_store(None, target, workers=1, progress=_quiet)
    return target


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, build_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real Oxigraph server holding the build in the test module's ``GRAPH_IRI``; yields its
    query URL."""
    from test_publish import OxigraphServer

    from kg.api import open_graph
    from kg.build.publish import publish

    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    oxigraph.start()
    try:
        graph = open_graph(build_dir, engine="rdflib").rdf
        publish(graph, oxigraph.endpoint(), request.module.GRAPH_IRI, progress=_quiet)
        yield f"{oxigraph.base}/query"
    finally:
        oxigraph.stop()
