"""``dmkg build`` (graph files or an on-disk store) and ``dmkg validate`` (curated folders)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kg.cli.common import EPILOG, source_args
from kg.errors import UsageError

__all__ = ["add_parser"]


def _cmd_build(args: argparse.Namespace) -> int:
    from kg.build.graph import build_graph, check_out_folder, write_graph
    from kg.fileio import writer_lock

    folders = source_args(args.data) if args.data else None
    if args.store:
        if args.out:
            raise UsageError(
                "give --out (graph files, small data, HermiT) or --store (an "
                "Oxigraph store, registry scale), not both"
            )
        return _build_store(folders, Path(args.store), args.workers)
    args.out = args.out or "build"
    check_out_folder(Path(args.out))  # before the build, not after it
    with writer_lock(Path(args.out), "dmkg build"):  # a second build here fails at once
        result = build_graph(folders, run_reasoner=not args.no_reason)
        written = write_graph(result, Path(args.out))
    print(result.summary.text())
    checked = (
        "HermiT found the graph consistent and infers the same"
        if result.inference.checked_by_hermit
        else "HermiT not run: consistency not checked"
    )
    print(
        f"inferred type triples: {len(result.inference.triples)} (rules in ontology/rules; {checked})"
    )
    from collections import Counter

    from kg.api import KnowledgeGraph

    kinds = Counter(item.kind for item in KnowledgeGraph(result.graph).qa_report())
    print(
        f"data-quality report: {sum(kinds.values())} printed numbers disagree with the data "
        f"({', '.join(f'{k}: {n}' for k, n in sorted(kinds.items())) or 'none'}); "
        "see 'dmkg qa' (the graph keeps both numbers)"
    )
    print("wrote: " + ", ".join(str(p) for p in written.values()))
    return 0


def _build_store(folders: list[Path] | None, target: Path, workers: int | None) -> int:
    import time

    from kg.analyse.summary import GraphSummary
    from kg.build.store import build_store

    start = time.perf_counter()
    result = build_store(folders, target, workers=workers)
    summary = result.summary
    print(
        GraphSummary(
            result.triples, summary["sources"], summary["records"], summary["inferred_patients"]
        )
        .text()
        .replace("classified by the reasoner", "classified by the rules in ontology/rules")
    )
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.stages.items())
    print(f"store build: {time.perf_counter() - start:.1f} s ({stages})")
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.steps.items())
    print(
        f"  inside load+validate, CPU time summed over {result.batches} batch(es) run "
        f"{result.workers} at a time: {steps} ('store': the main process's one streaming bulk "
        "load beside them, its threads included)"
    )
    print(f"wrote: {result.path} (query it with 'dmkg query NAME --store {result.path}')")
    return 0


#: tables larger than this (bytes, all folders together; about 700 registry patients, the
#: bundled papers have 20 KB) are validated batch by batch, as ``dmkg build --store`` loads
#: them. Measured at 2,000 synthetic patients (91 KB): the whole graph in rdflib 10.1 s of CPU
#: and 472 MB, one batch 2.7 s and 101 MB; at 600 (27 KB) 2.8 s and 179 MB against 0.9 s
BATCHED_ABOVE = 32_000


def _batch_size(folders: list[Path]) -> int | None:
    """Patients per batch for the batched path, or None for the single path (small input).
    ``DMKG_VALIDATE_BATCH=N`` forces batches of N patients (tests)."""
    import os

    from kg.build.batches import BATCH_PATIENTS

    forced = os.environ.get("DMKG_VALIDATE_BATCH", "")
    if forced:
        if not forced.isdigit() or int(forced) < 1:
            raise UsageError(f"DMKG_VALIDATE_BATCH must be a positive number, not {forced!r}")
        return int(forced)
    size = sum(t.stat().st_size for f in folders for t in f.glob("*.tsv") if t.is_file())
    return BATCH_PATIENTS if size > BATCHED_ABOVE else None


def _validate_batched(folders: list[Path], names: str, batch: int) -> int:
    """Validate in batches of ``batch`` patients (the store build's loader and gate, without
    its rules and data checks); print exactly what the single path prints on errors."""
    import os
    import tempfile

    from kg.build.batches import iter_batches, raise_problems
    from kg.errors import CurationErrors, ValidationFailed

    workers = min(2, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="dmkg-validate-") as text_dir:
        try:
            outcomes = []
            for outcome in iter_batches(
                folders, Path(text_dir), workers, batch=batch, validate_only=True
            ):
                outcomes.append(outcome)
                if os.path.exists(outcome.file):  # keep the disk small: its report is read
                    os.unlink(outcome.file)
            raise_problems(outcomes)
        except CurationErrors as exc:
            print(f"INVALID: {names}")
            print(exc)
            return 1
        except ValidationFailed as exc:
            print(f"INVALID: {names}")
            print(exc.report)
            return 1
    print(
        f"VALID: {names} ({len(outcomes)} batch(es) of up to {batch:,} patients, each "
        "conforms to the shapes)"
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from kg.errors import CurationErrors
    from kg.loaders import load_sources
    from kg.ontology import load_ontology
    from kg.terms import TermIndex
    from kg.validate.shacl import validate_graph

    folders = source_args(args.paths)
    names = ", ".join(str(f) for f in folders)
    batch = _batch_size(folders)
    if batch is not None:
        return _validate_batched(folders, names, batch)
    ontology = load_ontology()
    try:
        data = load_sources(folders, TermIndex(ontology))
    except CurationErrors as exc:
        print(f"INVALID: {names}")
        print(exc)
        return 1
    report = validate_graph(data, ontology)
    if report.conforms:
        print(f"VALID: {names} ({len(data)} triples conform to the shapes)")
        return 0
    print(f"INVALID: {names}")
    print(report.text())
    return 1


def add_parser(sub: Any) -> None:
    """Add ``build`` and ``validate`` to the ``dmkg`` command."""
    build = sub.add_parser(
        "build",
        help="load, validate, reason and write the graph",
        description="Load the curated sources, check them against the SHACL "
        "shapes, classify with HermiT, and write dmkg.nt, dmkg.ttl and "
        "summary.json atomically.",
        epilog=EPILOG,
    )
    build.add_argument(
        "--out", help="output folder for dmkg.nt, dmkg.ttl and summary.json (default: build)"
    )
    build.add_argument(
        "--store",
        metavar="DIR",
        help="instead of graph files, build an on-disk Oxigraph store in DIR "
        "for registry-scale data: N-Triples from worker processes, Oxigraph's "
        "bulk loader, the SHACL shapes batch by batch, the rules in "
        "ontology/rules in place of HermiT; 'dmkg query/sparql/serve --store "
        "DIR' then start without reloading",
    )
    build.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="with --store: loader processes (default: 2, or 1 on one core)",
    )
    build.add_argument(
        "--data",
        nargs="+",
        metavar="DIR",
        help="source folders to build from (default: the bundled papers)",
    )
    build.add_argument(
        "--no-reason",
        action="store_true",
        help="do not run the HermiT reasoner (no Java needed): the rules in ontology/rules "
        "still infer the defined classes, but consistency is not checked",
    )
    build.set_defaults(func=_cmd_build)

    validate = sub.add_parser(
        "validate",
        help="check curated source folders",
        description="Check curated case-series folders (source.yaml and "
        "its tables) and print every problem with file, row, column, value "
        "and rule. Exit 0 if valid, 1 if not, 2 on a usage error.",
        epilog=EPILOG,
    )
    validate.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a source folder, its source.yaml, or a folder of source folders",
    )
    validate.set_defaults(func=_cmd_validate)
