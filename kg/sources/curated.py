"""Read curated files (YAML and tab-separated tables) with errors that point at the line.

Nothing here knows what the columns mean; :mod:`kg.loader` does. This module only
guarantees that what it returns is well-formed text: UTF-8, a rectangular table with a
header, no duplicated header names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import CurationError
from kg.sources.privacy import contains_identifier, identifier_kind

__all__ = ["MAX_CELL_CHARS", "Table", "TableRow", "read_table", "read_yaml"]

#: a longer cell is almost certainly a broken file (an unclosed quote, a pasted document)
MAX_CELL_CHARS = 10_000


@dataclass(frozen=True)
class TableRow:
    """One data row: its 1-based line number in the file and its cells by header name."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A tab-separated table read from a curated file."""

    file: str
    header: list[str]
    rows: list[TableRow]


def _read_text(path: Path, shown: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CurationError("file not found", shown, expected="an existing file") from None
    except OSError as exc:
        raise CurationError(f"cannot read file ({exc.strerror})", shown) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CurationError(
            f"not valid UTF-8 (byte {raw[exc.start]:#04x})", shown, row=line, expected="UTF-8 text"
        ) from None
    return text.removeprefix("\ufeff")  # a byte-order mark written by spreadsheet programs


def read_table(
    path: Path, shown: str | None = None, *, keep: tuple[str, Callable[[str], bool]] | None = None
) -> Table:
    """Read a tab-separated file whose first line is the header.

    ``shown`` is the file name used in error messages (default: the path). With
    ``keep=(column, wanted)`` only the rows whose (stripped) cell in ``column`` is ``wanted``
    are checked and returned: a process loading one shard of a 100,000-row registry reads
    its own rows, not all of them (the shape of every row is still checked). Without the
    column in the header every row is kept, and the caller reports the missing column.
    """
    shown = shown or str(path)
    text = _read_text(path, shown)
    if not text.strip():
        raise CurationError("empty file", shown, expected="a header line and data rows")
    lines = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    header = [h.strip() for h in lines[0]]
    if len(header) < 2:
        raise CurationError(
            "the header has a single column",
            shown,
            row=1,
            value=lines[0][0][:80],
            expected="tab-separated columns (is the file comma- or semicolon-separated?)",
        )
    seen: set[str] = set()
    for name in header:
        if not name:
            raise CurationError("empty column name in the header", shown, row=1)
        kind = identifier_kind(name)
        if kind:
            raise CurationError(
                f"column looks like it carries {kind}, a direct identifier",
                shown,
                row=1,
                column=name,
                expected="de-identified data only: remove this column",
            )
        if name in seen:
            raise CurationError("duplicated column name", shown, row=1, column=name)
        seen.add(name)
    rows: list[TableRow] = []
    at, wanted = (header.index(keep[0]), keep[1]) if keep and keep[0] in header else (-1, None)
    data_rows = 0
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            raise CurationError(
                f"row has {len(cells)} cells but the header has {len(header)} columns",
                shown,
                row=number,
                expected="one tab between cells, as many cells as header columns",
            )
        data_rows += 1
        if wanted is not None and not wanted(cells[at].strip()):
            continue
        for name, cell in zip(header, cells, strict=True):
            kind = contains_identifier(cell)
            if kind:
                raise CurationError(
                    f"cell contains {kind}",
                    shown,
                    row=number,
                    column=name,
                    expected="de-identified data only: no e-mail addresses, phone numbers or "
                    "full dates",
                )
            if len(cell) > MAX_CELL_CHARS:
                raise CurationError(
                    f"cell of {len(cell)} characters",
                    shown,
                    row=number,
                    column=name,
                    expected=f"at most {MAX_CELL_CHARS} characters",
                )
        rows.append(TableRow(number, {h: c.strip() for h, c in zip(header, cells)}))
    if not data_rows:
        raise CurationError("no data rows under the header", shown, row=1)
    return Table(shown, header, rows)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicated keys and overly deep nesting."""

    max_depth = 20


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicated key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _depth(node: yaml.Node, limit: int) -> int:
    stack = [(node, 1)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        if isinstance(current, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in current.value for child in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return deepest


def read_yaml(path: Path, shown: str | None = None) -> dict[str, Any]:
    """Read a YAML mapping with the safe loader; errors name the line."""
    shown = shown or str(path)
    text = _read_text(path, shown)
    if not text.strip():
        raise CurationError("empty file", shown, expected="a YAML mapping")
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
        if node is not None and _depth(node, _StrictLoader.max_depth) > _StrictLoader.max_depth:
            raise CurationError(
                "YAML nested too deeply",
                shown,
                expected=f"at most {_StrictLoader.max_depth} levels",
            )
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CurationError(
            f"invalid YAML: {exc.problem or exc.context}", shown, row=line
        ) from None
    except yaml.YAMLError as exc:
        raise CurationError(f"invalid YAML: {exc}", shown) from None
    if not isinstance(data, dict):
        raise CurationError("top level is not a mapping", shown, expected="key: value pairs")
    return data
