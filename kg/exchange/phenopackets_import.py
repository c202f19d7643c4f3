"""Import phenopackets made by other curators as a curated source folder of our own format.

``import_phenopackets`` reads every ``*.json`` under a folder (sub-folders too, as in the
phenopacket-store layout) with the ``phenopackets`` protobuf classes and writes, per cited
publication, a source folder (``source.yaml`` with one YAML patient per phenopacket, and
``measurements.tsv`` for values with a reference range) that ``dmkg build --data`` builds
like any bundled source. Before the folder is put in place it passes the same gate as the
bundled data: the loader, then the SHACL shapes (:func:`kg.validate.shacl.validate_graph`).

Terms are mapped back through the ontology's cross-references with the rules the exports
use (:class:`~kg.exchange.vocab.TermMapper`), so export -> import -> export gives the same
phenopackets. A term with no dmkg class (an HPO id, a disease, an agent, an assay) is an
error naming the file, the JSON path and the id; ``allow_unmapped`` turns these errors into
lines of the folder's ``import-notes.tsv`` instead. Parts of a phenopacket our data model
has no place for (genomic interpretations, biosamples, feature onsets, routes, ...) are
never errors, but each is listed in ``import-notes.tsv``: nothing is dropped silently.

Decisions: the subject id becomes the case label; a phenopacket must have a (not excluded)
dermatomyositis disease, or a subtype of it, whose onset age is the age at DM diagnosis;
``UNKNOWN_STATUS`` is read as lost to follow-up; survival days become months (days /
30.4375, a whole number of months when that number gives back the same days).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from phenopackets import Phenopacket, Sex, VitalStatus
from rdflib import URIRef

from kg.errors import DmkgError, UsageError, ValidationFailed
from kg.exchange.identifiers import CK_ASSAY, LATERALITY, SEVERITY
from kg.exchange.phenopacket_base import DAYS_PER_MONTH
from kg.exchange.vocab import Role, TermMapper
from kg.loaders import load_source
from kg.namespaces import DMKG
from kg.validate.shacl import validate_graph

__all__ = [
    "MEASUREMENTS_FILE",
    "NOTES_FILE",
    "ImportProblem",
    "ImportResult",
    "PhenopacketImportError",
    "SourcePlan",
    "import_phenopackets",
    "months_from_days",
    "plan_import",
    "read_phenopacket_files",
]

NOTES_FILE = "import-notes.tsv"
MEASUREMENTS_FILE = "measurements.tsv"
COHORT_ID = "imported"
_ANOTHER_DOI = "(another DOI of the same work)"
_SEVERITY_WORD = {curie: word for word, curie in SEVERITY.items()}
_LATERALITY_WORD = {curie: word for word, curie in LATERALITY.items()}
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


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


def months_from_days(days: int) -> Decimal:
    """Months since diagnosis for a survival time in days.

    >>> months_from_days(304)   # exported from 10 months
    Decimal('10')
    >>> months_from_days(100)
    Decimal('3.2854')
    """
    whole = (Decimal(days) / DAYS_PER_MONTH).quantize(Decimal(1))
    if (whole * DAYS_PER_MONTH).quantize(Decimal(1)) == days:
        return whole
    return (Decimal(days) / DAYS_PER_MONTH).quantize(Decimal("0.0001"))


def read_phenopacket_files(directory: Path) -> list[tuple[str, Phenopacket]]:
    """Every ``*.json`` file under ``directory`` parsed as a phenopacket, by relative name."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such folder (give a folder of phenopacket JSON files)")
    found: list[tuple[str, Phenopacket]] = []
    problems: list[ImportProblem] = []
    for path in sorted(directory.rglob("*.json")):
        name = path.relative_to(directory).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
            found.append((name, json_format.Parse(text, Phenopacket())))
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(ImportProblem(name, "$", "", f"unreadable file ({exc})"))
        except json_format.ParseError as exc:
            problems.append(
                ImportProblem(
                    name,
                    "$",
                    "",
                    f"not a GA4GH phenopacket v2 ({exc})",
                    "JSON of the Phenopacket message",
                )
            )
    if problems:
        raise PhenopacketImportError(problems)
    if not found:
        raise UsageError(f"{directory}: no *.json phenopacket files in this folder")
    return found


