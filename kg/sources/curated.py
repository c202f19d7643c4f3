"""Read curated files (YAML and tab-separated tables) with errors that point at the line.

Nothing here knows what the columns mean; :mod:`kg.loader` does. This module only
guarantees that what it returns is well-formed text: UTF-8, a rectangular table with a
header, no duplicated header names.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import CurationError
from kg.fileio import UnreadableFile, read_regular_file
from kg.sources.privacy import contains_identifier, identifier_kind

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_DIGITS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_ROWS",
    "MAX_YAML_BYTES",
    "Table",
    "TableRow",
    "read_table",
    "read_yaml",
]

#: a longer cell is almost certainly a broken file (an unclosed quote, a pasted document)
MAX_CELL_CHARS = 10_000
#: the largest table file read (a 10-million-patient synthetic registry is about 480 MB)
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: the most rows one read holds (``dmkg build --store`` reads a larger registry in batches)
MAX_TABLE_ROWS = 200_000
#: the largest source.yaml read (the papers' are about 12 kB)
MAX_YAML_BYTES = 2 * 1024 * 1024
#: a longer run of digits is no number of a paper (and Python refuses ints over 4,300 digits)
MAX_DIGITS = 30
_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


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


def _read_text(path: Path, shown: str, limit: int) -> str:
    """A regular file's text: UTF-8, no NUL, CR LF read as LF; a lone CR is an error."""
    try:
        raw = read_regular_file(path, limit)
    except UnreadableFile as exc:
        if exc.reason == "file not found":
            raise CurationError("file not found", shown, expected="an existing file") from None
        raise CurationError(exc.reason, shown) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CurationError(
            f"not valid UTF-8 (byte {raw[exc.start]:#04x})", shown, row=line, expected="UTF-8 text"
        ) from None
    del raw
    text = text.removeprefix("\ufeff")  # a byte-order mark written by spreadsheet programs
    for char, what, expected in (
        ("\0", "a NUL character", "text without control characters"),
        ("\r", "a carriage return (CR) not followed by a line feed", "LF or CR LF line ends"),
    ):
        if char == "\r":
            text = text.replace("\r\n", "\n")
        at = text.find(char)
        if at >= 0:
            raise CurationError(
                what, shown, row=text.count("\n", 0, at) + 1, expected=expected
            ) from None
    return text


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
    text = _read_text(path, shown, MAX_TABLE_BYTES)
    if not text.strip():
        raise CurationError("empty file", shown, expected="a header line and data rows")
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    lines = _csv_lines(reader, shown)
    first = next(lines)
    header = _header(first, shown)
    rows: list[TableRow] = []
    at, wanted = (header.index(keep[0]), keep[1]) if keep and keep[0] in header else (-1, None)
    data_rows = 0
    for number, cells in enumerate(lines, start=2):
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
            _check_cell(cell, shown, number, name)
        if len(rows) == MAX_TABLE_ROWS:
            raise CurationError(
                f"more than {MAX_TABLE_ROWS:,} rows",
                shown,
                row=number,
                expected=f"at most {MAX_TABLE_ROWS:,} rows per table in one read "
                "('dmkg build --store' reads a larger registry in batches)",
            )
        rows.append(TableRow(number, {h: c.strip() for h, c in zip(header, cells)}))
    if not data_rows:
        raise CurationError("no data rows under the header", shown, row=1)
    return Table(shown, header, rows)


