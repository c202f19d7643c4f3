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
>>> contains_identifier("Ana Ruiz, born 12 March 1961")
'a full date (a possible date of birth; keep ages, months or intervals)'
>>> contains_identifier("onset March 2019, 12 months before the cancer") is None
True
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
_MONTH = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    r"|septiembre|octubre|noviembre|diciembre|janvier|f[ée]vrier|mars|avril|mai|juin|juillet"
    r"|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)\.?"
)
# a day, a month's name and a year, in either order ("12 March 1961", "March 12, 1961",
# "12 de marzo de 1961")
_WORDED_DATE = re.compile(
    rf"\b\d{{1,2}}(st|nd|rd|th|er)?\s+(of\s+|de\s+)?{_MONTH}\s*,?\s+(de\s+)?\d{{4}}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(st|nd|rd|th)?\s*,?\s+\d{{4}}\b",
    re.IGNORECASE,
)


def contains_identifier(cell: str) -> str | None:
    """What kind of direct identifier a cell's text contains, or None."""
    # a quick way out for the usual cell ("+", "57", "Negative"): an e-mail address needs an
    # "@", a full date five digits and a phone number six (a registry has millions of cells)
    if "@" not in cell and sum(map(str.isdigit, cell)) < 5:
        return None
    if _EMAIL.search(cell):
        return "an e-mail address"
    if _FULL_DATE.search(cell) or _WORDED_DATE.search(cell):
        return "a full date (a possible date of birth; keep ages, months or intervals)"
    if _PHONE.search(cell):
        return "a phone number"
    return None
