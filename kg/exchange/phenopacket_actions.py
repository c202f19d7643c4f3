"""A patient's treatments and procedures as phenopacket medical actions.

Agents (ChEBI, NCIt) become treatments, MAxO actions procedures; the disease treated is the
``treatmentTarget``. A route is coded where NCIt has a term for it
(:data:`~kg.exchange.identifiers.ROUTES`). The schema requires a ``DoseInterval`` to carry
its quantity, its ``scheduleFrequency`` and its ``interval``; the curated schedules are
free text ("every two weeks for four cycles") with no verified frequency term, so the dose,
dates and schedule are written to the notes, exactly as the graph holds them, instead of an
incomplete dose interval.
"""

from __future__ import annotations

import calendar
from decimal import Decimal
from typing import Protocol

from phenopackets import (
    MedicalAction,
    OntologyClass,
    Procedure,
    TimeElement,
    TimeInterval,
    Treatment,
)
from rdflib import URIRef

from kg.exchange.identifiers import ROUTES
from kg.exchange.patients import PatientData, TreatmentRecord
from kg.exchange.phenopacket_base import DERMATOMYOSITIS
from kg.exchange.vocab import TermMapper
from kg.namespaces import DMKG

__all__ = ["PhenopacketBuilder", "medical_actions", "month_interval"]


class PhenopacketBuilder(Protocol):
    """What the actions need of :class:`kg.exchange.phenopacket_builder.PhenopacketBuilder`."""

    patient: PatientData
    mapper: TermMapper

    def oc(self, curie: str, label: str) -> OntologyClass: ...

    def note(self, section: str, item: str, reason: str) -> None: ...

    def label(self, cls: URIRef) -> str: ...


def medical_actions(b: PhenopacketBuilder) -> list[MedicalAction]:
    """The medical actions of the builder's patient (notes go to the builder)."""
    found = []
    for t in b.patient.treatments:
        name = b.label(t.intervention)
        mapped = b.mapper.intervention(t.intervention)
        if mapped is None:
            b.note(
                "medicalActions", name, "no ChEBI, NCIt or MAxO term in the verified mapping table"
            )
            continue
        term = b.oc(mapped.curie, mapped.label)
        interval = month_interval(t.start, t.end)
        if mapped.curie.startswith("MAXO:"):
            procedure = Procedure(code=term)
            if interval is not None:
                procedure.performed.CopyFrom(TimeElement(interval=interval))
            action = MedicalAction(procedure=procedure)
            _free_text(b, t, name, dose_written=False, dates_written=True)
        else:
            treatment = Treatment(agent=term)
            if t.route in ROUTES:
                treatment.route_of_administration.CopyFrom(b.oc(*ROUTES[t.route]))
            action = MedicalAction(treatment=treatment)
            _free_text(b, t, name, dose_written=False, dates_written=False)
        target = _target(b, t)
        if target is not None:
            action.treatment_target.CopyFrom(target)
        found.append(action)
    return found


def _target(b: PhenopacketBuilder, t: TreatmentRecord) -> OntologyClass | None:
    if t.target is None:
        return None
    if t.target == DMKG.Dermatomyositis:
        return b.oc(*DERMATOMYOSITIS)
    mapped = b.mapper.disease(t.target)
    if mapped is None and t.target == DMKG.Malignancy:
        # "given for the malignancy": the patient's one mapped cancer, if there is one
        cancers = {
            c for c in (b.mapper.disease(x.malignancy) for x in b.patient.cancers) if c is not None
        }
        mapped = next(iter(cancers)) if len(cancers) == 1 else None
    if mapped is None:
        b.note(
            "medicalActions",
            b.label(t.intervention),
            f"treatment target {b.label(t.target)!r} has no MONDO or NCIt term",
        )
        return None
    return b.oc(mapped.curie, mapped.label)


def _free_text(
    b: PhenopacketBuilder,
    t: TreatmentRecord,
    name: str,
    *,
    dose_written: bool,
    dates_written: bool,
) -> None:
    parts = []
    if not dose_written and t.dose_value is not None and t.dose_unit:
        parts.append(f"dose {_num(t.dose_value)} {t.dose_unit}")
    if t.dose and (dose_written or t.dose_value is None or t.dose != _dose(t)):
        parts.append(f"dose as printed {t.dose!r}")
    if not dates_written and (t.start or t.end):
        parts.append(f"from {t.start or '?'} to {t.end or '?'}")
    if t.route and t.route not in ROUTES:
        parts.append(f"route {t.route!r}")
    for what, value in (("schedule", t.schedule), ("phase", t.phase)):
        if value:
            parts.append(f"{what} {value!r}")
    if parts:
        reason = "no coded phenopacket field"
        if not dates_written and (t.dose_value is not None or t.start or t.end):
            reason = (
                "a DoseInterval needs a coded scheduleFrequency and an interval, and no "
                "verified frequency term states this schedule"
            )
        b.note("medicalActions", name, "; ".join(parts) + f": {reason}")


def _dose(t: TreatmentRecord) -> str | None:
    if t.dose_value is None or not t.dose_unit:
        return None
    return f"{_num(t.dose_value)} {t.dose_unit}"


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def month_interval(start: str | None, end: str | None) -> TimeInterval | None:
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
