"""``dmkg bench``: time and memory of each stage of a registry-scale build, beside two baselines.

For each registry size the benchmark draws a synthetic registry (:mod:`kg.sources.synth`), builds it
with :func:`kg.build.store.build_store` (each stage it reports is timed, and the whole call)
and runs every canned query through :func:`kg.query.canned.run_query`; then, on the same data, two
baselines read the final graph as one N-Triples file and run the same query text: plain
rdflib (``Graph().parse`` and ``Graph.query``) and raw pyoxigraph (``Store().bulk_load`` and
``Store.query``).

Each size and each baseline runs in a fresh Python process, so one size's memory does not
carry over into the next. Memory is the resident set size (RSS) summed over the process and
all its descendants (the load stage's worker processes), read from ``/proc`` by a thread every
20 ms; a stage's peak is the highest sum seen while it ran. Pages a forked worker shares with
its parent count once per process, so the figure is an upper bound.

rdflib holds a graph as Python objects (about a kilobyte a triple), so it runs only up to
``rdflib_max_patients``; each of its queries runs in a forked process that is killed at
``baseline_timeout`` seconds, and a killed query shows as a lower bound (``>120 s``).
"""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Self

from kg.errors import DmkgError
from kg.store.stores import BENCH_PARAMS, with_values

__all__ = [
    "DEFAULT_SIZES",
    "GOALS",
    "GOAL_PATIENTS",
    "BenchReport",
    "Goal",
    "MemorySampler",
    "SizeResult",
    "StageRow",
    "machine",
    "rdflib_queries",
    "run_bench",
    "tree_rss",
    "write_json",
]

#: the registry sizes ``dmkg bench`` runs when none are given
DEFAULT_SIZES = (1_000, 10_000, 100_000)
#: the goals of the 100,000-patient registry: build seconds, peak MB, seconds per query
GOALS = {"build_s": 180.0, "peak_mb": 4096.0, "query_s": 2.0}
GOAL_PATIENTS = 100_000
#: seconds between two memory samples
SAMPLE_INTERVAL = 0.02

_MB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")
Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------
# memory: RSS of the process tree
# ------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, resident pages) of a process, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    return int(fields[1]), int(fields[21])


