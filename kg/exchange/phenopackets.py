"""Export each patient as a GA4GH Phenopacket (schema v2), one JSON file per patient.

The messages are built with the ``phenopackets`` package's protobuf classes and written with
``google.protobuf.json_format``, so every file parses back into ``phenopackets.Phenopacket``.
What goes where, and what is left out (every omission is written to ``export-notes.tsv``
beside the JSON files, one line per item, so nothing disappears silently):

- ``phenotypicFeatures``: findings and antibody results as HPO terms (the rules of
  :class:`~kg.exchange.vocab.TermMapper`). Present findings and positive antibody results
  are features; absent findings and negative results are ``excluded: true``. Unknown, not
  reported, not performed and *equivocal* findings are left out: the schema has no
  "uncertain" state, and an equivocal sign is neither present nor excluded. A finding whose
  class has no HPO cross-reference is left out (no term is invented). Grades become HPO
  severity modifiers (see :data:`~kg.exchange.identifiers.GRADE_SEVERITY`).
- ``diseases``: dermatomyositis (MONDO:0016367) with the age at DM diagnosis as its onset;
  each cancer with its MONDO (else NCIt) term and laterality; a finding that is a disease
  with a MONDO term but no HPO term (interstitial lung disease) with ``excluded`` when absent.
  A cancer class with no term of its own (e.g. "bladder cancer") is left out with a note:
  none of its ancestors has a verified term either, and a narrower term would claim more
  than the paper says.
- ``measurements``: creatine kinase values (LOINC 2157-6) with their UCUM unit, reference
  range and, in ``description``, the time point. A value printed only as "normal" has no
  number; it is carried by the excluded "Elevated circulating creatine kinase" feature.
- ``medicalActions``: agents (ChEBI, NCIt) as treatments with dose and dates, MAxO actions
  (mastectomy, immunoglobulin infusion) as procedures; the disease treated as
  ``treatmentTarget``. Route, schedule and phase are free text in the curated data and the
  schema wants coded terms for them; they are listed in the notes instead.
- ``subject``: the opaque patient id, sex and vital status; ``survivalTimeInDays`` is the
  months since DM diagnosis times 30.4375 (the mean month). The age at DM diagnosis sits on
  the dermatomyositis disease (``onset``), because ``timeAtLastEncounter`` would claim the
  patient was last seen at that age. Lost to follow-up is ``UNKNOWN_STATUS``.
- ``metaData``: ``created`` is the curation date (constant, so exports are reproducible),
  ``createdBy`` dmkg, the resources the file cites with their versions, and the paper's DOI.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from google.protobuf import json_format
from phenopackets import (
    Age,
    Disease,
    DoseInterval,
    ExternalReference,
    Individual,
    Measurement,
    MedicalAction,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Procedure,
    Quantity,
    ReferenceRange,
    Resource,
    Sex,
    TimeElement,
    TimeInterval,
    Treatment,
    Value,
    VitalStatus,
)
from rdflib import Graph, URIRef

from kg.exchange.identifiers import (
    CK_ASSAY,
    CURATION_DATE,
    GRADE_SEVERITY,
    LATERALITY,
    RESOURCES,
    SEVERITY,
    UNIT_LABELS,
    doi_curie,
)
from kg.exchange.patients import PatientData, TreatmentRecord, read_patients
from kg.exchange.vocab import TermMapper
from kg.namespaces import DMKG

__all__ = [
    "DAYS_PER_MONTH",
    "NOTES_FILE",
    "SCHEMA_VERSION",
    "Note",
    "PhenopacketExport",
    "build_phenopacket",
    "build_phenopackets",
    "packet_file_name",
    "phenopacket_json",
    "write_phenopackets",
]

#: the mean length of a month in days (365.25 / 12): months since diagnosis <-> days
DAYS_PER_MONTH = Decimal("30.4375")
#: the Phenopacket Schema release the ``phenopackets`` package implements
SCHEMA_VERSION = "2.0.2"
#: the file, beside the JSON files, that lists what each phenopacket leaves out and why
NOTES_FILE = "export-notes.tsv"
DERMATOMYOSITIS = ("MONDO:0016367", "dermatomyositis")

_SEX = {DMKG.Female: Sex.FEMALE, DMKG.Male: Sex.MALE}
_VITAL = {
    DMKG.Alive: VitalStatus.ALIVE,
    DMKG.Dead: VitalStatus.DECEASED,
    DMKG.LostToFollowUp: VitalStatus.UNKNOWN_STATUS,
}


@dataclass(frozen=True, order=True)
class Note:
    """One thing a phenopacket leaves out, and why."""

    file: str
    section: str
    item: str
    reason: str


@dataclass
class PhenopacketExport:
    """The phenopackets of a graph, by file name, and the notes about what they leave out."""

    packets: dict[str, Phenopacket] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def packet_file_name(patient: PatientData) -> str:
    """``<source>-case-<case>.json`` (the case label is the paper's row number).

    >>> from rdflib import URIRef
    >>> from kg.exchange.patients import Publication
    >>> pub = Publication(URIRef("x"), "requena2024", "10.1/x")
    >>> packet_file_name(PatientData(URIRef("p"), "requena2024", "5", pub))
    'requena2024-case-5.json'
    """
    return f"{patient.source_id}-case-{_slug(patient.case)}.json"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


class _Builder:
    """Builds one phenopacket, recording the prefixes it cites and the notes it makes."""

    def __init__(self, patient: PatientData, mapper: TermMapper) -> None:
        self.patient = patient
        self.mapper = mapper
        self.file = packet_file_name(patient)
        self.prefixes: set[str] = set()
        self.notes: list[Note] = []

    def oc(self, curie: str, label: str) -> OntologyClass:
        self.prefixes.add(curie.split(":", 1)[0])
        return OntologyClass(id=curie, label=label)

    def note(self, section: str, item: str, reason: str) -> None:
        self.notes.append(Note(self.file, section, item, reason))

    def label(self, cls: URIRef) -> str:
        return self.mapper.class_label(cls)

    # -- sections ---------------------------------------------------------------------
    def features(self) -> tuple[list[PhenotypicFeature], list[Disease]]:
        p, m = self.patient, self.mapper
        by_term: dict[str, PhenotypicFeature] = {}
        as_disease: list[Disease] = []
        status_words = {DMKG.Present: "present", DMKG.Absent: "absent"}
        for f in p.findings:
            name = self.label(f.finding)
            if f.status not in status_words:
                self.note(
                    "phenotypicFeatures",
                    name,
                    f"status {self.label(f.status)!r}: "
                    "neither present nor excluded in a phenopacket",
                )
                continue
            excluded = f.status == DMKG.Absent
            mapped = m.phenotype(f.finding)
            if mapped is None:
                disease = m.disease(f.finding)
                if disease is not None:
                    as_disease.append(
                        Disease(term=self.oc(disease.curie, disease.label), excluded=excluded)
                    )
                else:
                    self.note(
                        "phenotypicFeatures",
                        name,
                        "no HPO term for this finding in the verified mapping table",
                    )
                continue
            if mapped.match == "broad" and excluded:
                self.note(
                    "phenotypicFeatures",
                    name,
                    f"absent, and {mapped.curie} is only a "
                    "broader term: its absence does not follow",
                )
                continue
            feature = PhenotypicFeature(type=self.oc(mapped.curie, mapped.label), excluded=excluded)
            severity = GRADE_SEVERITY.get(f.grade or 0) or (f.severity or "").lower() or None
            if severity and not excluded:
                if severity in SEVERITY:
                    curie = SEVERITY[severity]
                    feature.severity.CopyFrom(self.oc(curie, m.label(curie)))
                else:
                    self.note(
                        "phenotypicFeatures",
                        name,
                        f"severity {severity!r} has no HPO severity term",
                    )
            self._add(by_term, feature, name)
        for a in p.antibodies:
            name = self.label(a.antibody)
            if a.status not in (DMKG.Positive, DMKG.Negative):
                self.note(
                    "phenotypicFeatures",
                    name,
                    f"result {self.label(a.status)!r}: neither positive nor negative",
                )
                continue
            mapped = m.phenotype(a.antibody)
            if mapped is None:
                self.note(
                    "phenotypicFeatures",
                    name,
                    "no HPO antibody-positivity term in the verified mapping table",
                )
                continue
            self._add(
                by_term,
                PhenotypicFeature(
                    type=self.oc(mapped.curie, mapped.label), excluded=a.status == DMKG.Negative
                ),
                name,
            )
        return [by_term[k] for k in sorted(by_term)], as_disease

    def _add(
        self, by_term: dict[str, PhenotypicFeature], feature: PhenotypicFeature, name: str
    ) -> None:
        held = by_term.get(feature.type.id)
        if held is None:
            by_term[feature.type.id] = feature
        elif held.excluded != feature.excluded:
            # two records disagree about one HPO term: keep the positive one, say so
            self.note(
                "phenotypicFeatures",
                name,
                f"{feature.type.id} is both present and "
                "excluded in this patient's records; written as present",
            )
            if held.excluded:
                by_term[feature.type.id] = feature

    def diseases(self, extra: list[Disease]) -> list[Disease]:
        p, m = self.patient, self.mapper
        dm = Disease(term=self.oc(*DERMATOMYOSITIS))
        if p.age is not None:
            dm.onset.CopyFrom(TimeElement(age=Age(iso8601duration=f"P{p.age}Y")))
        found = [dm]
        for cancer in p.cancers:
            mapped = m.disease(cancer.malignancy)
            if mapped is None:
                self.note(
                    "diseases",
                    self.label(cancer.malignancy),
                    "no MONDO or NCIt term "
                    "for this cancer or any broader class in the verified mapping table",
                )
                continue
            disease = Disease(term=self.oc(mapped.curie, mapped.label))
            if cancer.laterality in LATERALITY:
                curie = LATERALITY[cancer.laterality]
                disease.laterality.CopyFrom(self.oc(curie, m.label(curie)))
            found.append(disease)
        return found + extra

    def measurements(self) -> list[Measurement]:
        found = []
        for lab in self.patient.labs:
            name = self.label(lab.analyte)
            if lab.value is None:
                self.note(
                    "measurements",
                    name,
                    "no numeric value (read as "
                    f"{self.label(lab.interpretation) if lab.interpretation else 'unknown'}"
                    "); see the creatine kinase phenotypic feature",
                )
                continue
            if lab.analyte != DMKG.CreatineKinase:
                self.note("measurements", name, "no LOINC assay code for this analyte")
                continue
            unit = self.oc(f"UCUM:{lab.unit}", UNIT_LABELS.get(lab.unit or "", lab.unit or ""))
            quantity = Quantity(unit=unit, value=float(lab.value))
            if lab.low is not None and lab.high is not None:
                quantity.reference_range.CopyFrom(
                    ReferenceRange(unit=unit, low=float(lab.low), high=float(lab.high))
                )
            found.append(
                Measurement(
                    assay=self.oc(*CK_ASSAY),
                    description=lab.timepoint or "",
                    value=Value(quantity=quantity),
                )
            )
        return found

    def medical_actions(self) -> list[MedicalAction]:
        found = []
        for t in self.patient.treatments:
            name = self.label(t.intervention)
            mapped = self.mapper.intervention(t.intervention)
            if mapped is None:
                self.note(
                    "medicalActions",
                    name,
                    "no ChEBI, NCIt or MAxO term in the verified mapping table",
                )
                continue
            term = self.oc(mapped.curie, mapped.label)
            interval = _interval(t.start, t.end)
            if mapped.curie.startswith("MAXO:"):
                procedure = Procedure(code=term)
                if interval is not None:
                    procedure.performed.CopyFrom(TimeElement(interval=interval))
                action = MedicalAction(procedure=procedure)
            else:
                treatment = Treatment(agent=term)
                dose = DoseInterval()
                if t.dose_value is not None and t.dose_unit:
                    dose.quantity.CopyFrom(
                        Quantity(
                            unit=self.oc(
                                f"UCUM:{t.dose_unit}", UNIT_LABELS.get(t.dose_unit, t.dose_unit)
                            ),
                            value=float(t.dose_value),
                        )
                    )
                if interval is not None:
                    dose.interval.CopyFrom(interval)
                if dose.ByteSize():
                    treatment.dose_intervals.append(dose)
                action = MedicalAction(treatment=treatment)
            target = self._target(t)
            if target is not None:
                action.treatment_target.CopyFrom(target)
            self._free_text(t, name)
            found.append(action)
        return found

    def _target(self, t: TreatmentRecord) -> OntologyClass | None:
        if t.target is None:
            return None
        if t.target == DMKG.Dermatomyositis:
            return self.oc(*DERMATOMYOSITIS)
        mapped = self.mapper.disease(t.target)
        if mapped is None and t.target == DMKG.Malignancy:
            # "given for the malignancy": the patient's one mapped cancer, if there is one
            cancers = {
                c
                for c in (self.mapper.disease(x.malignancy) for x in self.patient.cancers)
                if c is not None
            }
            mapped = next(iter(cancers)) if len(cancers) == 1 else None
        if mapped is None:
            self.note(
                "medicalActions",
                self.label(t.intervention),
                f"treatment target {self.label(t.target)!r} has no MONDO or NCIt term",
            )
            return None
        return self.oc(mapped.curie, mapped.label)

    def _free_text(self, t: TreatmentRecord, name: str) -> None:
        parts = []
        written = (
            f"{_num(t.dose_value)} {t.dose_unit}"
            if t.dose_value is not None and t.dose_unit
            else None
        )
        if t.dose and t.dose != written:
            parts.append(f"dose as printed {t.dose!r}")
        for what, value in (("route", t.route), ("schedule", t.schedule), ("phase", t.phase)):
            if value:
                parts.append(f"{what} {value!r}")
        if parts:
            self.note(
                "medicalActions", name, "; ".join(parts) + ": free text, no coded phenopacket field"
            )

    def subject(self) -> Individual:
        p = self.patient
        subject = Individual(id=p.opaque_id)
        if p.sex in _SEX:
            subject.sex = _SEX[p.sex]
        if p.vital_status in _VITAL:
            vital = VitalStatus(status=_VITAL[p.vital_status])
            if p.months is not None and p.vital_status != DMKG.LostToFollowUp:
                vital.survival_time_in_days = int((p.months * DAYS_PER_MONTH).quantize(Decimal(1)))
            subject.vital_status.CopyFrom(vital)
        return subject

    def meta_data(self) -> MetaData:
        pub = self.patient.publication
        meta = MetaData(created_by="dmkg", phenopacket_schema_version=SCHEMA_VERSION)
        meta.created.FromJsonString(f"{CURATION_DATE}T00:00:00Z")
        for prefix in sorted(self.prefixes):
            rid, name, url, version, iri_prefix = RESOURCES[prefix]
            meta.resources.append(
                Resource(
                    id=rid,
                    name=name,
                    url=url,
                    version=version,
                    namespace_prefix=prefix,
                    iri_prefix=iri_prefix,
                )
            )
        for number, doi in enumerate((pub.doi, *pub.also_doi)):
            meta.external_references.append(
                ExternalReference(
                    id=doi_curie(doi),
                    reference=f"https://doi.org/{doi}",
                    description=pub.title
                    if number == 0
                    else f"{pub.title} (another DOI of the same work)",
                )
            )
        return meta

    def build(self) -> Phenopacket:
        p = self.patient
        features, finding_diseases = self.features()
        packet = Phenopacket(id=self.file.removesuffix(".json"), subject=self.subject())
        packet.phenotypic_features.extend(features)
        packet.diseases.extend(self.diseases(finding_diseases))
        packet.measurements.extend(self.measurements())
        packet.medical_actions.extend(self.medical_actions())
        packet.meta_data.CopyFrom(self.meta_data())
        if p.sex is None:
            self.note("subject", "sex", "not reported")
        return packet


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _interval(start: str | None, end: str | None) -> TimeInterval | None:
    """Months (YYYY-MM) as a timestamp interval from the first to the last instant."""
    if not start and not end:
        return None
    first = start or end or ""
    last = end or start or ""
    interval = TimeInterval()
    interval.start.FromJsonString(f"{first}-01T00:00:00Z")
    year, month = (int(x) for x in last.split("-"))
    day = calendar.monthrange(year, month)[1]
    interval.end.FromJsonString(f"{last}-{day:02d}T23:59:59Z")
    return interval


def build_phenopacket(
    patient: PatientData, mapper: TermMapper | None = None
) -> tuple[Phenopacket, list[Note]]:
    """One patient's phenopacket and the notes on what it leaves out."""
    builder = _Builder(patient, mapper or TermMapper.shipped())
    packet = builder.build()
    return packet, sorted(builder.notes)


def build_phenopackets(graph: Graph, mapper: TermMapper | None = None) -> PhenopacketExport:
    """The phenopacket of every patient in ``graph``, by file name."""
    export = PhenopacketExport()
    for patient in read_patients(graph):
        packet, notes = build_phenopacket(patient, mapper)
        name = packet_file_name(patient)
        if name in export.packets:
            raise ValueError(f"two patients would be written to {name}")
        export.packets[name] = packet
        export.notes.extend(notes)
    return export


def phenopacket_json(packet: Phenopacket) -> str:
    """The phenopacket as JSON with the schema's camelCase names, two-space indented.

    Protobuf's JSON leaves out enum values equal to the default, which would print a lost
    patient's vital status as ``{}``; the status is written out as ``UNKNOWN_STATUS``.
    """
    data = json_format.MessageToDict(packet)
    vital = data.get("subject", {}).get("vitalStatus")
    if vital is not None and "status" not in vital:
        data["subject"]["vitalStatus"] = {"status": "UNKNOWN_STATUS", **vital}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _notes_tsv(notes: Iterable[Note]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["file", "section", "item", "reason"])
    for n in sorted(notes):
        writer.writerow([n.file, n.section, n.item, n.reason])
    return buffer.getvalue()


def write_phenopackets(graph: Graph, out_dir: Path) -> PhenopacketExport:
    """Write one JSON file per patient and ``export-notes.tsv`` into ``out_dir``."""
    export = build_phenopackets(graph)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {name: phenopacket_json(p) for name, p in export.packets.items()}
    files[NOTES_FILE] = _notes_tsv(export.notes)
    for name, text in files.items():
        tmp = out_dir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out_dir / name)
    return export
