"""Bad curated inputs: every case of tests/bad_inputs/manifest.yaml, by API and by command.

Each case is a small source folder with one thing broken. Through the Python API it must
raise :class:`~kg.errors.CurationErrors` holding exactly one problem (or, for a SHACL case,
load and then fail validation with exactly one violation) whose message carries the expected
substrings; ``dmkg validate FOLDER`` must exit with the stated code, print the same
substrings, and show no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import Graph

from kg.errors import EXIT_CODES, CurationErrors
from kg.loaders import load_sources, source_folders
from kg.sources import curated
from kg.terms import TermIndex
from kg.validate.shacl import validate_graph

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = CASES_DIR / "manifest.yaml"
GATES = {"load", "shacl", "usage", "valid"}
CLI_TIMEOUT = 60  # seconds; one run takes about a second
#: cases whose source.yaml has no id equal to the folder name, or none PyYAML can read
UNREADABLE_ID = {
    "source-id-mismatch",
    "yaml-syntax-error",
    "source-id-with-space",
    "yaml-deeper-than-recursion",
    "unhashable-yaml-key",
    "long-number-in-yaml",
}


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
        if case["folder"] in UNREADABLE_ID or not source.exists():
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


# --------------------------------------------------------------------------- special files
# Cases git cannot hold (a FIFO, a link to a device) or too large to keep in the repository
# are made at run time from minimal-valid. None may hang: each command runs under a timeout.


def _copy_valid(tmp_path: Path, name: str) -> Path:
    import shutil

    folder = tmp_path / name
    shutil.copytree(CASES_DIR / "minimal-valid", folder)
    source = folder / "source.yaml"
    source.write_text(
        source.read_text(encoding="utf-8").replace("id: minimal-valid", f"id: {name}"),
        encoding="utf-8",
    )
    return folder


def _validate_quickly(*paths: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    return output


def test_a_fifo_as_a_table_is_refused_without_waiting(tmp_path: Path) -> None:
    folder = _copy_valid(tmp_path, "fifo-table")
    (folder / "table2.tsv").unlink()
    os.mkfifo(folder / "table2.tsv")
    output = _validate_quickly(folder)
    assert "fifo-table/table2.tsv: not a regular file (a FIFO)" in output


def test_source_yaml_linked_to_a_device_in_a_folder_of_sources(tmp_path: Path) -> None:
    """The glob over a folder of sources reads sub/source.yaml; /dev/zero never ends."""
    folder = _copy_valid(tmp_path / "sources", "device-yaml")
    (folder / "source.yaml").unlink()
    (folder / "source.yaml").symlink_to("/dev/zero")
    output = _validate_quickly(tmp_path / "sources")
    assert "device-yaml/source.yaml: not a regular file (a character device)" in output


def test_too_many_rows_is_a_clear_error(
    tmp_path: Path, terms: TermIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table with more rows than one read holds (1,000,000 rows took 7.9 GB): the cap is
    lowered here so the test stays small."""
    monkeypatch.setattr(curated, "MAX_TABLE_ROWS", 2)
    with pytest.raises(CurationErrors) as info:
        load_sources([_copy_valid(tmp_path, "many-rows")], terms)
    assert "many-rows/table1.tsv, line 4: more than 2 rows" in str(info.value)


def test_files_over_the_size_caps_are_not_read(tmp_path: Path, terms: TermIndex) -> None:
    """A 3 MB source.yaml (a 10 MB string took the loader minutes) is refused unread."""
    folder = _copy_valid(tmp_path, "big-yaml")
    with (folder / "source.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# " + "x" * (curated.MAX_YAML_BYTES + 1) + "\n")
    with pytest.raises(CurationErrors) as info:
        load_sources([folder], terms)
    assert f"at most {curated.MAX_YAML_BYTES:,} are read" in str(info.value)