def _tree(root: int) -> list[int]:
    """``root`` and every process descended from it (one pass over ``/proc``)."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            found = _stat(int(name))
            if found is not None:
                children.setdefault(found[0], []).append(int(name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def tree_rss(root: int | None = None) -> int:
    """Bytes resident in process ``root`` (default: this one) and all its descendants."""
    return _rss(_tree(root or os.getpid()))


def _rss(pids: Sequence[int]) -> int:
    return sum(found[1] for found in map(_stat, pids) if found is not None) * _PAGE


class MemorySampler:
    """The highest RSS of this process tree while each named stage ran, in MB.

    A daemon thread sums the RSS of the known processes every ``interval`` seconds and looks
    for new descendants every ``rescan`` samples; each stage also takes a sample (after a
    fresh look) when it begins and when it ends, so even a stage shorter than the interval
    has a peak.
    """

    def __init__(self, interval: float = SAMPLE_INTERVAL, rescan: int = 5) -> None:
        self.interval = interval
        self.rescan = rescan
        self.peaks: dict[str, float] = {}
        self._open: dict[str, int] = {}
        self._root = os.getpid()
        self._pids = [self._root]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dmkg-bench-memory", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self, rescan: bool) -> None:
        if rescan:
            self._pids = _tree(self._root)
        rss = _rss(self._pids)
        with self._lock:
            for name, peak in self._open.items():
                self._open[name] = max(peak, rss)

    def _loop(self) -> None:
        tick = 0
        while not self._stop.wait(self.interval):
            tick += 1
            self._sample(tick % self.rescan == 0)

    def begin(self, name: str) -> None:
        with self._lock:
            self._open[name] = 0
        self._sample(True)

    def end(self, name: str) -> float:
        self._sample(True)
        with self._lock:
            self.peaks[name] = self._open.pop(name) / _MB
        return self.peaks[name]

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.begin(name)
        try:
            yield
        finally:
            self.end(name)


# ------------------------------------------------------------------------------------------
# the results
# ------------------------------------------------------------------------------------------


@dataclass
class StageRow:
    """One line of a size's table: a stage or a canned query, on dmkg and the baselines.

    A baseline's ``*_status`` is ``ok``, ``timeout`` (its seconds are the limit it hit),
    ``not run`` (see the size's ``rdflib_reason``), ``failed``, or ``-`` where the baseline
    has no such stage (generating, validating, inferring).
    """

    name: str
    kind: str  # "stage", "step" (inside load+validate, summed over batches), "build", "query"
    dmkg_s: float
    dmkg_peak_mb: float
    rows: int | None = None
    rdflib_s: float | None = None
    rdflib_status: str = "-"
    rdflib_rows: int | None = None
    pyoxigraph_s: float | None = None
    pyoxigraph_status: str = "-"
    pyoxigraph_rows: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "step":
            return f"  {self.name} (summed)"
        return (
            f"query {self.name}"
            if self.kind == "query"
            else ("build (total)" if self.kind == "build" else self.name)
        )

    def ratio(self, engine: str) -> float | None:
        """Baseline seconds / dmkg seconds (above 1: dmkg was quicker); for a query killed at
        the time limit, a lower bound."""
        seconds = getattr(self, f"{engine}_s")
        if seconds is None or getattr(self, f"{engine}_status") not in ("ok", "timeout"):
            return None
        return seconds / self.dmkg_s if self.dmkg_s > 0 else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rdflib_ratio"] = self.ratio("rdflib")
        data["pyoxigraph_ratio"] = self.ratio("pyoxigraph")
        return data


@dataclass
class SizeResult:
    """All numbers of one registry size."""

    patients: int
    triples: int
    data_triples: int
    inferred: int
    ntriples_mb: float
    graph_patients: int  # patients the built graph holds (the summary query's count)
    stages: list[StageRow]  # the stages, then the canned queries
    rdflib_reason: str | None = None  # why rdflib did not run (None: it ran)
    rdflib_load_peak_mb: float | None = None
    pyoxigraph_load_peak_mb: float | None = None
    batches: int = 0  # batches of the build, and how many ran side by side
    batch_workers: int = 0

    def row(self, name: str) -> StageRow:
        return next(r for r in self.stages if r.name == name)

    @property
    def build_s(self) -> float:
        return self.row("build").dmkg_s

    @property
    def build_stages(self) -> list[str]:
        """The stages :func:`kg.build.store.build_store` reported, in the order they ran (the
        build row is the wall time of the whole call, these and the steps between them)."""
        return [r.name for r in self.stages if r.kind == "stage" and r.name != "generate"]

    @property
    def peak(self) -> StageRow:
        """The row whose stage used the most memory (of the whole process tree: a step's
        peak is one process's)."""
        return max((r for r in self.stages if r.kind != "step"), key=lambda r: r.dmkg_peak_mb)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "stages"}
        data["stages"] = [r.as_dict() for r in self.stages]
        data["build_s"] = self.build_s
        data["build_stages"] = self.build_stages
        data["peak_mb"] = self.peak.dmkg_peak_mb
        return data


@dataclass
class Goal:
    """One of the issue's goals, at the largest size measured."""

    name: str
    value: float
    limit: float
    unit: str
    detail: str

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def text(self) -> str:
        verdict = "met" if self.met else "NOT met"
        sign = "<=" if self.met else ">"
        return (
            f"  {self.name}: {verdict} ({_sig(self.value, 4)} {self.unit} {sign} "
            f"{_sig(self.limit, 4)} {self.unit}; {self.detail})"
        )


@dataclass
class BenchReport:
    """Every size measured, the machine, and the settings of the run."""

    sizes: list[SizeResult]
    machine: dict[str, Any]
    settings: dict[str, Any]
    load_average: dict[str, float] = field(default_factory=dict)

    def growth(self) -> list[dict[str, Any]]:
        """time(size i) / time(size i-1) for every row, beside the ratio of the sizes."""
        steps = []
        for small, large in zip(self.sizes, self.sizes[1:]):
            times = {}
            for row in large.stages:
                before = small.row(row.name).dmkg_s
                times[row.name] = row.dmkg_s / before if before > 0 else None
            steps.append(
                {
                    "from": small.patients,
                    "to": large.patients,
                    "size_ratio": large.patients / small.patients,
                    "triples_ratio": large.triples / small.triples,
                    "peak_mb_ratio": large.peak.dmkg_peak_mb / small.peak.dmkg_peak_mb,
                    "time_ratio": times,
                }
            )
        return steps

    def goals(self) -> list[Goal]:
        """The issue's goals, checked at the largest size."""
        last = self.sizes[-1]
        build = ", ".join(
            f"{name} {_sig(last.row(name).dmkg_s, 3)} s" for name in last.build_stages
        )
        queries = [r for r in last.stages if r.kind == "query"]
        slowest = max(queries, key=lambda r: r.dmkg_s)
        over = [r for r in queries if r.dmkg_s > GOALS["query_s"]]
        peak = last.peak
        return [
            Goal(
                "build (kg.build.store.build_store, wall time)",
                last.build_s,
                GOALS["build_s"],
                "s",
                f"its stages: {build}",
            ),
            Goal(
                "peak memory", peak.dmkg_peak_mb, GOALS["peak_mb"], "MB", f"in stage {peak.label}"
            ),
            Goal(
                "each canned query",
                slowest.dmkg_s,
                GOALS["query_s"],
                "s",
                f"slowest: {slowest.name}"
                + (
                    f"; over the limit: {', '.join(r.name for r in over)}"
                    if over
                    else f"; all {len(queries)} within"
                ),
            ),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "sizes": [s.as_dict() for s in self.sizes],
            "growth": self.growth(),
            "goals": [{**asdict(g), "met": g.met} for g in self.goals()],
            "goal_size": self.sizes[-1].patients,
            "machine": self.machine,
            "settings": self.settings,
            "load_average": self.load_average,
            "memory": "peak RSS of the process tree (process + worker processes), MB, "
            f"sampled every {SAMPLE_INTERVAL * 1000:.0f} ms",
        }

    def text(self) -> str:
        """The tables, the goals and the machine, as plain text."""
        parts = [_size_table(s, self.settings) for s in self.sizes]
        if len(self.sizes) > 1:
            parts.append(_growth_table(self))
        goals = "\n".join(g.text() for g in self.goals())
        largest = self.sizes[-1].patients
        caveat = (
            f" (the goals are set for {GOAL_PATIENTS:,}; run that size to check them)"
            if largest < GOAL_PATIENTS
            else ""
        )
        parts.append(f"goals at {largest:,} patients{caveat}:\n{goals}")
        parts.append(_machine_line(self.machine, self.load_average))
        return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------------------------------
# plain-text tables
# ------------------------------------------------------------------------------------------


def _sig(value: float, digits: int) -> str:
    """``value`` with ``digits`` significant digits and no exponent (at most 6 decimals).

    >>> _sig(0.0021349, 4), _sig(123.456, 4), _sig(98765.4, 4), _sig(14.06, 3)
    ('0.002135', '123.5', '98765', '14.1')
    """
    if value == 0 or not math.isfinite(value):
        return str(value)
    decimals = min(6, max(0, digits - 1 - math.floor(math.log10(abs(value)))))
    return f"{value:.{decimals}f}"


def _baseline_cells(row: StageRow, engine: str) -> tuple[str, str]:
    status = getattr(row, f"{engine}_status")
    seconds = getattr(row, f"{engine}_s")
    ratio = row.ratio(engine)
    if status == "ok" and seconds is not None:
        return _sig(seconds, 4), f"{_sig(ratio, 3)}x" if ratio is not None else "-"
    if status == "timeout" and seconds is not None:
        return f">{_sig(seconds, 4)} s", f">{_sig(ratio, 3)}x" if ratio is not None else "-"
    return status, "-"


def _rows_cell(row: StageRow) -> str:
    counts = [row.rows, row.rdflib_rows, row.pyoxigraph_rows]
    if row.rows is None:
        return ""
    if len({c for c in counts if c is not None}) == 1:
        return f"{row.rows:,}"
    return " vs ".join("-" if c is None else str(c) for c in counts) + " (dmkg/rdflib/pyox)"


def _size_table(size: SizeResult, settings: dict[str, Any]) -> str:
    header = (
        "stage",
        "dmkg s",
        "dmkg peak MB",
        "rdflib s",
        "ratio",
        "pyoxigraph s",
        "ratio",
        "rows",
    )
    lines = [header]
    for row in size.stages:
        rdflib = _baseline_cells(row, "rdflib")
        pyox = _baseline_cells(row, "pyoxigraph")
        lines.append(
            (
                row.label,
                _sig(row.dmkg_s, 4),
                f"{row.dmkg_peak_mb:.0f}",
                *rdflib,
                *pyox,
                _rows_cell(row),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        (
            f"== {size.patients:,} patients: {size.triples:,} triples "
            f"({size.data_triples:,} from the loaders, {size.inferred:,} inferred), seed "
            f"{settings['seed']}, {settings['workers']} worker process(es), store "
            f"{'on disk' if settings['on_disk'] else 'in memory'} =="
        )
    ]
    for k, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:-1], widths[1:])]
        text.append("  ".join(cells + [line[-1]]).rstrip())
        if k == 0:
            text.append("-" * len(text[-1]))
    notes = [
        (
            f"dmkg peak MB: highest RSS summed over the process tree (the process and its "
            f"worker processes), sampled every {SAMPLE_INTERVAL * 1000:.0f} ms; pages a "
            "worker shares with its parent count in both, so it is an upper bound."
        ),
        (
            f"rdflib, pyoxigraph: the final graph ({size.triples:,} triples, "
            f"{size.ntriples_mb:,.0f} MB of N-Triples) read by rdflib.Graph().parse and "
            f"pyoxigraph.Store({'DIR' if settings['on_disk'] else ''}).bulk_load, in row "
            "'build (total)': reading the finished graph, where dmkg's build starts from the "
            "registry files and also validates and infers; then the same query text and "
            "parameters. ratio = baseline s / dmkg s (above 1: dmkg quicker); '-': no such "
            "stage in the baseline."
        ),
    ]
    if size.batches:
        from kg.build.store import BATCH_STEPS

        steps = "; ".join(f"{name}: {what}" for name, what in BATCH_STEPS.items())
        notes.append(
            f"'(summed)' rows: the steps inside load+validate, timed in each of the "
            f"{size.batches:,} batch(es) and added up; batches run "
            f"{size.batch_workers} at a time in worker processes while the main "
            "process stores each finished one, so the steps can add up to more than "
            "the stage's wall time. Their peak MB is one process's highest RSS in "
            f"that step. {steps}."
        )
    if size.rdflib_reason:
        notes.append(f"rdflib not run: {size.rdflib_reason}.")
    else:
        notes.append(
            f"rdflib: each query in a forked process killed after "
            f"{settings['baseline_timeout']:g} s; parse peak "
            f"{size.rdflib_load_peak_mb or 0:,.0f} MB (pyoxigraph "
            f"{size.pyoxigraph_load_peak_mb or 0:,.0f} MB)."
        )
    if settings["repeat"] > 1:
        notes.append(f"queries: best of {settings['repeat']} runs on each engine.")
    return "\n".join(text + notes)


