"""``dmkg bench``: time and memory of each stage of a registry-scale build, beside two baselines.

For each registry size the benchmark draws a synthetic registry (:mod:`kg.sources.synth`), builds it
with :func:`kg.build.store.build_store` (each stage it reports is timed, and the whole call)
and runs every canned query through :func:`kg.query.run_query`; then, on the same data, two
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

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kg.bench.baselines import _measure_pyoxigraph, _measure_rdflib
from kg.bench.measure import Progress, _measure_dmkg, _stderr
from kg.bench.report import BenchReport, machine
from kg.bench.results import SizeResult, StageRow
from kg.bench.validate import VALIDATE_ROW
from kg.bench.virtuoso import VIRTUOSO, _measure_virtuoso
from kg.errors import DmkgError

__all__ = ["DEFAULT_SIZES", "run_bench"]

#: the registry sizes ``dmkg bench`` runs when none are given
DEFAULT_SIZES = (1_000, 10_000, 100_000)


_MEASURES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "dmkg": _measure_dmkg,
    "pyoxigraph": _measure_pyoxigraph,
    "rdflib": _measure_rdflib,
    "virtuoso": _measure_virtuoso,
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


def _rdflib_skipped(
    patients: int, settings: dict[str, Any], before: list[SizeResult]
) -> str | None:
    """Why rdflib does not run at ``patients`` (None: it runs), with the parse peak of the
    largest size it ran at."""
    ran = [s for s in before if s.rdflib_load_peak_mb is not None]
    measured = (
        f"; at {ran[-1].patients:,} patients, {ran[-1].triples:,} triples, its parse "
        f"peaked at {ran[-1].rdflib_load_peak_mb:,.0f} MB"
        if ran
        else ""
    )
    if patients > settings["rdflib_max_patients"]:
        return (
            f"{patients:,} patients is above --rdflib-max-patients "
            f"{settings['rdflib_max_patients']:,} (rdflib holds every triple as "
            f"Python objects{measured}; a larger --rdflib-max-patients runs it)"
        )
    return None


def _stage_rows(
    dmkg: dict[str, Any],
    rdflib: dict[str, Any],
    pyox: dict[str, Any],
    rdflib_reason: str | None,
    virtuoso: dict[str, Any],
) -> list[StageRow]:
    """A row per stage, summed step and canned query, with each engine's numbers."""
    seconds, peaks = dmkg["seconds"], dmkg["peaks"]
    rows: list[StageRow] = []
    build = dmkg["build"]
    steps = dmkg.get("steps", [])
    validate = [VALIDATE_ROW] if VALIDATE_ROW in seconds else []  # the whole command
    names = ["generate", *validate, *build, "build", *dmkg["rows"]]
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
        row.command_s = dmkg.get("commands", {}).get(name)
        for engine, found in (("rdflib", rdflib), ("pyoxigraph", pyox), ("virtuoso", virtuoso)):
            if name in found["seconds"]:
                setattr(row, f"{engine}_s", found["seconds"][name])
                setattr(row, f"{engine}_rows", found["rows"].get(name))
            if name in found["status"]:
                setattr(row, f"{engine}_status", found["status"][name])
            elif engine == "rdflib" and rdflib_reason and kind in ("build", "query"):
                row.rdflib_status = "not run"
            elif engine == "virtuoso" and "reason" in virtuoso and kind in ("build", "query"):
                row.virtuoso_status = "not run"
        rows.append(row)
    return rows


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
    rdflib_reason = _rdflib_skipped(patients, settings, before)
    if rdflib_reason is not None:
        rdflib: dict[str, Any] = {"seconds": {}, "rows": {}, "status": {}}
    else:
        rdflib = _in_child(
            {**common, "kind": "rdflib", "timeout": settings["baseline_timeout"]}, work
        )
    virtuoso = _run_virtuoso(patients, settings, work, common, dmkg["triples"])
    size_mb = ntriples.stat().st_size / 1e6
    ntriples.unlink()
    return SizeResult(
        patients,
        dmkg["triples"],
        dmkg["data_triples"],
        dmkg["inferred"],
        round(size_mb, 1),
        dmkg["patients_in_graph"],
        _stage_rows(dmkg, rdflib, pyox, rdflib_reason, virtuoso),
        rdflib_reason,
        rdflib.get("load_peak_mb"),
        pyox.get("load_peak_mb"),
        dmkg.get("batches", 0),
        dmkg.get("batch_workers", 0),
        virtuoso.get("reason"),
        virtuoso.get("load_peak_mb"),
        virtuoso.get("errors", {}),
        pyox.get("load_cpu_s"),
    )


def _run_virtuoso(
    patients: int, settings: dict[str, Any], work: Path, common: dict[str, Any], triples: int
) -> dict[str, Any]:
    """Virtuoso's numbers (:mod:`kg.bench.virtuoso`), or why it did not run."""
    nothing: dict[str, Any] = {"seconds": {}, "rows": {}, "status": {}}
    if not settings["virtuoso"]:
        return {**nothing, "reason": "--no-virtuoso"}
    if VIRTUOSO is None:
        return {
            **nothing,
            "reason": "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)",
        }
    found = _in_child(
        {**common, "kind": "virtuoso", "folder": str(work / "virtuoso"), "triples": triples},
        work,
    )
    shutil.rmtree(work / "virtuoso", ignore_errors=True)
    if found["triples"] != triples:
        found["errors"]["bulk load"] = (
            f"Virtuoso holds {found['triples']:,} triples after the bulk load, not the "
            f"graph's {triples:,}"
        )
    return dict(found)


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
    virtuoso: bool | None = None,
    progress: Progress = _stderr,
) -> BenchReport:
    """Measure every size (ascending), each in fresh processes; see the module docstring.

    ``keep`` keeps each generated registry as ``KEEP/<N>-patients/synth/``; ``repeat`` runs
    each query that many times on each engine and keeps the best; ``on_disk`` builds into a
    store folder (as ``dmkg build --store`` does, adding the persist stage) instead of memory;
    ``virtuoso`` bulk-loads the same graph into a Virtuoso 7 server of its own and runs the
    queries there too (None: where ``virtuoso-t`` is installed).
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
        "virtuoso": VIRTUOSO is not None if virtuoso is None else virtuoso,
    }
    load = {"start": os.getloadavg()[0]}
    results: list[SizeResult] = []
    for patients in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"dmkg-bench-{patients}-"))
        try:
            progress(
                f"[{patients:,} patients] measuring (dmkg, then pyoxigraph"
                + (", then rdflib" if patients <= rdflib_max_patients else "")
                + (", then Virtuoso" if settings["virtuoso"] else "")
                + ")"
            )
            results.append(_measure_size(patients, settings, work, keep, results))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load["end"] = os.getloadavg()[0]
    return BenchReport(results, machine(), settings, load)
