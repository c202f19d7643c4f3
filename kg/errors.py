"""Exceptions of dmkg. Messages are built from the data each exception holds.

The command line maps each class to an exit code (see ``EXIT_CODES``); a user's
mistake is reported in one readable message, never as a traceback.

>>> str(CurationError("unknown term", file="cases.tsv", row=7, column="antibody",
...                   value="anti-Jo1", expected="an autoantibody label or synonym",
...                   suggestions=["anti-Jo-1"]))
"cases.tsv, line 7, column 'antibody': unknown term: 'anti-Jo1' (expected an autoantibody label or synonym; did you mean 'anti-Jo-1'?)"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "EXIT_CODES",
    "BuildError",
    "CurationError",
    "CurationErrors",
    "DmkgError",
    "NotFoundError",
    "QueryError",
    "ReasonerError",
    "RemoteError",
    "UsageError",
    "ValidationFailed",
]


class DmkgError(Exception):
    """Base class of every error dmkg raises on purpose."""


class UsageError(DmkgError):
    """The command was called wrongly (bad option, missing file)."""


class NotFoundError(DmkgError):
    """A named thing (source, query, patient) does not exist."""


class ReasonerError(DmkgError):
    """The OWL reasoner failed or found the ontology and data inconsistent."""


class QueryError(DmkgError):
    """A SPARQL query is malformed, refused or failed."""


class BuildError(DmkgError):
    """A build could not finish for a reason outside the data (a worker process died)."""


class RemoteError(DmkgError):
    """A remote SPARQL store failed: down, too slow, an HTTP error, wrong credentials."""


@dataclass
class CurationError(DmkgError):
    """One problem in a curated data file, located by file, row and column."""

    problem: str
    file: str = ""
    row: int | str | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    suggestions: Sequence[str] = field(default_factory=tuple)
    case: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.row is not None:
            parts.append(f"line {self.row}" + (f" (case {self.case})" if self.case else ""))
        if self.column:
            kind = "item" if self.file.endswith((".yaml", ".yml")) else "column"
            parts.append(f"{kind} {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.problem}"
        if self.value is not None:
            text += f": {self.value!r}"
        hints = []
        if self.expected:
            hints.append(f"expected {self.expected}")
        if self.suggestions:
            hints.append("did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?")
        if hints:
            text += " (" + "; ".join(hints) + ")"
        return text


class CurationErrors(DmkgError):
    """Several curation problems found in one pass, reported together."""

    def __init__(self, errors: Sequence[CurationError]) -> None:
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.errors)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the curated data:"]
        lines += [f"  - {e}" for e in self.errors]
        return "\n".join(lines)


class ValidationFailed(DmkgError):
    """The graph does not conform to the SHACL shapes; ``report`` is readable text."""

    def __init__(self, report: str, count: int) -> None:
        self.report = report
        self.count = count
        super().__init__(f"the graph does not conform to the shapes ({count} violations)\n{report}")


#: exit codes of the ``dmkg`` command, following pySHACL: 0 ok, 1 invalid data, 2 usage.
EXIT_CODES: dict[type[DmkgError], int] = {
    CurationError: 1,
    CurationErrors: 1,
    ValidationFailed: 1,
    ReasonerError: 1,
    QueryError: 2,
    UsageError: 2,
    NotFoundError: 2,
    RemoteError: 2,
    BuildError: 2,
}