def _header(first: list[str], shown: str) -> list[str]:
    """The header's column names, checked: several, named, unique, no identifiers."""
    header = [h.strip() for h in first]
    if len(header) < 2:
        raise CurationError(
            "the header has a single column",
            shown,
            row=1,
            value=first[0][:80],
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
    return header


def _csv_lines(reader: Any, shown: str) -> Any:
    """The reader's rows; a field over csv's own limit is the same error as a long cell."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CurationError(
                f"unreadable row ({exc}): a cell of more than {MAX_CELL_CHARS} characters?",
                shown,
                row=reader.line_num,
                expected=f"at most {MAX_CELL_CHARS} characters a cell",
            ) from None


def _check_cell(cell: str, shown: str, row: int | None, column: str | None) -> None:
    if len(cell) > MAX_CELL_CHARS:
        raise CurationError(
            f"cell of {len(cell)} characters",
            shown,
            row=row,
            column=column,
            expected=f"at most {MAX_CELL_CHARS} characters",
        )
    long_number = _LONG_NUMBER.search(cell)
    if long_number:
        raise CurationError(
            f"a number of {len(long_number.group())} digits",
            shown,
            row=row,
            column=column,
            value=long_number.group()[:40] + "...",
            expected=f"numbers of at most {MAX_DIGITS} digits",
        )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicated keys (also ``1`` beside ``"1"``), keys that are not
    plain values, overly deep nesting and numbers too long to be a paper's."""

    max_depth = 20
    #: values a document may expand to, counting each use of an alias (``*name``) anew
    max_nodes = 100_000


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    keys: dict[str, Any] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value (text or a number)", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if str(key) in keys:
            before = keys[str(key)]
            problem = f"duplicated key {key!r}"
            if type(before) is not type(key):
                problem += f", also written {before!r}: one of the two meanings would be lost"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        keys[str(key)] = key
    # every key as text: a mapping never mixes 1 and "a" (which no sort can order)
    return {str(k): v for k, v in loader.construct_mapping(node, deep=deep).items()}


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {digits} digits (at most {MAX_DIGITS})",
            node.start_mark,
        )
    return loader.construct_yaml_int(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _depth(node: yaml.Node, limit: int, budget: int) -> int:
    """How deep ``node`` nests (stopping past ``limit``); -1 if it expands past ``budget``
    values (an alias bomb: a 2 kB file of aliases of aliases expands to billions)."""
    stack = [(node, 1)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        budget -= 1
        if budget < 0:
            return -1
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        if isinstance(current, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in current.value for child in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
    return deepest


def _compose(text: str, shown: str) -> Any:
    """Compose, check the shape, then construct: nothing deep or huge is ever built."""
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except RecursionError:
        raise CurationError(
            "YAML nested too deeply", shown, expected=f"at most {_StrictLoader.max_depth} levels"
        ) from None
    if node is None:
        return None
    depth = _depth(node, _StrictLoader.max_depth, _StrictLoader.max_nodes)
    if depth < 0:
        raise CurationError(
            f"YAML expands to more than {_StrictLoader.max_nodes:,} values through its "
            "aliases (*name)",
            shown,
            expected="a source.yaml written out, without alias chains",
        )
    if depth > _StrictLoader.max_depth:
        raise CurationError(
            "YAML nested too deeply", shown, expected=f"at most {_StrictLoader.max_depth} levels"
        )
    return yaml.load(text, Loader=_StrictLoader)


def _screen(value: Any, shown: str, path: str = "") -> None:
    """Every text value of a YAML file, as a table cell: length, long numbers, control
    characters and direct identifiers (an e-mail, a phone number; a full date too, except
    under ``publication`` and ``study``, which describe the paper, not a patient)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _screen(key, shown, path)
            if not identifier_kind(str(key)):  # a key like 'date_of_birth': the loader
                # refuses the key itself
                _screen(item, shown, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):  # items counted from 1, as the loader
            _screen(item, shown, f"{path}[{index}]")
    elif isinstance(value, str):
        _check_cell(value, shown, None, path or None)
        bad = next((c for c in value if c in _CONTROL), None)
        if bad is not None:
            raise CurationError(
                f"a control character {bad!r} in a value",
                shown,
                column=path or None,
                expected="text without control characters (tabs and line ends only)",
            )
        kind = contains_identifier(value)
        if kind and not (kind.startswith("a full date") and path.startswith(_PAPER_KEYS)):
            raise CurationError(
                f"value contains {kind}",
                shown,
                column=path or None,
                value=value[:80],
                expected="de-identified data only: no e-mail addresses, phone numbers or "
                "full dates",
            )


_PAPER_KEYS = ("publication.", "study.")
_CONTROL = frozenset(chr(c) for c in [*range(9), 11, 12, *range(14, 32), 127])


def read_yaml(path: Path, shown: str | None = None) -> dict[str, Any]:
    """Read a YAML mapping with the safe loader; errors name the line."""
    shown = shown or str(path)
    text = _read_text(path, shown, MAX_YAML_BYTES)
    if not text.strip():
        raise CurationError("empty file", shown, expected="a YAML mapping")
    try:
        data = _compose(text, shown)
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
    _screen(data, shown)
    return data
