"""The p-value conventions a paper may have used for a 2x2 table, and which one it did.

Papers print "Fisher's exact test" or "chi-square" p-values without saying which variant they
computed, and the common variants differ by more than the printed rounding: the two-sided
Fisher p that sums every table no more likely than the observed one (scipy's, the
minimum-likelihood convention), twice the smaller one-sided Fisher p, and Pearson's
chi-square with or without Yates' continuity correction. A printed p that one of them
reproduces is not a disagreement; :func:`matching_conventions` says which.

>>> ps = convention_p_values(1, 41, 7, 48)
>>> round(ps["Fisher, two-sided (minimum likelihood)"], 4), round(ps["Fisher, doubled one-sided"], 4)
(0.1324, 0.1348)
>>> matching_conventions(".13", ps)
('Fisher, two-sided (minimum likelihood)', 'Fisher, doubled one-sided')
"""

from __future__ import annotations

import math

from kg.analyse.qa.numbers import p_consistent

__all__ = [
    "CHI2",
    "CHI2_YATES",
    "CONVENTIONS",
    "FISHER",
    "FISHER_DOUBLED",
    "convention_p_values",
    "describe",
    "matching_conventions",
]

FISHER = "Fisher, two-sided (minimum likelihood)"
FISHER_DOUBLED = "Fisher, doubled one-sided"
CHI2 = "chi-square, no correction"
CHI2_YATES = "chi-square, Yates' correction"
#: the conventions, in the order they are tried and named
CONVENTIONS = (FISHER, FISHER_DOUBLED, CHI2, CHI2_YATES)


def convention_p_values(a: int, b: int, c: int, d: int) -> dict[str, float | None]:
    """The p-value of the 2x2 table [[a, b], [c, d]] under each convention (scipy); None
    where a convention is undefined (chi-square with an empty row or column)."""
    from scipy.stats import chi2_contingency, fisher_exact

    table = [[a, b], [c, d]]
    less = float(fisher_exact(table, alternative="less").pvalue)
    greater = float(fisher_exact(table, alternative="greater").pvalue)
    out: dict[str, float | None] = {
        FISHER: float(fisher_exact(table, alternative="two-sided").pvalue),
        FISHER_DOUBLED: min(1.0, 2 * min(less, greater)),
    }
    empty = 0 in (a + b, c + d, a + c, b + d)
    for name, correction in ((CHI2, False), (CHI2_YATES, True)):
        if empty:
            out[name] = None
            continue
        p = float(chi2_contingency(table, correction=correction).pvalue)
        out[name] = None if math.isnan(p) else p
    return out


def matching_conventions(printed: str, ps: dict[str, float | None]) -> tuple[str, ...]:
    """The conventions whose p the printed value shows, at its printed precision."""
    found = []
    for name in CONVENTIONS:
        p = ps.get(name)
        if p is not None and p_consistent(printed, p):
            found.append(name)
    return tuple(found)


def describe(ps: dict[str, float | None]) -> str:
    """Every convention's p, for a note: 'Fisher, two-sided (...) 0.3343; ...'."""
    return "; ".join(
        f"{name} {'undefined' if ps[name] is None else f'{ps[name]:.4g}'}" for name in CONVENTIONS
    )
