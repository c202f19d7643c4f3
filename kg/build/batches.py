"""Steps 1-4 of the store build, batch by batch: each batch of patients is loaded to N-Triples,
validated, classified and checked in an in-memory store by a worker process (see
:mod:`kg.build.store`)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import BuildError, CurationError, CurationErrors, ValidationFailed

__all__ = [
    "BATCH_PATIENTS",
    "BATCH_STEPS",
    "BatchOutcome",
    "apply_rules",
    "iter_batches",
    "load_ntriples",
    "raise_problems",
    "rule_files",
]

# ------------------------------------------------------------------------------------------
# 1-3. load, and validate batch by batch
# ------------------------------------------------------------------------------------------

#: patients per batch: each batch is loaded, validated, classified and checked on its own in
#: an in-memory store (~200 triples a patient: ~2 M triples, well under 1 GB)
BATCH_PATIENTS = 10_000

_WORKER: dict[str, Any] = {}

#: the steps of each batch, in order, and what each does: the CPU seconds of each are taken in
#: every batch and reported summed by ``dmkg build --store`` and ``dmkg bench`` (CPU, not wall
#: time: steps that share the cores with the other worker and the main process's loading would
#: otherwise count their waits for a core as work)
BATCH_STEPS = {
    "load": "the loaders write the batch's rows as N-Triples",
    "read": "Oxigraph reads them with the ontology into an in-memory store",
    "validate": "the SHACL shapes (the shacl wheel, on the batch's N-Triples and the ontology)",
    "infer": "the rules and the summary links",
    "check": "the queries/*-violation checks and the batch's summary",
    "store": "Oxigraph's bulk loader reads each batch that passed into the store, all in one "
    "streaming load (the main process, its loader's threads included)",
}


def _peak_rss_mb() -> float:
    """This process's highest resident memory since the last :func:`_reset_peak_rss` (Linux's
    VmHWM; elsewhere the lifetime peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _reset_peak_rss() -> None:
    """Start a new high-water mark of resident memory (Linux: '5' to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


@contextmanager
def _step(seconds: dict[str, float], peaks: dict[str, float], name: str) -> Iterator[None]:
    """Add one batch step's CPU seconds (this process's, all its threads) to ``seconds`` and
    its memory peak to ``peaks``."""
    _reset_peak_rss()
    start = time.process_time()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.process_time() - start
        peaks[name] = max(peaks.get(name, 0.0), _peak_rss_mb())


@dataclass
class BatchOutcome:
    """What one batch (one shard of one source) produced and found."""

    file: str
    triples: int = 0
    errors: list[CurationError] = field(default_factory=list)
    violations: list[Any] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    check_rows: dict[str, int] = field(default_factory=dict)
    inferred: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)  # BATCH_STEPS: CPU seconds
    step_peaks_mb: dict[str, float] = field(default_factory=dict)  # and memory peaks
    pid: int = field(default_factory=os.getpid)  # the process that ran the batch


def _worker_state() -> dict[str, Any]:
    """The term index, ontology text and SHACL shapes, made once per worker process."""
    if not _WORKER:
        from kg.ontology import load_ontology, load_shapes
        from kg.terms import TermIndex

        ontology = load_ontology()
        _WORKER["terms"] = TermIndex(ontology)
        _WORKER["ontology"] = ontology.serialize(format="nt", encoding="utf-8")
        _WORKER["shapes"] = load_shapes()
    return _WORKER


def _run_batch(
    folder: str, shard: int, shards: int, out: str, validate_only: bool = False
) -> BatchOutcome:
    """Worker: load one shard of one source to N-Triples, then gate it in memory (only
    validate it, with ``validate_only``: ``dmkg validate``).

    The batch store holds the ontology and this shard's triples, which include every triple
    about each of its patients and records (shards split by case label) and the publication,
    study and cohorts they point to; every shape and data check looks no further than that,
    so a batch passes exactly when its part of the whole graph passes.
    """
    import pyoxigraph as ox

    from kg.loaders import load_source
    from kg.loaders.writer import NTriplesSink
    from kg.validate.report import validate_ntriples

    state = _worker_state()
    outcome = BatchOutcome(out)
    steps, peaks = outcome.steps, outcome.step_peaks_mb
    with _step(steps, peaks, "load"), open(out, "w", encoding="utf-8") as handle:
        sink = NTriplesSink(handle)
        try:
            load_source(Path(folder), state["terms"], sink=sink, shard=(shard, shards))
        except CurationErrors as exc:
            outcome.errors = list(exc.errors)
            return outcome
        except CurationError as exc:
            outcome.errors = [exc]
            return outcome
        sink.flush()
    outcome.triples = sink.count
    if validate_only:  # a store is read only to locate violations
        with _step(steps, peaks, "validate"):
            report = validate_ntriples(Path(out), state["shapes"], ontology=state["ontology"])
        outcome.violations, outcome.omitted = list(report.violations), dict(report.omitted)
        return outcome
    with _step(steps, peaks, "read"):
        store = ox.Store()
        store.bulk_load(state["ontology"], format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=out, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    with _step(steps, peaks, "validate"):
        report = validate_ntriples(
            Path(out), state["shapes"], ontology=state["ontology"], store=store
        )
    if not report.conforms:
        outcome.violations = list(report.violations)
        outcome.omitted = dict(report.omitted)
        return outcome
    with _step(steps, peaks, "infer"):
        outcome.inferred = _infer_into(store, out) + _links_into(store, out)
        from kg.reason.classification import append_classifications

        outcome.inferred += append_classifications(store, out)  # reads the links: after them
    from kg.analyse.summary import summarise
    from kg.query import run_violation_checks
    from kg.store import OxigraphStore

    with _step(steps, peaks, "check"):
        wrapped = OxigraphStore(store)
        outcome.check_rows = {name: n for name, n in run_violation_checks(wrapped).items() if n}
        outcome.summary = summarise(wrapped, triples=0).as_dict()
    return outcome


def _infer_into(store: Any, out: str) -> int:
    """Run the rules in the batch store and append what they added to the batch's file."""
    # the defined classes (an owl:intersectionOf definition) are what the rules assert
    return _append_added(
        store,
        out,
        apply_rules(store),
        (
            "CONSTRUCT { ?s a ?c } WHERE { ?c <http://www.w3.org/2002/07/owl#equivalentClass>/"
            "<http://www.w3.org/2002/07/owl#intersectionOf> ?definition . ?s a ?c }"
        ),
    )


