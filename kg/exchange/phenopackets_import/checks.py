"""What protobuf's JSON parser accepts but a phenopacket must not hold: enum numbers the
schema does not define (``"sex": 7``) and numbers that are not finite (``Infinity``,
``NaN``). Both are reported as :class:`ImportProblem` with the field's JSON path, before
anything reads the packet.

>>> from phenopackets import Phenopacket
>>> packet = Phenopacket(id="p1")
>>> packet.subject.sex = 7
>>> [str(p) for p in message_problems("p1.json", packet)]  # doctest: +ELLIPSIS
["p1.json, $.subject.sex: unknown enum value: '7' (expected one of UNKNOWN_SEX, FEMALE, ...)"]
"""

from __future__ import annotations

import math
from typing import Any

from kg.exchange.phenopackets_import.problems import ImportProblem

__all__ = ["MAX_PACKET_BYTES", "message_problems"]

#: the largest phenopacket file read (one patient's record; GA4GH examples are a few kB)
MAX_PACKET_BYTES = 16 * 1024 * 1024


def message_problems(file: str, message: Any, path: str = "$") -> list[ImportProblem]:
    """Every unknown enum number and non-finite number in ``message``, by JSON path."""
    found: list[ImportProblem] = []
    for field, value in message.ListFields():
        where = f"{path}.{field.json_name}"
        values = list(value) if _repeated(field) else [value]
        for index, item in enumerate(values):
            at = f"{where}[{index}]" if _repeated(field) else where
            if field.message_type is not None:
                if field.message_type.GetOptions().map_entry:
                    continue  # map fields hold strings here
                found += message_problems(file, item, at)
            elif field.enum_type is not None and item not in field.enum_type.values_by_number:
                names = ", ".join(v.name for v in field.enum_type.values)
                found.append(
                    ImportProblem(file, at, str(item), "unknown enum value", f"one of {names}")
                )
            elif isinstance(item, float) and not math.isfinite(item):
                found.append(ImportProblem(file, at, str(item), "not a finite number"))
    return found


def _repeated(field: Any) -> bool:
    repeated = getattr(field, "is_repeated", None)  # protobuf 6; 'label' is deprecated there
    if isinstance(repeated, bool):
        return repeated
    return bool(field.label == field.LABEL_REPEATED)
