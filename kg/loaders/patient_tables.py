"""Load a patient table: one row per patient, cells read through the column's declaration.

A table is a TSV file transcribed cell for cell from the paper. ``source.yaml`` declares
what each column holds (``kind``) and how its codes read (``codes``: a codebook name or an
inline mapping). A column the declaration does not name is an error, so no cell is
silently dropped.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.context import SourceContext
from kg.loaders.patient_cells import AntibodyRows, _check_cancer_codes, _load_cell
from kg.loaders.writer import Where
from kg.namespaces import DMKG
from kg.sources.curated import Table, TableRow, read_table

__all__ = ["COLUMN_KINDS", "load_patient_table"]

COLUMN_KINDS = (
    "age",
    "sex",
    "cancer",
    "cancer-interval",
    "finding",
    "lab",
    "antibody",
    "antibodies",
    "outcome",
)


def load_patient_table(ctx: SourceContext, spec: dict[str, Any]) -> None:
    """Read one patient table declared in source.yaml and add its records."""
    where0 = ctx.where_yaml("patient_tables")
    for key in ("table", "file", "cohort", "case_column", "columns"):
        if not spec.get(key):
            raise where0.error(
                f"patient table without '{key}'",
                None,
                "table, file, cohort, case_column and columns",
            )
    case_column: str = spec["case_column"]
    totals_label = spec.get("totals_row")
    mine, shards = ctx.shard

    def in_shard(case: str) -> bool:
        # a patient's rows (in every table and reading file) go where its case label hashes;
        # the totals row goes everywhere (shard 0 reads it)
        return (
            shards == 1 or case == totals_label or zlib.crc32(case.encode("utf-8")) % shards == mine
        )

    table = read_table(
        ctx.table_path(spec["file"], where0),
        ctx.shown(str(spec["file"])),
        keep=(case_column, in_shard),
    )
    cohort = ctx.cohort(spec["cohort"], where0)
    columns: dict[str, dict[str, Any]] = spec["columns"]
    _check_kinds(ctx, columns)
    _check_header(table, case_column, columns)
    _check_terms(ctx, columns)
    antibodies = _antibody_files(ctx, columns, in_shard)
    seen: set[str] = set()
    check = _CaseCheck(ctx, spec, table.file, case_column, seen)
    errors = ctx.writer.errors  # each row is read by one shard, which reports its problems
    for row in table.rows:
        case = row.cells[case_column]
        if totals_label is not None and case == totals_label:
            check.totals(row)
            continue
        problem = check.problem(case, row.line)
        if problem is not None:
            errors.append(problem)
            continue
        seen.add(case)
        row_where = Where(table.file, row.line, spec["table"], case, case_column, verbatim=case)
        patient = ctx.writer.patient(case, cohort, row_where)
        cancer: list[URIRef] = []
        for name, column in columns.items():
            where = Where(table.file, row.line, spec["table"], case, name, verbatim=row.cells[name])
            ctx.writer.attempt(
                _load_cell, ctx, patient, row, name, column, where, cancer, antibodies
            )
    for by_case in antibodies.values():
        for case in sorted(set(by_case) - seen):
            file, line = by_case[case][0][0], by_case[case][0][1].line
            errors.append(
                CurationError(
                    "antibody reading for a case not in the table", file, line, "case", case
                )
            )


class _CaseCheck:
    """The case labels of one patient table: no empty, doubled or lookalike label, no case
    its cohort's first table lacks, and one totals row."""

    def __init__(
        self, ctx: SourceContext, spec: dict[str, Any], file: str, column: str, seen: set[str]
    ) -> None:
        self.ctx, self.spec, self.file, self.column, self.seen = ctx, spec, file, column, seen
        self.first_table, self.first_cases = ctx.cohort_cases.setdefault(
            str(spec["cohort"]), (str(spec["table"]), seen)
        )
        self.totals_line: int | None = None

    def error(self, problem: str, line: int, value: str | None, expected: str) -> CurationError:
        return CurationError(problem, self.file, line, self.column, value, expected)

    def totals(self, row: TableRow) -> None:
        if self.totals_line is not None:
            self.ctx.writer.errors.append(
                self.error(
                    "a second totals row",
                    row.line,
                    row.cells[self.column],
                    f"one totals row (the first is line {self.totals_line})",
                )
            )
            return
        self.totals_line = row.line
        self.ctx.totals_rows[self.spec["table"]] = (self.file, row)

    def problem(self, case: str, line: int) -> CurationError | None:
        if not case:
            return self.error("empty case label", line, None, "a case number")
        odd = _lookalike(case)
        if odd:
            return self.error(
                f"case label with {odd}",
                line,
                case,
                "plain characters (a lookalike would make a second patient)",
            )
        if case in self.seen:
            return self.error("duplicated case", line, case, "each case once per table")
        if self.first_cases is not self.seen and case not in self.first_cases:
            return self.error(
                f"case not in {self.first_table}, the first table of its cohort",
                line,
                case,
                f"the cases of {self.first_table} (a case in a later table only is a phantom)",
            )
        return None


