"""Where a paper's printed numbers disagree with its own data.

Each check recomputes a printed number from what the same paper gives elsewhere and
reports it only when the two disagree at the printed precision; a number that agrees is
not reported. Kinds (:data:`QA_KINDS`):

``total-vs-rows``
    A count in a table's totals row (``dmkg:PrintedTotal``) against the patient rows of the
    same cohort, and a printed median or mean there (``dmkg:ReportedStatistic``) against the
    rows' median or mean. A count of a status counts the patients with that status exactly
    (``absent`` does not take in ``unknown``); a stated denominator ("7 out of 9") is
    compared with the patients tested (positive or negative) or assessed (any finding
    status but unknown and not reported). A count of a malignancy class counts the patients
    with a diagnosis under that class, except that a diagnosis under a histological class
    the same paper prints as a category of its own (Requena: "Lymphoma (1)") is counted
    there only, not under its organ site: the paper's "Breast (7)" leaves out the lymphoma
    of the breast.
``percent-vs-fraction``
    A printed percentage against ``100 n / N``, beyond the rounding of the printed digits
    (one decimal: more than 0.05 away; an integer: more than 0.5).
``p-value-vs-recomputed``
    A printed p-value against the p-values of the printed n/N of both groups under the
    common conventions (:mod:`kg.analyse.qa.conventions`: Fisher's exact test two-sided by
    minimum likelihood, as scipy computes it, and by doubling the smaller one-sided p;
    Pearson's chi-square without and with Yates' correction). It is listed only when none
    of them reproduces it. ``<v`` holds if p < v, ``>v`` if p > v, and a plain value with d
    decimals if p lies within half a unit of its last digit (|p - v| <= 0.5 * 10**-d: both
    roundings of a tie are accepted, so no p is flagged for a rounding convention).
``text-vs-table``
    A number stated in the text against the same quantity from the rows or a table: counts
    (``dmkg:Count`` with ``dmkg:about``: a sex, a temporal relation, a malignancy class, a
    finding or antibody), medians and means of age or DM-to-cancer interval (and a printed
    range against the youngest and oldest), and n/N stated in the text against the rows of
    that cohort (n: patients with the status; N: patients with any record of the feature)
    or, for a cohort without patient rows, against the table's n/N for the same feature.
    When the text gives several counts about the same thing in the same cohort, only the
    largest is taken as the count of the whole; the smaller ones count subsets the graph
    cannot derive (Requena: "in 2 patients, DM was the first marker of relapse").

``period-vs-dates``, ``survival-vs-rows``, ``percent-vs-denominator``, ``test-vs-statistic``,
``record-vs-ontology``
    A period's stated years against the months it names, a printed survival rate outside
    what the rows allow, a printed percentage of a cohort no
    whole number of its members gives, a p-value under a test of counts on a row of means,
    and one patient's results the ontology says cannot hold together: see
    :mod:`kg.analyse.qa.text_checks`.

``reported`` is an int for counts and otherwise the printed text ("4.7", ".02", "63/64");
``derived`` is an int for counts and otherwise a string with two more decimals than printed
(percentages, statistics) or four significant digits (p-values).
"""

from __future__ import annotations

from rdflib import Graph

from kg.analyse.qa.checks import CHECKS
from kg.analyse.qa.items import QA_COLUMNS, QA_KINDS, QAItem
from kg.analyse.qa.numbers import p_consistent, within_rounding
from kg.analyse.qa.rows import PatientRows
from kg.analyse.qa.text_checks import TEXT_CHECKS

__all__ = ["QA_COLUMNS", "QA_KINDS", "QAItem", "p_consistent", "qa_report", "within_rounding"]


def qa_report(graph: Graph) -> list[QAItem]:
    """Every printed number that disagrees with the paper's own data, by kind and place."""
    data = PatientRows(graph)
    items = [item for check in (*CHECKS, *TEXT_CHECKS) for item in check(data)]
    order = {kind: i for i, kind in enumerate(QA_KINDS)}
    return sorted(items, key=lambda i: (order[i.kind], i.source, i.location, i.item))