def _links_into(store: Any, out: str) -> int:
    """Add the summary links in the batch store and append them to the batch's file."""
    from kg.reason.summary_links import LINKS_CONSTRUCT, add_summary_links

    return _append_added(store, out, add_summary_links(store), LINKS_CONSTRUCT)


def _append_added(store: Any, out: str, added: int, construct: str) -> int:
    """If ``added`` triples were added, append what ``construct`` finds to the batch's file
    (so the main process loads them with the data); return ``added``."""
    import pyoxigraph as ox

    if added:
        with open(out, "ab") as handle:
            ox.serialize(store.query(construct), handle, ox.RdfFormat.N_TRIPLES)
    return int(added)


def _plan(folders: list[Path], workers: int, batch: int) -> list[tuple[Path, int, int]]:
    """(folder, shard, shards) for every batch: enough shards for ``batch`` patients each."""
    tasks = []
    for folder in folders:
        rows = 0
        for table in folder.glob("*.tsv"):
            if not table.is_file():  # a FIFO would block here: the loader refuses it
                continue
            with open(table, "rb") as handle:
                rows = max(rows, sum(1 for _ in handle) - 1)
        shards = max(1, -(-rows // batch))
        if shards > 1:
            shards = -(-shards // workers) * workers  # a multiple of the workers: even load
        tasks += [(folder, k, shards) for k in range(shards)]
    return tasks


def load_ntriples(
    folders: list[Path],
    out_dir: Path,
    workers: int,
    *,
    batch: int = BATCH_PATIENTS,
    validate_only: bool = False,
) -> list[BatchOutcome]:
    """Load and gate every folder in batches with ``workers`` processes; N-Triples files
    (data and inferences) in ``out_dir``. ``validate_only``: load and validate only (no
    rules, no data checks).

    Raises one :class:`CurationErrors` with every problem of every batch, in file order, or
    :class:`ValidationFailed` with every shape violation or failed data check.
    """
    outcomes = list(
        iter_batches(folders, out_dir, workers, batch=batch, validate_only=validate_only)
    )
    raise_problems(outcomes)
    return outcomes


def iter_batches(
    folders: list[Path],
    out_dir: Path,
    workers: int,
    *,
    batch: int = BATCH_PATIENTS,
    validate_only: bool = False,
) -> Iterator[BatchOutcome]:
    """Every batch's outcome, in order, as soon as it (and every batch before it) is done,
    passed or not: :func:`raise_problems` on all of them says what failed."""
    names = [f.name for f in folders]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise CurationErrors([CurationError("two sources with the same id", dup)])
    tasks = [
        (str(folder), k, n, str(out_dir / f"{folder.name}.{k}.nt"), validate_only)
        for folder, k, n in _plan(folders, workers, batch)
    ]
    if workers == 1 or len(tasks) == 1:
        for task in tasks:
            yield _run_batch(*task)
    else:
        yield from _in_workers(tasks, workers)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: the kernel kills this worker when the build's main process dies
    (even by ``kill -9``), so no worker of 650 MB outlives its build (Linux ``prctl``)."""
    import ctypes
    import os
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _in_workers(
    tasks: list[tuple[str, int, int, str, bool]], workers: int
) -> Iterator[BatchOutcome]:
    """Run the batches in ``workers`` processes; a worker that dies is a clear error. A
    consumer that stops early cancels the batches not yet started."""
    import os
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)
    )
    finished = False
    try:
        yield from pool.map(_run_batch, *zip(*tasks, strict=True))
        finished = True
    except BrokenProcessPool:
        raise BuildError(
            "a loader worker process died (killed, or out of memory?) before its batch "
            f"was done; nothing was written: run the build again, with fewer --workers "
            f"than {workers} if memory is short"
        ) from None
    finally:
        if not finished:  # Ctrl-C, an error, a worker lost: no batch is worth finishing
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


def raise_problems(outcomes: list[BatchOutcome]) -> None:
    errors = [e for o in outcomes for e in o.errors]
    if errors:
        unique = {str(e): e for e in errors}
        raise CurationErrors(sorted(unique.values(), key=lambda e: (e.file, e.row or 0, str(e))))
    violations = sorted({v for o in outcomes for v in o.violations})
    if violations:
        from kg.validate.report import StoreValidationReport

        omitted: dict[str, int] = {}
        for o in outcomes:
            for what, n in o.omitted.items():
                omitted[what] = omitted.get(what, 0) + n
        report = StoreValidationReport(False, violations, omitted)
        raise ValidationFailed(report.text(), len(violations) + sum(omitted.values()))
    bad: dict[str, int] = {}
    for o in outcomes:
        for name, rows in o.check_rows.items():
            bad[name] = bad.get(name, 0) + rows
    if bad:
        text = "\n".join(f"  - {name}: {rows} row(s)" for name, rows in sorted(bad.items()))
        raise ValidationFailed(
            f"data checks in queries/ found problems:\n{text}", sum(bad.values())
        )


# ------------------------------------------------------------------------------------------
# 4. infer: the rules that stand in for HermiT
# ------------------------------------------------------------------------------------------


def rule_files() -> list[Path]:
    """The SPARQL update rules in ``ontology/rules/``, in the order they run."""
    from kg.reason.rules import rule_files as files

    return files()


def apply_rules(store: Any) -> int:
    """Run the inference rules in the store; return how many triples they added."""
    from kg.reason.rules import apply_rules as apply

    return apply(store)


def _merge_summaries(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Add up the batches' counts: batches share no patient and no record."""
    sources: dict[str, dict[str, Any]] = {}
    records: dict[str, int] = {}
    inferred: dict[str, int] = {}
    for part in parts:
        for source in part.get("sources", []):
            entry = sources.setdefault(source["doi"], dict(source, patients=0))
            entry["patients"] += source["patients"]
        for label, n in part.get("records", {}).items():
            records[label] = records.get(label, 0) + n
        for label, n in part.get("inferred_patients", {}).items():
            inferred[label] = inferred.get(label, 0) + n
    return {
        "sources": [sources[d] for d in sorted(sources)],
        "records": dict(sorted(records.items())),
        "inferred_patients": dict(sorted(inferred.items())),
        "patients": sum(s["patients"] for s in sources.values()),
    }
