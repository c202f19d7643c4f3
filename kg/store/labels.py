"""A store folder's label index: every ``rdfs:label`` of the IRIs in the default graph, kept in
SQLite beside the Oxigraph folder, so that a command printing 20,000 rows finds their labels
without one RocksDB read per IRI.

``dmkg build --store`` writes it from the finished store (:func:`write_label_index`) before the
folder is swapped in, with a fingerprint of the Oxigraph files it was read from (their names
and sizes). :class:`LabelIndex` answers only while the folder still has those files: a store
changed after its build (by Oxigraph server, say) gives its labels from the store again,
never stale ones. The index holds the labels exactly as the store does, a test checks every
IRI of a built store both ways.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib import RDFS, URIRef
from rdflib.term import Node

from kg.store.values import literal_from_parts

__all__ = [
    "LABEL_INDEX",
    "LabelIndex",
    "seal_label_index",
    "store_fingerprint",
    "write_label_index",
]

#: the index's file name in a store folder
LABEL_INDEX = "labels.sqlite"

#: IRIs per lookup: under SQLite's oldest limit of 999 bound parameters
_CHUNK = 900


def store_fingerprint(folder: Path) -> str:
    """The names and sizes of the Oxigraph (RocksDB) folder's data files and its CURRENT
    pointer: any write that reaches the disk changes one of them."""
    files = sorted(
        (entry.name, entry.stat().st_size)
        for entry in folder.iterdir()
        if entry.is_file() and entry.suffix in (".sst", ".log")
    )
    current = (folder / "CURRENT").read_text(encoding="ascii", errors="replace").strip()
    return json.dumps({"current": current, "files": files}, separators=(",", ":"))


def write_label_index(store: Any, path: Path) -> int:
    """Write every ``rdfs:label`` of an IRI in ``store``'s default graph to ``path`` (a new
    file), streamed from the store; return how many labels were written. The index answers
    once :func:`seal_label_index` has recorded the closed store's files."""
    import pyoxigraph as ox

    def rows() -> Iterator[tuple[str, str, str | None, str | None]]:
        for quad in store.quads_for_pattern(
            None, ox.NamedNode(str(RDFS.label)), None, ox.DefaultGraph()
        ):
            subject, label = quad.subject, quad.object
            if isinstance(subject, ox.NamedNode) and isinstance(label, ox.Literal):
                language = label.language
                datatype = None if language else label.datatype.value
                yield subject.value, label.value, language, datatype

    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(
                "CREATE TABLE label (iri TEXT NOT NULL, value TEXT NOT NULL, lang TEXT, "
                "datatype TEXT)"
            )
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            written = db.executemany("INSERT INTO label VALUES (?, ?, ?, ?)", rows()).rowcount
            db.execute("CREATE INDEX label_iri ON label (iri)")
    finally:
        db.close()
    return int(written)


def seal_label_index(path: Path, oxigraph_folder: Path) -> None:
    """Record the closed store's fingerprint in the index: it answers only for those files."""
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('store', ?)",
                (store_fingerprint(oxigraph_folder),),
            )
    finally:
        db.close()


class LabelIndex:
    """The label index of one store folder, read-only."""

    def __init__(self, path: Path, oxigraph_folder: Path) -> None:
        self.path = path
        self.oxigraph_folder = oxigraph_folder
        self._db: sqlite3.Connection | None = None
        self._usable: bool | None = None

    def usable(self) -> bool:
        """True if the index exists and was written from the store's present files."""
        if self._usable is None:
            self._usable = self._open()
        return self._usable

    def _open(self) -> bool:
        if not self.path.is_file():
            return False
        try:
            # one connection for the web server's threads too: read-only, and SQLite
            # serialises its use
            db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        except (sqlite3.Error, OSError):
            return False
        try:
            found = db.execute("SELECT value FROM meta WHERE key = 'store'").fetchone()
            current = found is not None and found[0] == store_fingerprint(self.oxigraph_folder)
        except (sqlite3.Error, OSError):
            current = False
        if not current:
            db.close()
            return False
        self._db = db
        return True

    def label_literals(self, iris: Iterable[URIRef]) -> dict[URIRef, list[Node]]:
        """Each IRI's labels, as :meth:`kg.store.OxigraphStore.label_literals` reads them
        from the store (call only when :meth:`usable`)."""
        assert self._db is not None, "LabelIndex.label_literals before usable()"
        found: dict[URIRef, list[Node]] = {iri: [] for iri in iris}
        # keyed by the IRI's text: rdflib terms compare (and sort) in Python, strings in C
        by_text = {str(iri): labels for iri, labels in found.items()}
        wanted = list(by_text)
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))  # the IRIs go as parameters
            for iri, value, lang, datatype in self._db.execute(
                f"SELECT iri, value, lang, datatype FROM label WHERE iri IN ({marks})",
                chunk,
            ):
                by_text[iri].append(literal_from_parts(value, lang, datatype))
        return found

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._usable = None
