"""``dmkg bench-startup``: how long a user waits for the command itself.

Each command runs in a fresh process, ``repeat`` times; the best and the median wall times
are printed beside the floor every Python command pays (``python -c pass``, the named
alternative), as a ratio, and against the goals of the one-core layout: ``dmkg --help`` within
0.3 s and ``dmkg query cancer-sites --graph build`` within 0.5 s. The heavy libraries that
``import kg`` loads are listed too (none is the goal).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["HEAVY", "StartupRow", "measure_startup", "startup_text"]

#: libraries ``import kg`` and ``dmkg --help`` must not load
HEAVY = ("pyshacl", "owlready2", "matplotlib", "pandas", "scipy", "networkx", "lifelines",
         "pyoxigraph", "starlette")  # fmt: skip

#: seconds allowed for each timed command (None: no goal, shown for comparison)
_GOALS = {"python -c pass": None, "import kg": None, "dmkg --help": 0.3,
          "dmkg query cancer-sites --graph DIR": 0.5}  # fmt: skip


class StartupRow:
    """One command's best and median seconds over the runs."""

    def __init__(self, name: str, seconds: list[float]) -> None:
        self.name = name
        self.best = min(seconds)
        self.median = statistics.median(seconds)
        self.goal = _GOALS.get(name)


def _time(command: list[str], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return seconds


def heavy_imports() -> list[str]:
    """The libraries of :data:`HEAVY` that ``import kg`` and building the parser load."""
    code = (
        "import sys, kg, kg.cli.entry; kg.cli.entry.build_parser(); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.split()


def measure_startup(graph: Path, repeat: int = 5) -> list[StartupRow]:
    """Time the commands of :data:`_GOALS` (``graph``: a build folder for the query)."""
    python = [sys.executable, "-P"]
    commands = {
        "python -c pass": [*python, "-c", "pass"],
        "import kg": [*python, "-c", "import kg"],
        "dmkg --help": [*python, "-m", "kg.cli", "--help"],
        "dmkg query cancer-sites --graph DIR": [
            *python, "-m", "kg.cli", "query", "cancer-sites", "--graph", str(graph),
        ],
    }  # fmt: skip
    return [StartupRow(name, _time(command, repeat)) for name, command in commands.items()]


def startup_text(rows: list[StartupRow], heavy: list[str]) -> str:
    """The table: best and median seconds, ratio to ``python -c pass``, the goal and verdict."""
    floor = rows[0].best
    lines = [f"{'command':<38} {'best s':>7} {'median s':>9} {'x python':>9}  goal"]
    for row in rows:
        verdict = ""
        if row.goal is not None:
            verdict = f"<= {row.goal:g} s: {'met' if row.best <= row.goal else 'NOT met'}"
        lines.append(
            f"{row.name:<38} {row.best:>7.3f} {row.median:>9.3f} {row.best / floor:>9.1f}  {verdict}"
        )
    lines.append(
        f"heavy libraries loaded by import kg and dmkg --help: {', '.join(heavy) or 'none'}"
    )
    return "\n".join(lines) + "\n"
