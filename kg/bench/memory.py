"""Memory of a benchmark: the resident set size (RSS) of this process and all its descendants,
read from ``/proc``, and its peak while each named stage ran."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Self

__all__ = ["SAMPLE_INTERVAL", "MemorySampler", "tree_rss"]


#: seconds between two memory samples
SAMPLE_INTERVAL = 0.02

_MB = 1024 * 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")


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
