"""The state and helpers of reading one phenopacket: located problems and notes, terms
mapped back to dmkg classes, numbers and months as the curated format writes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from phenopackets import Phenopacket
from rdflib import URIRef

from kg.exchange.phenopacket_base import DAYS_PER_MONTH
from kg.exchange.phenopackets_import.problems import ImportProblem
from kg.exchange.vocab import Role, TermMapper

__all__ = ["PacketContext", "month_of", "months_from_days", "plain_number"]


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


def month_of(ts: Timestamp) -> str:
    return str(ts.ToDatetime().strftime("%Y-%m"))


def plain_number(value: float) -> Any:
    number = Decimal(repr(value)).normalize()
    return int(number) if number == number.to_integral() else float(number)


class PacketContext:
    """What the readers of a phenopacket's sections share: the packet, the mapper, and the
    problems, notes and ranged measurements found so far."""

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
