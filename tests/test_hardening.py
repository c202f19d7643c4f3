"""Hardening: crash safety of the build, no network, fuzzed loaders, BOM-tolerant reading."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.build.graph import TMP_PREFIX, build_graph, write_graph
from kg.errors import DmkgError
from kg.loaders import load_sources
from kg.namespaces import DMKG
from kg.resources import data_dir
from kg.terms import TermIndex

BAD = Path(__file__).parent / "bad_inputs"
OUTPUTS = ("dmkg.nt", "dmkg.ttl", "summary.json")


def _findings_by_case(graph: Graph) -> Counter[tuple[str, str, str]]:
    rows = graph.query(f"""
        SELECT ?case ?f ?s WHERE {{ ?o <{DMKG.finding}> ?f ; <{DMKG.findingStatus}> ?s ;
                                   <{DMKG.ofPatient}>/<{DMKG.caseLabel}> ?case }}""")
    return Counter((str(r.case), str(r.f), str(r.s)) for r in rows)  # type: ignore[union-attr]


def test_byte_order_mark_is_read_as_the_same_data(terms: TermIndex) -> None:
    plain = load_sources([BAD / "minimal-valid"], terms)
    with_bom = load_sources([BAD / "bom"], terms)
    assert len(plain) == len(with_bom)
    assert _findings_by_case(plain) == _findings_by_case(with_bom)
    # 3 cases x (myositis, CK elevation from the CPK column, heliotrope rash, Gottron papules)
    assert len(_findings_by_case(plain)) == 3 * 4


# --- crash safety ----------------------------------------------------------------------------


def _old_output(tmp: Path) -> dict[str, bytes]:
    """A previous good build that differs from the bundled one (one Table 2 cell changed)."""
    src = tmp / "old-src" / "requena2024"
    shutil.copytree(data_dir() / "requena2024", src)
    table = src / "table2.tsv"
    table.write_text(
        table.read_text(encoding="utf-8").replace("\n5\tU\t+\t+++", "\n5\tU\t+\t++", 1),
        encoding="utf-8",
    )
    out = tmp / "out"
    write_graph(build_graph([src], progress=lambda _: None, run_reasoner=False), out)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _kill_build(out: Path, when: str, delay: float) -> None:
    """Start `dmkg build --out OUT`, kill -9 its process group at the chosen moment."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "build", "--no-reason", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    if when == "delay":
        time.sleep(delay)
    else:  # the moment the first temporary output file appears: inside the write phase
        while time.monotonic() < deadline and proc.poll() is None:
            if any(out.parent.glob(f"{TMP_PREFIX}{out.name}.*")):  # the staging folder
                break
            time.sleep(0.002)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def new_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What a complete build writes (without the reasoner, as the killed builds run)."""
    out = tmp_path_factory.mktemp("new")
    write_graph(build_graph(progress=lambda _: None, run_reasoner=False), out)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.mark.parametrize(
    "when, delay", [("delay", 0.3), ("delay", 1.5), ("delay", 3.0), ("writing", 0.0)]
)
def test_kill_9_leaves_previous_or_complete_output(
    new_output: dict[str, bytes], tmp_path: Path, when: str, delay: float
) -> None:
    """The build is killed before loading, while validating, and while writing its files."""
    old = _old_output(tmp_path)
    new = new_output
    assert all(old[n] != new[n] for n in ("dmkg.nt", "dmkg.ttl"))
    out = tmp_path / "out"
    _kill_build(out, when, delay)
    for name in OUTPUTS:
        content = (out / name).read_bytes()
        assert content in (old[name], new[name]), f"{name} is neither the old nor the new file"
    # the next run completes and leaves no stray temporary file
    run = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--no-reason", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == new


# --- no network --------------------------------------------------------------------------------


def test_no_network_connection_during_build_validate_query_serve(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        def refuse(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
                raise RuntimeError(f"network use attempted: {{event}} {{args!r}}")
        sys.addaudithook(refuse)
        from kg.cli import main
        out = {str(tmp_path / "out")!r}
        steps = [["build", "--out", out], ["validate", {str(data_dir() / "requena2024")!r}],
                 ["query", "sign-frequency", "--graph", out],
                 ["query", "patients-matching", "--param", "antibody=anti-TIF1-gamma",
                  "--param", "sign=heliotrope rash", "--graph", out],
                 ["sparql", "SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}", "--graph", out],
                 ["associations", "--graph", out], ["qa", "--graph", out],
                 ["stats", "--graph", out]]
        for step in steps:
            code = main(step)
            if code != 0:
                sys.exit(f"step {{step[0]}} exited {{code}}")
        # serve: the app answering pages and /sparql in-process (its workers are forked)
        from starlette.testclient import TestClient
        from kg.api import open_graph
        from kg.web.app import create_app
        with TestClient(create_app(open_graph(out))) as client:
            for url in ["/", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"]:
                response = client.get(url, headers={{"Accept": "application/sparql-results+json"}})
                if response.status_code != 200:
                    sys.exit(f"serve {{url}} answered {{response.status_code}}")
        print("ALL STEPS RAN WITHOUT NETWORK")
    """)
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=600
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "ALL STEPS RAN WITHOUT NETWORK" in run.stdout
    assert "network use attempted" not in run.stderr