def _growth_table(report: BenchReport) -> str:
    steps = report.growth()
    header = ["stage"] + [
        f"{s['from']:,}->{s['to']:,} (size x{_sig(s['size_ratio'], 3)})" for s in steps
    ]
    lines = [
        header,
        ["triples"] + [f"x{_sig(s['triples_ratio'], 3)}" for s in steps],
        ["peak MB (highest stage)"] + [f"x{_sig(s['peak_mb_ratio'], 3)}" for s in steps],
    ]
    for row in report.sizes[-1].stages:
        cells = [row.label]
        for step in steps:
            ratio = step["time_ratio"].get(row.name)
            cells.append("-" if ratio is None else f"x{_sig(ratio, 3)}")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = [
        (
            "growth between consecutive sizes: time at the larger size / time at the smaller "
            "(growth in step with the size ratio is linear)"
        )
    ]
    for k, line in enumerate(lines):
        out.append(
            "  ".join(
                [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
            )
        )
        if k == 0:
            out.append("-" * len(out[-1]))
    return "\n".join(out)


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, system, Python and the RDF engines' versions."""
    import pyoxigraph
    import rdflib

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PHYS_PAGES") * _PAGE / 1024**3
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
    }


def _machine_line(info: dict[str, Any], load: dict[str, float]) -> str:
    text = (
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']:g} GB RAM, "
        f"{info['system']}, Python {info['python']}, pyoxigraph {info['pyoxigraph']}, "
        f"rdflib {info['rdflib']}"
    )
    if load:
        text += (
            f"; load average {load['start']:.2f} at the start, {load['end']:.2f} at the "
            "end (other work on the machine slows every engine alike)"
        )
    return text