def _month(ts: Timestamp) -> str:
    return str(ts.ToDatetime().strftime("%Y-%m"))


def _num(value: float) -> Any:
    number = Decimal(repr(value)).normalize()
    return int(number) if number == number.to_integral() else float(number)


class _PacketReader:
    """Turns one phenopacket into a YAML patient, collecting problems and notes."""

    def __init__(self, file: str, packet: Phenopacket, mapper: TermMapper) -> None:
        self.file = file
        self.packet = packet
        self.mapper = mapper
        self.problems: list[ImportProblem] = []  # unmapped terms: errors unless allowed
        self.notes: list[ImportProblem] = []  # parts our model has no place for
        self.ranged: list[dict[str, Any]] = []

    def problem(self, path: str, value: str, problem: str, expected: str = "") -> None:
        self.problems.append(ImportProblem(self.file, path, value, problem, expected))

    def note(self, path: str, value: str, problem: str) -> None:
        self.notes.append(ImportProblem(self.file, path, value, problem))

    def term(self, path: str, curie: str, label: str, role: Role, what: str) -> URIRef | None:
        cls = self.mapper.from_curie(curie, role)
        if cls is None:
            self.problem(
                path,
                f"{curie} {label}".strip(),
                f"no dmkg class for this {what}",
                f"one of the {len(self.mapper.known(role))} {what}s that dmkg "
                "classes map to, as listed by 'dmkg export sssom'",
            )
        return cls

    def item(self, path: str, verbatim: str, **values: Any) -> dict[str, Any]:
        values["verbatim"] = verbatim
        values["section"] = f"{self.file}: {path}"
        return values

    def unsupported(self, path: str, fields: dict[str, bool]) -> None:
        for name, present in fields.items():
            if present:
                self.note(f"{path}.{name}", "", "not imported: dmkg has no place for it")

    def read(self) -> dict[str, Any] | None:
        pk = self.packet
        case = pk.subject.id or pk.id
        if not case:
            self.problem(
                "$.subject.id", "", "phenopacket without subject id or id", "an id for the patient"
            )
            return None
        if re.search(r'[\t\r\n"]', case):
            self.problem(
                "$.subject.id",
                case,
                "subject id with a tab, line break or double quote",
                "an id that can be a case label in a table",
            )
            return None
        patient: dict[str, Any] = {
            "case": case,
            "cohort": COHORT_ID,
            "section": f"phenopacket {self.file}",
        }
        self._diseases(patient)
        if pk.subject.sex in (Sex.FEMALE, Sex.MALE):
            word = "female" if pk.subject.sex == Sex.FEMALE else "male"
            patient["sex"] = self.item("$.subject.sex", Sex.Name(pk.subject.sex), value=word)
        elif pk.subject.sex != Sex.UNKNOWN_SEX:
            self.note(
                "$.subject.sex",
                Sex.Name(pk.subject.sex),
                "not imported: dmkg records female or male",
            )
        self._features(patient)
        self._measurements(patient)
        self._actions(patient)
        self._outcome(patient)
        self.unsupported(
            "$",
            {
                "biosamples": bool(pk.biosamples),
                "interpretations": bool(pk.interpretations),
                "files": bool(pk.files),
            },
        )
        self.unsupported(
            "$.subject",
            {
                "timeAtLastEncounter": pk.subject.HasField("time_at_last_encounter"),
                "dateOfBirth": pk.subject.HasField("date_of_birth"),
                "alternateIds": bool(pk.subject.alternate_ids),
                "karyotypicSex": bool(pk.subject.karyotypic_sex),
                "gender": pk.subject.HasField("gender"),
            },
        )
        return patient

    def _diseases(self, patient: dict[str, Any]) -> None:
        dm_found = False
        for i, disease in enumerate(self.packet.diseases):
            path = f"$.diseases[{i}]"
            cls = self.term(
                f"{path}.term.id", disease.term.id, disease.term.label, "disease", "disease term"
            )
            if cls is None:
                continue
            verbatim = f"{disease.term.id} {disease.term.label}".strip()
            if self.mapper.is_under(cls, DMKG.Dermatomyositis):
                if disease.excluded:
                    self.note(path, verbatim, "dermatomyositis excluded")
                    continue
                dm_found = True
                if cls != DMKG.Dermatomyositis:
                    self.note(
                        f"{path}.term",
                        verbatim,
                        "imported as dermatomyositis: the "
                        "curated format has no place for the subtype",
                    )
                self._age(patient, disease, path)
            elif self.mapper.is_under(cls, DMKG.Malignancy):
                if disease.excluded:
                    self.note(path, verbatim, "not imported: dmkg records no excluded cancers")
                    continue
                cancer = self.item(path, verbatim, malignancy=self.mapper.class_label(cls))
                side = _LATERALITY_WORD.get(disease.laterality.id)
                if side:
                    cancer["laterality"] = side
                elif disease.laterality.id:
                    self.note(
                        f"{path}.laterality",
                        disease.laterality.id,
                        "not imported: dmkg records left or right",
                    )
                patient.setdefault("cancers", []).append(cancer)
                self.unsupported(path, {"onset": disease.HasField("onset")})
            elif self.mapper.is_under(cls, DMKG.ClinicalFinding):
                status = "absent" if disease.excluded else "present"
                patient.setdefault("findings", []).append(
                    self.item(path, verbatim, term=self.mapper.class_label(cls), status=status)
                )
            else:
                self.note(
                    path,
                    verbatim,
                    "not imported: neither dermatomyositis, a cancer nor a clinical finding",
                )
                continue
            self.unsupported(
                path,
                {
                    "resolution": disease.HasField("resolution"),
                    "diseaseStage": bool(disease.disease_stage),
                    "clinicalTnmFinding": bool(disease.clinical_tnm_finding),
                    "primarySite": disease.HasField("primary_site"),
                },
            )
        if not dm_found:
            self.problem(
                "$.diseases",
                "",
                "not a dermatomyositis patient",
                "a diseases entry with MONDO:0016367 dermatomyositis or a subtype",
            )

    def _age(self, patient: dict[str, Any], disease: Any, path: str) -> None:
        if not disease.HasField("onset"):
            return
        iso = disease.onset.age.iso8601duration
        match = re.fullmatch(r"P(\d+)Y(?:\d+M)?(?:\d+D)?", iso)
        if match:
            patient["age"] = self.item(f"{path}.onset.age", iso, value=int(match.group(1)))
        else:
            self.note(
                f"{path}.onset",
                iso or disease.onset.WhichOneof("element") or "",
                "not imported: the age at diagnosis must be an ISO 8601 age in years",
            )

    def _features(self, patient: dict[str, Any]) -> None:
        for i, feature in enumerate(self.packet.phenotypic_features):
            path = f"$.phenotypicFeatures[{i}]"
            cls = self.term(
                f"{path}.type.id", feature.type.id, feature.type.label, "phenotype", "HPO term"
            )
            if cls is None:
                continue
            verbatim = f"{feature.type.id} {feature.type.label}".strip()
            if feature.excluded:
                verbatim += " (excluded)"
            if self.mapper.is_under(cls, DMKG.Autoantibody):
                result = "negative" if feature.excluded else "positive"
                patient.setdefault("antibodies", []).append(
                    self.item(path, verbatim, antibody=self.mapper.class_label(cls), result=result)
                )
            else:
                finding = self.item(
                    path,
                    verbatim,
                    term=self.mapper.class_label(cls),
                    status="absent" if feature.excluded else "present",
                )
                if feature.HasField("severity"):
                    word = _SEVERITY_WORD.get(feature.severity.id)
                    if word:
                        finding["severity"] = word
                        finding["verbatim"] += (
                            f"; severity {feature.severity.id} {feature.severity.label}".rstrip()
                        )
                    else:
                        self.note(
                            f"{path}.severity",
                            feature.severity.id,
                            "not imported: not an HPO severity term",
                        )
                patient.setdefault("findings", []).append(finding)
            self.unsupported(
                path,
                {
                    "description": bool(feature.description),
                    "modifiers": bool(feature.modifiers),
                    "onset": feature.HasField("onset"),
                    "resolution": feature.HasField("resolution"),
                    "evidence": bool(feature.evidence),
                },
            )

    def _measurements(self, patient: dict[str, Any]) -> None:
        for i, measurement in enumerate(self.packet.measurements):
            path = f"$.measurements[{i}]"
            if measurement.assay.id != CK_ASSAY[0]:
                self.problem(
                    f"{path}.assay.id",
                    f"{measurement.assay.id} {measurement.assay.label}".strip(),
                    "no dmkg analyte for this assay",
                    f"{CK_ASSAY[0]} {CK_ASSAY[1]}",
                )
                continue
            if not measurement.value.HasField("quantity"):
                self.note(f"{path}.value", "", "not imported: no numeric quantity")
                continue
            quantity = measurement.value.quantity
            unit = (
                quantity.unit.id.split(":", 1)[1]
                if quantity.unit.id.upper().startswith("UCUM:")
                else quantity.unit.label or quantity.unit.id
            )
            verbatim = f"{CK_ASSAY[0]} {_num(quantity.value)} {unit}".strip()
            lab = self.item(path, verbatim, analyte="creatine kinase", value=_num(quantity.value))
            if unit:
                lab["unit"] = unit
            ranged = quantity.HasField("reference_range")
            if measurement.description:
                lab["timepoint"] = measurement.description
                if ranged:
                    self.note(
                        f"{path}.value.quantity.referenceRange",
                        "",
                        "not imported: a reference range and a time point cannot be kept together",
                    )
                    ranged = False
            if ranged:
                low, high = quantity.reference_range.low, quantity.reference_range.high
                lab["reference"] = [_num(low), _num(high)]
                self.ranged.append(lab)
            else:
                patient.setdefault("labs", []).append(lab)
            self.unsupported(
                path,
                {
                    "timeObserved": measurement.HasField("time_observed"),
                    "procedure": measurement.HasField("procedure"),
                },
            )

    def _actions(self, patient: dict[str, Any]) -> None:
        for i, action in enumerate(self.packet.medical_actions):
            path = f"$.medicalActions[{i}]"
            kind = action.WhichOneof("action")
            if kind == "treatment":
                term, where = action.treatment.agent, f"{path}.treatment.agent.id"
            elif kind == "procedure":
                term, where = action.procedure.code, f"{path}.procedure.code.id"
            else:
                self.note(
                    f"{path}.{kind or 'action'}",
                    "",
                    "not imported: dmkg records treatments and procedures",
                )
                continue
            cls = self.term(where, term.id, term.label, "intervention", "agent or procedure term")
            if cls is None:
                continue
            item = self.item(
                path, f"{term.id} {term.label}".strip(), intervention=self.mapper.class_label(cls)
            )
            if action.HasField("treatment_target"):
                target = self.term(
                    f"{path}.treatmentTarget.id",
                    action.treatment_target.id,
                    action.treatment_target.label,
                    "disease",
                    "disease term",
                )
                if target is not None:
                    item["for"] = self.mapper.class_label(
                        DMKG.Dermatomyositis
                        if self.mapper.is_under(target, DMKG.Dermatomyositis)
                        else target
                    )
            if kind == "treatment":
                self._treatment(item, action.treatment, f"{path}.treatment")
            else:
                performed = action.procedure.performed
                if performed.HasField("interval"):
                    item["start"] = _month(performed.interval.start)
                    item["end"] = _month(performed.interval.end)
                elif performed.HasField("timestamp"):
                    item["start"] = item["end"] = _month(performed.timestamp)
                elif action.procedure.HasField("performed"):
                    self.note(
                        f"{path}.procedure.performed",
                        "",
                        "not imported: dmkg records procedure dates as months",
                    )
                self.unsupported(
                    f"{path}.procedure", {"bodySite": action.procedure.HasField("body_site")}
                )
            self.unsupported(
                path,
                {
                    "treatmentIntent": action.HasField("treatment_intent"),
                    "responseToTreatment": action.HasField("response_to_treatment"),
                    "adverseEvents": bool(action.adverse_events),
                    "treatmentTerminationReason": action.HasField("treatment_termination_reason"),
                },
            )
            patient.setdefault("treatments", []).append(item)

    def _treatment(self, item: dict[str, Any], treatment: Any, path: str) -> None:
        for j, dose in enumerate(treatment.dose_intervals):
            where = f"{path}.doseIntervals[{j}]"
            if j > 0:
                self.note(where, "", "not imported: dmkg keeps one dose per treatment record")
                continue
            if dose.HasField("quantity"):
                unit = dose.quantity.unit.id
                item["dose_value"] = _num(dose.quantity.value)
                item["dose_unit"] = (
                    unit.split(":", 1)[1]
                    if unit.upper().startswith("UCUM:")
                    else dose.quantity.unit.label or unit
                )
            if dose.HasField("interval"):
                item["start"] = _month(dose.interval.start)
                item["end"] = _month(dose.interval.end)
            self.unsupported(where, {"scheduleFrequency": dose.HasField("schedule_frequency")})
        self.unsupported(
            path,
            {
                "routeOfAdministration": treatment.HasField("route_of_administration"),
                "drugType": bool(treatment.drug_type),
                "cumulativeDose": treatment.HasField("cumulative_dose"),
            },
        )

    def _outcome(self, patient: dict[str, Any]) -> None:
        vital = self.packet.subject.vital_status
        if not self.packet.subject.HasField("vital_status"):
            return
        words = {
            VitalStatus.ALIVE: "alive",
            VitalStatus.DECEASED: "dead",
            VitalStatus.UNKNOWN_STATUS: "lost to follow-up",
        }
        verbatim = VitalStatus.Status.Name(vital.status)
        outcome = self.item("$.subject.vitalStatus", verbatim, status=words[vital.status])
        if vital.survival_time_in_days:
            outcome["months"] = _num(float(months_from_days(vital.survival_time_in_days)))
            outcome["verbatim"] += f"; survivalTimeInDays {vital.survival_time_in_days}"
        patient["outcome"] = outcome
        self.unsupported(
            "$.subject.vitalStatus",
            {
                "timeOfDeath": vital.HasField("time_of_death"),
                "causeOfDeath": vital.HasField("cause_of_death"),
            },
        )


