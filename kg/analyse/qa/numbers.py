"""Numbers as a paper prints them: digits, rounding, and p-values with comparators."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from rdflib.term import Node

__all__ = [
    "as_printed",
    "decimals_of",
    "fixed_decimals",
    "p_consistent",
    "trimmed",
    "within_rounding",
]


def decimals_of(printed: str) -> int:
    return len(printed.split(".", 1)[1]) if "." in printed else 0


def as_printed(value: Node, verbatim: str) -> str:
    """The digits of a printed number as the source shows them ("4.70" keeps its zero)."""
    number = Decimal(str(value))
    for token in re.findall(r"\d*\.?\d+", verbatim):
        if Decimal(token) == number:
            return str(token)
    return str(value)


def within_rounding(derived: Fraction | Decimal | float, printed: str) -> bool:
    """Whether a printed number is ``derived`` rounded to the printed digits.

    Within half a unit of the last printed digit, ties included. A float is taken at its
    shortest decimal form (0.135, not the binary 0.13500000000000000888...).

    >>> within_rounding(Fraction(200, 42), "4.7")   # 4.762
    False
    >>> within_rounding(Fraction(4800, 54), "89")   # 88.89
    True
    >>> within_rounding(Decimal("5.36"), "5.4")
    True
    """
    half = Fraction(1, 2 * 10 ** decimals_of(printed))
    return abs(_exact(derived) - Fraction(Decimal(printed))) <= half


def _exact(number: Fraction | Decimal | float) -> Fraction:
    return Fraction(Decimal(repr(number))) if isinstance(number, float) else Fraction(number)


def p_consistent(printed: str, p: float) -> bool:
    """Whether a p-value as printed (``<.0001``, ``>.99``, ``.13``, ``P = .008``) fits ``p``.

    >>> p_consistent("<.0001", 3.1e-16), p_consistent(">.99", 1.0)
    (True, True)
    >>> p_consistent(".13", 0.132385), p_consistent(".8", 0.850243)
    (True, False)
    """
    match = re.fullmatch(r"\s*(?:[Pp]\s*)?([<>=]?)\s*(\d*\.?\d+)\s*", printed)
    if not match:
        raise ValueError(f"unreadable p-value {printed!r}; expected e.g. .13, <.0001 or >.99")
    comparator, number = match.groups()
    bound = Fraction(Decimal(number))
    if comparator == "<":
        return _exact(p) < bound
    if comparator == ">":
        return _exact(p) > bound
    return within_rounding(p, number)


def fixed_decimals(value: Fraction, decimals: int) -> str:
    """``value`` with ``decimals`` digits, trailing zeros kept (a fixed, readable width)."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{number:.{decimals}f}"


def trimmed(value: Decimal, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
