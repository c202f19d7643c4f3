"""Where :func:`kg.api.load` keeps built graphs: a cache keyed by everything a build reads.

The cache file is named after a SHA-256 digest of the dmkg version, of every file under
``ontology/``, ``shapes/``, ``queries/`` and ``kg/data/`` (or the user's source folders), and
of the build pipeline's code: editing any of them makes a new cache entry, never a stale
graph (older entries of the bundled graph are deleted). The folder is ``$DMKG_CACHE_DIR`` if
set, else ``$XDG_CACHE_HOME/dmkg``, else ``~/.cache/dmkg``; the file is written under a
temporary name and renamed into place, so two processes never see a half-written cache.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph

from kg.namespaces import bind_prefixes

__all__ = ["CACHE_ENV", "Progress", "cache_dir", "cache_key", "cached_build"]

#: environment variable that overrides the cache folder of :func:`load`
CACHE_ENV = "DMKG_CACHE_DIR"
_BUNDLED_PREFIX = "bundled-"
_SOURCES_PREFIX = "sources-"

Progress = Callable[[str], None]


def cache_dir() -> Path:
    """The folder :func:`load` keeps built graphs in (see the module docstring)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "dmkg"


def _files_under(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not p.name.startswith(".")
        and p.suffix not in (".pyc", ".pyo")
    )


#: the modules whose code decides what a build produces (hashed into the cache key, so that
#: a changed loader in a development checkout never serves a graph built by the old one)
_BUILD_CODE = (
    "namespaces.py",
    "ontology.py",
    "resources.py",
    "terms.py",
    "sources",
    "loaders",
    "validate",
    "reason",
    "build",
    "query",
)


def cache_key(folders: Sequence[Path] | None = None, *, run_reasoner: bool = True) -> str:
    """SHA-256 over the dmkg version, the ontology, shapes, queries, the source files and the
    code of the build pipeline (:data:`_BUILD_CODE`).

    ``folders`` are the curated source folders (default: the bundled ``kg/data/``). Any
    change to any of these files gives another key.

    >>> len(cache_key())
    64
    >>> cache_key() == cache_key(run_reasoner=False)
    False
    """
    from kg.resources import RESOURCE_KINDS, data_dir, resource_dir
    from kg.version import __version__

    digest = hashlib.sha256()
    digest.update(f"dmkg {__version__}; reasoner {run_reasoner}\n".encode())
    roots = [(kind, resource_dir(kind)) for kind in RESOURCE_KINDS]
    package = Path(__file__).resolve().parent.parent
    for name in _BUILD_CODE:
        path = package / name
        if path.is_file():
            digest.update(f"code/{name}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        elif path.is_dir():
            roots.append((f"code/{name}", path))
    if folders is None:
        roots.append(("data", data_dir()))
    else:
        roots += [(f"source:{folder.name}", folder) for folder in folders]
    for name, root in roots:
        for path in _files_under(root):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _build(folders: list[Path] | None, run_reasoner: bool, progress: Progress) -> Graph:
    from kg.build.graph import build_graph
    from kg.errors import ReasonerError
    from kg.reason.hermit import java_available

    try:
        return build_graph(folders, progress=progress, run_reasoner=run_reasoner).graph
    except ReasonerError as exc:
        if java_available():
            raise
        raise ReasonerError(
            f"{exc}; or call kg.load(..., run_reasoner=False) to skip the "
            "reasoner (the rules in ontology/rules still infer the patient classes; "
            "consistency is not checked)"
        ) from None


def cached_build(
    folders: list[Path] | None, *, cache: bool, run_reasoner: bool, progress: Progress | None
) -> tuple[Graph, str]:
    """The graph built from ``folders`` (the bundled sources if None), read from the cache when
    an entry with the same key exists; and where it came from, for ``KnowledgeGraph.origin``.
    ``progress`` receives the build's lines (default: standard error)."""
    progress = progress or _stderr
    if not cache:
        return _build(folders, run_reasoner, progress), "built (not cached)"
    prefix = _BUNDLED_PREFIX if folders is None else _SOURCES_PREFIX
    path = cache_dir() / f"{prefix}{cache_key(folders, run_reasoner=run_reasoner)}.nt"
    if path.is_file():
        graph = Graph()
        try:
            graph.parse(path, format="nt")
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever broke it
            graph = Graph()
        if len(graph):
            bind_prefixes(graph)
            return graph, f"cache {path}"
        warnings.warn(f"dmkg: the cache file {path} is damaged; rebuilding it", stacklevel=3)
    progress(f"dmkg: building the graph once (about 15 s); later calls read {path}")
    graph = _build(folders, run_reasoner, progress)
    try:
        _write_atomic(path, graph.serialize(format="nt", encoding="utf-8"))
        if folders is None:  # graphs of an older version or of edited files: never read again
            for old in path.parent.glob(f"{_BUNDLED_PREFIX}*.nt"):
                if old != path:
                    old.unlink(missing_ok=True)
    except OSError as exc:
        warnings.warn(
            f"dmkg: could not write the cache file {path} ({exc}); set "
            f"{CACHE_ENV} to a writable folder",
            stacklevel=3,
        )
    return graph, f"built, cached in {path}"
