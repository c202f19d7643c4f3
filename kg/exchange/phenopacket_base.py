"""What the phenopacket export and import share: constants, notes and file names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.exchange.patients import PatientData

__all__ = ["DAYS_PER_MONTH", "DERMATOMYOSITIS", "SCHEMA_VERSION", "Note", "packet_file_name"]

#: the mean length of a month in days (365.25 / 12): months since diagnosis <-> days
DAYS_PER_MONTH = Decimal("30.4375")
#: the Phenopacket Schema release the ``phenopackets`` package implements
SCHEMA_VERSION = "2.0.2"
DERMATOMYOSITIS = ("MONDO:0016367", "dermatomyositis")


@dataclass(frozen=True, order=True)
class Note:
    """One thing a phenopacket leaves out, and why."""

    file: str
    section: str
    item: str
    reason: str


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