def write_json(report: BenchReport, path: Path) -> None:
    """Write the report's numbers as JSON, atomically (a temporary file, then a rename)."""
    path = Path(path)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, prefix=f".{path.name}.", suffix=".tmp"
    ) as handle:
        temporary = Path(handle.name)
        try:
            json.dump(report.as_dict(), handle, indent=2)
            handle.write("\n")
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
    os.replace(temporary, path)


# ------------------------------------------------------------------------------------------
# the measurements, each in a fresh process
# ------------------------------------------------------------------------------------------


def _bench_bindings() -> dict[str, dict[str, Any]]:
    """The rdflib terms each canned query is run with (BENCH_PARAMS and the defaults)."""
    from kg.ontology import load_ontology
    from kg.query.canned import bind_params, list_queries
    from kg.terms import TermIndex

    terms = TermIndex(load_ontology())
    return {
        q.name: bind_params(q, BENCH_PARAMS.get(q.name, {}), None, terms)
        for q in list_queries(include_checks=False)
    }


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, rows = math.inf, 0
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        rows = run()
        best = min(best, time.perf_counter() - started)
    return best, rows


def _dmkg_rows(store: Any, name: str, params: dict[str, str], terms: Any) -> int:
    from kg.query.canned import run_query

    return len(run_query(store, name, params, terms=terms).rows)


