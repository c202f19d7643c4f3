"""kill -9 at each rename of each build path: the output is the old one or the new one, whole.

A small driver runs ``dmkg build --out`` (build_graph + write_graph), ``dmkg build --store``
(build_store) or ``dmkg synth`` (write_registry) in a child process whose ``os.replace``,
``os.rename`` and :func:`kg.fileio.exchange` count the calls that touch the output and
SIGKILL the process itself at call N (before or after each). The test then finds the
output exactly as one of the two builds left it, never missing, never mixed. Two small
sources (copies of tests/bad_inputs/minimal-valid under different ids) give the two
builds. Separately, killing a store build's main process takes its loader workers with it,
and killing a worker ends the build with a clear error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VALID = REPO / "tests" / "bad_inputs" / "minimal-valid"
NAME = "kgtarget"  # the output's name: only calls that name it are counted

DRIVER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import kg.fileio as fileio

    point, mode, target, source = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
    count = [0]

    def tick():
        count[0] += 1
        if count[0] == point:
            os.kill(os.getpid(), signal.SIGKILL)

    def watched(func):
        def wrapper(*args, **kwargs):
            if not any(target.name in str(a) for a in args):
                return func(*args, **kwargs)
            tick()
            result = func(*args, **kwargs)
            tick()
            return result
        return wrapper

    os.replace, os.rename = watched(os.replace), watched(os.rename)
    if os.environ.get("NO_EXCHANGE"):  # a file system without renameat2: two renames
        fileio.exchange = lambda first, second: False
    else:
        fileio.exchange = watched(fileio.exchange)
    quiet = lambda _: None
    if mode == "out":
        from kg.build.graph import build_graph, write_graph
        write_graph(build_graph([Path(source)], progress=quiet, run_reasoner=False), target)
    elif mode == "store":
        from kg.build.store import build_store
        build_store([Path(source)], target, workers=1, progress=quiet)
    else:
        from kg.sources.synth import write_registry
        write_registry(target.parent, patients=20, seed=int(source), source_id=target.name)
    print("COMPLETED", count[0])
""")


def _source(tmp: Path, name: str) -> Path:
    folder = tmp / "sources" / name
    shutil.copytree(VALID, folder)
    text = (folder / "source.yaml").read_text(encoding="utf-8")
    (folder / "source.yaml").write_text(text.replace("minimal-valid", name), encoding="utf-8")
    return folder


def _run(point: int, mode: str, target: Path, source: str, **env: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, str(point), mode, str(target), source],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )
    if run.returncode == -signal.SIGKILL:
        return "killed"
    assert run.returncode == 0 and "COMPLETED" in run.stdout, run.stderr[-2000:]
    return "completed"


def _snapshot(mode: str, target: Path) -> object:
    """What a reader sees at ``target``: the files of a build folder or a registry, or the
    manifest and the triples of a store (which must agree: a whole store)."""
    if mode == "store":
        import pyoxigraph as ox

        manifest = json.loads((target / "dmkg-store.json").read_text(encoding="utf-8"))
        store = ox.Store.read_only(str(target / "oxigraph"))
        assert len(store) == manifest["triples"], "the manifest and the store disagree"
        return (manifest["sources"], len(store))
    return {p.name: p.read_bytes() for p in sorted(target.iterdir())}


def _variants(mode: str, tmp: Path) -> tuple[str, str]:
    if mode == "synth":
        return "1", "2"  # two seeds
    return str(_source(tmp, "crasha")), str(_source(tmp, "crashb"))


@pytest.mark.parametrize("mode", ["out", "store", "synth"])
def test_kill_at_each_rename_leaves_old_or_new_whole(mode: str, tmp_path: Path) -> None:
    first, second = _variants(mode, tmp_path)
    target = tmp_path / "out" / NAME
    target.parent.mkdir()
    expected = {}
    for variant in (first, second):
        assert _run(0, mode, target, variant) == "completed"
        expected[variant] = _snapshot(mode, target)
        if mode == "out":  # a file of the user's own in the output folder is kept
            (target / "notes.txt").write_text("mine\n", encoding="utf-8")
    assert expected[first] != expected[second]
    current, other = second, first
    for point in range(1, 20):
        outcome = _run(point, mode, target, other)
        assert target.is_dir(), f"kill at rename call {point}: the output is missing"
        seen = _snapshot(mode, target)
        if mode == "out":
            assert seen.pop("notes.txt") == b"mine\n"
            for snapshot in expected.values():
                snapshot.pop("notes.txt", None)  # type: ignore[attr-defined]
        assert seen in (expected[current], expected[other]), f"kill at call {point}: mixed"
        if seen == expected[other]:
            current, other = other, current
        if outcome == "completed":
            break
    else:
        pytest.fail("the build never completed")
    assert point >= 2, "no rename was interrupted"
    leftovers = [p.name for p in target.parent.iterdir() if p.name != NAME]
    assert _run(0, mode, target, other) == "completed"
    assert [p.name for p in target.parent.iterdir()] == [NAME], leftovers