# --- fuzzing the loaders -------------------------------------------------------------------------

_CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\r\n"), max_size=40
)


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fuzz") / "minimal-valid"
    shutil.copytree(BAD / "minimal-valid", base)
    return base


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    row=st.integers(min_value=1, max_value=3),
    column=st.integers(min_value=1, max_value=8),
    cell=_CELL,
)
def test_fuzzed_table_cells_raise_only_dmkg_errors(
    fuzz_base: Path, terms: TermIndex, row: int, column: int, cell: str
) -> None:
    table = fuzz_base / "table1.tsv"
    original = table.read_text(encoding="utf-8")
    lines = original.split("\n")
    cells = lines[row].split("\t")
    cells[column] = cell
    lines[row] = "\t".join(cells)
    try:
        table.write_text("\n".join(lines), encoding="utf-8")
        try:
            load_sources([fuzz_base], terms)
        except DmkgError:
            pass  # a clear, located error is the expected outcome for most cells
    finally:
        table.write_text(original, encoding="utf-8")


_YAML_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    _CELL,
    st.lists(_CELL, max_size=3),
    st.dictionaries(_CELL, _CELL, max_size=3),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    key=st.sampled_from(
        [
            "publication",
            "study",
            "cohorts",
            "codebooks",
            "patient_tables",
            "totals",
            "frequencies",
            "claims",
            "statements",
            "patients",
        ]
    ),
    value=_YAML_VALUE,
)
def test_fuzzed_source_yaml_values_raise_only_dmkg_errors(
    fuzz_base: Path, terms: TermIndex, key: str, value: object
) -> None:
    import yaml

    meta_file = fuzz_base / "source.yaml"
    original = meta_file.read_text(encoding="utf-8")
    meta = yaml.safe_load(original)
    meta[key] = value
    try:
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        try:
            load_sources([fuzz_base], terms)
        except DmkgError:
            pass
    finally:
        meta_file.write_text(original, encoding="utf-8")


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data(), value=_YAML_VALUE)
def test_fuzzed_nested_yaml_values_raise_only_dmkg_errors(
    fuzz_base: Path, terms: TermIndex, data: st.DataObject, value: object
) -> None:
    """Replace any value anywhere in source.yaml (a case report's patient record included)."""
    import yaml

    meta_file = fuzz_base / "source.yaml"
    original = meta_file.read_text(encoding="utf-8")
    meta = yaml.safe_load(original)
    meta["patients"] = yaml.safe_load(
        (data_dir() / "curroncol2021" / "source.yaml").read_text(encoding="utf-8")
    )["patients"]
    meta["patients"][0]["cohort"] = "series"
    path = data.draw(st.sampled_from(_paths(meta)))
    parent: object = meta
    for step in path[:-1]:
        parent = parent[step]  # type: ignore[index]
    parent[path[-1]] = value  # type: ignore[index]
    try:
        meta_file.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
        try:
            load_sources([fuzz_base], terms)
        except DmkgError:
            pass
    finally:
        meta_file.write_text(original, encoding="utf-8")
