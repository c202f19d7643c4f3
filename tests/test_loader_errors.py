"""Bad curated inputs: every case of tests/bad_inputs/manifest.yaml, by API and by command.

Each case is a small source folder with one thing broken. Through the Python API it must
raise :class:`~kg.errors.CurationErrors` holding exactly one problem (or, for a SHACL case,
load and then fail validation with exactly one violation) whose message carries the expected
substrings; ``dmkg validate FOLDER`` must exit with the stated code, print the same
substrings, and show no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Graph

from kg.errors import EXIT_CODES, CurationErrors
from kg.loaders import load_sources, source_folders
from kg.terms import TermIndex
from kg.validate.shacl import validate_graph

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = CASES_DIR / "manifest.yaml"
GATES = {"load", "shacl", "usage", "valid"}
CLI_TIMEOUT = 60  # seconds; one run takes about a second


def _manifest() -> list[dict[str, Any]]:
    cases = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(cases, list)
    return cases


CASES = _manifest()


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def _missing(text: str, expected: list[str]) -> list[str]:
    return [s for s in expected if s not in text]


# --------------------------------------------------------------------------- the manifest


def test_manifest_is_well_formed() -> None:
    folders = [c["folder"] for c in CASES]
    assert len(folders) == len(set(folders)), "a folder is listed twice"
    on_disk = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
    assert sorted(folders) == on_disk, "every folder is a case and every case has a folder"
    for case in CASES:
        assert set(case) == {"folder", "about", "gate", "exit", "expect"}, case["folder"]
        assert case["gate"] in GATES, case["folder"]
        assert case["exit"] == {"valid": 0, "usage": 2}.get(case["gate"], 1), case["folder"]
        assert case["expect"] and all(isinstance(s, str) and s for s in case["expect"])


def test_every_source_folder_is_named_by_its_id() -> None:
    """Only the case about a wrong id breaks this rule, so no other case fails for it."""
    for case in CASES:
        source = CASES_DIR / case["folder"] / "source.yaml"
        if case["folder"] in {"source-id-mismatch", "yaml-syntax-error"} or not source.exists():
            continue
        assert yaml.safe_load(source.read_bytes())["id"] == case["folder"]


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize("case", CASES, ids=[c["folder"] for c in CASES])
def test_api(case: dict[str, Any], terms: TermIndex, ontology: Graph) -> None:
    folder = CASES_DIR / case["folder"]
    gate, expect = case["gate"], case["expect"]
    if gate == "usage":
        assert source_folders(folder) == []
        return
    if gate == "load":
        with pytest.raises(CurationErrors) as info:
            load_sources([folder], terms)
        messages = [str(e) for e in info.value.errors]
        assert len(messages) == 1, "one broken thing, one problem:\n" + "\n".join(messages)
        assert _missing(messages[0], expect) == [], messages[0]
        assert EXIT_CODES[type(info.value)] == case["exit"]
        return
    data = load_sources([folder], terms)
    report = validate_graph(data, ontology)
    if gate == "valid":
        assert report.conforms, report.text()
        return
    assert not report.conforms
    assert len(report.violations) == 1, report.text()
    message = str(report.violations[0])
    assert _missing(message, expect) == [], message


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("case", CASES, ids=[c["folder"] for c in CASES])
def test_cli(case: dict[str, Any]) -> None:
    folder = CASES_DIR / case["folder"]
    result = _run_cli("validate", str(folder))
    output = result.stdout + result.stderr
    assert result.returncode == case["exit"], output
    assert "Traceback" not in output, output
    assert _missing(output, case["expect"]) == [], output
    if case["gate"] == "valid":
        assert result.stdout.startswith("VALID: "), output
    elif case["gate"] == "usage":
        assert result.stdout == "", "a usage error goes to stderr only"
    else:
        assert result.stdout.startswith("INVALID: "), output


def test_cli_bundled_source_is_valid() -> None:
    result = _run_cli("validate", "kg/data/requena2024")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("VALID: kg/data/requena2024")
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_missing_path_is_a_usage_error() -> None:
    result = _run_cli("validate", "/nonexistent")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert "/nonexistent: no such file or folder" in result.stderr
