"""The dmkg command: help everywhere, documented exit codes, no traceback for user mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build.graph import BuildResult, write_graph
from kg.cli import main


def dmkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("command", ["build", "validate", "stats"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"usage: dmkg {command}" in out and "exit codes" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_stats_of_a_built_graph(built: BuildResult, tmp_path: Path) -> None:
    write_graph(built, tmp_path)
    table = dmkg("stats", "--graph", str(tmp_path))
    assert table.returncode == 0
    assert "26 patients" in table.stdout and "10.1016/j.jaad.2020.03.058" in table.stdout
    as_json = json.loads(dmkg("stats", "--graph", str(tmp_path), "--format", "json").stdout)
    assert as_json["patients"] == 26
    assert as_json["records"]["cohort-level frequency"] == 56 + 2 + 2


def test_stats_without_a_graph_is_a_usage_error(tmp_path: Path) -> None:
    run = dmkg("stats", "--graph", str(tmp_path / "nothing"))
    assert run.returncode == 2
    assert "run 'dmkg build' first" in run.stderr and "Traceback" not in run.stderr


def test_stats_of_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "dmkg.nt"
    bad.write_text("<a> <b> .\n")
    run = dmkg("stats", "--graph", str(bad))
    assert run.returncode == 2
    assert "not a readable RDF file" in run.stderr and "Traceback" not in run.stderr
