"""The Python API for notebooks: ``kg.load()`` and the :class:`KnowledgeGraph` it returns.

``load()`` gives the bundled graph (ontology, curated data, the reasoner's inferences and the
query catalogue). Building it takes about ten seconds (SHACL validation and HermiT), so the
first call builds it and writes it as N-Triples into a cache folder, and every later call
parses that file (well under a second). The cache file is named after a SHA-256 digest of
the dmkg version, of every file under ``ontology/``, ``shapes/``, ``queries/`` and
``kg/data/``, and of the build pipeline's code: editing any of them makes a new cache entry,
never a stale graph (older entries of the bundled graph are deleted). The folder
is ``$DMKG_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dmkg``, else ``~/.cache/dmkg``; the
file is written under a temporary name and renamed into place, so two processes never see a
half-written cache. ``load(cache=False)`` builds without reading or writing the cache.

``load(PATH)`` takes a built graph (``build/``, ``build/dmkg.nt`` or any N-Triples or Turtle
file) or a folder of your own curated sources (one folder holding ``source.yaml``, or a
folder of such folders), which go through the same loaders, SHACL gate and reasoner as
``dmkg build`` (and are cached the same way, keyed by your files).

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

import difflib
import hashlib
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from kg.analyse.frames import records_frame
from kg.errors import CurationError, NotFoundError, UsageError
from kg.namespaces import DATA, DMKG, OBOINOWL, PROV, bind_prefixes
from kg.query.render import python_value

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from kg.figures import FigureResult

__all__ = [
    "CACHE_ENV",
    "PROVENANCE_COLUMNS",
    "KnowledgeGraph",
    "PatientRecord",
    "cache_dir",
    "cache_key",
    "load",
    "records_frame",
]

#: environment variable that overrides the cache folder of :func:`load`
CACHE_ENV = "DMKG_CACHE_DIR"
_BUNDLED_PREFIX = "bundled-"
_SOURCES_PREFIX = "sources-"

Progress = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# Loading and caching
# ---------------------------------------------------------------------------------------------


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
    from kg import __version__
    from kg.resources import RESOURCE_KINDS, data_dir, resource_dir

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


def _parse_file(path: Path) -> Graph:
    from kg.rdfio import parse_rdf_file
    from kg.reason.summary_links import check_built_with_links

    graph = parse_rdf_file(path)  # refuses XML entities and remote JSON-LD contexts
    check_built_with_links(graph, str(path))
    bind_prefixes(graph)
    return graph


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
            "reasoner (the inferred patient classes are then missing)"
        ) from None


def _cached_build(
    folders: list[Path] | None, *, cache: bool, run_reasoner: bool, progress: Progress
) -> tuple[Graph, str]:
    if not cache:
        return _build(folders, run_reasoner, progress), "built (not cached)"
    prefix = _BUNDLED_PREFIX if folders is None else _SOURCES_PREFIX
    path = cache_dir() / f"{prefix}{cache_key(folders, run_reasoner=run_reasoner)}.nt"
    if path.is_file():
        try:
            graph = Graph()
            graph.parse(path, format="nt")
            if len(graph):
                bind_prefixes(graph)
                return graph, f"cache {path}"
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever broke it
            pass
        warnings.warn(f"dmkg: the cache file {path} is damaged; rebuilding it", stacklevel=3)
    progress(f"dmkg: building the graph once (about 10 s); later calls read {path}")
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


def load(
    path: str | os.PathLike[str] | None = None,
    *,
    cache: bool = True,
    run_reasoner: bool = True,
    progress: Progress | None = None,
) -> KnowledgeGraph:
    """The bundled graph, a built graph file or folder, or a folder of curated sources.

    See the module docstring for the cache. ``progress`` receives the build's progress
    lines (default: standard error). Raises :class:`kg.errors.UsageError` for a path that
    holds none of these, and the build's errors (:class:`kg.errors.CurationErrors`,
    :class:`kg.errors.ValidationFailed`) for curated data that does not pass the gate.
    """
    report = progress or _stderr
    if path is None:
        graph, origin = _cached_build(None, cache=cache, run_reasoner=run_reasoner, progress=report)
        return KnowledgeGraph(graph, origin=f"bundled graph ({origin})")
    from kg.loaders import source_folders

    location = Path(path).expanduser()
    if location.is_file():
        if location.name == "source.yaml":
            location = location.parent
        else:
            return KnowledgeGraph(_parse_file(location), origin=str(location))
    if not location.is_dir():
        raise UsageError(
            f"{path}: no such file or folder (expected a built graph such as "
            "build/dmkg.nt, or a folder of curated sources with source.yaml)"
        )
    if (location / "dmkg.nt").is_file():
        return KnowledgeGraph(_parse_file(location / "dmkg.nt"), origin=str(location / "dmkg.nt"))
    folders = source_folders(location)
    if not folders:
        raise UsageError(
            f"{path}: holds neither dmkg.nt (a built graph) nor source.yaml in it "
            "or its sub-folders (curated sources)"
        )
    graph, origin = _cached_build(folders, cache=cache, run_reasoner=run_reasoner, progress=report)
    return KnowledgeGraph(graph, origin=f"{location} ({origin})")


# ---------------------------------------------------------------------------------------------
# Typed DataFrames
# ---------------------------------------------------------------------------------------------


def _result_frame(result: Any, graph: Graph, title: str) -> pd.DataFrame:
    from kg.query.render import render_records

    records = render_records(result, graph)
    columns: list[str] = []
    for column in result.columns:
        columns.append(column)
        if records and f"{column}_id" in records[0]:
            columns.append(f"{column}_id")
    frame = records_frame(records, columns)
    frame.attrs["title"] = title
    return frame


# ---------------------------------------------------------------------------------------------
# Labels and identifiers
# ---------------------------------------------------------------------------------------------


def _curie(iri: Node) -> str:
    from kg.query.render import curie

    return curie(URIRef(str(iri)))


def _label(graph: Graph, iri: Node | None) -> str | None:
    """The English label (the same one the command line shows), else the CURIE."""
    if iri is None:
        return None
    labels = [lab for lab in graph.objects(iri, RDFS.label) if isinstance(lab, Literal)]
    english = [lab for lab in labels if lab.language in ("en", None)]
    chosen = sorted(str(lab) for lab in (english or labels))
    return chosen[0] if chosen else _curie(iri)


def _case_order(case: str | None) -> tuple[int, str]:
    text = case or ""
    return (int(text), "") if text.isdigit() else (10**9, text)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


# ---------------------------------------------------------------------------------------------
# One patient
# ---------------------------------------------------------------------------------------------

#: provenance columns on every row of a :class:`PatientRecord` table
PROVENANCE_COLUMNS = (
    "verbatim",
    "table",
    "row",
    "column",
    "section",
    "curated_file",
    "curated_line",
    "curated_item",
    "location_verbatim",
    "record",
)


@dataclass
class PatientRecord:
    """One patient with every record about them, each row with its provenance.

    Each table has the columns in :data:`PROVENANCE_COLUMNS`: ``verbatim`` (the text the
    value was read from), the source location (``table``, ``row`` and ``column`` for a
    table cell, ``section`` for a phrase of the text), the curated file with its line
    (tables) or item (YAML), ``location_verbatim`` (the whole cell or phrase) and the
    record's CURIE. A record read from two cells (a cancer and its interval) joins their
    values with ``"; "``.
    """

    id: str
    iri: str
    label: str
    source: str | None
    case: str | None
    age: int | None
    sex: str | None
    findings: pd.DataFrame
    tests: pd.DataFrame
    cancers: pd.DataFrame
    treatments: pd.DataFrame
    outcome: pd.DataFrame

    def __str__(self) -> str:
        lines = [f"{self.label} ({self.id}), source {self.source}: age {self.age}, {self.sex}"]
        for name in ("findings", "tests", "cancers", "treatments", "outcome"):
            lines.append(f"  {name}: {len(getattr(self, name))} record(s)")
        return "\n".join(lines)


_FINDING_COLUMNS = ("finding", "finding_id", "status", "grade", "severity", "note")
_TEST_COLUMNS = (
    "kind",
    "test",
    "test_id",
    "result",
    "value",
    "unit",
    "titer",
    "pattern",
    "severity",
    "timepoint",
    "reference_low",
    "reference_high",
    "note",
)
_CANCER_COLUMNS = (
    "malignancy",
    "malignancy_id",
    "site",
    "site_id",
    "histology",
    "interval_months",
    "relation",
    "stage",
    "grade",
    "size_mm",
    "laterality",
    "markers",
    "note",
)
_TREATMENT_COLUMNS = (
    "intervention",
    "intervention_id",
    "treatment_for",
    "phase",
    "dose",
    "route",
    "schedule",
    "start",
    "end",
    "note",
)
_OUTCOME_COLUMNS = ("status", "months", "response", "note")


def _provenance(graph: Graph, record: Node) -> dict[str, Any]:
    # (location, the node with its publication, file and line: a table cell's source row)
    places = [
        (loc, graph.value(loc, DMKG.inRow) or loc)
        for loc in graph.objects(record, PROV.wasDerivedFrom)
    ]
    places.sort(
        key=lambda p: (
            str(graph.value(p[1], DMKG.curatedLine) or ""),
            str(graph.value(p[0], DMKG.column) or ""),
            str(p[0]),
        )
    )

    def joined(prop: URIRef, on_row: bool = False) -> str | None:
        values: list[str] = []
        for loc, row in places:
            value = graph.value(row if on_row else loc, prop)
            if value is not None and str(value) not in values:
                values.append(str(value))
        return "; ".join(values) if values else None

    lines = [
        int(str(v)) for _, row in places if (v := graph.value(row, DMKG.curatedLine)) is not None
    ]
    return {
        "verbatim": python_value(graph.value(record, DMKG.verbatim)),
        "table": joined(DMKG.table, True),
        "row": joined(DMKG.row, True),
        "column": joined(DMKG.column),
        "section": joined(DMKG.section),
        "curated_file": joined(DMKG.curatedFile, True),
        "curated_line": min(lines) if lines else None,
        "curated_item": joined(DMKG.curatedItem),
        "location_verbatim": joined(DMKG.verbatim),
        "record": _curie(record),
    }


def _value(graph: Graph, subject: Node, prop: URIRef) -> Any:
    return python_value(graph.value(subject, prop))


def _term(graph: Graph, subject: Node, prop: URIRef, name: str) -> dict[str, Any]:
    value = graph.value(subject, prop)
    return {name: _label(graph, value), f"{name}_id": _curie(value) if value is not None else None}


def _markers(graph: Graph, diagnosis: Node) -> str | None:
    parts = []
    for result in graph.objects(diagnosis, DMKG.hasMarkerResult):
        text = (
            f"{_label(graph, graph.value(result, DMKG.marker))} "
            f"{_label(graph, graph.value(result, DMKG.markerStatus))}"
        )
        percent = graph.value(result, DMKG.markerPercent)
        score = graph.value(result, DMKG.markerScore)
        if percent is not None:
            text += f" {percent}%"
        if score is not None:
            text += f" ({score})"
        parts.append(text)
    return "; ".join(sorted(parts)) if parts else None


def _patient_tables(graph: Graph, patient: URIRef) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("findings", "tests", "cancers", "treatments", "outcome")
    }
    for record in set(graph.subjects(DMKG.ofPatient, patient)):
        types = set(graph.objects(record, RDF.type))
        base = {"note": _value(graph, record, DMKG.curatorNote), **_provenance(graph, record)}
        if DMKG.FindingObservation in types:
            rows["findings"].append(
                {
                    **_term(graph, record, DMKG.finding, "finding"),
                    "status": _label(graph, graph.value(record, DMKG.findingStatus)),
                    "grade": _value(graph, record, DMKG.grade),
                    "severity": _value(graph, record, DMKG.severity),
                    **base,
                }
            )
        elif DMKG.AntibodyTestResult in types or DMKG.LabMeasurement in types:
            antibody = DMKG.AntibodyTestResult in types
            test = _term(graph, record, DMKG.antibody if antibody else DMKG.analyte, "test")
            status = graph.value(record, DMKG.antibodyStatus if antibody else DMKG.interpretation)
            rows["tests"].append(
                {
                    "kind": "antibody" if antibody else "laboratory",
                    **test,
                    "result": _label(graph, status),
                    "value": _float(graph.value(record, DMKG.value)),
                    "unit": _value(graph, record, DMKG.unit),
                    "titer": _value(graph, record, DMKG.titer),
                    "pattern": _value(graph, record, DMKG.stainingPattern),
                    "severity": _value(graph, record, DMKG.severity),
                    "timepoint": _value(graph, record, DMKG.timepoint),
                    "reference_low": _float(graph.value(record, DMKG.referenceLow)),
                    "reference_high": _float(graph.value(record, DMKG.referenceHigh)),
                    **base,
                }
            )
        elif DMKG.CancerDiagnosis in types:
            relation = graph.value(record, DMKG.temporalRelation)
            rows["cancers"].append(
                {
                    **_term(graph, record, DMKG.malignancy, "malignancy"),
                    **_term(graph, record, DMKG.cancerSite, "site"),
                    "histology": _label(graph, graph.value(record, DMKG.histology)),
                    "interval_months": _float(graph.value(record, DMKG.intervalMonths)),
                    "relation": _label(graph, relation),
                    "stage": _value(graph, record, DMKG.tumourStage),
                    "grade": _value(graph, record, DMKG.tumourGrade),
                    "size_mm": _float(graph.value(record, DMKG.tumourSizeMm)),
                    "laterality": _value(graph, record, DMKG.laterality),
                    "markers": _markers(graph, record),
                    **base,
                }
            )
        elif DMKG.Treatment in types:
            rows["treatments"].append(
                {
                    **_term(graph, record, DMKG.intervention, "intervention"),
                    "treatment_for": _label(graph, graph.value(record, DMKG.treatmentFor)),
                    "phase": _value(graph, record, DMKG.treatmentPhase),
                    "dose": _value(graph, record, DMKG.dose),
                    "route": _value(graph, record, DMKG.route),
                    "schedule": _value(graph, record, DMKG.schedule),
                    "start": _value(graph, record, DMKG.startDate),
                    "end": _value(graph, record, DMKG.endDate),
                    **base,
                }
            )
        elif DMKG.Outcome in types:
            rows["outcome"].append(
                {
                    "status": _label(graph, graph.value(record, DMKG.vitalStatus)),
                    "months": _float(graph.value(record, DMKG.monthsSinceDiagnosis)),
                    "response": _value(graph, record, DMKG.responseNote),
                    **base,
                }
            )
    columns = {
        "findings": _FINDING_COLUMNS,
        "tests": _TEST_COLUMNS,
        "cancers": _CANCER_COLUMNS,
        "treatments": _TREATMENT_COLUMNS,
        "outcome": _OUTCOME_COLUMNS,
    }
    frames = {}
    for name, found in rows.items():
        found.sort(
            key=lambda r: (
                r.get("curated_file") or "",
                r.get("curated_line") or 0,
                r.get("curated_item") or "",
                r.get("column") or "",
                r["record"],
            )
        )
        frames[name] = records_frame(found, [*columns[name], *PROVENANCE_COLUMNS])
    return frames


def _float(value: Node | None) -> float | None:
    return None if value is None else float(str(value))


# ---------------------------------------------------------------------------------------------
# The graph object
# ---------------------------------------------------------------------------------------------

_PATIENT_COLUMNS = (
    "id",
    "patient",
    "source",
    "case",
    "age",
    "sex",
    "cancers",
    "cancer_sites",
    "antibodies",
    "msa_positive",
    "outcome",
    "followup_months",
)


class KnowledgeGraph:
    """A dmkg graph with pandas, networkx, owlready2 and matplotlib views of it.

    ``rdf`` is the rdflib Graph itself; every method reads it and none changes it.
    """

    def __init__(self, graph: Graph, *, origin: str = "rdflib graph") -> None:
        self._graph = graph
        self.origin = origin
        self._terms: Any = None
        self._ontology: Any = None

    def __len__(self) -> int:
        return len(self._graph)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph: {len(self._graph):,} triples from {self.origin}>"

    @property
    def rdf(self) -> Graph:
        """The rdflib Graph (ontology, data, inferences and query catalogue)."""
        return self._graph

    # -- queries ----------------------------------------------------------------------------

    @property
    def terms(self) -> Any:
        """A :class:`kg.terms.TermIndex` over this graph's labels and synonyms."""
        if self._terms is None:
            from kg.terms import TermIndex

            self._terms = TermIndex(self._graph)
        return self._terms

    def queries(self) -> pd.DataFrame:
        """The canned queries: name, title, parameters and description.

        >>> "survival-by-finding" in load().queries()["name"].tolist()
        True
        """
        from kg.query.canned import list_queries

        rows = [
            {
                "name": q.name,
                "title": q.title,
                "parameters": ", ".join(p.name for p in q.params),
                "description": q.description,
            }
            for q in list_queries(include_checks=False)
        ]
        return records_frame(rows, ["name", "title", "parameters", "description"])

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a canned query (see :meth:`queries`); labels with a ``<column>_id`` CURIE.

        Parameters are checked and bound as ``dmkg query --param`` does; counts come back
        as integers, other numbers as floats.

        >>> g = load()
        >>> df = g.query("survival-by-finding", finding="myositis")
        >>> df[["status", "patients", "dead", "alive", "lost"]].values.tolist()
        [['absent', 9, 4, 2, 3], ['present', 15, 13, 2, 0], ['unknown', 1, 0, 0, 1]]
        >>> df["median_followup_months"].tolist()[:2]
        [27.5, 15.0]
        """
        from kg.query.canned import load_query, run_query

        values = {key: str(value) for key, value in params.items() if value is not None}
        result = run_query(self._graph, name, values, terms=self.terms)
        return _result_frame(result, self._graph, load_query(name).title)

    def sparql(self, text: str) -> pd.DataFrame | bool | Graph:
        """Run a read-only SPARQL query: a DataFrame for SELECT (as :meth:`query`), a bool for
        ASK, an rdflib Graph for CONSTRUCT and DESCRIBE. Updates, SERVICE and FROM are
        refused (:class:`kg.errors.QueryError`).

        >>> load().sparql("PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
        ...               "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }")["n"].tolist()
        [26]
        """
        from kg.store.readonly import run_sparql

        answer = run_sparql(self._graph, text)
        if answer.ask is not None:
            return answer.ask
        if answer.graph is not None:
            return answer.graph
        assert answer.select is not None
        return _result_frame(answer.select, self._graph, "SPARQL query")

    # -- the ontology ------------------------------------------------------------------------

    @property
    def ontology(self) -> Any:
        """The dmkg ontology in owlready2 (its own World, loaded once per object).

        owlready2 reads N-Triples, so the shipped ontology files are converted first. The
        ontology holds the classes and the value-set individuals, not the patient data
        (see :meth:`instances` for the data).

        >>> onto = load().ontology
        >>> onto.base_iri
        'https://w3id.org/dmkg/ontology/'
        >>> sorted(i.name for i in onto.world["https://w3id.org/dmkg/ontology/VitalStatus"]
        ...        .instances())
        ['Alive', 'Dead', 'LostToFollowUp']
        """
        if self._ontology is None:
            import owlready2

            from kg.ontology import load_ontology

            world = owlready2.World()
            with tempfile.TemporaryDirectory(prefix="dmkg-owl-") as tmp:
                path = Path(tmp) / "dmkg.nt"
                load_ontology().serialize(path, format="nt", encoding="utf-8")
                self._ontology = world.get_ontology(path.as_uri()).load()
        return self._ontology

    def _iri(self, term: Any) -> URIRef:
        """A term given as owlready2 entity, IRI, CURIE (``dmkg:Name``), label or synonym."""
        if hasattr(term, "iri"):
            return URIRef(term.iri)
        text = str(term).strip()
        if text.startswith(("http://", "https://")):
            return URIRef(text)
        if text.startswith("dmkg:"):
            iri = URIRef(f"{DMKG._NS}{text[5:]}")
            if (iri, None, None) not in self._graph:
                raise NotFoundError(f"{text!r} is not a term of the dmkg ontology")
            return iri
        try:
            return URIRef(self.terms.resolve(text))
        except CurationError as exc:
            hint = (
                f"; did you mean {' or '.join(map(repr, exc.suggestions))}?"
                if exc.suggestions
                else ""
            )
            raise NotFoundError(
                f"{text!r} is not a label, synonym or CURIE of a dmkg term{hint}"
            ) from None

    def term(self, term: Any) -> Any:
        """The owlready2 class or individual for a label, synonym, CURIE or IRI.

        >>> load().term("heliotropic rash").iri
        'https://w3id.org/dmkg/ontology/HeliotropeRash'
        """
        entity = self.ontology.world[str(self._iri(term))]
        if entity is None:
            raise NotFoundError(f"{term!r} is not in the dmkg ontology")
        return entity

    def search(self, text: str) -> list[Any]:
        """owlready2 classes and individuals whose label or synonym contains ``text``
        (case and spacing ignored), sorted by label.

        >>> [str(c.label[0]) for c in load().search("gottron")]
        ['Gottron papules', 'Gottron papules or sign', 'Gottron sign']
        """
        wanted = _normalise(text)
        found: set[URIRef] = set()
        for prop in (RDFS.label, OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym):
            for subject, name in self._graph.subject_objects(prop):
                if (
                    isinstance(subject, URIRef)
                    and str(subject).startswith(str(DMKG._NS))
                    and wanted in _normalise(str(name))
                ):
                    found.add(subject)
        world = self.ontology.world
        entities = [world[str(iri)] for iri in found]
        return sorted(
            (e for e in entities if e is not None),
            key=lambda e: (str(e.label[0]) if e.label else e.name).casefold(),
        )

    def subclasses(self, term: Any, *, direct: bool = False) -> list[Any]:
        """The owlready2 classes under a term: all descendants, or only the direct ones.

        >>> sorted(c.name for c in load().subclasses("anti-synthetase antibody"))
        ['AntiEJ', 'AntiJo1', 'AntiOJ', 'AntiPL12', 'AntiPL7']
        """
        cls = self.term(term)
        if not hasattr(cls, "descendants"):
            raise UsageError(f"{term!r} is an individual, not a class")
        found = cls.subclasses() if direct else cls.descendants(include_self=False)
        return sorted(found, key=lambda c: c.name)

    def instances(self, term: Any) -> pd.DataFrame:
        """Everything in the graph typed with a class or any class under it, including the
        types the reasoner inferred: ``id`` (CURIE), ``label`` and ``types``.

        >>> len(load().instances("cancer-associated dermatomyositis patient"))
        26
        >>> load().instances("finding status")["id"].tolist()
        ['dmkg:Absent', 'dmkg:Equivocal', 'dmkg:NotReported', 'dmkg:Present', 'dmkg:Unknown']
        """
        root = self._iri(term)
        classes = set(self._graph.transitive_subjects(RDFS.subClassOf, root))
        rows = []
        seen: set[Node] = set()
        for cls in sorted(classes, key=str):
            for individual in self._graph.subjects(RDF.type, cls):
                if individual in seen or not isinstance(individual, URIRef):
                    continue
                seen.add(individual)
                types = sorted(
                    _label(self._graph, t) or ""
                    for t in self._graph.objects(individual, RDF.type)
                    if t in classes and t != OWL.NamedIndividual
                )
                rows.append(
                    {
                        "id": _curie(individual),
                        "label": _label(self._graph, individual),
                        "types": "; ".join(types),
                    }
                )
        rows.sort(key=lambda r: str(r["id"]))
        return records_frame(rows, ["id", "label", "types"])

    # -- patients ----------------------------------------------------------------------------

    def _patients(self) -> list[URIRef]:
        found = [
            p for p in set(self._graph.subjects(RDF.type, DMKG.Patient)) if isinstance(p, URIRef)
        ]
        return sorted(
            found,
            key=lambda p: (
                self._source(p) or "",
                _case_order(_value(self._graph, p, DMKG.caseLabel)),
                str(p),
            ),
        )

    def _source(self, patient: Node) -> str | None:
        publication = self._graph.value(patient, DMKG.describedIn)
        doi = self._graph.value(publication, DMKG.doi) if publication is not None else None
        return str(doi) if doi is not None else None

    def patients(self) -> pd.DataFrame:
        """One row per patient, ordered by source and case.

        Columns: ``id`` (CURIE), ``patient`` (label, e.g. "requena2024 case 5"),
        ``source`` (DOI), ``case``, ``age`` (at DM diagnosis), ``sex``, ``cancers`` (the most
        specific malignancy of each diagnosis) and ``cancer_sites``, ``antibodies`` (those
        tested positive), ``msa_positive`` (placed by the reasoner in "patient positive for
        a myositis-specific antibody"), ``outcome`` (vital status at last follow-up) and
        ``followup_months``. Several values are joined with ``"; "``.

        >>> p = load().patients()
        >>> p["outcome"].value_counts().to_dict()
        {'dead': 17, 'alive': 5, 'lost to follow-up': 4}
        """
        graph = self._graph
        rows = []
        for patient in self._patients():
            records = set(graph.subjects(DMKG.ofPatient, patient))

            def labels(
                kind: URIRef,
                prop: URIRef,
                status: tuple[URIRef, URIRef] | None = None,
                records: set[Node] = records,
            ) -> str | None:
                found = {
                    _label(graph, graph.value(r, prop)) or ""
                    for r in records
                    if (r, RDF.type, kind) in graph
                    and graph.value(r, prop) is not None
                    and (status is None or (r, status[0], status[1]) in graph)
                }
                return "; ".join(sorted(found, key=str.casefold)) if found else None

            outcome = next((r for r in records if (r, RDF.type, DMKG.Outcome) in graph), None)
            rows.append(
                {
                    "id": _curie(patient),
                    "patient": _label(graph, patient),
                    "source": self._source(patient),
                    "case": _value(graph, patient, DMKG.caseLabel),
                    "age": _value(graph, patient, DMKG.ageAtDiagnosis),
                    "sex": _label(graph, graph.value(patient, DMKG.sex)),
                    "cancers": labels(DMKG.CancerDiagnosis, DMKG.malignancy),
                    "cancer_sites": labels(DMKG.CancerDiagnosis, DMKG.cancerSite),
                    "antibodies": labels(
                        DMKG.AntibodyTestResult, DMKG.antibody, (DMKG.antibodyStatus, DMKG.Positive)
                    ),
                    "msa_positive": (patient, RDF.type, DMKG.MSAPositivePatient) in graph,
                    "outcome": _label(graph, graph.value(outcome, DMKG.vitalStatus))
                    if outcome is not None
                    else None,
                    "followup_months": _float(graph.value(outcome, DMKG.monthsSinceDiagnosis))
                    if outcome is not None
                    else None,
                }
            )
        return records_frame(rows, _PATIENT_COLUMNS)

    def _find_patient(self, patient: Any) -> URIRef:
        text = str(patient).strip()
        patients = self._patients()
        if text.startswith(("http://", "https://")):
            candidates = [p for p in patients if str(p) == text]
        elif text.startswith("patient:"):
            candidates = [p for p in patients if str(p) == f"{DATA}patient/{text[8:]}"]
        else:
            candidates = [
                p for p in patients if _normalise(_label(self._graph, p) or "") == _normalise(text)
            ]
        if len(candidates) == 1:
            return candidates[0]
        names = [_label(self._graph, p) or "" for p in patients]
        close = difflib.get_close_matches(text, names, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise NotFoundError(
            f"no patient {text!r} (expected a patient IRI, a CURIE such as "
            f"'patient:P...', or a source case such as 'requena2024 case 5')"
            f"{hint}"
        )

    def patient(self, patient: Any) -> PatientRecord:
        """One patient's findings, tests, cancers, treatments and outcome with provenance.

        ``patient`` is the IRI, its CURIE (``patient:P...``) or the source case as the
        patient's label writes it ("requena2024 case 5", any case and spacing).

        >>> p = load().patient("curroncol2021 case 1")
        >>> p.age, p.sex, len(p.treatments)
        (61, 'female', 10)
        >>> p.tests.query("test == 'antinuclear antibody'")[["result", "titer", "section"]
        ...     ].values.tolist()
        [['positive', '1:160', 'Case presentation']]
        """
        iri = self._find_patient(patient)
        graph = self._graph
        return PatientRecord(
            id=_curie(iri),
            iri=str(iri),
            label=_label(graph, iri) or _curie(iri),
            source=self._source(iri),
            case=_value(graph, iri, DMKG.caseLabel),
            age=_value(graph, iri, DMKG.ageAtDiagnosis),
            sex=_label(graph, graph.value(iri, DMKG.sex)),
            **_patient_tables(graph, iri),
        )

    # -- networkx views and figures (see kg.analyse.networks and kg.figures) -------------------------

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole RDF graph as a networkx MultiDiGraph (see :func:`kg.analyse.networks.to_networkx`)."""
        from kg.analyse.networks import to_networkx

        return to_networkx(self._graph)

    def patient_feature_graph(self) -> nx.Graph:
        """Patients and their present findings, positive antibodies and cancer sites
        (see :func:`kg.analyse.networks.patient_feature_graph`)."""
        from kg.analyse.networks import patient_feature_graph

        return patient_feature_graph(self._graph)

    def association_graph(self, min_patients: int = 2) -> nx.MultiGraph:
        """Findings, antibodies and cancer sites linked by co-occurrence and by evidence
        (see :func:`kg.analyse.networks.association_graph`)."""
        from kg.analyse.networks import association_graph

        return association_graph(self._graph, min_patients=min_patients, terms=self.terms)

    def evidence_graph(self) -> nx.MultiDiGraph:
        """Publications, studies, cohorts, claims and what the claims are about
        (see :func:`kg.analyse.networks.evidence_graph`)."""
        from kg.analyse.networks import evidence_graph

        return evidence_graph(self._graph, terms=self.terms)

    def plot(
        self, name: str, out: str | os.PathLike[str] | None = None, **params: Any
    ) -> FigureResult:
        """Draw a figure (see :data:`kg.figures.FIGURES`); save it to ``out`` (.png or .svg)
        if given. The result holds the figure and the numbers behind it.

        >>> r = load().plot("finding-frequency", source="10.1016/j.ad.2025.02.012")
        >>> r.data.set_index("finding")[["present", "assessed"]].loc["heliotrope rash"].tolist()
        [20, 24]
        """
        from kg.figures import plot

        return plot(self._graph, name, out, terms=self.terms, **params)
