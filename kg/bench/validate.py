"""The bench's ``dmkg validate`` row: the whole command on the size's registry, as a user runs it
(start-up, the loaders, the SHACL gate; batched above ``kg.cli.build.BATCHED_ABOVE``)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kg.bench.memory import MemorySampler
from kg.errors import DmkgError

__all__ = ["VALIDATE_ROW", "measure_validate", "time_validate"]

#: the row's name in the bench's tables (a stage of its own, not one of the build's)
VALIDATE_ROW = "dmkg validate"


def time_validate(folder: Path) -> float:
    """Seconds of ``dmkg validate FOLDER`` in a fresh process; the synthetic registry must pass."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise DmkgError(
            f"'dmkg validate {folder}' exited {done.returncode} on the synthetic registry: "
            + (done.stdout + done.stderr).strip()[-2000:]
        )
    return seconds


def measure_validate(
    folder: Path, memory: MemorySampler, seconds: dict[str, float], say: Callable[[str], None]
) -> None:
    """Time :func:`time_validate` into ``seconds`` and its peak into ``memory``'s stages."""
    say(f"[{VALIDATE_ROW}] the whole command on the registry ...")
    with memory.stage(VALIDATE_ROW):
        seconds[VALIDATE_ROW] = time_validate(folder)
