"""The build: SHACL gate, reasoner, deterministic and atomic output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF

from kg.build.graph import (
    TMP_PREFIX,
    BuildResult,
    build_graph,
    remove_stale_temporaries,
    write_graph,
)
from kg.errors import ReasonerError, ValidationFailed
from kg.namespaces import DMKG
from kg.reason.hermit import Inference
from kg.reason.rules import check_against_hermit
from kg.resources import data_dir

# cases whose antibody cell (or the case report) shows a positive myositis-specific antibody:
# anti-TIF1-gamma in Requena cases 15, 16, 17, 18, 20, 22, 23 (case 18 also anti-Mi-2), and
# the case-report patient; every patient of the two case sources has a cancer within 24 months.
MSA_POSITIVE_REQUENA = {"15", "16", "17", "18", "20", "22", "23"}


def test_reasoner_materialises_defined_classes(built: BuildResult) -> None:
    g = built.graph
    msa = {
        (str(g.value(p, DMKG.caseLabel)), str(g.value(p, DMKG.describedIn)).rsplit("/", 1)[-1])
        for p in g.subjects(RDF.type, DMKG.MSAPositivePatient)
    }
    assert msa == {(c, "requena2024") for c in MSA_POSITIVE_REQUENA} | {("1", "curroncol2021")}
    cam = set(g.subjects(RDF.type, DMKG.CancerAssociatedDMPatient))
    assert len(cam) == 26
    assert built.inference.count(DMKG.CancerWithinTwoYears) == 26
    assert built.summary.inferred == {
        "cancer-associated dermatomyositis patient": 26,
        "patient positive for a myositis-specific antibody": 8,
    }


def test_summary_counts(built: BuildResult) -> None:
    s = built.summary
    assert s.patients == 26
    assert {src["doi"]: src["patients"] for src in s.sources} == {
        "10.1016/j.ad.2025.02.012": 25,
        "10.1016/j.jaad.2020.03.058": 0,
        "10.3390/curroncol28030182": 1,
    }
    # Requena: 25 x 13 finding columns; case report: 15 findings
    assert s.records["finding observation"] == 25 * 13 + 15
    # Requena: 94 readings of the antibody column + 15 for each of the 3 "NP" cells; case
    # report: 3
    assert s.records["antibody test result"] == 94 + 15 * 3 + 3
    assert s.records["cancer diagnosis"] == 26


def test_builds_with_and_without_java_are_byte_identical(
    built: BuildResult, tmp_path: Path
) -> None:
    # the reference build ran HermiT; the second runs without a 'java' on the PATH and with
    # --no-reason, as 'make run' does on a machine without Java: the rules in ontology/rules
    # give the same graph, byte for byte
    assert built.inference.checked_by_hermit
    first = write_graph(built, tmp_path / "a")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--no-reason", "--out", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": str(bin_dir)},
    )
    assert run.returncode == 0, run.stderr
    assert "inferred type triples: 69 (rules in ontology/rules; HermiT not run" in run.stdout
    assert "cancer-associated dermatomyositis patient                      26" in run.stdout
    for name in ("dmkg.nt", "dmkg.ttl", "summary.json"):
        assert first[name].read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    lines = first["dmkg.nt"].read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(built.graph)


def test_without_java_the_build_asks_for_no_reason(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": str(tmp_path)},
    )
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "no 'java' command" in run.stderr and "--no-reason" in run.stderr
    assert not (tmp_path / "out" / "dmkg.nt").exists()


def test_hermit_disagreeing_with_the_rules_stops_the_build(built: BuildResult) -> None:
    rules = built.inference
    dropped = min(rules.triples)
    hermit = Inference(rules.triples - {dropped})
    check_against_hermit(rules, Inference(rules.triples))
    with pytest.raises(ReasonerError, match="1 only the rules infer") as caught:
        check_against_hermit(rules, hermit)
    assert f"rules only: <{dropped[0]}> a <{dropped[2]}>" in str(caught.value)


def test_stale_temporaries_are_removed(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{TMP_PREFIX}dmkg.nt.12345"
    stale.write_text("half a file")
    write_graph(built, out)
    assert not stale.exists()
    assert sorted(p.name for p in out.iterdir()) == ["dmkg.nt", "dmkg.ttl", "summary.json"]
    assert remove_stale_temporaries(out) == []


def _broken_copy(tmp_path: Path) -> Path:
    """A copy of the Requena source with n > N in a text frequency (loads, fails SHACL)."""
    folder = tmp_path / "requena2024"
    shutil.copytree(data_dir() / "requena2024", folder)
    meta = folder / "source.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("n: 21, N: 25", "n: 26, N: 25"), encoding="utf-8"
    )
    return folder


def test_gate_refuses_a_nonconforming_graph(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        build_graph([_broken_copy(tmp_path)], progress=lambda _: None, run_reasoner=False)
    assert "requena2024/source.yaml" in caught.value.report
    assert "greater than the denominator" in caught.value.report


def test_failed_build_keeps_previous_output(built: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_graph(built, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = _broken_copy(tmp_path / "src")
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--data", str(broken), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "does not conform" in run.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
