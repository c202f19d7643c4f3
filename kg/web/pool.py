"""Run users' SPARQL in worker processes that can be killed when a query runs too long.

rdflib evaluates a query in pure Python and cannot be interrupted from another thread, so a
hostile query (a cross join, a ``(a|b)*`` path, a catastrophic regex) would hold a thread
forever. Each query therefore runs in a forked worker process that already holds the graph;
if no answer comes within the time limit, the worker is killed and replaced, and the client
gets a 503 with a message. Other requests go to the other workers meanwhile.

One client must not starve the others by holding every worker with hostile queries. A
request that finds no idle worker gets a freshly forked one (up to ``workers + BURST`` at
once); a query that has used ``SLOW_AFTER`` seconds of CPU is reniced to the lowest CPU
priority, and only ``workers`` such long queries run at once: a long query beyond them is
stopped with a 503. A short query therefore always finds a worker and the CPU. A query is
judged by the CPU its worker used, not by the time on the clock: while twenty hostile queries
share two cores, a short query waits its turn for the CPU too, and by the clock it would look
long and be stopped with them.

Workers are forked by a *zygote*: a small process forked once, when the pool starts (before
the web server starts threads), that holds the graph and forks a fresh worker whenever the
pool asks. Forking from the single-threaded zygote, never from the threaded server, keeps
the workers free of locks some server thread happened to hold at fork time. Each new
worker's end of its socket pair reaches the server over a Unix socket (``SCM_RIGHTS``).
Everything dies with the server: the zygote and the workers exit when their socket closes.

>>> from rdflib import Graph, URIRef
>>> g = Graph(); _ = g.add((URIRef("a:s"), URIRef("a:p"), URIRef("a:o")))
>>> with QueryPool(g, workers=1, timeout=5) as pool:
...     print(pool.run(QueryRequest("SELECT ?s ?p ?o { ?s ?p ?o }", "text/csv")).text.split())
['s,p,o', 'a:s,a:p,a:o']
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import socket
import struct
import threading
import time
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Self

import psutil
from rdflib import Graph

from kg.web.endpoint import Answer, QueryRequest, error, evaluate

__all__ = [
    "BURST",
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WORKERS",
    "SLOW_AFTER",
    "QueryPool",
]

DEFAULT_TIMEOUT = 10.0
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_WORKERS = 2

#: seconds of CPU after which a query counts as long: it is reniced, and only ``workers``
#: long queries run at once (more are stopped with a 503)
SLOW_AFTER = 0.5
#: seconds of CPU after which a query yields to fresh ones: it is reniced to ``_YIELD_NICE``
#: (and its worker replaced afterwards, since a process cannot take its priority back)
YIELD_AFTER = 0.05
_YIELD_NICE = 10
#: how often (seconds) a running query's CPU time is read
_TICK = 0.02
#: queries that may run at once beyond ``workers`` (each in a worker forked on demand), so a
#: short query finds a worker while long ones hold theirs
BURST = 30

_SPAWN = b"S"


def _worker_loop(conn: Connection, graph: Graph, row_limit: int) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = evaluate(graph, request, row_limit)
        except BaseException as exc:  # noqa: BLE001 - report, never die silently
            answer = error(500, f"the worker failed: {type(exc).__name__}: {str(exc)[:300]}")
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


def _zygote_loop(control: socket.socket, graph: Graph, row_limit: int) -> None:
    # the zygote forks workers and never waits for them: the kernel reaps them
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    while True:
        try:
            command = control.recv(1)
        except OSError:
            return
        if command != _SPAWN:
            return  # the server closed the control socket (or sent anything else): stop
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker
            status = 0
            try:
                control.close()
                theirs.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which
                # then closes our socket; the worker must not print a KeyboardInterrupt
                _worker_loop(Connection(ours.detach()), graph, row_limit)
            except BaseException:  # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        ours.close()
        socket.send_fds(control, [struct.pack("!i", pid)], [theirs.fileno()])
        theirs.close()


class _Worker:
    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
        try:
            self._process: psutil.Process | None = psutil.Process(pid)
        except psutil.Error:  # it died at once: its connection reports that
            self._process = None

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the worker has used so far; 0 once it is gone."""
        if self._process is None:
            return 0.0
        try:
            times = self._process.cpu_times()
        except psutil.Error:
            return 0.0  # the worker died: its connection reports that
        return float(times.user + times.system)

    def renice(self, nice: int) -> bool:
        """Lower the worker's CPU priority to ``nice``; whether that worked."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, nice)
        except OSError:
            return False
        return True

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.conn.close()


class QueryPool:
    """Worker processes holding ``graph``; :meth:`run` answers one query within ``timeout``.

    ``workers`` idle workers wait for queries; more are forked on demand, up to
    ``workers + BURST`` queries at once (a request beyond that waits up to ``timeout``
    seconds, then gets a 503), of which at most ``workers`` may run past ``SLOW_AFTER``
    seconds of CPU. ``row_limit`` caps result rows (or CONSTRUCT triples); a larger result is
    refused with a 400, never cut short.
    """

    def __init__(
        self,
        graph: Graph,
        *,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        row_limit: int = DEFAULT_ROW_LIMIT,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        if timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout}")
        self.timeout = float(timeout)
        self.row_limit = int(row_limit)
        self.size = workers
        self.killed = 0  # workers killed for running past the time limit
        self.refused = 0  # long queries stopped because ``workers`` long ones already ran
        self.max_running = workers + BURST
        self._running = threading.BoundedSemaphore(self.max_running)
        self._slow_count = 0
        self._lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._closed = False
        control, zygote_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            status = 0
            try:
                control.close()
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _zygote_loop(zygote_end, graph, self.row_limit)
            except BaseException:  # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        zygote_end.close()
        self._control = control
        self._zygote_pid = pid
        for _ in range(workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("the query pool is closed")
            self._control.sendall(_SPAWN)
            data, fds, _, _ = socket.recv_fds(self._control, 4, 1)
            if len(data) != 4 or len(fds) != 1:
                raise RuntimeError("the query pool's zygote process stopped; restart the server")
            worker = _Worker(struct.unpack("!i", data)[0], Connection(fds[0]))
            self._all.add(worker)
            return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def run(self, request: QueryRequest) -> Answer:
        """Answer one query: the result, or an error with a 4xx or 5xx status."""
        started = time.monotonic()
        if not self._running.acquire(timeout=self.timeout):
            return error(
                503, f"every query worker stayed busy for {self.timeout:g} s; try again later"
            )
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:  # every idle worker is in use: fork another
                try:
                    worker = self._spawn()
                except (OSError, RuntimeError) as exc:
                    return error(503, f"no query worker could be started ({exc})")
            answer, healthy = self._ask(worker, request, started)
            if healthy and self._idle.qsize() < self.size:
                self._idle.put(worker)
            else:
                self._retire(worker)
                # forking takes ~25 ms for a 1 GB graph: not on this answer's path
                threading.Thread(target=self._replace, daemon=True).start()
            return answer
        finally:
            self._running.release()

    def _ask(self, worker: _Worker, request: QueryRequest, started: float) -> tuple[Answer, bool]:
        """Send a query to a worker; the answer, and whether the worker can be used again."""
        try:
            spent = worker.cpu_seconds()
            worker.conn.send(request)
            yielded = False
            while not worker.conn.poll(_TICK):
                used = worker.cpu_seconds() - spent
                if used >= SLOW_AFTER:
                    return self._slow(worker, started)
                if used >= YIELD_AFTER and not yielded:
                    yielded = worker.renice(_YIELD_NICE)
                if time.monotonic() - started >= self.timeout:
                    self.killed += 1
                    return self._timed_out(), False
            answer = worker.conn.recv()
        except (EOFError, OSError, pickle.PickleError) as exc:
            return error(
                500, f"the query worker stopped unexpectedly ({type(exc).__name__})"
            ), False
        if not isinstance(answer, Answer):
            return error(500, "the query worker sent an unreadable answer"), False
        return answer, not yielded

    def _slow(self, worker: _Worker, started: float) -> tuple[Answer, bool]:
        """A query past SLOW_AFTER of CPU: at most ``size`` run on, at the lowest CPU priority."""
        with self._lock:
            admitted = self._slow_count < self.size
            if admitted:
                self._slow_count += 1
        if not admitted:
            self.refused += 1
            return error(
                503,
                f"too many long queries at once: at most {self.size} may run past "
                f"{SLOW_AFTER:g} s of CPU together, and this one was stopped; narrow it, add a "
                "LIMIT or try again later",
            ), False
        try:
            worker.renice(19)  # a niced worker leaves the CPU to short queries
            remaining = max(0.0, self.timeout - (time.monotonic() - started))
            if not worker.conn.poll(remaining):
                self.killed += 1
                return self._timed_out(), False
            answer = worker.conn.recv()
        except (EOFError, OSError, pickle.PickleError) as exc:
            return error(
                500, f"the query worker stopped unexpectedly ({type(exc).__name__})"
            ), False
        finally:
            with self._lock:
                self._slow_count -= 1
        if not isinstance(answer, Answer):
            return error(500, "the query worker sent an unreadable answer"), False
        return answer, False  # niced for good: a fresh worker takes its place

    def _timed_out(self) -> Answer:
        return error(
            503,
            f"the query ran longer than this endpoint's limit of {self.timeout:g} s and was "
            "stopped; narrow it or add a LIMIT",
        )

    def _replace(self) -> None:
        """Fork a fresh worker for one that was retired, unless enough wait or the pool is
        closing (two requests may both fork one: a worker beyond ``size`` is retired after
        its next query)."""
        if self._closed or self._idle.qsize() >= self.size:
            return
        try:
            self._idle.put(self._spawn())
        except (OSError, RuntimeError):
            pass  # the pool runs with one worker fewer; requests wait for the others

    def close(self) -> None:
        """Stop the workers and the zygote."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        self._control.close()
        try:
            os.kill(self._zygote_pid, signal.SIGKILL)
            os.waitpid(self._zygote_pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and monitoring)."""
        with self._lock:
            return sorted(w.pid for w in self._all)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown
            self.close()
