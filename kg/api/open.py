"""One way in: :func:`open_graph` opens any kind of dmkg graph as one :class:`KnowledgeGraph`.

The command line, the web app, the Python API, figures, exports, QA, associations and the
benchmark all open their graph here. ``source`` is one of:

- nothing: the bundled graph (ontology, the three papers, the reasoner's inferences and the
  query catalogue), built once and cached (see :mod:`kg.api.cache`);
- a built graph: ``build/`` (holding ``dmkg.nt``), ``build/dmkg.nt`` or any N-Triples or
  Turtle file;
- curated sources: a folder holding ``source.yaml``, or a folder of such folders, which go
  through the same loaders, SHACL gate and reasoner as ``dmkg build`` (and are cached);
- an on-disk store written by ``dmkg build --store DIR`` (opened read-only, nothing reloaded);

and ``endpoint=`` a SPARQL 1.1 endpoint (a URL or a :class:`kg.store.Endpoint`), reading the
named graph ``graph_iri`` (the one ``dmkg publish`` writes, by default).

A graph file is read into an in-memory Oxigraph store (``engine="oxigraph"``, the default:
it loads and queries many times faster than rdflib) or into rdflib (``engine="rdflib"``;
:func:`load` keeps this, so ``g.rdf`` stays a plain rdflib graph).

>>> import kg
>>> g = kg.load()
>>> len(g.patients())
26
>>> signs = g.query("sign-frequency", source="10.1016/j.ad.2025.02.012").set_index("sign")
>>> signs[["present", "absent", "unknown"]].loc["heliotrope rash"].tolist()
[20, 4, 1]
>>> g.patient("requena2024 case 5").findings.query("finding == 'heliotrope rash'")[
...     ["status", "grade", "table", "row", "verbatim"]].values.tolist()
[['present', 3, 'Table 2', '5', '+++']]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kg.api.cache import Progress, cached_build
from kg.api.graph import KnowledgeGraph
from kg.errors import UsageError
from kg.namespaces import bind_prefixes
from kg.store import DEFAULT_GRAPH_IRI, Endpoint, OxigraphStore, RdflibStore, RemoteStore, Store

__all__ = ["ENGINE_ENV", "load", "open_graph"]

#: environment variable choosing the engine a graph file is read into (oxigraph or rdflib)
ENGINE_ENV = "DMKG_ENGINE"
_ENGINES = ("oxigraph", "rdflib")
_RDF_SUFFIXES = {".nt": "nt", ".ttl": "ttl"}


def _checked(store: Store, origin: str) -> Store:
    """The store, refused if it was built before the summary links existed."""
    from kg.reason.summary_links import LINK_CHECKS, refuse_without_links

    found = {name: bool(store.select(text).rows) for name, text in LINK_CHECKS.items()}
    refuse_without_links(origin=origin, **found)
    return store


#: the largest graph file read whole into an in-memory Oxigraph store
_MAX_OXIGRAPH_FILE = 8 * 1024**3


def _file_store(path: Path, engine: str) -> Store:
    """A built graph file read into the chosen engine (anything but N-Triples or Turtle, and
    any file rdflib must read, goes through rdflib's guarded parser)."""
    if engine == "oxigraph" and path.suffix in _RDF_SUFFIXES:
        from kg.fileio import UnreadableFile, read_regular_file

        try:  # a regular file only (a FIFO or /dev/zero would hang the read)
            data = read_regular_file(path, _MAX_OXIGRAPH_FILE)
        except UnreadableFile as exc:
            raise UsageError(f"{path}: {exc.reason}") from None
        try:
            store = OxigraphStore.from_bytes(data, _RDF_SUFFIXES[path.suffix])
        except (SyntaxError, ValueError, OSError) as exc:
            raise UsageError(
                f"{path}: not a readable RDF file ({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        store.description = str(path)
        return _checked(store, str(path))
    from kg.rdfio import parse_rdf_file

    graph = parse_rdf_file(path)  # refuses XML entities and remote JSON-LD contexts
    bind_prefixes(graph)
    return _checked(RdflibStore(graph), str(path))


def _folder_store(path: Path) -> Store:
    """An on-disk store folder written by ``dmkg build --store``, opened read-only."""
    from kg.build.store_folder import STORE_SUBDIR, open_store
    from kg.store.labels import LABEL_INDEX, LabelIndex

    labels = LabelIndex(path / LABEL_INDEX, path / STORE_SUBDIR)
    return _checked(OxigraphStore(open_store(path), str(path), labels), str(path))


def _remote(endpoint: Endpoint | str, graph_iri: str | None) -> Store:
    target = Endpoint(endpoint) if isinstance(endpoint, str) else endpoint
    return RemoteStore(target, graph_iri)


def open_graph(
    source: str | os.PathLike[str] | None = None,
    *,
    store: str | os.PathLike[str] | None = None,
    endpoint: Endpoint | str | None = None,
    graph_iri: str | None = DEFAULT_GRAPH_IRI,
    engine: str | None = None,
    cache: bool = True,
    run_reasoner: bool = True,
    progress: Progress | None = None,
) -> KnowledgeGraph:
    """The one :class:`KnowledgeGraph` over ``source``, the store folder ``store`` or
    ``endpoint`` (see the module docstring). ``engine`` defaults to ``$DMKG_ENGINE`` or
    ``oxigraph``.

    Raises :class:`kg.errors.UsageError` for a path that holds none of these, and the
    build's errors (:class:`kg.errors.CurationErrors`, :class:`kg.errors.ValidationFailed`)
    for curated data that does not pass the gate.
    """
    if sum(x is not None for x in (source, store, endpoint)) > 1:
        raise UsageError("give one of a graph source, a store folder or an endpoint")
    if store is not None:
        folder = Path(store).expanduser()
        return KnowledgeGraph(_folder_store(folder), origin=str(folder))
    if endpoint is not None:
        remote = _remote(endpoint, graph_iri)
        return KnowledgeGraph(remote, origin=remote.description)
    chosen = engine or os.environ.get(ENGINE_ENV) or "oxigraph"
    if chosen not in _ENGINES:
        raise UsageError(f"unknown engine {chosen!r}; expected one of {', '.join(_ENGINES)}")
    if source is None:
        graph, origin = cached_build(
            None, cache=cache, run_reasoner=run_reasoner, progress=progress
        )
        return KnowledgeGraph(RdflibStore(graph), origin=f"bundled graph ({origin})")
    return _open_path(Path(source).expanduser(), str(source), chosen, cache, run_reasoner, progress)


def _open_path(
    location: Path,
    given: str,
    engine: str,
    cache: bool,
    run_reasoner: bool,
    progress: Progress | None,
) -> KnowledgeGraph:
    from kg.build.store_folder import is_store
    from kg.loaders import source_folders

    if location.is_file():
        if location.name != "source.yaml":
            return KnowledgeGraph(_file_store(location, engine), origin=str(location))
        location = location.parent
    if not location.is_dir():
        raise UsageError(
            f"{given}: no such file or folder (expected a built graph such as "
            "build/dmkg.nt, a store folder from 'dmkg build --store', or a folder of curated "
            "sources with source.yaml)"
        )
    if is_store(location):
        return KnowledgeGraph(_folder_store(location), origin=str(location))
    if (location / "dmkg.nt").is_file():
        path = location / "dmkg.nt"
        return KnowledgeGraph(_file_store(path, engine), origin=str(path))
    folders = source_folders(location)
    if not folders:
        raise UsageError(
            f"{given}: holds neither dmkg.nt (a built graph) nor source.yaml in it "
            "or its sub-folders (curated sources)"
        )
    graph, origin = cached_build(folders, cache=cache, run_reasoner=run_reasoner, progress=progress)
    return KnowledgeGraph(RdflibStore(graph), origin=f"{location} ({origin})")


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    cache: bool = True,
    run_reasoner: bool = True,
    progress: Progress | None = None,
    **options: Any,
) -> KnowledgeGraph:
    """The bundled graph, a built graph file or folder, a store folder, or a folder of curated
    sources, as :func:`open_graph` opens them, with graph files read into rdflib (so
    ``g.rdf`` is a plain rdflib graph). ``progress`` receives the build's progress lines
    (default: standard error)."""
    options.setdefault("engine", "rdflib")
    return open_graph(path, cache=cache, run_reasoner=run_reasoner, progress=progress, **options)
