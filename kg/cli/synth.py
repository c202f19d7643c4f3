"""``dmkg synth --patients N --seed S --out DIR``: write a synthetic DM registry.

The registry is a curated source folder (``DIR/<source-id>/source.yaml`` and
``registry.tsv``) drawn by :mod:`kg.sources.synth`, so ``dmkg validate`` and ``dmkg build --data``
read it like the bundled papers.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parser"]


def _cmd_synth(args: argparse.Namespace) -> int:
    from kg.sources.synth import write_registry
    from kg.sources.synth_yaml import TABLE_FILE

    started = time.perf_counter()
    folder = write_registry(
        Path(args.out), patients=args.patients, seed=args.seed, source_id=args.source_id
    )
    seconds = time.perf_counter() - started
    size = (folder / TABLE_FILE).stat().st_size
    print(
        f"wrote {folder}: {args.patients:,} patients, seed {args.seed}, {seconds:.1f} s "
        f"(source.yaml, {TABLE_FILE} {size / 1e6:.1f} MB)"
    )
    return 0


def add_parser(subparsers: Any) -> None:
    """Add ``dmkg synth`` to the ``dmkg`` command."""
    from kg.cli.common import EPILOG

    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic DM registry (curated-data format)",
        description="Draw a synthetic dermatomyositis registry, one row per patient (age, "
        "sex, cancer and its interval to DM, five findings, five myositis-specific antibodies, "
        "outcome), with rates taken from the curated papers (kg/sources/synth-params.yaml). Writes "
        "DIR/SOURCE_ID/source.yaml and registry.tsv atomically; the same patients and seed "
        "give byte-identical files. An existing DIR/SOURCE_ID is replaced only if an earlier "
        "'dmkg synth' wrote it.",
        epilog=EPILOG,
    )
    parser.add_argument(
        "--patients",
        type=int,
        required=True,
        metavar="N",
        help="number of patients (rows), at least 1",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="seed of numpy's random generator (default: 0)",
    )
    parser.add_argument(
        "--out", required=True, metavar="DIR", help="folder to write the source folder into"
    )
    parser.add_argument(
        "--source-id",
        default="synth",
        metavar="ID",
        help="source id and folder name (default: synth)",
    )
    parser.set_defaults(func=_cmd_synth)