def _lookalike(case: str) -> str | None:
    """What makes a case label look like another one: an invisible or full-width
    character (NFKC folds it), or a control character."""
    if any(unicodedata.category(c) in ("Cf", "Cc", "Co", "Cn") for c in case):
        return "an invisible or control character"
    if unicodedata.normalize("NFKC", case) != case:
        return "a full-width or compatibility character"
    return None


def _check_header(table: Table, case_column: str, columns: dict[str, Any]) -> None:
    declared = set(columns) | {case_column}
    for name in table.header:
        if name not in declared:
            raise CurationError(
                "column not declared in source.yaml",
                table.file,
                1,
                name,
                expected="every column listed under 'columns' with its kind",
            )
    for name in declared:
        if name not in table.header:
            raise CurationError("declared column missing from the table", table.file, 1, name)


def _check_kinds(ctx: SourceContext, columns: dict[str, Any]) -> None:
    cancer_seen = False
    for name, column in columns.items():
        if not isinstance(column, dict) or column.get("kind") not in COLUMN_KINDS:
            kind = column.get("kind") if isinstance(column, dict) else column
            raise CurationError(
                "unknown column kind",
                ctx.shown("source.yaml"),
                column=f"columns.{name}",
                value=str(kind),
                expected="one of " + ", ".join(COLUMN_KINDS),
            )
        cancer_seen = cancer_seen or column["kind"] == "cancer"
        if column["kind"] == "cancer-interval" and not cancer_seen:
            # the interval belongs to the cancer read before it in the same row
            raise CurationError(
                "cancer-interval column declared before any cancer column",
                ctx.shown("source.yaml"),
                column=f"columns.{name}",
                expected="the cancer column declared first",
            )


def _check_terms(ctx: SourceContext, columns: dict[str, dict[str, Any]]) -> None:
    """Resolve each column's terms and codebook once, so a typo is one error, not one per row."""
    for name, column in columns.items():
        where = Where(ctx.shown("source.yaml"), column=f"columns.{name}")
        if column["kind"] == "finding":
            ctx.term(column.get("term", name), DMKG.ClinicalFinding, where)
        if column["kind"] == "lab":
            ctx.term(column.get("analyte", ""), DMKG.LabAnalyte, where)
            if "finding" in column:
                ctx.term(column["finding"], DMKG.ClinicalFinding, where)
        if column["kind"] == "antibody":
            ctx.term(column.get("term", name), DMKG.Autoantibody, where)
            if "codes" not in column:
                raise where.error(
                    "antibody column without 'codes'",
                    None,
                    "a codebook of results, e.g. {'+': positive, '-': negative}",
                )
        if "codes" in column and column["kind"] in ("finding", "lab", "antibody"):
            ctx.codebook(column["codes"], where)
        if "codes" in column and column["kind"] == "cancer":
            _check_cancer_codes(ctx, column["codes"], where)


def _antibody_files(
    ctx: SourceContext, columns: dict[str, dict[str, Any]], in_shard: Callable[[str], bool]
) -> AntibodyRows:
    """Per antibody column, the rows of its reading file grouped by case (the cases of this
    shard only)."""
    found: AntibodyRows = {}
    for name, column in columns.items():
        if column.get("kind") != "antibodies":
            continue
        file = column.get("file")
        if not file:
            raise ctx.where_yaml("columns").error(f"antibody column {name!r} without 'file'")
        table = read_table(
            ctx.table_path(file, ctx.where_yaml(f"columns.{name}")),
            ctx.shown(str(file)),
            keep=("case", in_shard),
        )
        needed = {"case", "antibody", "result", "fragment"}
        missing = needed - set(table.header)
        if missing:
            raise CurationError("missing columns", table.file, 1, ", ".join(sorted(missing)))
        by_case: dict[str, list[tuple[str, TableRow]]] = defaultdict(list)
        for row in table.rows:
            by_case[row.cells["case"]].append((table.file, row))
        found[name] = dict(by_case)
    return found
