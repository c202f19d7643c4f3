"""The whole ``dmkg query NAME --store DIR`` command as a user runs it: a fresh Python process
that starts, opens the on-disk store read-only, runs the canned query, labels its rows and
prints them (TSV, streamed), timed from the outside for every canned query."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from kg.bench.results import SizeResult
from kg.errors import DmkgError

__all__ = ["COMMAND_FORMAT", "command_table", "time_commands"]

#: the output format the commands are timed with (printed a chunk of rows at a time)
COMMAND_FORMAT = "tsv"


def _argv(store: Path, name: str, params: dict[str, str]) -> list[str]:
    pairs = [x for key, value in params.items() for x in ("--param", f"{key}={value}")]
    return [sys.executable, "-m", "kg.cli", "query", name, "--store", str(store),
            "--format", COMMAND_FORMAT, *pairs]  # fmt: skip


def time_commands(
    store: Path, params: dict[str, dict[str, str]], names: list[str], repeat: int = 1
) -> tuple[dict[str, float], dict[str, int]]:
    """Wall seconds (best of ``repeat``) and rows printed of each command, by query name; a
    command that fails is an error naming it and what it printed on stderr."""
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name in names:
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            done = subprocess.run(
                _argv(store, name, params.get(name, {})),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
            took = time.perf_counter() - started
            if done.returncode != 0:
                raise DmkgError(
                    f"'dmkg query {name} --store {store}' exited with {done.returncode}: "
                    f"{done.stderr.decode('utf-8', 'replace').strip()[-500:]}"
                )
            seconds[name] = min(seconds.get(name, took), took)
            rows[name] = done.stdout.count(b"\n") - 1  # the header line
    return seconds, rows


def command_table(size: SizeResult) -> str:
    """The commands' table of one size ('' where they were not timed: a store in memory)."""
    from kg.bench.tables import _sig

    timed = [r for r in size.stages if r.kind == "query" and r.command_s is not None]
    if not timed:
        return ""
    lines = [("query", "command s", "in-process s", "rows")]
    lines += [
        (r.name, _sig(r.command_s or 0.0, 4), _sig(r.dmkg_s, 4), f"{r.rows or 0:,}") for r in timed
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    text = [
        (
            f"'dmkg query NAME --store DIR --format {COMMAND_FORMAT}' as a user runs it, a fresh "
            "process each (start-up, opening the store, the query, labels, printing rows as they "
            "are labelled), beside the same query in the benchmark's process:"
        )
    ]
    for k, line in enumerate(lines):
        text.append(
            "  ".join(
                [line[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(line[1:], widths[1:])]
            )
        )
        if k == 0:
            text.append("-" * len(text[-1]))
    return "\n".join(text)
