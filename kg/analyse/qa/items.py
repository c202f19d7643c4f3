"""One row of the data-quality report: a printed number and what the paper's own data gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["QA_COLUMNS", "QA_KINDS", "QAItem"]

QA_KINDS = (
    "total-vs-rows",
    "percent-vs-fraction",
    "p-value-vs-recomputed",
    "text-vs-table",
    "period-vs-dates",
    "survival-vs-rows",
    "percent-vs-denominator",
    "test-vs-statistic",
    "record-vs-ontology",
)
#: column order for tables and CSV output
QA_COLUMNS = ("kind", "source", "location", "item", "reported", "derived", "note")


@dataclass(frozen=True)
class QAItem:
    """One printed number that disagrees with what the paper's own data gives."""

    source: str  # DOI
    location: str  # "Table 2, column Pruritus, row Total" or "Results (text)"
    item: str  # what the number counts, e.g. "pruritus present"
    reported: int | str
    derived: int | str
    kind: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in QA_COLUMNS}
