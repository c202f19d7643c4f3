"""What an import reports and plans: located problems, source plans, results, file names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import DmkgError

__all__ = [
    "COHORT_ID",
    "MEASUREMENTS_FILE",
    "NOTES_FILE",
    "ImportProblem",
    "ImportResult",
    "PhenopacketImportError",
    "SourcePlan",
]

NOTES_FILE = "import-notes.tsv"
MEASUREMENTS_FILE = "measurements.tsv"
COHORT_ID = "imported"


@dataclass(frozen=True, order=True)
class ImportProblem:
    """Something in a phenopacket file that could not be imported: where, what, why."""

    file: str
    path: str
    value: str
    problem: str
    expected: str = ""

    def __str__(self) -> str:
        text = f"{self.file}, {self.path}: {self.problem}"
        if self.value:
            text += f": {self.value!r}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class PhenopacketImportError(DmkgError):
    """Phenopackets that cannot be imported; every problem is listed, located."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the phenopackets:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


@dataclass
class SourcePlan:
    """One source folder to write: its publication, patients, ranged labs and notes."""

    source_id: str
    doi: str
    title: str
    also_doi: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    patients: list[dict[str, Any]] = field(default_factory=list)
    ranged_labs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import wrote: one folder per publication, patients, and notes."""

    folders: list[Path]
    patients: int
    notes: list[ImportProblem]
    sources: dict[str, str]