def _publication(file: str, packet: Phenopacket) -> tuple[str, str, list[str]] | None:
    """The DOI, title and other DOIs of the work a phenopacket cites, if it cites a DOI."""
    dois: list[tuple[str, str]] = []
    for ref in packet.meta_data.external_references:
        doi = ""
        if ref.id.upper().startswith("DOI:"):
            doi = ref.id.split(":", 1)[1]
        elif "doi.org/" in ref.reference:
            doi = ref.reference.split("doi.org/", 1)[1]
        if doi:
            dois.append((doi.strip(), ref.description))
    if not dois:
        return None
    main, title = dois[0]
    others = [d for d, description in dois[1:] if description.endswith(_ANOTHER_DOI)]
    return main, title, others


def plan_import(
    packets: list[tuple[str, Phenopacket]],
    base_id: str,
    *,
    doi: str | None = None,
    title: str | None = None,
    allow_unmapped: bool = False,
    mapper: TermMapper | None = None,
) -> list[SourcePlan]:
    """Group phenopackets by publication and read each into YAML patients (nothing written)."""
    mapper = mapper or TermMapper.shipped()
    problems: list[ImportProblem] = []
    plans: dict[str, SourcePlan] = {}
    readers: list[tuple[str, _PacketReader]] = []
    seen_cases: dict[str, str] = {}
    for file, packet in packets:
        cited = _publication(file, packet)
        if cited is None and doi is None:
            problems.append(
                ImportProblem(
                    file,
                    "$.metaData.externalReferences",
                    "",
                    "no DOI of the publication the patient comes from",
                    "an external reference 'DOI:10....', or --doi",
                )
            )
            continue
        key, cited_title, others = cited if cited else (doi or "", "", [])
        plan = plans.setdefault(key, SourcePlan("", key, cited_title or title or ""))
        plan.also_doi = sorted(set(plan.also_doi) | set(others))
        plan.files.append(file)
        reader = _PacketReader(file, packet, mapper)
        patient = reader.read()
        case = packet.subject.id or packet.id
        if case in seen_cases:
            problems.append(
                ImportProblem(
                    file,
                    "$.subject.id",
                    case,
                    f"the same subject id as in {seen_cases[case]}",
                    "one phenopacket per patient",
                )
            )
            continue
        seen_cases[case] = file
        problems.extend(reader.problems if not allow_unmapped else [])
        plan.notes.extend(reader.notes + (reader.problems if allow_unmapped else []))
        if patient is not None:
            plan.patients.append(patient)
            plan.ranged_labs.extend((case, lab) for lab in reader.ranged)
        readers.append((key, reader))
    dm_missing = [p for _, r in readers for p in r.problems if p.problem.startswith("not a derm")]
    if allow_unmapped and dm_missing:
        problems.extend(dm_missing)  # not an unmapped term: out of scope for dmkg
    if problems:
        raise PhenopacketImportError(problems)
    ordered = sorted(plans.values(), key=lambda p: p.doi)
    for number, plan in enumerate(ordered, start=1):
        plan.source_id = base_id if len(ordered) == 1 else f"{base_id}-{number}"
        plan.title = plan.title or title or f"Phenopackets imported as {plan.source_id}"
    return ordered


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


