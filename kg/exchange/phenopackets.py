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
  severity modifiers (see :data:`~kg.exchange.identifiers.GRADE_SEVERITY`). HPO's hierarchy
  is respected (:func:`~kg.exchange.phenopacket_rules.consistent_features`): a present
  descendant wins over an excluded ancestor (Requena case 25: anti-centromere positive, ANA
  negative), and an exclusion or presence another term already implies is dropped; each
  dropped term is in the notes.
- ``diseases``: dermatomyositis (MONDO:0016367) with the age at DM diagnosis as its onset;
  each cancer with its MONDO (else NCIt) term, else dmkg's own class (``dmkg:BladderMalignancy``:
  no external term says only "bladder"), its laterality, the DM-to-cancer interval as its
  onset age (the DM age plus the interval, in years and months) and the event the interval
  runs to (first diagnosis, onset, recurrence, progression) as a dmkg term in
  ``diseaseStage``, the one field of the schema that can carry it; a finding that is a
  disease with a MONDO term but no HPO term (interstitial lung disease) with ``excluded``
  when absent.
- ``measurements``: creatine kinase values (LOINC 2157-6) with their UCUM unit, reference
  range and, in ``description``, the time point. A value printed only as "normal" has no
  number; it is carried by the excluded "Elevated circulating creatine kinase" feature.
- ``medicalActions``: see :mod:`kg.exchange.phenopacket_actions` (routes coded; doses whose
  schedule has no verified frequency term are in the notes, not in an incomplete
  ``DoseInterval``).
- ``subject``: the opaque patient id, sex and vital status; ``survivalTimeInDays`` is the
  months since DM diagnosis times 30.4375 (the mean month). The age at DM diagnosis sits on
  the dermatomyositis disease (``onset``), because ``timeAtLastEncounter`` would claim the
  patient was last seen at that age. Lost to follow-up is ``UNKNOWN_STATUS``.
- ``metaData``: ``created`` is the curation date (constant, so exports are reproducible),
  ``createdBy`` dmkg, the resources the file cites with their versions, and the paper's DOI.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import json_format
from phenopackets import Phenopacket
from rdflib import Graph

from kg.exchange.patients import PatientData, read_patients
from kg.exchange.phenopacket_base import DAYS_PER_MONTH, SCHEMA_VERSION, Note, packet_file_name
from kg.exchange.phenopacket_builder import PhenopacketBuilder
from kg.exchange.vocab import TermMapper

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

#: the file, beside the JSON files, that lists what each phenopacket leaves out and why
NOTES_FILE = "export-notes.tsv"


@dataclass
class PhenopacketExport:
    """The phenopackets of a graph, by file name, and the notes about what they leave out."""

    packets: dict[str, Phenopacket] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def build_phenopacket(
    patient: PatientData, mapper: TermMapper | None = None
) -> tuple[Phenopacket, list[Note]]:
    """One patient's phenopacket and the notes on what it leaves out."""
    builder = PhenopacketBuilder(patient, mapper or TermMapper.shipped())
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
