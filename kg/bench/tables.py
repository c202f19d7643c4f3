"""The benchmark's plain-text tables: one per registry size, and the growth between sizes."""

from __future__ import annotations

import math
from typing import Any

from kg.bench.memory import SAMPLE_INTERVAL
from kg.bench.results import SizeResult, StageRow

__all__ = []


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
    counts = [row.rows, row.rdflib_rows, row.pyoxigraph_rows, row.virtuoso_rows]
    if row.rows is None:
        return ""
    if len({c for c in counts if c is not None}) == 1:
        return f"{row.rows:,}"
    return (
        " vs ".join("-" if c is None else str(c) for c in counts)
        + " (dmkg/rdflib/pyox/virtuoso) MISMATCH"
    )


def _engine_notes(size: SizeResult, settings: dict[str, Any]) -> list[str]:
    return [
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


def _size_table(size: SizeResult, settings: dict[str, Any]) -> str:
    header = (
        "stage",
        "dmkg s",
        "dmkg peak MB",
        "rdflib s",
        "ratio",
        "pyoxigraph s",
        "ratio",
        "virtuoso s",
        "ratio",
        "rows",
    )
    lines = [header]
    for row in size.stages:
        rdflib = _baseline_cells(row, "rdflib")
        pyox = _baseline_cells(row, "pyoxigraph")
        virtuoso = _baseline_cells(row, "virtuoso")
        lines.append(
            (
                row.label,
                _sig(row.dmkg_s, 4),
                f"{row.dmkg_peak_mb:.0f}",
                *rdflib,
                *pyox,
                *virtuoso,
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
    notes = _engine_notes(size, settings)
    if size.batches:
        from kg.build.batches import BATCH_STEPS

        steps = "; ".join(f"{name}: {what}" for name, what in BATCH_STEPS.items())
        notes.append(
            f"'(summed)' rows: the steps inside load+validate, their CPU seconds (not wall "
            f"time) taken in each of the {size.batches:,} batch(es) and added up; batches run "
            f"{size.batch_workers} at a time in worker processes while the main "
            "process reads each finished one into the store, so the steps can add up to "
            "more than the stage's wall time, and a step's CPU does not count its waits for a "
            "core, so it grows with the work alone. Their peak MB is one process's highest "
            f"RSS in that step. {steps}."
        )
    if size.pyoxigraph_load_cpu_s is not None:
        notes.append(
            "pyoxigraph: in row 'build (total)' its bulk loader alone (IRIs checked, no "
            f"compaction), {size.pyoxigraph_load_cpu_s:,.1f} s of CPU with its threads: "
            "divided by the machine's cores, the least wall time that loading takes before any "
            "other work (dmkg's own bulk load skips the check of the IRIs it mints)."
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
    notes.extend(_virtuoso_notes(size))
    if settings["repeat"] > 1:
        notes.append(f"queries: best of {settings['repeat']} runs on each engine.")
    return "\n".join(text + notes)


def _virtuoso_notes(size: SizeResult) -> list[str]:
    if size.virtuoso_reason:
        return [f"virtuoso not run: {size.virtuoso_reason}."]
    notes = [
        (
            "virtuoso: Virtuoso 7 (Debian's virtuoso-opensource), a server of its own on "
            "127.0.0.1; in row 'build (total)' its bulk loader (ld_dir and one rdf_loader_run "
            "a core, then a checkpoint) on the same N-Triples cut into one file a core; each "
            "query sent by dmkg's RemoteStore, as 'dmkg query NAME --endpoint URL' sends it "
            "(HTTP and JSON results included), and the labels of each answer's IRIs fetched "
            "once after it, untimed; ratio = virtuoso s / dmkg s (above 1: dmkg quicker); load "
            f"peak {size.virtuoso_load_peak_mb or 0:,.0f} MB, the server included."
        )
    ]
    for name, message in size.virtuoso_errors.items():
        notes.append(f"virtuoso failed: {name}: {message}")
    mismatches = size.row_mismatches
    notes.append(
        "rows: the same count from every engine that answered"
        if not mismatches
        else f"rows: MISMATCH between the engines in {', '.join(mismatches)}"
    )
    return notes


def _growth_table(steps: list[dict[str, Any]], last: SizeResult) -> str:
    """The growth factors ``steps`` (:meth:`kg.bench.report.BenchReport.growth`), a line per
    row of the largest size ``last``."""
    header = ["stage"] + [
        f"{s['from']:,}->{s['to']:,} (size x{_sig(s['size_ratio'], 3)})" for s in steps
    ]
    lines = [
        header,
        ["triples"] + [f"x{_sig(s['triples_ratio'], 3)}" for s in steps],
        ["peak MB (highest stage)"] + [f"x{_sig(s['peak_mb_ratio'], 3)}" for s in steps],
    ]
    for row in last.stages:
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
