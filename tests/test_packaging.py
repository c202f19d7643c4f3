"""The wheel carries ontology/, shapes/ and queries/, and kg.resources finds them there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from kg.namespaces import DMKG
from kg.ontology import load_ontology
from kg.resources import RESOURCE_KINDS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheels = list(out.glob("dmkg-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_carries_every_resource_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in RESOURCE_KINDS:
        files = [p for p in (REPO / kind).rglob("*") if p.is_file()]
        assert files, kind
        for path in files:
            assert f"kg/_resources/{kind}/{path.relative_to(REPO / kind).as_posix()}" in names
    data = [p for p in (REPO / "kg" / "data").rglob("*") if p.is_file()]
    for path in data:
        assert f"kg/data/{path.relative_to(REPO / 'kg' / 'data').as_posix()}" in names
    assert "kg/py.typed" in names


def test_installed_layout_finds_resources_in_the_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import kg.resources as r; "
        "print(r.resource_dir('ontology')); print(len(r.ontology_files())); "
        "print(len(r.query_files())); print(r.data_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    assert out[0] == str(site / "kg" / "_resources" / "ontology")
    assert int(out[1]) == len(list((REPO / "ontology").glob("*.ttl")))
    assert int(out[2]) == len(list((REPO / "queries").glob("*.rq")))
    assert out[3] == str(site / "kg" / "data")


def test_namespace_lists_exactly_the_ontology_terms() -> None:
    ns = str(DMKG._NS)
    in_ontology = {
        str(s)[len(ns) :]
        for s in load_ontology().all_nodes()
        if str(s).startswith(ns) and len(str(s)) > len(ns)
    }
    in_module = set(DMKG.__annotations__)
    assert in_module == in_ontology
