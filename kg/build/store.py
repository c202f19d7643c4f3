"""The registry-scale build: curated sources into an Oxigraph store, never into Python objects.

``dmkg build --store DIR`` runs the same gate as ``dmkg build`` on data far larger than the
papers (100,000 patients, tens of millions of triples):

1. *load*: the same loaders, writing N-Triples text instead of rdflib terms, with each
   patient table shared out row by row between worker processes;
2. *store*: Oxigraph's bulk loader reads that text into the store, in one call fed batch after
   batch as the workers finish them (:class:`_BatchStream`);
3. *validate*: the SHACL shapes, run on each batch's N-Triples by the `shacl` wheel
   (:mod:`kg.validate.report`); pyshacl stays the reference on small graphs and a test shows
   they agree;
4. *infer*: the rules in ``ontology/rules/`` add the defined classes; a test shows they give
   exactly what HermiT gives on the papers; then the summary links
   (:mod:`kg.reason.summary_links`) that the canned queries scan;
5. *check*: the query catalogue is added and the ``queries/*-violation`` checks run.

On disk the store is then compacted (one sorted run instead of one per million triples), and its
labels are written to an index beside it (:mod:`kg.store.labels`). Nothing is
written to ``DIR`` until every step passed: the store is built in a temporary
folder beside it and swapped in by renaming, so a failed or killed build leaves the previous
store intact (a build killed between the two renames is repaired by the next one).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.build.batches import (
    BATCH_STEPS,
    BatchOutcome,
    _merge_summaries,
    _step,
    iter_batches,
    raise_problems,
)
from kg.build.graph import Progress, _stderr
from kg.build.store_folder import (
    _TMP,
    STORE_MANIFEST,
    STORE_SUBDIR,
    _prepare,
    _swap_in,
    open_store,
)
from kg.fileio import writer_lock
from kg.resources import data_dir
from kg.store.labels import LABEL_INDEX, seal_label_index, write_label_index
from kg.version import __version__

__all__ = ["STORE_BATCH_PATIENTS", "StoreBuildResult", "build_store"]

#: patients per batch of the store build: half of validation's batch, so that the main
#: process's bulk load of one batch (its peak) and the two workers' stores together stay
#: well under 3 GB at 100,000 patients (10,000 a batch: 1.8 GB in the bulk load alone), and
#: a 10,000-patient registry keeps both workers busy as a larger one does
STORE_BATCH_PATIENTS = 5_000


@dataclass
class StoreBuildResult:
    """What a store build made and how long each stage took (seconds)."""

    path: Path | None
    store: Any  # the pyoxigraph.Store (open; read-write)
    triples: int
    data_triples: int
    inferred: int
    patients: int
    stages: dict[str, float] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    #: the steps inside load+validate (:data:`BATCH_STEPS`): CPU seconds summed over the batches
    #: (worker processes run batches side by side, and the store step's loader threads run in
    #: the main process meanwhile, so they can add up to more than the stage's wall time) ...
    steps: dict[str, float] = field(default_factory=dict)
    #: ... and the highest resident memory (MB) of one process during each
    step_peaks_mb: dict[str, float] = field(default_factory=dict)
    batches: int = 0
    workers: int = 1


@contextmanager
def _stage(
    result_stages: dict[str, float], name: str, what: str, progress: Progress
) -> Iterator[None]:
    progress(f"[{name}] {what} ...")
    start = time.perf_counter()
    yield
    result_stages[name] = time.perf_counter() - start
    progress(f"[{name}] done in {result_stages[name]:.1f} s")


# ------------------------------------------------------------------------------------------
# the pipeline
# ------------------------------------------------------------------------------------------


def build_store(
    folders: list[Path] | None = None,
    target: Path | None = None,
    *,
    workers: int | None = None,
    progress: Progress = _stderr,
    batch: int = STORE_BATCH_PATIENTS,
) -> StoreBuildResult:
    """Build the graph of ``folders`` into a store at ``target`` (in memory if None)."""

    from kg.namespaces import bind_prefixes  # noqa: F401 - keeps prefixes module loaded

    folders = folders if folders is not None else _bundled()
    workers = workers or min(2, os.cpu_count() or 1)
    stages: dict[str, float] = {}
    if target is not None:
        target = target.resolve()
    with writer_lock(target, "dmkg build --store") if target else contextlib.nullcontext():
        return _build(folders, target, workers, stages, progress, batch)


def _build(
    folders: list[Path],
    target: Path | None,
    workers: int,
    stages: dict[str, float],
    progress: Progress,
    batch: int,
) -> StoreBuildResult:
    import pyoxigraph as ox

    from kg.ontology import load_ontology

    staging = _staging(target)
    try:
        store = ox.Store(str(staging / STORE_SUBDIR)) if target is not None else ox.Store()
        store.bulk_load(
            load_ontology().serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
        )
        result = _fill(store, folders, staging / "ntriples", workers, batch, stages, progress)
        if target is not None:
            # each batch's bulk load leaves its own files covering the whole key range, and a
            # lookup must search every one; one full compaction makes queries that look terms
            # up row by row 2-3x quicker at 100,000 patients (measured, see the README)
            with _stage(stages, "compact", "compacting the on-disk store", progress):
                store.optimize()
            with _stage(
                stages, "persist", f"writing the store and its label index to {target}", progress
            ):
                store.flush()
                labels = write_label_index(store, staging / LABEL_INDEX)
                del store
                result.store = None  # closed: the index records the files it was read from
                seal_label_index(staging / LABEL_INDEX, staging / STORE_SUBDIR)
                _write_manifest(staging, result, folders, labels)
                _swap_in(staging, target)
                result.path = target
                result.store = open_store(target)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        return result
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _staging(target: Path | None) -> Path:
    """The folder the store is built in: beside ``target`` (repaired and checked first), or
    a temporary folder for a store in memory; with an empty ``ntriples/`` for the batches."""
    if target is not None:
        _prepare(target)
        staging = target.parent / f"{_TMP}{target.name}.{os.getpid()}"
    else:
        import tempfile

        staging = Path(tempfile.mkdtemp(prefix="dmkg-store-"))
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "ntriples").mkdir()
    return staging


def _fill(
    store: Any,
    folders: list[Path],
    text_dir: Path,
    workers: int,
    batch: int,
    stages: dict[str, float],
    progress: Progress,
) -> StoreBuildResult:
    """Load, validate, infer and check every batch into ``store``, then add the query
    catalogue; the result holds ``store`` and the counts, stages and batch steps."""
    import pyoxigraph as ox

    from kg.query import catalogue_graph

    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    with _stage(
        stages,
        "load+validate",
        f"loading {len(folders)} source(s) in batches of "
        f"up to {batch:,} patients with {workers} process(es); each batch "
        "checked against the shapes, classified by the rules "
        "in ontology/rules and checked by queries/*-violation, then read into the "
        "store as it is done",
        progress,
    ):
        outcomes = _stream_into(
            store, iter_batches(folders, text_dir, workers, batch=batch), steps, peaks
        )
        raise_problems(outcomes)
    data_triples = sum(o.triples for o in outcomes)
    inferred = sum(o.inferred for o in outcomes)
    summary = _merge_summaries([o.summary for o in outcomes])
    with _stage(stages, "catalogue", "adding the query catalogue", progress):
        store.bulk_load(
            catalogue_graph().serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
        )
        shutil.rmtree(text_dir, ignore_errors=True)
    triples = len(store)
    summary["triples"] = triples
    for outcome in outcomes:
        for name, seconds in outcome.steps.items():
            steps[name] = steps.get(name, 0.0) + seconds
            peaks[name] = max(peaks.get(name, 0.0), outcome.step_peaks_mb[name])
    ran = [name for name in BATCH_STEPS if name in steps]  # in the order they run
    return StoreBuildResult(
        None,
        store,
        triples,
        data_triples,
        inferred,
        int(summary["patients"]),
        stages,
        summary,
        {k: steps[k] for k in ran},
        {k: peaks[k] for k in ran},
        len(outcomes),
        min(workers, len(outcomes)) or 1,
    )


class _BatchStream(io.RawIOBase):
    """The N-Triples of every batch that passed, one after another, as one binary stream
    that waits for the next batch when it runs dry: so Oxigraph's bulk loader takes the
    whole registry in one call while the workers still load and check later batches (one
    call: sorted runs of a million triples, against a run per batch whose merging kept
    RocksDB's background compactions busy, 40% more CPU measured at 100,000 patients)."""

    def __init__(self, outcomes: Iterator[BatchOutcome]) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.taken: list[BatchOutcome] = []
        self.current: Any = None
        self.inline_cpu = 0.0  # CPU seconds of batches run in this process (one worker)
        self.error: BaseException | None = None  # what stopped the stream, to re-raise

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            while True:
                if self.current is None and not self._next():
                    return 0
                n = int(self.current.readinto(buffer))
                if n:
                    return n
                self.current.close()
                os.unlink(self.current.name)
                self.current = None
        except BaseException as exc:  # the bulk loader sees an I/O error: say the real one
            self.error = exc
            raise

    def _next(self) -> bool:
        """Open the next batch that passed (the failed ones are only kept for their
        problems); False at the end."""
        while True:
            start = time.process_time()
            outcome = next(self.outcomes, None)
            if outcome is None:
                return False
            if outcome.pid == os.getpid():  # run here, not by a worker: not the loader's work
                self.inline_cpu += time.process_time() - start
            self.taken.append(outcome)
            if not (outcome.errors or outcome.violations):
                self.current = open(outcome.file, "rb")  # noqa: SIM115 - closed at its end
                return True

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
        close = getattr(self.outcomes, "close", None)
        if close is not None:
            close()  # stops the workers' pool if the stream ends early
        super().close()


def _stream_into(
    store: Any,
    outcomes: Iterator[BatchOutcome],
    steps: dict[str, float],
    peaks: dict[str, float],
) -> list[BatchOutcome]:
    """Bulk-load every passing batch's N-Triples into ``store`` in one call as the batches
    come; return every outcome. The 'store' step is the load's CPU time (its threads
    included), less that of any batch run in this process."""
    import pyoxigraph as ox

    stream = _BatchStream(outcomes)
    try:  # closing the reader closes the stream, which stops the workers if it ends early
        with _step(steps, peaks, "store"), io.BufferedReader(stream, 1 << 20) as reader:
            # our own N-Triples (IRIs we minted, literals we escaped): no second IRI check
            store.bulk_load(reader, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    except BaseException:
        if stream.error is not None:
            raise stream.error from None
        raise
    steps["store"] -= stream.inline_cpu
    return stream.taken


def _write_manifest(
    staging: Path, result: StoreBuildResult, folders: list[Path], labels: int
) -> None:
    """Record what the store holds in its folder (:func:`kg.build.store_folder.read_manifest`)."""
    manifest = {
        "format": "dmkg-store/1",
        "dmkg_version": __version__,
        "triples": result.triples,
        "data_triples": result.data_triples,
        "inferred_triples": result.inferred,
        "sources": [f.name for f in folders],
        "summary": result.summary,
        "label_index": {"file": LABEL_INDEX, "labels": labels},
    }
    (staging / STORE_MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _bundled() -> list[Path]:
    from kg.loaders import source_folders

    return source_folders(data_dir())
