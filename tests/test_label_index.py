"""A store folder's label index (``labels.sqlite``): the store's own labels, only while current."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDFS, URIRef
from rdflib.term import Node

from kg.api import open_graph
from kg.build.store_folder import STORE_SUBDIR, read_manifest
from kg.cli import main
from kg.store import OxigraphStore
from kg.store.labels import LABEL_INDEX, LabelIndex


def _every_iri(store: ox.Store) -> set[URIRef]:
    iris = set()
    for quad in store:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode):
                iris.add(URIRef(term.value))
    return iris


def _sorted(found: dict[URIRef, list[Node]]) -> dict[URIRef, list[str]]:
    return {iri: sorted(label.n3() for label in labels) for iri, labels in found.items()}


def test_the_index_gives_the_stores_labels_for_every_iri(store_dir: Path) -> None:
    """Every IRI of the built store, labelled or not: the same labels (value, language,
    datatype) from the index as from the store; the manifest counts them."""
    graph = open_graph(store=store_dir)
    wrapped = graph.store
    assert isinstance(wrapped, OxigraphStore) and wrapped.labels is not None
    assert wrapped.labels.usable()
    iris = _every_iri(wrapped.store)
    from_index = _sorted(wrapped.label_literals(iris))
    from_store = _sorted(OxigraphStore(wrapped.store).label_literals(iris))
    assert from_index == from_store
    labelled = sum(len(v) for v in from_store.values())
    assert labelled > 400  # hundreds: the ontology's classes and the papers' patients
    every_label = sum(
        1
        for quad in wrapped.store.quads_for_pattern(None, ox.NamedNode(str(RDFS.label)), None)
        if isinstance(quad.subject, ox.NamedNode)
    )
    assert labelled == every_label
    assert read_manifest(store_dir)["label_index"] == {"file": LABEL_INDEX, "labels": labelled}
    # a language tag and a plain string both survive the index
    assert any("@en" in n3 for labels in from_index.values() for n3 in labels)
    assert any(n3.endswith('"') for labels in from_index.values() for n3 in labels)


def _copy(store_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    return copy


def _patient_label(folder: Path) -> tuple[URIRef, str]:
    """A patient of the store and the label the store gives it."""
    graph = open_graph(store=folder)
    iri = next(
        URIRef(q.subject.value)
        for q in graph.store.store.quads_for_pattern(
            None, ox.NamedNode(str(RDFS.label)), ox.Literal("requena2024 case 1")
        )
    )
    return iri, str(graph.store.label_literals([iri])[iri][0])


@pytest.mark.parametrize("flush", [True, False])
def test_a_store_changed_after_its_build_gives_its_own_labels(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flush: bool
) -> None:
    """A label changed in the store by another program (here pyoxigraph itself, read-write,
    flushed or only closed): the index no longer matches the store's files, so labels come
    from the store; opening the store read-only leaves the index in use."""
    folder = _copy(store_dir, tmp_path)
    iri, label = _patient_label(folder)
    assert label == "requena2024 case 1"
    assert open_graph(store=folder).store.labels.usable()  # type: ignore[attr-defined]
    store = ox.Store(str(folder / STORE_SUBDIR))
    store.remove(
        ox.Quad(
            ox.NamedNode(iri), ox.NamedNode(str(RDFS.label)), ox.Literal(label), ox.DefaultGraph()
        )
    )
    store.add(
        ox.Quad(
            ox.NamedNode(iri),
            ox.NamedNode(str(RDFS.label)),
            ox.Literal("renamed case"),
            ox.DefaultGraph(),
        )
    )
    if flush:
        store.flush()
    del store
    graph = open_graph(store=folder)
    assert graph.store.labels is not None and not graph.store.labels.usable()
    assert [str(x) for x in graph.store.label_literals([iri])[iri]] == ["renamed case"]
    assert main(["query", "dm-cancer-timing", "--store", str(folder)]) == 0
    assert "renamed case" in capsys.readouterr().out


def test_a_missing_or_broken_index_falls_back_to_the_store(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the index file, or with a file that is not SQLite, the same labels and the
    same printed rows as with it."""
    assert main(["query", "dm-cancer-timing", "--store", str(store_dir)]) == 0
    printed = capsys.readouterr().out
    assert "requena2024 case 1 " in printed
    folder = _copy(store_dir, tmp_path)
    for damage in ("delete", "garble"):
        index = folder / LABEL_INDEX
        if damage == "delete":
            index.unlink()
        else:
            index.write_bytes(b"not a database")
        assert not LabelIndex(index, folder / STORE_SUBDIR).usable()
        assert main(["query", "dm-cancer-timing", "--store", str(folder)]) == 0
        assert capsys.readouterr().out == printed, damage
