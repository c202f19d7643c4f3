"""Rules the phenopacket export and import share: HPO consistency and cancer onset ages.

A phenopacket must not contradict HPO's hierarchy: a present term implies each of its
ancestors, and an excluded term excludes each of its descendants. :func:`consistent_features`
keeps the most specific statement of each kind and says what it drops.

A cancer's DM-to-cancer interval is written as the cancer's onset age: the age at DM
diagnosis (whole years, as the papers print it) plus the interval in months, so that the
import recovers the interval exactly as the difference of the two ages.

>>> cancer_onset(45, Decimal(12))
'P46Y'
>>> cancer_onset(45, Decimal(-3))
'P44Y9M'
>>> interval_from_onsets("P45Y", "P44Y9M")
Decimal('-3')
"""

from __future__ import annotations

import re
from decimal import Decimal

from kg.exchange.identifiers import HPO_ANCESTORS

__all__ = ["cancer_onset", "consistent_features", "interval_from_onsets", "months_of_age"]


def consistent_features(
    features: dict[str, bool],
) -> tuple[dict[str, bool], list[tuple[str, str]]]:
    """Terms (id -> excluded) without contradictions or redundancy, and (id, why) dropped.

    A present descendant wins over an excluded ancestor; an excluded term whose ancestor is
    excluded too is redundant; a present term whose descendant is present is redundant.

    >>> kept, dropped = consistent_features(
    ...     {"HP:0003493": True, "HP:0030873": False, "HP:0033555": True}
    ... )
    >>> kept
    {'HP:0030873': False, 'HP:0033555': True}
    >>> [d[0] for d in dropped]
    ['HP:0003493']
    """
    present = {t for t, excluded in features.items() if not excluded}
    absent = {t for t, excluded in features.items() if excluded}
    dropped: list[tuple[str, str]] = []
    for term in sorted(absent):
        below = sorted(p for p in present if term in HPO_ANCESTORS.get(p, ()))
        if below:
            dropped.append(
                (
                    term,
                    f"excluded, but its HPO descendant {', '.join(below)} is present "
                    + "(the present finding is kept)",
                )
            )
    contradicted = {t for t, _ in dropped}
    for term in sorted(absent - contradicted):
        above = sorted(a for a in HPO_ANCESTORS.get(term, ()) if a in absent - contradicted)
        if above:
            dropped.append(
                (term, f"excluded, and its HPO ancestor {', '.join(above)} is excluded too")
            )
    for term in sorted(present):
        below = sorted(p for p in present if term in HPO_ANCESTORS.get(p, ()))
        if below:
            dropped.append(
                (term, f"present, and implied by its present HPO descendant {', '.join(below)}")
            )
    gone = {t for t, _ in dropped}
    kept = {t: e for t, e in features.items() if t not in gone}
    return kept, sorted(dropped)


def cancer_onset(age: int, interval_months: Decimal) -> str | None:
    """The ISO 8601 age at a cancer event ``interval_months`` after a DM diagnosis at ``age``.

    None when the interval is not a whole number of months or the age would be negative.
    """
    if interval_months != interval_months.to_integral():
        return None
    total = age * 12 + int(interval_months)
    if total < 0:
        return None
    years, months = divmod(total, 12)
    return f"P{years}Y{months}M" if months else f"P{years}Y"


_AGE = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?")


def months_of_age(iso: str) -> int | None:
    """Whole months of an ISO 8601 age in years and months (None for anything else)."""
    match = _AGE.fullmatch(iso)
    if not match or not iso[1:]:
        return None
    return int(match.group(1) or 0) * 12 + int(match.group(2) or 0)


def interval_from_onsets(dm_onset: str, cancer_onset_age: str) -> Decimal | None:
    """The DM-to-cancer interval in months from the two onset ages, if both are readable."""
    dm, cancer = months_of_age(dm_onset), months_of_age(cancer_onset_age)
    if dm is None or cancer is None:
        return None
    return Decimal(cancer - dm)