def _ox_rows(store: Any, text: str) -> int:
    return sum(1 for _ in store.query(text))


# build_store announces each stage as "[name] what ..." and ends it with "[name] done in"
_START = re.compile(r"\[([^\]\s]+)\] (?!done in )")
_END = re.compile(r"\[([^\]\s]+)\] done in ")


def _measure_dmkg(spec: dict[str, Any]) -> dict[str, Any]:
    """Generate, build and query one registry (in this process and its workers)."""
    import pyoxigraph as ox

    from kg.ontology import load_ontology
    from kg.query.canned import list_queries
    from kg.build.store import build_store
    from kg.store.stores import OxigraphStore
    from kg.sources.synth import write_registry
    from kg.terms import TermIndex

    patients, prefix = spec["patients"], f"[{spec['patients']:,} patients]"
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    with MemorySampler() as memory:

        def progress(message: str) -> None:
            if (end := _END.match(message)) is not None:
                memory.end(end.group(1))
            elif (start := _START.match(message)) is not None:
                memory.begin(start.group(1))
            _stderr(f"{prefix} {message}")

        _stderr(f"{prefix} [generate] drawing the registry ...")
        with memory.stage("generate"):
            started = time.perf_counter()
            folder = write_registry(Path(spec["registry"]), patients=patients, seed=spec["seed"])
            seconds["generate"] = time.perf_counter() - started
        target = Path(spec["store"]) if spec.get("store") else None
        with memory.stage("build"):
            started = time.perf_counter()
            result = build_store([folder], target, workers=spec["workers"], progress=progress)
            seconds["build"] = time.perf_counter() - started
        build = list(result.stages)  # in the order they ran
        missing = [s for s in build if s not in memory.peaks]
        if missing or not build:
            raise DmkgError(
                "no memory peak for the build stage(s) "
                f"{', '.join(missing) or '(none reported)'}: kg.build.store no "
                "longer announces its stages as '[name] ...' / '[name] done in'"
            )
        seconds.update(result.stages)
        # the steps inside load+validate, summed over the batches (a process's own peak)
        seconds.update(result.steps)
        terms = TermIndex(load_ontology())
        wrapped = OxigraphStore(result.store)
        for query in list_queries(include_checks=False):
            params = BENCH_PARAMS.get(query.name, {})
            run = partial(_dmkg_rows, wrapped, query.name, params, terms)
            with memory.stage(query.name):
                seconds[query.name], rows[query.name] = _best(run, spec["repeat"])
        _stderr(f"{prefix} [queries] {len(rows)} canned queries done")
        peaks = {**memory.peaks, **result.step_peaks_mb}
    result.store.dump(spec["ntriples"], format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return {
        "seconds": seconds,
        "peaks": peaks,
        "rows": rows,
        "build": build,
        "steps": list(result.steps),
        "batches": result.batches,
        "batch_workers": result.workers,
        "triples": result.triples,
        "data_triples": result.data_triples,
        "inferred": result.inferred,
        "patients_in_graph": result.patients,
    }


def _measure_pyoxigraph(spec: dict[str, Any]) -> dict[str, Any]:
    """Raw pyoxigraph: bulk_load the N-Triples (into a store folder with ``--on-disk``), then
    the query text with its parameters as a ``VALUES`` row."""
    import pyoxigraph as ox

    from kg.query.canned import load_query

    bindings = _bench_bindings()
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    with MemorySampler() as memory:
        with memory.stage("build"):
            started = time.perf_counter()
            store: Any = ox.Store(spec["store"]) if spec.get("store") else ox.Store()
            store.bulk_load(path=spec["ntriples"], format=ox.RdfFormat.N_TRIPLES)
            seconds["build"] = time.perf_counter() - started
        for name, bound in bindings.items():
            # pyoxigraph's substitutions only bind projected variables; a VALUES row works
            # for all (and is the text dmkg sends too)
            text = with_values(load_query(name).text, bound)
            seconds[name], rows[name] = _best(partial(_ox_rows, store, text), spec["repeat"])
    return {
        "seconds": seconds,
        "rows": rows,
        "load_peak_mb": memory.peaks["build"],
        "status": {name: "ok" for name in seconds},
    }


def _rdflib_query(graph: Any, text: str, bound: dict[str, Any], repeat: int, conn: Any) -> None:
    """Forked child: run one query ``repeat`` times on the parent's graph, sending
    ("ok", seconds, rows) after each run, or ("failed", message, 0)."""
    from rdflib.term import Variable

    try:
        init = {Variable(k): v for k, v in bound.items()}
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            count = len(list(graph.query(text, initBindings=init)))
            conn.send(("ok", time.perf_counter() - started, count))
    except Exception as exc:  # noqa: BLE001 - reported as a failed baseline query
        conn.send(("failed", f"{type(exc).__name__}: {str(exc)[:200]}", 0))
    finally:
        conn.close()


def _rdflib_runs(
    context: Any, graph: Any, text: str, bound: dict[str, Any], timeout: float, repeat: int
) -> tuple[str, float | str, int]:
    """(status, best seconds or a message, rows) of one query in a forked process; each
    run may take ``timeout`` seconds, and the process is killed at the first that does not
    finish in time (a query with an earlier complete run keeps that run's time)."""
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_rdflib_query, args=(graph, text, bound, repeat, send), daemon=True
    )
    child.start()
    send.close()
    best: tuple[str, float | str, int] = ("timeout", timeout, 0)
    try:
        for _ in range(max(1, repeat)):
            if not receive.poll(timeout):
                break
            try:
                outcome, value, count = receive.recv()
            except EOFError:  # the child died without an answer (e.g. out of memory)
                return "failed", f"the process ended with exit code {child.exitcode}", 0
            if outcome != "ok":
                return outcome, value, count
            if best[0] != "ok" or value < best[1]:
                best = ("ok", float(value), int(count))
        return best
    finally:
        child.kill()
        child.join()
        receive.close()


