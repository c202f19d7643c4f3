"""The build pipeline: load -> validate (SHACL gate) -> reason -> write, atomically.

``build_graph`` returns the validated, classified graph; ``write_graph`` writes it so that
a failed or killed run leaves the previous output intact (the files are written into a
staging folder beside the output, which takes the output's place in one step).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg.analyse.summary import GraphSummary, summarise
from kg.errors import UsageError, ValidationFailed
from kg.fileio import recover_folder, replace_folder, writer_lock
from kg.loaders import load_sources, source_folders
from kg.namespaces import bind_prefixes
from kg.ontology import load_ontology
from kg.query import catalogue_graph, run_violation_checks
from kg.reason.classification import add_classifications
from kg.reason.hermit import Inference, reason
from kg.reason.rules import check_against_hermit, infer_with_rules
from kg.reason.summary_links import add_summary_links
from kg.resources import data_dir
from kg.terms import TermIndex
from kg.validate.shacl import validate_graph

__all__ = [
    "OUTPUT_FILES",
    "TMP_PREFIX",
    "BuildResult",
    "build_graph",
    "check_out_folder",
    "sorted_ntriples",
    "write_graph",
]

#: files ``dmkg build`` writes into its output folder
OUTPUT_FILES = ("dmkg.nt", "dmkg.ttl", "summary.json")
#: prefix of the temporary files a build writes before renaming them into place
TMP_PREFIX = ".dmkg-tmp-"

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _step(progress: Progress, number: int, total: int, what: str) -> Iterator[None]:
    progress(f"[{number}/{total}] {what} ...")
    start = time.perf_counter()
    yield
    progress(f"[{number}/{total}] {what}: done in {time.perf_counter() - start:.1f} s")


@dataclass
class BuildResult:
    """The built graph (data, inferences and ontology) and what it holds."""

    graph: Graph
    data_triples: int
    inference: Inference
    summary: GraphSummary
    sources: list[Path] = field(default_factory=list)


def build_graph(
    folders: list[Path] | None = None, *, progress: Progress = _stderr, run_reasoner: bool = True
) -> BuildResult:
    """Load the curated sources, validate them, infer the defined classes (the rules in
    ``ontology/rules``; checked by HermiT if ``run_reasoner``) and merge the ontology."""
    folders = folders if folders is not None else source_folders(data_dir())
    total = 4
    with _step(progress, 1, total, f"loading {len(folders)} curated source(s)"):
        ontology = load_ontology()
        data = load_sources(folders, TermIndex(ontology))
    with _step(progress, 2, total, f"validating {len(data)} triples against the SHACL shapes"):
        report = validate_graph(data, ontology)
        if not report.conforms:
            raise ValidationFailed(report.text(), len(report.violations))
    # the rules infer the defined classes in every build, so the graph is the same with or
    # without Java; HermiT, when asked for, checks consistency and that it agrees with them
    what = (
        "inferring the defined classes (ontology/rules), checked by the HermiT reasoner"
        if run_reasoner
        else "inferring the defined classes (ontology/rules; HermiT not run)"
    )
    with _step(progress, 3, 4, what):
        inference = infer_with_rules(data, ontology)
        if run_reasoner:
            check_against_hermit(inference, reason(data, ontology))
            inference = Inference(inference.triples, checked_by_hermit=True)
    with _step(
        progress,
        total,
        total,
        "merging ontology, inferences, summary links and query "
        "catalogue; running the data checks in queries/",
    ):
        data_triples = len(data)
        graph = Graph()
        bind_prefixes(graph)
        for part in (ontology, data):
            for triple in part:
                graph.add(triple)
        for triple in inference.triples:
            graph.add(triple)
        add_summary_links(graph)
        add_classifications(graph)  # reads the links: after them
        for triple in catalogue_graph():
            graph.add(triple)
        bad = {name: rows for name, rows in run_violation_checks(graph).items() if rows}
        if bad:
            text = "\n".join(f"  - {name}: {rows} row(s)" for name, rows in sorted(bad.items()))
            raise ValidationFailed(
                f"data checks in queries/ found problems:\n{text}", sum(bad.values())
            )
    return BuildResult(graph, data_triples, inference, summarise(graph), folders)


def sorted_ntriples(graph: Graph) -> str:
    """N-Triples with blank nodes labelled canonically and lines sorted: byte-stable."""
    canonical = to_canonical_graph(graph)
    text = canonical.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + "\n"


def _write_synced(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def remove_stale_temporaries(out_dir: Path) -> list[Path]:
    """Delete temporary files a killed build left inside ``out_dir`` (builds before the
    folder switch wrote them there); return what was removed."""
    removed = []
    if out_dir.is_dir():
        for stale in out_dir.glob(f"{TMP_PREFIX}*"):
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


def check_out_folder(out_dir: Path) -> None:
    """Refuse, before any work, an ``--out`` that is not a folder."""
    if (out_dir.exists() or out_dir.is_symlink()) and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: exists and is not a folder; give a folder")


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_graph(result: BuildResult, out_dir: Path) -> dict[str, Path]:
    """Write N-Triples, Turtle and a JSON summary into ``out_dir``, switching the whole folder.

    The new files go into a staging folder beside ``out_dir`` (with hard links to any
    other files the old folder holds), which then takes the place of ``out_dir`` in one
    step (:func:`kg.fileio.replace_folder`): a reader or a ``kill -9`` sees the old build or
    the new one, never a mix. One build at a time may write a folder.
    """
    out_dir = Path(out_dir)
    check_out_folder(out_dir)
    nt = sorted_ntriples(result.graph)
    turtle = Graph()
    bind_prefixes(turtle)
    turtle.parse(data=nt, format="nt")
    contents = {
        "dmkg.nt": nt.encode("utf-8"),
        "dmkg.ttl": turtle.serialize(format="turtle", encoding="utf-8"),
        "summary.json": (
            json.dumps(result.summary.as_dict(), indent=2, sort_keys=True) + "\n"
        ).encode("utf-8"),
    }
    with writer_lock(out_dir, "dmkg build"):
        recover_folder(out_dir, TMP_PREFIX)
        remove_stale_temporaries(out_dir)
        staging = out_dir.parent / f"{TMP_PREFIX}{out_dir.name}.{os.getpid()}"
        try:
            if out_dir.is_dir():
                shutil.copytree(
                    out_dir,
                    staging,
                    symlinks=True,
                    copy_function=_link_or_copy,
                    ignore=lambda folder, names: (
                        set(OUTPUT_FILES) & set(names) if Path(folder) == out_dir else set()
                    ),
                )
            else:
                staging.mkdir()
            for name, content in contents.items():
                _write_synced(staging / name, content)
            replace_folder(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return {name: out_dir / name for name in OUTPUT_FILES}
