"""The wheel carries ontology/, shapes/ and queries/, and kg.resources finds them there."""

from __future__ import annotations

import hashlib
import re
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


YASGUI = REPO / "kg" / "html" / "static" / "yasgui"


def _recorded_sha256() -> dict[str, str]:
    """The sha256 of each vendored YASGUI file, as kg/html/static/yasgui/README records it."""
    found = re.findall(r"sha256:\s+([0-9a-f]{64})\s+(\S+)", (YASGUI / "README").read_text("utf-8"))
    return {name: digest for digest, name in found}


def test_yasgui_files_are_the_recorded_ones() -> None:
    recorded = _recorded_sha256()
    assert set(recorded) == {"yasgui.min.js", "yasgui.min.css"}
    for name, digest in recorded.items():
        assert hashlib.sha256((YASGUI / name).read_bytes()).hexdigest() == digest, name
    readme = (YASGUI / "README").read_text("utf-8")
    assert "@zazuko/yasgui" in readme and "integrity:  sha512-" in readme
    assert "MIT" in (YASGUI / "LICENSE").read_text("utf-8")


def test_wheel_serves_yasgui_without_the_network(wheel: Path, tmp_path: Path) -> None:
    """The wheel carries YASGUI, and the web app installed from it serves the same bytes and
    an editor page whose scripts and styles all come from the app itself."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("yasgui.min.js", "yasgui.min.css", "LICENSE", "THIRD-PARTY-LICENSES", "README"):
        assert f"kg/html/static/yasgui/{name}" in names, name
    assert "kg/html/static/editor.js" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys, hashlib, urllib.request; sys.path.insert(0, sys.argv[1])\n"
        "from rdflib import Graph\n"
        "import kg.web, kg.html.templating as t\n"
        "from kg.web.server import BackgroundServer\n"
        "print(t.STATIC_DIR)\n"
        "with BackgroundServer(kg.web.create_app(Graph(), workers=1)) as s:\n"
        "    for name in ('yasgui.min.js', 'yasgui.min.css'):\n"
        "        body = urllib.request.urlopen(s.url + '/static/yasgui/' + name).read()\n"
        "        print(name, hashlib.sha256(body).hexdigest())\n"
        "    print(urllib.request.urlopen(s.url + '/sparql-editor').read().decode())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = out.split("\n")
    assert lines[0] == str(site / "kg" / "html" / "static")
    served = dict(line.split() for line in lines[1:3])
    assert served == _recorded_sha256()
    page = "\n".join(lines[3:])
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', page)
    assert "/static/yasgui/yasgui.min.js" in sources and "/static/yasgui/yasgui.min.css" in sources
    assert [s for s in sources if "//" in s] == []  # nothing from another host


def test_namespace_lists_exactly_the_ontology_terms() -> None:
    ns = str(DMKG._NS)
    in_ontology = {
        str(s)[len(ns) :]
        for s in load_ontology().all_nodes()
        if str(s).startswith(ns) and len(str(s)) > len(ns)
    }
    in_module = set(DMKG.__annotations__)
    assert in_module == in_ontology
