"""Grammars of the cells and words a curated file may contain.

Each parser takes the cell text and a :class:`Where` for errors, and returns plain values.

>>> w = Where("t.tsv", 3, column="Time (months)")
>>> parse_interval("0 (recurrence)", w)
(Decimal('0'), 'recurrence')
>>> parse_outcome("D (10)", w)
('D', Decimal('10'))
>>> parse_fraction("1/42 (2.4)", w)
(1, 42, Decimal('2.4'))
>>> parse_p_value(">.99", w)
('>', Decimal('0.99'))
>>> parse_titer("1:160", w)
160
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import URIRef

from kg.loaders.writer import Where
from kg.namespaces import DMKG

__all__ = [
    "ANTIBODY_STATUS",
    "FINDING_STATUS",
    "INTERPRETATION",
    "MARKER_STATUS",
    "RELATION",
    "SEX",
    "STUDY_DESIGN",
    "VITAL_STATUS",
    "parse_decimal",
    "parse_fraction",
    "parse_int",
    "parse_interval",
    "parse_mean_range",
    "parse_month",
    "parse_outcome",
    "parse_p_value",
    "parse_titer",
    "word",
]

FINDING_STATUS = {
    "present": DMKG.Present,
    "absent": DMKG.Absent,
    "equivocal": DMKG.Equivocal,
    "unknown": DMKG.Unknown,
    "not reported": DMKG.NotReported,
}
ANTIBODY_STATUS = {
    "positive": DMKG.Positive,
    "negative": DMKG.Negative,
    "not performed": DMKG.NotPerformed,
    "not reported": DMKG.ResultNotReported,
}
MARKER_STATUS = {"positive": DMKG.Positive, "negative": DMKG.Negative}
INTERPRETATION = {
    "within normal range": DMKG.WithinNormalRange,
    "above normal range": DMKG.AboveNormalRange,
    "below normal range": DMKG.BelowNormalRange,
}
VITAL_STATUS = {"alive": DMKG.Alive, "dead": DMKG.Dead, "lost to follow-up": DMKG.LostToFollowUp}
RELATION = {
    "first diagnosis": DMKG.AtFirstDiagnosis,
    "onset": DMKG.AtCancerOnset,
    "recurrence": DMKG.AtRecurrence,
    "progression": DMKG.AtProgression,
}
SEX = {"female": DMKG.Female, "male": DMKG.Male}
STUDY_DESIGN = {
    "case series": DMKG.CaseSeriesStudy,
    "case report": DMKG.CaseReport,
    "comparative cohort": DMKG.ComparativeCohortStudy,
}

_NUMBER = r"-?\d+(?:\.\d+)?"


def word(value: object, vocabulary: dict[str, URIRef], where: Where, what: str) -> URIRef:
    """Look up a word of a closed vocabulary, case-insensitively."""
    key = " ".join(str(value).casefold().split())
    if key in vocabulary:
        return vocabulary[key]
    raise where.error(f"unknown {what}", str(value), "one of " + ", ".join(map(repr, vocabulary)))


def parse_int(
    text: object, where: Where, what: str, low: int | None = None, high: int | None = None
) -> int:
    """An integer, optionally within [low, high]."""
    raw = str(text).strip()
    if not re.fullmatch(r"-?\d+", raw):
        raise where.error(f"{what} is not a whole number", raw, "digits only, e.g. 48")
    value = int(raw)
    if (low is not None and value < low) or (high is not None and value > high):
        raise where.error(f"{what} out of range", raw, f"a number from {low} to {high}")
    return value


def parse_decimal(text: object, where: Where, what: str) -> Decimal:
    """A decimal number such as 5.4 or -105.8."""
    raw = str(text).strip()
    try:
        if not re.fullmatch(_NUMBER, raw):
            raise InvalidOperation
        return Decimal(raw)
    except InvalidOperation:
        raise where.error(f"{what} is not a number", raw, "a number such as 5.4") from None


def parse_interval(text: str, where: Where) -> tuple[Decimal, str | None]:
    """``9``, ``0 (onset)``, ``20 (recurrence)`` or ``12 (progression)``."""
    match = re.fullmatch(rf"({_NUMBER})\s*(?:\((onset|recurrence|progression)\))?", text.strip())
    if not match:
        raise where.error(
            "unreadable DM-to-cancer interval",
            text,
            "months, optionally followed by (onset), (recurrence) or (progression)",
        )
    return Decimal(match.group(1)), match.group(2)


def parse_outcome(text: str, where: Where) -> tuple[str, Decimal | None]:
    """A status code with optional months in brackets: ``D (10)``, ``A (38)``, ``L``."""
    match = re.fullmatch(rf"(\w+)\s*(?:\(({_NUMBER})\))?", text.strip())
    if not match:
        raise where.error("unreadable outcome", text, "a status code and months, e.g. D (10)")
    months = Decimal(match.group(2)) if match.group(2) else None
    return match.group(1), months


def parse_fraction(text: str, where: Where) -> tuple[int, int, Decimal | None]:
    """``n/N (percent)`` as printed in cohort tables; the percentage is optional."""
    match = re.fullmatch(r"(\d+)\s*/\s*(\d+)\s*(?:\((\d+(?:\.\d+)?)\))?", text.strip())
    if not match:
        raise where.error("unreadable frequency", text, "n/N (percent), e.g. 1/42 (2.4)")
    percent = Decimal(match.group(3)) if match.group(3) else None
    return int(match.group(1)), int(match.group(2)), percent


def parse_mean_range(text: str, where: Where) -> tuple[Decimal, Decimal, Decimal]:
    """``value (low-high)``, e.g. ``3748 (1159-8799)``."""
    match = re.fullmatch(rf"({_NUMBER})\s*\(({_NUMBER})\s*-\s*({_NUMBER})\)", text.strip())
    if not match:
        raise where.error("unreadable summary statistic", text, "value (low-high)")
    return Decimal(match.group(1)), Decimal(match.group(2)), Decimal(match.group(3))


def parse_p_value(text: str, where: Where) -> tuple[str, Decimal]:
    """A printed p-value: ``.13``, ``<.0001``, ``>.99``, ``P = .008``."""
    raw = re.sub(r"^[Pp]\s*", "", text.strip())
    match = re.fullmatch(r"([<>=]?)\s*(0?\.\d+|1(?:\.0+)?|0)", raw)
    if not match:
        raise where.error("unreadable p-value", text, "a p-value such as .13, <.0001 or >.99")
    return match.group(1) or "=", Decimal(match.group(2))


def parse_titer(text: str, where: Where) -> int:
    """The reciprocal dilution of ``1/320`` or ``1:160``."""
    match = re.fullmatch(r"1\s*[:/]\s*(\d+)", text.strip())
    if not match:
        raise where.error("unreadable titer", text, "1/N or 1:N, e.g. 1/320")
    return int(match.group(1))


def parse_month(text: object, where: Where) -> str:
    """A month as YYYY-MM."""
    raw = str(text).strip()
    if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", raw):
        raise where.error("unreadable month", raw, "YYYY-MM, e.g. 2019-09")
    if raw > date.today().strftime("%Y-%m"):
        raise where.error("month in the future", raw, "a month up to the current one")
    return raw
