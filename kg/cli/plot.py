"""``dmkg plot NAME --out FILE``: draw one of the figures of :mod:`kg.figures`.

The file type follows the suffix (.png or .svg). ``--data FILE.csv`` also writes the
numbers the figure draws, so a figure can be checked or redrawn elsewhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kg.cli.common import EPILOG, add_graph_arguments, open_from_args, parse_params
from kg.errors import UsageError

__all__ = ["add_parser"]


def _cmd_plot(args: argparse.Namespace) -> int:
    from kg.figures import FIGURES

    if args.list:
        for name, (function, types) in FIGURES.items():
            summary = (function.__doc__ or "").strip().splitlines()[0]
            print(f"{name:<20} {', '.join(types) or '-':<21} {summary}")
        return 0
    if not args.name:
        raise UsageError("give a figure name (see --list) and --out FILE.png or FILE.svg")
    if not args.out:
        raise UsageError("give --out FILE.png or --out FILE.svg")
    if Path(args.out).suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"--out {args.out}: the file must end in .png or .svg")
    if args.data and Path(args.data).suffix.lower() != ".csv":
        raise UsageError(f"--data {args.data}: the numbers are written as CSV (.csv)")
    params: dict[str, Any] = parse_params(args.param)
    result = open_from_args(args).plot(args.name, args.out, **params)
    print(f"wrote {args.out} ({args.name}: {len(result.data)} rows of data)")
    if args.data:
        result.data.to_csv(args.data, index=False)
        print(f"wrote {args.data}")
    for note in result.notes:
        print(f"note: {note}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Add ``dmkg plot`` to the ``dmkg`` command."""

    parser = subparsers.add_parser(
        "plot",
        help="draw a figure (PNG or SVG)",
        description="Draw a figure: finding-frequency (shares with Wilson 95%% CIs), "
        "term-frequency (one finding or antibody by source and cohort), survival "
        "(Kaplan-Meier by a finding's status; alive and lost censored; numbers at risk and the "
        "log-rank p), survival-by-antibody (by an antibody test's status), survival-by-site "
        "(by cancer site), association-network, mi2-forest (odds ratios, anti-Mi2-positive vs "
        "negative), evidence-forest (odds ratios and printed risk estimates about one term). "
        "The file type follows the suffix of --out (.png or .svg).",
        epilog=EPILOG,
    )
    parser.add_argument("name", nargs="?", help="figure name (see --list)")
    parser.add_argument("--out", metavar="FILE", help="output file, .png or .svg")
    parser.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a figure parameter, e.g. --param finding=myositis (repeatable)",
    )
    parser.add_argument("--data", metavar="FILE.csv", help="also write the numbers drawn as CSV")
    parser.add_argument("--list", action="store_true", help="list the figures and parameters")
    add_graph_arguments(parser)
    parser.set_defaults(func=_cmd_plot)