def rdflib_queries(
    graph: Any,
    queries: dict[str, tuple[str, dict[str, Any]]],
    timeout: float,
    repeat: int = 1,
    progress: Progress = _stderr,
) -> tuple[dict[str, float], dict[str, int], dict[str, str]]:
    """Run each query (text, bindings) on an rdflib graph in a forked process, best of
    ``repeat`` runs, each run killed after ``timeout`` seconds: (seconds, rows, status) by
    query name; a killed query's seconds are the limit and its status is ``timeout``."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    gc.freeze()  # keep the parsed graph out of the children's garbage collections (fewer
    # copy-on-write pages)
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    status: dict[str, str] = {}
    for name, (text, bound) in queries.items():
        outcome, value, count = _rdflib_runs(context, graph, text, bound, timeout, repeat)
        status[name] = outcome
        if outcome == "ok":
            seconds[name], rows[name] = float(value), count
            progress(f"rdflib: query {name}: {seconds[name]:.3f} s")
        elif outcome == "timeout":
            seconds[name] = timeout
            progress(f"rdflib: query {name}: killed after {timeout:g} s")
        else:
            progress(f"rdflib: query {name} failed: {value}")
    return seconds, rows, status


def _measure_rdflib(spec: dict[str, Any]) -> dict[str, Any]:
    """Plain rdflib: parse the N-Triples into a Graph, then the query text with initBindings."""
    from rdflib import Graph

    from kg.query.canned import load_query

    bindings = _bench_bindings()
    prefix = f"[{spec['patients']:,} patients]"
    with MemorySampler() as memory, memory.stage("build"):
        started = time.perf_counter()
        graph = Graph().parse(spec["ntriples"], format="nt")
        parsed = time.perf_counter() - started
    _stderr(f"{prefix} rdflib: parsed {len(graph):,} triples in {parsed:.1f} s")
    queries = {name: (load_query(name).text, bound) for name, bound in bindings.items()}
    seconds, rows, status = rdflib_queries(
        graph, queries, spec["timeout"], spec["repeat"], progress=lambda m: _stderr(f"{prefix} {m}")
    )
    return {
        "seconds": {"build": parsed, **seconds},
        "rows": rows,
        "status": {"build": "ok", **status},
        "load_peak_mb": memory.peaks["build"],
    }


_MEASURES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "dmkg": _measure_dmkg,
    "pyoxigraph": _measure_pyoxigraph,
    "rdflib": _measure_rdflib,
}


def _child_main(argv: Sequence[str]) -> int:
    """Entry point of a measuring process: ``SPEC.json OUT.json``."""
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    try:
        answer = _MEASURES[spec["kind"]](spec)
    except DmkgError as exc:
        answer = {"error": str(exc)}
    Path(argv[1]).write_text(json.dumps(answer), encoding="utf-8")
    return 1 if "error" in answer else 0


_CHILD = "import sys; from kg.bench.run import _child_main; sys.exit(_child_main(sys.argv[1:]))"


def _in_child(spec: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return what it found."""
    name = f"{spec['kind']}-{spec['patients']}"
    spec_file, out_file = work / f"{name}.spec.json", work / f"{name}.out.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(spec_file), str(out_file)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    answer: dict[str, Any] = (
        json.loads(out_file.read_text(encoding="utf-8")) if out_file.is_file() else {}
    )
    if done.returncode != 0 or "error" in answer:
        detail = answer.get("error") or f"exit code {done.returncode}; see the messages above"
        raise DmkgError(
            f"benchmark of {spec['patients']:,} patients ({spec['kind']}) failed: {detail}"
        )
    return answer


