"""The package layout shows the pipeline, and nothing reaches back up it.

Every ``import`` statement in ``kg/`` (at module level or inside a function: a lazy import is
still a dependency) is read with :mod:`ast`. A module may import modules of its own stage or
of an earlier one, never of a later one; there is no import cycle between modules; no module
is over 400 lines and no function over 80. The stages, in order, are :data:`STAGES`; the
README's Layout section explains the order.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"

#: pipeline stages, earliest first; each entry lists the module prefixes in that stage
STAGES: tuple[tuple[str, ...], ...] = (
    (
        "kg.version",
        "kg.errors",
        "kg.fileio",
        "kg.namespaces",
        "kg.prefixes",
        "kg.resources",
        "kg.rdfio",
        "kg.ontology",
        "kg.terms",
    ),
    ("kg.sources",),
    ("kg.loaders",),
    ("kg.validate",),
    ("kg.reason",),
    ("kg.store",),
    ("kg.query",),
    ("kg.analyse",),
    ("kg.build",),
    ("kg.exchange", "kg.figures", "kg.html"),
    ("kg.api",),
    ("kg.docs", "kg.web"),
    ("kg.bench",),
    ("kg.cli",),
)

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> int | None:
    """The stage of a module; None for the top package ``kg`` (its re-exports are lazy)."""
    if module == "kg":
        return None
    for rank, prefixes in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no stage of tests/test_layout.py STAGES")


def _imports(module: str, path: Path) -> set[str]:
    """The kg modules ``module`` imports (``from kg.x import y`` counts kg.x.y if that is a
    module, else kg.x)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                names.append(sub if sub in MODULES else base)
        else:
            continue
        found.update(n for n in names if n == "kg" or n.startswith("kg."))
    found.discard(module)
    return found


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        for target in _imports(module, path):
            # importing kg.a.b runs kg.a/__init__ too, but that is the package's own choice
            graph.add_edge(module, target if target in MODULES else target.rpartition(".")[0])
    return graph


def test_every_module_is_in_a_stage() -> None:
    for module in MODULES:
        _stage(module)


def test_no_import_reaches_back_up_the_pipeline() -> None:
    backwards = []
    for source, target in _graph().edges:
        if source == "kg" or target == "kg":
            if target == "kg" and source != "kg":
                backwards.append(f"{source} imports the top package kg (import the module)")
            continue
        if _stage(target) > _stage(source):  # type: ignore[operator]
            backwards.append(
                f"{source} (stage {_stage(source)}) imports {target} (stage {_stage(target)})"
            )
    assert backwards == []


def test_no_import_cycles() -> None:
    graph = _graph()
    graph.remove_node("kg")
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_and_function_sizes(module: str) -> None:
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path}: over {MAX_MODULE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"  # type: ignore[operator]
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES  # type: ignore[operator]
    ]
    assert long == []


def test_import_kg_stays_light() -> None:
    """``import kg`` (and ``dmkg --help``) load none of the heavy libraries."""
    code = (
        "import sys, kg, kg.cli.entry; kg.cli.entry.build_parser(); "
        "print(' '.join(m for m in ('pyshacl', 'owlready2', 'matplotlib', 'pandas', 'scipy', "
        "'networkx', 'lifelines', 'pyoxigraph', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []
