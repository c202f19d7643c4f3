"""Refuse direct identifiers: dmkg holds de-identified case data only.

A column or YAML key named like a direct identifier (a name, a record number, a full date of
birth, an address, a phone number, an e-mail address) is refused, and so is a cell that
contains an e-mail address or a phone number.

>>> identifier_kind("Patient name")
'a name'
>>> identifier_kind("Flagellated lesion") is None
True
>>> identifier_kind("NHC")
'a medical record number'
>>> contains_identifier("contact: jane.doe@example.org")
'an e-mail address'
>>> contains_identifier("born 12/03/1961")
'a full date (a possible date of birth; keep ages, months or intervals)'
"""

from __future__ import annotations

import re

__all__ = ["contains_identifier", "identifier_kind"]

_HEADER_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        (
            r"(patient|first|last|full|given|family|sur)[ _-]?name|^name$|^names?$|nombre|apellidos?"
            r"|^nom$|initials"
        ),
        "a name",
    ),
    (
        (
            r"\bmrn\b|medical[ _-]?record|record[ _-]?(number|no)|hospital[ _-]?(number|no|id)|^nhc$"
            r"|historia[ _-]?cl[ií]nica|chart[ _-]?(number|no)|nhs[ _-]?number|patient[ _-]?id$"
        ),
        "a medical record number",
    ),
    (
        r"date[ _-]?of[ _-]?birth|birth[ _-]?date|^dob$|fecha[ _-]?de[ _-]?nacimiento|birthday",
        "a date of birth",
    ),
    (r"address|street|post[ _-]?code|zip[ _-]?code|domicilio|direcci[oó]n", "an address"),
    (r"phone|telephone|mobile|^tel\.?$|tel[eé]fono", "a phone number"),
    (r"e-?mail|correo", "an e-mail address"),
    (
        (
            r"social[ _-]?security|\bssn\b|passport|national[ _-]?id|\bdni\b|\bnif\b|insurance[ _-]?"
            r"(number|no)"
        ),
        "a national identity number",
    ),
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d/.])\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?([ .-]\d{2,4}){2,4}(?![\d/.])")


def identifier_kind(name: str) -> str | None:
    """What kind of direct identifier a column or key name denotes, or None."""
    text = " ".join(str(name).casefold().replace("_", " ").split())
    for pattern, kind in _HEADER_PATTERNS:
        if re.search(pattern, text):
            return kind
    return None


_FULL_DATE = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\b")


def contains_identifier(cell: str) -> str | None:
    """What kind of direct identifier a cell's text contains, or None."""
    # a quick way out for the usual cell ("+", "57", "Negative"): an e-mail address needs an
    # "@", a full date and a phone number six digits (a registry has millions of cells)
    if "@" not in cell and sum(map(str.isdigit, cell)) < 6:
        return None
    if _EMAIL.search(cell):
        return "an e-mail address"
    if _FULL_DATE.search(cell):
        return "a full date (a possible date of birth; keep ages, months or intervals)"
    if _PHONE.search(cell):
        return "a phone number"
    return None