# ------------------------------------------------------------------------------------------
# the run
# ------------------------------------------------------------------------------------------


def _measure_size(
    patients: int, settings: dict[str, Any], work: Path, keep: Path | None, before: list[SizeResult]
) -> SizeResult:
    registry = (keep / f"{patients}-patients") if keep else work / "registry"
    ntriples = work / "graph.nt"
    common = {"patients": patients, "repeat": settings["repeat"], "ntriples": str(ntriples)}
    dmkg = _in_child(
        {
            **common,
            "kind": "dmkg",
            "seed": settings["seed"],
            "workers": settings["workers"],
            "registry": str(registry),
            "store": str(work / "store") if settings["on_disk"] else None,
        },
        work,
    )
    pyox = _in_child(
        {
            **common,
            "kind": "pyoxigraph",
            "store": str(work / "baseline-store") if settings["on_disk"] else None,
        },
        work,
    )
    rdflib_reason = None
    ran = [s for s in before if s.rdflib_load_peak_mb is not None]
    measured = (
        f"; at {ran[-1].patients:,} patients, {ran[-1].triples:,} triples, its parse "
        f"peaked at {ran[-1].rdflib_load_peak_mb:,.0f} MB"
        if ran
        else ""
    )
    if patients > settings["rdflib_max_patients"]:
        rdflib_reason = (
            f"{patients:,} patients is above --rdflib-max-patients "
            f"{settings['rdflib_max_patients']:,} (rdflib holds every triple as "
            f"Python objects{measured}; a larger --rdflib-max-patients runs it)"
        )
        rdflib: dict[str, Any] = {"seconds": {}, "rows": {}, "status": {}}
    else:
        rdflib = _in_child(
            {**common, "kind": "rdflib", "timeout": settings["baseline_timeout"]}, work
        )
    size_mb = ntriples.stat().st_size / 1e6
    ntriples.unlink()
    seconds, peaks = dmkg["seconds"], dmkg["peaks"]
    rows: list[StageRow] = []
    build = dmkg["build"]
    steps = dmkg.get("steps", [])
    names = ["generate", *build, "build", *dmkg["rows"]]
    at = names.index("load+validate") + 1 if "load+validate" in names else len(build) + 1
    names[at:at] = steps
    for name in names:
        kind = (
            "build"
            if name == "build"
            else "query"
            if name in dmkg["rows"]
            else "step"
            if name in steps
            else "stage"
        )
        row = StageRow(name, kind, seconds[name], peaks[name], dmkg["rows"].get(name))
        for engine, found in (("rdflib", rdflib), ("pyoxigraph", pyox)):
            if name in found["seconds"]:
                setattr(row, f"{engine}_s", found["seconds"][name])
                setattr(row, f"{engine}_rows", found["rows"].get(name))
            if name in found["status"]:
                setattr(row, f"{engine}_status", found["status"][name])
            elif engine == "rdflib" and rdflib_reason and kind in ("build", "query"):
                row.rdflib_status = "not run"
        rows.append(row)
    return SizeResult(
        patients,
        dmkg["triples"],
        dmkg["data_triples"],
        dmkg["inferred"],
        round(size_mb, 1),
        dmkg["patients_in_graph"],
        rows,
        rdflib_reason,
        rdflib.get("load_peak_mb"),
        pyox.get("load_peak_mb"),
        dmkg.get("batches", 0),
        dmkg.get("batch_workers", 0),
    )


