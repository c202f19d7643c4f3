"""``dmkg bench --patients 1000,10000,100000``: time and memory of a registry-scale build.

Each size is drawn by :mod:`kg.sources.synth`, built by :mod:`kg.build.store` and queried with every
canned query, beside plain rdflib and raw pyoxigraph on the same graph (:mod:`kg.bench.run`).
The tables go to standard output, progress to standard error; ``--json FILE`` also writes
every number.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from kg.errors import UsageError

__all__ = ["add_parser", "parse_sizes"]


def parse_sizes(text: str) -> list[int]:
    """The registry sizes of ``--patients``: whole numbers above 0, comma-separated.

    >>> parse_sizes("1000, 10000,1_000")
    [1000, 10000]
    """
    sizes = []
    for part in text.split(","):
        item = part.strip().replace("_", "")
        if not item.isdigit() or int(item) < 1:
            raise UsageError(
                f"--patients {text!r}: {part.strip()!r} is not a whole number "
                "above 0 (expected e.g. 1000,10000,100000)"
            )
        sizes.append(int(item))
    return sorted(set(sizes))


def _cmd_bench(args: argparse.Namespace) -> int:
    from kg.bench.report import write_json
    from kg.bench.run import run_bench
    from kg.sources.synth_draws import MAX_PATIENTS

    sizes = parse_sizes(args.patients)
    if sizes[-1] > MAX_PATIENTS:
        raise UsageError(
            f"--patients: {sizes[-1]:,} is above the {MAX_PATIENTS:,} patients kg.sources.synth draws"
        )
    for flag, value in (
        ("--workers", args.workers),
        ("--repeat", args.repeat),
        ("--baseline-timeout", args.baseline_timeout),
    ):
        if value is not None and value <= 0:
            raise UsageError(f"{flag} {value:g}: must be above 0")
    if args.rdflib_max_patients < 0:
        raise UsageError(f"--rdflib-max-patients {args.rdflib_max_patients}: must be 0 or more")
    if args.virtuoso and shutil.which("virtuoso-t") is None:
        raise UsageError(
            "--virtuoso: virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource)"
        )
    if args.json:  # fail now, not after a long run
        folder = Path(args.json).parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise UsageError(
                f"--json {args.json}: the folder {folder} does not exist or cannot be written to"
            )
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    report = run_bench(
        sizes,
        seed=args.seed,
        workers=args.workers,
        repeat=args.repeat,
        rdflib_max_patients=args.rdflib_max_patients,
        baseline_timeout=args.baseline_timeout,
        keep=keep,
        on_disk=args.on_disk,
        virtuoso=args.virtuoso,
    )
    sys.stdout.write(report.text())
    if args.json:
        write_json(report, Path(args.json))
        print(f"wrote {args.json}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Add ``dmkg bench`` to the ``dmkg`` command."""
    from kg.cli.common import EPILOG

    parser = subparsers.add_parser(
        "bench",
        help="time and memory of a registry-scale build, beside rdflib and pyoxigraph",
        description="For each size, draw a synthetic registry (dmkg synth), build it into an "
        "in-memory Oxigraph store (timing each stage kg.build.store reports, and the whole "
        "build) and run every canned query, each size in a fresh process; print wall time "
        "and peak memory (RSS of the process tree, MB) per stage, the same graph read and "
        "queried by plain rdflib and raw pyoxigraph with the ratios, the growth between "
        "sizes, and whether the goals of the 100,000-patient registry are met (build <= "
        "180 s, peak <= 4096 MB, each query <= 2 s).",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--patients",
        default="1000,10000,100000",
        metavar="N,N,...",
        help="registry sizes, comma-separated, run in ascending order (default: 1000,10000,100000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the registries (default 1)")
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="loader processes (default: 2, or 1 on a one-core machine)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs of each query on each engine; the best is kept (default 1)",
    )
    parser.add_argument(
        "--rdflib-max-patients",
        type=int,
        default=10_000,
        metavar="N",
        help="run the rdflib baseline only up to this size (default 10000; "
        "rdflib needs about 1 KB of memory a triple)",
    )
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="time limit of each rdflib query (default 120)",
    )
    parser.add_argument(
        "--on-disk",
        action="store_true",
        help="build into an on-disk Oxigraph store in a temporary folder, as "
        "'dmkg build --store DIR' does (adds the persist stage; queries then "
        "read the reopened store), instead of an in-memory store",
    )
    parser.add_argument(
        "--virtuoso",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also bulk-load the same graph into a Virtuoso 7 server of its own (127.0.0.1, "
        "a temporary folder) and run each query there through --endpoint's path, beside "
        "dmkg's, with the row counts compared (default: on where virtuoso-t is installed)",
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the generated registries in DIR/<N>-patients/"
    )
    parser.add_argument("--json", metavar="FILE", help="also write every number as JSON")
    parser.set_defaults(func=_cmd_bench)
    _add_startup(subparsers)


def _cmd_startup(args: argparse.Namespace) -> int:
    from kg.bench.startup import heavy_imports, measure_startup, startup_text

    if args.repeat < 1:
        raise UsageError(f"--repeat {args.repeat}: must be 1 or more")
    graph = Path(args.graph)
    if not (graph / "dmkg.nt").is_file() and not graph.is_file():
        raise UsageError(f"--graph {args.graph}: no built graph here; run 'dmkg build' first")
    rows = measure_startup(graph, repeat=args.repeat)
    sys.stdout.write(startup_text(rows, heavy_imports()))
    return 0


def _add_startup(subparsers: Any) -> None:
    from kg.cli.common import EPILOG

    parser = subparsers.add_parser(
        "bench-startup",
        help="time dmkg --help and a canned query, each in a fresh process",
        description="Run 'python -c pass', 'import kg', 'dmkg --help' and 'dmkg query "
        "cancer-sites --graph DIR' in fresh processes, --repeat times each; print the best and "
        "median wall time, the ratio to python's own start-up, and the goals (--help <= 0.3 s, "
        "the query <= 0.5 s); list any heavy library 'import kg' loads.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--graph", default="build", metavar="DIR", help="a build folder (default: build)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, metavar="N", help="runs of each command (default 5)"
    )
    parser.set_defaults(func=_cmd_startup)
