"""The endpoint's worker pool judges a query long by the CPU it used, not by the clock.

A short query that waits for the CPU (twenty hostile queries on two cores, or here a worker
stopped with SIGSTOP) is not a long query: it must not be reniced for good or stopped as one
of "too many long queries"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import Pipe

import pytest
from rdflib import Graph, Literal, URIRef

from kg.web.endpoint import Answer, QueryRequest
from kg.web.pool import SLOW_AFTER, YIELD_AFTER, QueryPool, _Worker

JSON = "application/sparql-results+json"
CROSS_JOIN = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", JSON)
#: 40,000 rows to count: past YIELD_AFTER of CPU anywhere (it may pass SLOW_AFTER too)
PAIRS = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", JSON)
ONE_ROW = QueryRequest("SELECT ?o WHERE { <a:s0> <a:p> ?o }", JSON)

pytestmark = pytest.mark.serial  # times on the clock: run alone


@pytest.fixture
def pool() -> Iterator[QueryPool]:
    graph = Graph()
    for i in range(200):
        graph.add((URIRef(f"a:s{i}"), URIRef("a:p"), Literal(i)))
    with QueryPool(graph, workers=1, timeout=4) as running:
        yield running


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_a_query_stopped_off_the_cpu_is_not_counted_long(pool: QueryPool) -> None:
    """The one long-query place is taken; a one-row query whose worker is held off the CPU
    for three times SLOW_AFTER on the clock still answers, and nothing is refused."""
    hostile = threading.Thread(target=pool.run, args=(CROSS_JOIN,))
    hostile.start()
    _wait_for(lambda: pool._slow_count == 1, 10)  # the cross join now holds the only place
    spawn = pool._spawn

    def stopped_worker() -> _Worker:
        worker = spawn()
        os.kill(worker.pid, signal.SIGSTOP)
        threading.Timer(3 * SLOW_AFTER, os.kill, (worker.pid, signal.SIGCONT)).start()
        return worker

    pool._spawn = stopped_worker  # type: ignore[method-assign]
    before = time.monotonic()
    answer = pool.run(ONE_ROW)
    waited = time.monotonic() - before
    pool._spawn = spawn  # type: ignore[method-assign]
    assert waited >= 3 * SLOW_AFTER
    assert answer.status == 200, answer.text
    assert '"value": "0"' in answer.text or '"value":"0"' in answer.text
    assert pool.refused == 0
    pool.close()  # stops the cross join too
    hostile.join(timeout=5)
    assert not hostile.is_alive()


def test_a_query_past_the_cpu_mark_yields_and_its_worker_is_replaced(pool: QueryPool) -> None:
    """A query that used YIELD_AFTER of CPU runs on at a lower priority (seen from outside
    while it runs); its worker is not reused, since it cannot take its priority back."""
    [worker] = pool.pids
    answers: list[Answer] = []
    thread = threading.Thread(target=lambda: answers.append(pool.run(PAIRS)))
    thread.start()
    seen = []

    def lowered() -> bool:
        try:
            seen.append(os.getpriority(os.PRIO_PROCESS, worker))
        except ProcessLookupError:  # replaced already
            return True
        return seen[-1] > 0 or not thread.is_alive()

    _wait_for(lowered, 10)
    assert max(seen) > os.getpriority(os.PRIO_PROCESS, 0), seen
    thread.join(timeout=15)
    assert answers[0].status == 200 and "40000" in answers[0].text, answers[0].text
    assert worker not in pool.pids
    _wait_for(lambda: len(pool.pids) == 1, 5)  # a fresh worker took its place


def test_a_short_query_keeps_its_worker_and_priority(pool: QueryPool) -> None:
    [worker] = pool.pids
    for _ in range(5):
        assert pool.run(ONE_ROW).status == 200
    assert pool.pids == [worker]
    assert os.getpriority(os.PRIO_PROCESS, worker) == os.getpriority(os.PRIO_PROCESS, 0)
    assert YIELD_AFTER < SLOW_AFTER


def test_a_worker_gone_before_it_is_watched_reads_as_no_cpu() -> None:
    """A worker that died as it was forked must not raise from psutil in the server: its
    connection reports the death, its CPU reads as 0."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    ours, _theirs = Pipe()
    assert _Worker(gone.pid, ours).cpu_seconds() == 0.0


def test_the_help_and_the_readme_give_the_pool_s_marks(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from kg.cli import main

    assert main(["serve", "--help"]) == 0
    helptext = " ".join(capsys.readouterr().out.split())
    assert f"past {SLOW_AFTER:g} s of CPU) that run at once" in helptext
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    assert f"after {YIELD_AFTER:g} s of CPU a query gives way" in readme
    assert f"after {SLOW_AFTER:g} s of CPU it gets the lowest priority" in readme
