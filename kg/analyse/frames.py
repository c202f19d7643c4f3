"""Typed DataFrames from query records, shared by the figures and the Python API."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["natural", "records_frame"]


def _column_dtype(values: list[Any]) -> str | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(isinstance(v, bool) for v in present):
        return "boolean" if len(present) < len(values) else "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Int64" if len(present) < len(values) else "int64"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "float64"
    return None


def records_frame(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with typed columns: whole numbers as ``int64`` (``Int64`` where some are
    missing), other numbers as ``float64``, booleans as ``bool``, text as objects.

    >>> records_frame([{"n": 1, "p": 0.5, "x": "a"}, {"n": None, "p": 1, "x": None}],
    ...               ["n", "p", "x"]).dtypes.astype(str).tolist()
    ['Int64', 'float64', 'object']
    """
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        values = [record.get(column) for record in records]
        dtype = _column_dtype(values)
        data[column] = pd.Series(values, dtype=dtype if dtype else object)
    return pd.DataFrame(data, columns=list(columns))


def natural(text: str) -> list[Any]:
    """Sort key that puts "case 9" before "case 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