def run_bench(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    seed: int = 1,
    workers: int | None = None,
    repeat: int = 1,
    rdflib_max_patients: int = 10_000,
    baseline_timeout: float = 120.0,
    keep: Path | None = None,
    on_disk: bool = False,
    progress: Progress = _stderr,
) -> BenchReport:
    """Measure every size (ascending), each in fresh processes; see the module docstring.

    ``keep`` keeps each generated registry as ``KEEP/<N>-patients/synth/``; ``repeat`` runs
    each query that many times on each engine and keeps the best; ``on_disk`` builds into a
    store folder (as ``dmkg build --store`` does, adding the persist stage) instead of memory.
    """
    sizes = sorted(set(sizes))
    settings = {
        "patients": sizes,
        "seed": seed,
        "workers": workers or min(2, os.cpu_count() or 1),
        "repeat": repeat,
        "rdflib_max_patients": rdflib_max_patients,
        "baseline_timeout": baseline_timeout,
        "on_disk": on_disk,
    }
    load = {"start": os.getloadavg()[0]}
    results: list[SizeResult] = []
    for patients in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"dmkg-bench-{patients}-"))
        try:
            progress(
                f"[{patients:,} patients] measuring (dmkg, then pyoxigraph"
                + (", then rdflib" if patients <= rdflib_max_patients else "")
                + ")"
            )
            results.append(_measure_size(patients, settings, work, keep, results))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load["end"] = os.getloadavg()[0]
    return BenchReport(results, machine(), settings, load)