def test_store_without_exchange_is_repaired_by_the_next_build(tmp_path: Path) -> None:
    """Where renameat2 is missing, a kill between the two renames is repaired at once by the
    next build (the old store is put back before anything else)."""
    first, second = _variants("store", tmp_path)
    target = tmp_path / "out" / NAME
    target.parent.mkdir()
    assert _run(0, "store", target, first) == "completed"
    old = _snapshot("store", target)
    assert _run(2, "store", target, second, NO_EXCHANGE="1") == "killed"  # between renames
    assert not target.exists()
    assert _run(0, "store", target, second) == "completed"
    assert _snapshot("store", target) not in (old, None)
    assert [p.name for p in target.parent.iterdir()] == [NAME]


# --- the store build's worker processes ------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_store_build(tmp_path: Path) -> tuple[subprocess.Popen[str], list[int]]:
    registry = tmp_path / "registry"
    subprocess.run(
        [sys.executable, "-m", "kg.cli", "synth", "--patients", "600", "--out", str(registry)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # 'dmkg build --store' itself, with batches of 20 patients instead of 10,000
    script = textwrap.dedent(f"""
        import sys
        import kg.build.store as store
        build = store.build_store
        store.build_store = lambda *args, **kwargs: build(*args, **{{**kwargs, "batch": 20}})
        from kg.cli import main
        sys.exit(main(["build", "--store", {str(tmp_path / "store")!r}, "--workers", "2",
                       "--data", {str(registry / "synth")!r}]))
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = [p for p in _children(proc.pid) if _alive(p)]
        time.sleep(0.05)
    assert len(workers) >= 2, "the build did not start its workers"
    return proc, workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_the_main_process(tmp_path: Path) -> None:
    proc, workers = _start_store_build(tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.05)
    assert not [p for p in workers if _alive(p)], "loader workers outlived their build"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_is_a_clear_error(tmp_path: Path) -> None:
    proc, workers = _start_store_build(tmp_path)
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr[-2000:]
    assert "a loader worker process died" in stderr and "Traceback" not in stderr, stderr
    assert not (tmp_path / "store").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_a_store_build_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C while batches run: exit 130 with one line, the workers stopped (not left to
    finish their batches: that took 25 s at 100,000 patients, now about 1 s, measured by
    hand), and neither a store nor a staging folder left behind."""
    proc, workers = _start_store_build(tmp_path)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr[-2000:]
    assert "dmkg build: interrupted" in stderr and "Traceback" not in stderr, stderr
    assert not [p for p in workers if _alive(p)], "loader workers outlived their build"
    assert not (tmp_path / "store").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dmkg-")]


def test_reasoner_folders_of_dead_runs_are_removed(tmp_path: Path) -> None:
    """HermiT runs in a temporary folder named by its process; a run killed before cleaning
    up leaves it, and the next run removes it (and never a live process's folder)."""
    import tempfile

    from kg.reason import hermit

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    root = Path(tempfile.gettempdir())
    stale = root / f"dmkg-reason-{dead.pid}-test"
    live = root / f"dmkg-reason-{os.getpid()}-test"
    for folder in (stale, live):
        folder.mkdir(exist_ok=True)
        (folder / "graph.nt").write_text("", encoding="utf-8")
    try:
        hermit._remove_stale_folders()
        assert not stale.exists() and live.exists()
    finally:
        shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(live, ignore_errors=True)


# --- one writer at a time ------------------------------------------------------------------------


def _build_out(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--no-reason", "--out", str(out)]
        + ["--data", str(VALID)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_out_that_is_a_file_is_refused_before_the_build(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine\n", encoding="utf-8")
    started = time.monotonic()
    run = _build_out(target)
    assert run.returncode == 2 and "exists and is not a folder" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "[1/" not in run.stderr  # no build step ran
    assert time.monotonic() - started < 30 and target.read_text(encoding="utf-8") == "mine\n"


def test_a_second_build_into_the_same_output_is_refused_at_once(tmp_path: Path) -> None:
    from kg.fileio import writer_lock

    target = tmp_path / "out"
    with writer_lock(target, "dmkg build"):  # as a build running in another process holds it
        run = _build_out(target)
    assert run.returncode == 2, run.stderr
    assert "another dmkg build is writing here now" in run.stderr and not target.exists()
    assert _build_out(target).returncode == 0  # the lock is gone with its holder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
