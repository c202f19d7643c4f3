"""kill -9 of `dmkg publish` mid-load leaves the remote graph as it was; the next run cleans up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from test_publish import OxigraphServer  # the real Oxigraph server fixture class

from kg.build.graph import BuildResult, write_graph
from kg.build.publish import TEMPORARY_PREFIX, publish, stray_temporaries
from kg.store import RemoteStore

TARGET = "https://example.org/crash-test"


def _graphs(server: OxigraphServer) -> dict[str, int]:
    rows = (
        RemoteStore(server.endpoint(), None)
        .select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        .rows
    )
    return {str(g): int(str(n)) for g, n in rows}


@pytest.mark.parametrize("kill_at_chunk", [2, 9])
def test_kill_9_of_publish_keeps_remote_graph(
    built: BuildResult, tmp_path: Path, kill_at_chunk: int
) -> None:
    build_dir = tmp_path / "build"
    write_graph(built, build_dir)
    server = OxigraphServer(tmp_path / "db")
    server.start()
    try:
        old = Graph()
        for i in range(7):
            old.add((URIRef(f"urn:x:old{i}"), URIRef("urn:x:p"), Literal(i)))
        publish(old, server.endpoint(), TARGET, progress=lambda _: None)
        assert _graphs(server) == {TARGET: 7}
        command = [
            sys.executable,
            "-m",
            "kg.cli",
            "publish",
            "--endpoint",
            f"{server.base}/query",
            "--graph",
            TARGET,
            "--from",
            str(build_dir),
            "--chunk-size",
            "500",
        ]
        proc = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.strip().startswith(f"chunk {kill_at_chunk}/"):
                os.killpg(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        graphs = _graphs(server)
        assert graphs[TARGET] == 7  # the target is untouched
        left = [g for g in graphs if g.startswith(TEMPORARY_PREFIX)]
        assert len(left) == 1 and graphs[left[0]] >= 500 * (kill_at_chunk - 1)
        # the next publish removes the stray temporary graph and completes
        run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        assert run.returncode == 0, run.stderr
        assert f"dropping <{left[0]}>, left by a publish that was killed" in run.stderr
        assert _graphs(server) == {TARGET: len(built.graph)}
        assert stray_temporaries(RemoteStore(server.endpoint(), None)) == []
    finally:
        server.stop()
