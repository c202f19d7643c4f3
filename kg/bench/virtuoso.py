"""A Virtuoso 7 server of its own (Debian's virtuoso-opensource), for ``dmkg bench`` and the tests.

:class:`Virtuoso` writes a ``virtuoso.ini`` into a folder of its own (database, logs and
temporary files there; SQL and HTTP ports free on 127.0.0.1), starts ``virtuoso-t`` in the
foreground as a child process and stops it after. Queries go to the anonymous ``/sparql``
through :class:`kg.store.RemoteStore` (the path of ``dmkg query --endpoint``); updates go to
``/sparql-auth`` with Digest authentication as ``dba`` (a fresh database's default password).
:meth:`Virtuoso.bulk_load` loads N-Triples files with Virtuoso's own bulk loader (``ld_dir``
and ``rdf_loader_run`` through ``isql-vt``, one loader per core), as its manual advises for
large graphs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from kg.errors import DmkgError
from kg.store import DEFAULT_GRAPH_IRI, Endpoint, RemoteStore

__all__ = ["VIRTUOSO", "Virtuoso", "free_port", "wait_until_up"]

#: the server binary, or None where Virtuoso is not installed
VIRTUOSO = shutil.which("virtuoso-t")

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 60
DirsAllowed = ., {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until ``url`` answers (or the ``process`` serving it exits: an error)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DmkgError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    raise DmkgError(f"no answer from {url} within {seconds} s")


class Virtuoso:
    """``virtuoso-t`` on 127.0.0.1 with its database in ``folder`` (a context manager).

    ``buffers`` is the page cache in 8 KB pages (Virtuoso's manual: about 85,000 a GB of
    memory to give it); ``max_rows`` is the most rows a SPARQL answer may have (Virtuoso cuts
    longer answers silently, so keep it above every expected answer).
    """

    def __init__(
        self,
        folder: Path,
        *,
        buffers: int = 10_000,
        max_rows: int = 1_000_000,
        max_seconds: int = 600,
        timeout: float = 600,
    ) -> None:
        if VIRTUOSO is None:
            raise DmkgError(
                "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
            )
        self.binary = VIRTUOSO
        self.folder = folder.resolve()
        (self.folder / "www").mkdir(parents=True, exist_ok=True)
        self.http, self.sql = free_port(), free_port()
        ini = INI.format(
            d=self.folder,
            sql=self.sql,
            http=self.http,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            max_rows=max_rows,
            max_seconds=max_seconds,
        )
        (self.folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.base = f"http://127.0.0.1:{self.http}"
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 120) -> None:
        self.process = subprocess.Popen(
            [self.binary, "+configfile", str(self.folder / "virtuoso.ini"), "+foreground"],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"{self.base}/sparql?query=ASK%7B%7D", seconds, self.process)
        except DmkgError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def endpoint(self, password: str = "dba") -> Endpoint:
        """The endpoint ``dmkg publish`` writes through (``/sparql-auth``, Digest, ``dba``)."""
        return Endpoint(
            f"{self.base}/sparql",
            update_url=f"{self.base}/sparql-auth",
            user="dba",
            password=password,
            auth="digest",
            timeout=self.timeout,
        )

    def store(self, graph: str = DEFAULT_GRAPH_IRI) -> RemoteStore:
        """The anonymous ``/sparql`` endpoint reading ``graph``, as ``--endpoint`` opens it."""
        return RemoteStore(Endpoint(f"{self.base}/sparql", timeout=self.timeout), graph)

    # -- SQL, for the bulk loader -----------------------------------------------------------

    def isql(self, sql: str, seconds: float = 3600) -> str:
        """Run SQL statements through ``isql-vt`` as ``dba``; an error is a DmkgError."""
        binary = shutil.which("isql-vt") or shutil.which("isql")
        if binary is None:
            raise DmkgError("isql-vt is not installed (it comes with virtuoso-opensource)")
        done = subprocess.run(
            [binary, f"127.0.0.1:{self.sql}", "dba", "dba", "VERBOSE=OFF", f"EXEC={sql}"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=seconds,
            check=False,
        )
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise DmkgError(f"Virtuoso SQL {sql[:80]!r} failed: {' '.join(out.split())[:300]}")
        return out

    def bulk_load(self, files: list[Path], graph: str = DEFAULT_GRAPH_IRI) -> None:
        """Load N-Triples ``files`` into ``graph`` with Virtuoso's bulk loader: the files are
        registered with ``ld_dir``, one ``rdf_loader_run()`` per core loads them side by side,
        then a checkpoint makes them durable. Any file the loader rejected is an error."""
        folder = self.folder / "load"
        folder.mkdir(exist_ok=True)
        for i, file in enumerate(files):
            link = folder / f"part-{i:04d}.nt"
            link.unlink(missing_ok=True)
            try:
                os.link(file, link)  # no copy where the file is on the same file system
            except OSError:
                shutil.copy(file, link)
        self.isql(f"ld_dir('{folder}', '*.nt', '{graph}');")
        loaders = [
            subprocess.Popen(
                [
                    shutil.which("isql-vt") or "isql",
                    f"127.0.0.1:{self.sql}",
                    "dba",
                    "dba",
                    "VERBOSE=OFF",
                    "EXEC=rdf_loader_run();",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(max(1, min(len(files), os.cpu_count() or 1)))
        ]
        for loader in loaders:
            loader.wait()
        self.isql("checkpoint;")
        failed = self.isql(
            "SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;"
        )
        if str(folder) in failed:
            raise DmkgError(
                f"Virtuoso's bulk loader rejected a file: {' '.join(failed.split())[:300]}"
            )
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# the benchmark's Virtuoso column
# ------------------------------------------------------------------------------------------


def _split_ntriples(source: Path, folder: Path, parts: int) -> list[Path]:
    """``source`` cut at line ends into ``parts`` files of about equal size (N-Triples is one
    triple a line, so each part is N-Triples too), for one bulk loader per part."""
    size = source.stat().st_size
    files = [folder / f"graph-{k}.nt" for k in range(max(1, parts))]
    with source.open("rb") as handle:
        for k, target in enumerate(files):
            with target.open("wb") as out:
                if k == len(files) - 1:
                    shutil.copyfileobj(handle, out, 1 << 20)
                    break
                limit = size * (k + 1) // len(files)
                while handle.tell() < limit:
                    chunk = handle.read(min(1 << 20, limit - handle.tell()))
                    if not chunk:
                        break
                    out.write(chunk)
                out.write(handle.readline())  # to the end of the line
    return files


def _count_rows(store: RemoteStore, name: str, params: dict[str, str], terms: Any) -> int:
    from kg.query import run_query

    return len(run_query(store, name, params, terms=terms).rows)


def _measure_virtuoso(spec: dict[str, Any]) -> dict[str, Any]:
    """Virtuoso 7: start a server of its own, bulk-load the N-Triples (timed as 'build'), run
    each canned query through :class:`RemoteStore` (the path of ``dmkg query --endpoint``),
    and fetch the labels of each answer's IRIs as ``dmkg query`` prints them (untimed: it
    checks that the lookups in bounded chunks work at this size)."""
    from kg.bench.engines import BENCH_PARAMS
    from kg.bench.measure import _best, _stderr
    from kg.bench.memory import MemorySampler
    from kg.ontology import load_ontology
    from kg.query import list_queries, run_query
    from kg.query.render import render_records
    from kg.terms import TermIndex

    prefix = f"[{spec['patients']:,} patients] virtuoso:"
    folder = Path(spec["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    parts = _split_ntriples(Path(spec["ntriples"]), folder, os.cpu_count() or 1)
    triples = spec.get("triples", 0)
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    status: dict[str, str] = {}
    errors: dict[str, str] = {}
    # the page cache: about a byte in 60 a triple's share of 2 GB at 16 million triples
    buffers = max(10_000, min(250_000, triples // 64))
    with MemorySampler() as memory, Virtuoso(folder / "db", buffers=buffers) as server:
        with memory.stage("build"):
            started = time.perf_counter()
            server.bulk_load(parts)
            seconds["build"] = time.perf_counter() - started
        for part in parts:
            part.unlink()
        status["build"] = "ok"
        _stderr(f"{prefix} bulk-loaded in {seconds['build']:.1f} s")
        store, terms = server.store(), TermIndex(load_ontology())
        for query in list_queries(include_checks=False):
            params = BENCH_PARAMS.get(query.name, {})
            try:
                run = partial(_count_rows, store, query.name, params, terms)
                seconds[query.name], rows[query.name] = _best(run, spec["repeat"])
                render_records(run_query(store, query.name, params, terms=terms), store)
                status[query.name] = "ok"
            except DmkgError as exc:
                status[query.name], errors[query.name] = "failed", str(exc)[:300]
                seconds.pop(query.name, None)
                _stderr(f"{prefix} query {query.name} failed: {exc}")
        triples_in = store.count()
    return {
        "seconds": seconds,
        "rows": rows,
        "status": status,
        "errors": errors,
        "triples": triples_in,
        "load_peak_mb": memory.peaks["build"],
        "buffers": buffers,
    }
