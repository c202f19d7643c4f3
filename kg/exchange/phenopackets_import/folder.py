"""Writing an import plan as a source folder: source.yaml, measurements.tsv and the notes."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml

from kg.exchange.phenopackets_import.problems import (
    COHORT_ID,
    MEASUREMENTS_FILE,
    NOTES_FILE,
    ImportProblem,
    SourcePlan,
)

__all__ = ["write_folder"]


def _source_yaml(plan: SourcePlan, directory_name: str) -> dict[str, Any]:
    n = len(plan.patients)
    publication: dict[str, Any] = {"doi": plan.doi, "title": plan.title}
    if plan.also_doi:
        publication["also_doi"] = plan.also_doi
    meta: dict[str, Any] = {
        "id": plan.source_id,
        "publication": publication,
        "study": {
            "design": "case report" if n == 1 else "case series",
            "label": f"Phenopackets imported from {directory_name}",
            "note": f"{len(plan.files)} GA4GH phenopacket file(s) imported by "
            "'dmkg import phenopackets'; what could not be kept is listed in "
            f"{NOTES_FILE}.",
        },
        "cohorts": [
            {
                "id": COHORT_ID,
                "label": f"{plan.source_id}: imported phenopackets",
                "size": max(n, 1),
            }
        ],
    }
    columns = _ranged_columns(plan)
    if columns:
        meta["patient_tables"] = [
            {
                "table": "phenopacket measurements",
                "file": MEASUREMENTS_FILE,
                "cohort": COHORT_ID,
                "case_column": "case",
                "columns": {
                    name: {
                        "kind": "lab",
                        "analyte": lab["analyte"],
                        "unit": lab.get("unit"),
                        "reference": lab["reference"],
                        "codes": {"": "not reported"},
                    }
                    for name, lab in columns.items()
                },
            }
        ]
    meta["patients"] = plan.patients
    return meta


def _column_name(lab: dict[str, Any], occurrence: int) -> str:
    low, high = lab["reference"]
    name = f"{lab['analyte']} ({lab.get('unit', '')}) [{low}-{high}]"
    return name if occurrence == 1 else f"{name} #{occurrence}"


def _ranged_columns(plan: SourcePlan) -> dict[str, dict[str, Any]]:
    """The measurements table's columns: one per analyte, unit, range (and repeat)."""
    columns: dict[str, dict[str, Any]] = {}
    counts: dict[tuple[str, str], int] = {}
    for case, lab in plan.ranged_labs:
        base = _column_name(lab, 1)
        counts[(case, base)] = counts.get((case, base), 0) + 1
        lab["_column"] = _column_name(lab, counts[(case, base)])
        columns.setdefault(lab["_column"], lab)
    return dict(sorted(columns.items()))


def _measurements_tsv(plan: SourcePlan) -> str:
    columns = list(_ranged_columns(plan))
    rows: dict[str, dict[str, str]] = {}
    for case, lab in plan.ranged_labs:
        rows.setdefault(case, {})[lab["_column"]] = str(lab["value"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(["case", *columns])
    for case, cells in rows.items():
        writer.writerow([case, *(cells.get(c, "") for c in columns)])
    return buffer.getvalue()


def _notes_tsv(notes: list[ImportProblem]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["file", "json_path", "value", "why"])
    for n in sorted(set(notes)):
        writer.writerow(
            [
                n.file,
                n.path,
                n.value,
                n.problem + (f" (expected {n.expected})" if n.expected else ""),
            ]
        )
    return buffer.getvalue()


def write_folder(plan: SourcePlan, folder: Path, directory_name: str) -> None:
    folder.mkdir(parents=True)
    meta = _source_yaml(plan, directory_name)
    header = (
        f"# Imported by 'dmkg import phenopackets' from {directory_name}: one patient per "
        "phenopacket file.\n# Each item's section names the file and JSON path it came "
        f"from; {NOTES_FILE} lists what was not kept.\n"
    )
    (folder / "source.yaml").write_text(
        header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    if plan.ranged_labs:
        (folder / MEASUREMENTS_FILE).write_text(_measurements_tsv(plan), encoding="utf-8")
    (folder / NOTES_FILE).write_text(_notes_tsv(plan.notes), encoding="utf-8")
