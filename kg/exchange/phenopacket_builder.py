"""Builds one patient's phenopacket, section by section, with notes on what it leaves out.

What goes where is described in :mod:`kg.exchange.phenopackets`.
"""

from __future__ import annotations

from decimal import Decimal

from phenopackets import (
    Age,
    Disease,
    ExternalReference,
    Individual,
    Measurement,
    MedicalAction,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Quantity,
    ReferenceRange,
    Resource,
    Sex,
    TimeElement,
    Value,
    VitalStatus,
)
from rdflib import URIRef

from kg.exchange.identifiers import (
    CK_ASSAY,
    CURATION_DATE,
    GRADE_SEVERITY,
    LATERALITY,
    RESOURCES,
    SEVERITY,
    UNIT_LABELS,
    curie_of,
    doi_curie,
)
from kg.exchange.patients import Cancer, PatientData
from kg.exchange.phenopacket_actions import medical_actions
from kg.exchange.phenopacket_base import (
    DAYS_PER_MONTH,
    DERMATOMYOSITIS,
    SCHEMA_VERSION,
    Note,
    packet_file_name,
)
from kg.exchange.phenopacket_rules import cancer_onset, consistent_features
from kg.exchange.vocab import Mapped, TermMapper
from kg.namespaces import DMKG

__all__ = ["PhenopacketBuilder"]

_SEX = {DMKG.Female: Sex.FEMALE, DMKG.Male: Sex.MALE}
_VITAL = {
    DMKG.Alive: VitalStatus.ALIVE,
    DMKG.Dead: VitalStatus.DECEASED,
    DMKG.LostToFollowUp: VitalStatus.UNKNOWN_STATUS,
}


class PhenopacketBuilder:
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
        kept, dropped = consistent_features({k: f.excluded for k, f in by_term.items()})
        for term, why in dropped:
            self.note("phenotypicFeatures", f"{term} {by_term[term].type.label}", why)
        return [by_term[k] for k in sorted(kept)], as_disease

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
                # no MONDO or NCIt term says no more than the paper ("bladder"): the
                # class of our own ontology is the term, so the diagnosis is not lost
                mapped = Mapped(curie_of(cancer.malignancy), self.label(cancer.malignancy), "exact")
            disease = Disease(term=self.oc(mapped.curie, mapped.label))
            self._timing(disease, cancer)
            if cancer.laterality in LATERALITY:
                curie = LATERALITY[cancer.laterality]
                disease.laterality.CopyFrom(self.oc(curie, m.label(curie)))
            found.append(disease)
        return found + extra

    def _timing(self, disease: Disease, cancer: Cancer) -> None:
        """The DM-to-cancer interval as the onset age; its temporal relation as the stage."""
        name = self.label(cancer.malignancy)
        if cancer.interval_months is not None:
            onset = (
                cancer_onset(self.patient.age, cancer.interval_months)
                if self.patient.age is not None
                else None
            )
            if onset is None:
                self.note(
                    "diseases",
                    name,
                    f"DM-to-cancer interval {cancer.interval_months} months: not a whole "
                    "number of months after a known age at DM diagnosis",
                )
            else:
                disease.onset.CopyFrom(TimeElement(age=Age(iso8601duration=onset)))
        if cancer.relation is not None:
            # the event the interval runs to (first diagnosis, onset, recurrence,
            # progression): no field of the schema says it, so dmkg's own class does
            disease.disease_stage.append(
                self.oc(curie_of(cancer.relation), self.label(cancer.relation))
            )

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
        return medical_actions(self)

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
