"""The ``dmkg`` command. Each subcommand is thin: it calls the same functions the tests call.

Exit codes: 0 success (or: the data is valid); 1 the data is invalid (curation errors, SHACL
violations, an inconsistent ontology); 2 usage error (bad option, missing file, unknown
name; a file or folder the system refuses to read or write, named with its reason);
130 interrupted.

Building the parser imports only the command modules, which import their libraries when a
command runs, so ``dmkg --help`` starts quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kg.cli.common import EPILOG, parse_params
from kg.errors import EXIT_CODES, DmkgError
from kg.version import __version__

__all__ = ["COMMAND_MODULES", "EPILOG", "build_parser", "main", "parse_params"]

#: modules under kg/cli/ that add subcommands (each defines add_parser(subparsers)), in the
#: order ``dmkg --help`` lists them
COMMAND_MODULES: tuple[str, ...] = (
    "kg.cli.build",
    "kg.cli.read",
    "kg.cli.classify",
    "kg.cli.plot",
    "kg.cli.serve",
    "kg.cli.publish",
    "kg.cli.exchange",
    "kg.cli.synth",
    "kg.cli.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dmkg",
        description="dmkg: a knowledge graph of dermatomyositis phenotypes, myositis "
        "autoantibodies and cancers, built from curated case series.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"dmkg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except DmkgError as exc:
        print(f"dmkg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_CODES.get(type(exc), 1)
    except KeyboardInterrupt:
        print(f"dmkg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the file system refused (a path through a file, no space, ...)
        print(f"dmkg {args.command}: error: {_os_error_text(exc)}", file=sys.stderr)
        return 2


def _os_error_text(exc: OSError) -> str:
    """``exc`` as one line naming the path(s) and the system's reason, without a traceback:

    >>> print(_os_error_text(NotADirectoryError(20, "Not a directory", "/tmp/f/x")))
    /tmp/f/x: Not a directory (a part of this path is a file, not a folder)
    """
    reason = exc.strerror or str(exc)
    if isinstance(exc, NotADirectoryError):
        reason += " (a part of this path is a file, not a folder)"
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