def _write_folder(plan: SourcePlan, folder: Path, directory_name: str) -> None:
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


def import_phenopackets(
    directory: Path,
    out_root: Path,
    source_id: str | None = None,
    *,
    doi: str | None = None,
    title: str | None = None,
    allow_unmapped: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> ImportResult:
    """Import the phenopackets under ``directory`` as source folder(s) under ``out_root``."""
    base = source_id or re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")
    if not _SOURCE_ID.fullmatch(base or ""):
        raise UsageError(
            f"--source-id {base!r}: expected lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    packets = read_phenopacket_files(directory)
    progress(f"read {len(packets)} phenopacket file(s) from {directory}")
    plans = plan_import(packets, base, doi=doi, title=title, allow_unmapped=allow_unmapped)
    for plan in plans:
        target = out_root / plan.source_id
        if target.exists() and not force:
            raise UsageError(f"{target}: already exists; give --force to replace it")
    staging_root = out_root / f".dmkg-import-{os.getpid()}"
    if staging_root.exists():
        shutil.rmtree(staging_root)
    mapper = TermMapper.shipped()
    try:
        for plan in plans:
            folder = staging_root / plan.source_id
            _write_folder(plan, folder, directory.resolve().name)
            graph = load_source(folder, mapper.terms)
            report = validate_graph(graph, mapper.graph)
            if not report.conforms:
                raise ValidationFailed(report.text(), len(report.violations))
            progress(
                f"{plan.source_id}: {len(plan.patients)} patient(s), {len(graph)} triples "
                "conform to the shapes"
            )
        folders = []
        for plan in plans:
            target = out_root / plan.source_id
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging_root / plan.source_id, target)
            folders.append(target)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return ImportResult(
        folders,
        sum(len(p.patients) for p in plans),
        sorted(n for p in plans for n in p.notes),
        {p.source_id: p.doi for p in plans},
    )
