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
    A printed p-value against Fisher's exact test (two-sided, scipy) on the printed n/N of
    both groups. ``<v`` holds if p < v, ``>v`` if p > v, and a plain value with d decimals if
    p lies within half a unit of its last digit (|p - v| <= 0.5 * 10**-d: both roundings of
    a tie are accepted, so no p is flagged for a rounding convention).
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

``reported`` is an int for counts and otherwise the printed text ("4.7", ".02", "63/64");
``derived`` is an int for counts and otherwise a string with two more decimals than printed
(percentages, statistics) or four significant digits (p-values).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node
from scipy.stats import fisher_exact

from kg.namespaces import DMKG, PROV
from kg.analyse.statistics import cohort_comparisons, label, select

__all__ = ["QA_COLUMNS", "QA_KINDS", "QAItem", "p_consistent", "qa_report", "within_rounding"]

QA_KINDS = ("total-vs-rows", "percent-vs-fraction", "p-value-vs-recomputed", "text-vs-table")
#: column order for tables and CSV output
QA_COLUMNS = ("kind", "source", "location", "item", "reported", "derived", "note")


@dataclass(frozen=True)
class QAItem:
    """One printed number that disagrees with what the paper's own data gives."""

    source: str  # DOI
    location: str  # "Table 2, column Pruritus, row Total" or "Results (text)"
    item: str  # what the number counts, e.g. "pruritus present"
    reported: int | str
    derived: int | str
    kind: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {column: getattr(self, column) for column in QA_COLUMNS}


_NS = {"dmkg": DMKG._NS, "prov": PROV, "rdfs": RDFS}

_PATIENTS = prepareQuery(
    """
    SELECT ?patient ?cohort ?age ?sex WHERE {
      ?patient a dmkg:Patient ; dmkg:memberOf ?cohort .
      OPTIONAL { ?patient dmkg:ageAtDiagnosis ?age }
      OPTIONAL { ?patient dmkg:sex ?sex }
    }""",
    initNs=_NS,
)

_OBSERVATIONS = prepareQuery(
    """
    SELECT ?patient ?term ?status WHERE {
      { ?obs a dmkg:FindingObservation ; dmkg:finding ?term ; dmkg:findingStatus ?status }
      UNION
      { ?obs a dmkg:AntibodyTestResult ; dmkg:antibody ?term ; dmkg:antibodyStatus ?status }
      ?obs dmkg:ofPatient ?patient .
    }""",
    initNs=_NS,
)

_DIAGNOSES = prepareQuery(
    """
    SELECT ?patient ?malignancy ?relation ?months WHERE {
      ?diagnosis a dmkg:CancerDiagnosis ; dmkg:ofPatient ?patient ;
                 dmkg:malignancy ?malignancy .
      OPTIONAL { ?diagnosis dmkg:temporalRelation ?relation }
      OPTIONAL { ?diagnosis dmkg:intervalMonths ?months }
    }""",
    initNs=_NS,
)

_OUTCOMES = prepareQuery(
    """
    SELECT ?patient ?status WHERE {
      ?outcome a dmkg:Outcome ; dmkg:ofPatient ?patient ; dmkg:vitalStatus ?status .
    }""",
    initNs=_NS,
)

#: statuses in the order a breakdown lists them
_STATUS_ORDER = (
    DMKG.Present,
    DMKG.Equivocal,
    DMKG.Absent,
    DMKG.Unknown,
    DMKG.NotReported,
    DMKG.Positive,
    DMKG.Negative,
    DMKG.NotPerformed,
    DMKG.ResultNotReported,
)
#: statuses that say a patient was tested (antibodies) or assessed (findings)
_TESTED = {DMKG.Positive, DMKG.Negative}
_ASSESSED = {DMKG.Present, DMKG.Absent, DMKG.Equivocal}
#: what a median or mean "about" a class is computed over, and the units it may carry
_QUANTITIES: dict[Node, tuple[str, set[str | None]]] = {
    DMKG.Patient: ("age at diagnosis", {None, "a"}),
    DMKG.Malignancy: ("DM-to-cancer interval", {None, "mo"}),
}


@dataclass(frozen=True)
class _Place:
    source: str
    table: str | None
    row: str | None
    column: str | None
    section: str | None
    verbatim: str

    def text(self) -> str:
        if self.table:
            return f"{self.table}, column {self.column}, row {self.row}"
        return f"{self.section or 'text'} (text)"


@dataclass(frozen=True)
class _Count:
    n: int
    assessed: int
    note: str


class _Data:
    """The patient rows of the graph, indexed once for counting."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.members: dict[Node, set[Node]] = defaultdict(set)
        self.age: dict[Node, Decimal] = {}
        self.sex: dict[Node, Node] = {}
        for row in select(graph, _PATIENTS):
            self.members[row["cohort"]].add(row["patient"])
            if "age" in row:
                self.age[row["patient"]] = Decimal(str(row["age"]))
            if "sex" in row:
                self.sex[row["patient"]] = row["sex"]
        self.status: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        for row in select(graph, _OBSERVATIONS):
            self.status[row["term"]][row["patient"]].add(row["status"])
        self.diagnoses: list[tuple[Node, Node, Node | None, Decimal | None]] = [
            (
                r["patient"],
                r["malignancy"],
                r.get("relation"),
                Decimal(str(r["months"])) if "months" in r else None,
            )
            for r in select(graph, _DIAGNOSES)
        ]
        self.vital: dict[Node, set[Node]] = defaultdict(set)
        for row in select(graph, _OUTCOMES):
            self.vital[row["patient"]].add(row["status"])
        self._ancestors: dict[Node, set[Node]] = {}

    # -- the ontology ----------------------------------------------------------------
    def under(self, term: Node, root: Node) -> bool:
        """``term`` is ``root`` or a subclass of it."""
        if term not in self._ancestors:
            self._ancestors[term] = {
                a for a in self.graph.transitive_objects(term, RDFS.subClassOf) if a is not None
            }
        return root in self._ancestors[term]

    def is_a(self, individual: Node, value_set: URIRef) -> bool:
        return (individual, RDF.type, value_set) in self.graph

    def label(self, term: Node) -> str:
        return label(self.graph, term)

    # -- records -----------------------------------------------------------------------
    def place(self, record: Node) -> _Place:
        location = self.value(record, PROV.wasDerivedFrom)
        row = self.value(location, DMKG.inRow) or location  # a table cell's source row
        publication = self.value(row, DMKG.inPublication)
        return _Place(
            self.text(publication, DMKG.doi) or "",
            self.text(row, DMKG.table),
            self.text(row, DMKG.row),
            self.text(location, DMKG.column),
            self.text(location, DMKG.section),
            self.text(record, DMKG.verbatim) or "",
        )

    def value(self, subject: Node | None, p: URIRef) -> Node | None:
        return self.graph.value(subject, p) if subject is not None else None

    def text(self, subject: Node | None, p: URIRef) -> str | None:
        value = self.value(subject, p)
        return str(value) if value is not None else None

    def integer(self, subject: Node | None, p: URIRef) -> int | None:
        value = self.text(subject, p)
        return int(Decimal(value)) if value is not None else None

    def records(self, cls: URIRef) -> list[Node]:
        return sorted(set(self.graph.subjects(RDF.type, cls)), key=str)

    def printed_categories(self, source: str) -> set[Node]:
        """The malignancy classes a publication prints as categories in its totals rows."""
        found = set()
        for total in self.records(DMKG.PrintedTotal):
            feature = self.value(total, DMKG.feature)
            if (
                feature is not None
                and self.under(feature, DMKG.Malignancy)
                and self.place(total).source == source
            ):
                found.add(feature)
        return found

    # -- counting ----------------------------------------------------------------------
    def count(
        self, cohort: Node, feature: Node | None, status: Node | None, source: str
    ) -> _Count | None:
        """Patients of ``cohort`` with ``feature`` (in ``status``); None if not derivable."""
        patients = self.members.get(cohort, set())
        if not patients:
            return None
        subject = feature if feature is not None else status
        if subject is None:
            return None
        if self.is_a(subject, DMKG.Sex):
            n = sum(1 for p in patients if self.sex.get(p) == subject)
            known = sum(1 for p in patients if p in self.sex)
            return _Count(n, known, f"rows: {n} {self.label(subject)} of {known}")
        if self.is_a(subject, DMKG.VitalStatus):
            n = sum(1 for p in patients if subject in self.vital.get(p, ()))
            known = sum(1 for p in patients if p in self.vital)
            return _Count(n, known, f"rows: {n} {self.label(subject)} of {known}")
        if self.is_a(subject, DMKG.TemporalRelation):
            hit = {
                p for p, _, relation, _ in self.diagnoses if p in patients and relation == subject
            }
            return _Count(
                len(hit), len(patients), f"rows: {len(hit)} patients with DM {self.label(subject)}"
            )
        if self.under(subject, DMKG.Malignancy):
            return self._count_malignancy(patients, subject, source)
        by_patient = self.status.get(subject)
        if by_patient is None:
            return None
        if status is None:
            status = DMKG.Positive if self.under(subject, DMKG.Autoantibody) else DMKG.Present
        statuses = Counter(s for p, found in by_patient.items() if p in patients for s in found)
        n = sum(1 for p, found in by_patient.items() if p in patients and status in found)
        recorded = sum(1 for p in by_patient if p in patients)
        parts = [f"{statuses[s]} {self.label(s)}" for s in _STATUS_ORDER if statuses[s]]
        if recorded < len(patients):
            parts.append(f"{len(patients) - recorded} with no record")
        return _Count(n, recorded, "rows: " + ", ".join(parts))

    def tested(self, cohort: Node, feature: Node) -> _Count | None:
        """Patients tested (antibodies) or assessed (findings) for ``feature``."""
        patients = self.members.get(cohort, set())
        by_patient = self.status.get(feature)
        if not patients or by_patient is None:
            return None
        wanted = _TESTED if self.under(feature, DMKG.Autoantibody) else _ASSESSED
        n = sum(1 for p, found in by_patient.items() if p in patients and found & wanted)
        word = "tested (positive or negative)" if wanted is _TESTED else "assessed"
        return _Count(n, len(patients), f"rows: {n} {word} of {len(patients)} patients")

    def _count_malignancy(self, patients: set[Node], category: Node, source: str) -> _Count:
        own = {
            h
            for h in self.printed_categories(source)
            if h != category and self.under(h, DMKG.MalignancyByHistology)
        }
        by_site = not self.under(category, DMKG.MalignancyByHistology)
        counted, moved = set(), set()
        for patient, malignancy, _, _ in self.diagnoses:
            if patient not in patients or not self.under(malignancy, category):
                continue
            elsewhere = [h for h in own if self.under(malignancy, h)]
            if by_site and elsewhere:
                moved.add((patient, self.label(elsewhere[0])))
            else:
                counted.add(patient)
        note = f"rows: {len(counted)} patients with a diagnosis under {self.label(category)}"
        if moved:
            note += "; " + ", ".join(sorted({f"1 counted under {h}" for _, h in moved}))
        return _Count(len(counted), len(patients), note)

    def values(self, cohort: Node, about: Node) -> list[Decimal] | None:
        """Ages (about patients) or DM-to-cancer intervals (about malignancy) of a cohort."""
        patients = self.members.get(cohort, set())
        if not patients:
            return None
        if about == DMKG.Patient:
            return [self.age[p] for p in patients if p in self.age]
        if about == DMKG.Malignancy:
            return [m for p, _, _, m in self.diagnoses if p in patients and m is not None]
        return None


# -- numbers as printed --------------------------------------------------------------------


def _decimals(printed: str) -> int:
    return len(printed.split(".", 1)[1]) if "." in printed else 0


def _printed(value: Node, verbatim: str) -> str:
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
    half = Fraction(1, 2 * 10 ** _decimals(printed))
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


def _shown(value: Fraction, decimals: int) -> str:
    """``value`` with ``decimals`` digits, trailing zeros kept (a fixed, readable width)."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{number:.{decimals}f}"


def _trimmed(value: Decimal, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- the checks ---------------------------------------------------------------------------


def _printed_totals(data: _Data) -> list[QAItem]:
    items = []
    for total in data.records(DMKG.PrintedTotal):
        place = data.place(total)
        cohort = data.value(total, DMKG.cohort)
        feature = data.value(total, DMKG.feature)
        status = data.value(total, DMKG.countsStatus)
        count = data.integer(total, DMKG.count)
        if cohort is None or count is None:
            continue
        derived = data.count(cohort, feature, status, place.source)
        if derived is None:
            continue
        what = _describe(data, feature, status)
        if derived.n != count:
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    what,
                    count,
                    derived.n,
                    "total-vs-rows",
                    derived.note,
                )
            )
        out_of = data.integer(total, DMKG.outOf)
        if out_of is not None and feature is not None:
            tested = data.tested(cohort, feature)
            if tested is not None and tested.n != out_of:
                word = "tested" if data.under(feature, DMKG.Autoantibody) else "assessed"
                items.append(
                    QAItem(
                        place.source,
                        place.text(),
                        f"{data.label(feature)} {word}",
                        out_of,
                        tested.n,
                        "total-vs-rows",
                        f"denominator of {place.verbatim!r}; {tested.note}",
                    )
                )
    return items


def _describe(data: _Data, feature: Node | None, status: Node | None) -> str:
    if feature is None:
        return data.label(status) if status is not None else "patients"
    if data.is_a(feature, DMKG.TemporalRelation):
        return f"patients with DM {data.label(feature)}"
    if data.is_a(feature, DMKG.Sex) or data.is_a(feature, DMKG.VitalStatus):
        return data.label(feature)
    if data.under(feature, DMKG.Malignancy):
        return f"{data.label(feature)} cases"
    if status is None:
        status = DMKG.Positive if data.under(feature, DMKG.Autoantibody) else DMKG.Present
    return f"{data.label(feature)} {data.label(status)}"


def _reported_statistics(data: _Data) -> list[QAItem]:
    items = []
    counts: dict[tuple[Node, Node, str], list[tuple[Decimal, Node]]] = defaultdict(list)
    for record in data.records(DMKG.ReportedStatistic):
        if (record, DMKG.citedReference, None) in data.graph:
            continue  # a figure from the literature, not about the paper's own patients
        cohort = data.value(record, DMKG.cohort)
        measure = data.value(record, DMKG.measure)
        about = data.value(record, DMKG.about)
        value = data.value(record, DMKG.value)
        if cohort is None or about is None or value is None or not data.members.get(cohort):
            continue
        place = data.place(record)
        if measure is not None and measure in (DMKG.Median, DMKG.Mean):
            items.extend(_summary(data, record, place, cohort, measure, about, value))
        elif measure == DMKG.Count and not place.table:
            counts[(cohort, about, place.source)].append((Decimal(str(value)), record))
    for (cohort, about, source), stated in counts.items():
        number, record = max(stated, key=lambda s: s[0])  # the others count subsets
        derived = data.count(cohort, about, None, source)
        if derived is not None and derived.n != number:
            items.append(
                QAItem(
                    source,
                    data.place(record).text(),
                    _describe(data, about, None),
                    int(number),
                    derived.n,
                    "text-vs-table",
                    derived.note,
                )
            )
    return items


def _summary(
    data: _Data, record: Node, place: _Place, cohort: Node, measure: Node, about: Node, value: Node
) -> list[QAItem]:
    if about not in _QUANTITIES:
        return []
    quantity, units = _QUANTITIES[about]
    unit = data.value(record, DMKG.unit)
    values = data.values(cohort, about)
    if (str(unit) if unit is not None else None) not in units or not values:
        return []
    kind = "total-vs-rows" if place.table else "text-vs-table"
    derived = statistics.median(values) if measure == DMKG.Median else statistics.mean(values)
    printed = _printed(value, place.verbatim)
    items = []
    name = data.label(measure)
    if not within_rounding(Decimal(derived), printed):
        items.append(
            QAItem(
                place.source,
                place.text(),
                f"{name} {quantity}",
                printed,
                _trimmed(Decimal(derived), _decimals(printed) + 2),
                kind,
                f"{name} of the {len(values)} rows",
            )
        )
    low, high = data.value(record, DMKG.rangeLow), data.value(record, DMKG.rangeHigh)
    if str(data.value(record, DMKG.spreadKind)) == "range" and low is not None and high is not None:
        for end, bound, actual in (("lowest", low, min(values)), ("highest", high, max(values))):
            shown = _printed(bound, place.verbatim)
            if not within_rounding(actual, shown):
                items.append(
                    QAItem(
                        place.source,
                        place.text(),
                        f"{end} {quantity}",
                        shown,
                        _trimmed(actual, _decimals(shown)),
                        kind,
                        f"{end} of the {len(values)} rows",
                    )
                )
    return items


def _percentages(data: _Data) -> list[QAItem]:
    items = []
    for record in data.records(DMKG.CohortFrequency):
        percent = data.value(record, DMKG.printedPercent)
        n, total = data.integer(record, DMKG.numerator), data.integer(record, DMKG.denominator)
        feature = data.value(record, DMKG.feature)
        if percent is None or n is None or not total or feature is None:
            continue
        place = data.place(record)
        printed = _printed(percent, place.verbatim)
        derived = Fraction(100 * n, total)
        if not within_rounding(derived, printed):
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    f"{data.label(feature)} {n}/{total}",
                    printed,
                    _shown(derived, _decimals(printed) + 2),
                    "percent-vs-fraction",
                    "100 n / N",
                )
            )
    return items


def _p_values(data: _Data) -> list[QAItem]:
    items = []
    for comp in cohort_comparisons(data.graph):
        if not comp.printed_p:
            continue
        a, b, c, d = comp.cells
        p = float(fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue)
        if not p_consistent(comp.printed_p, p):
            where = f"{comp.table}, column {comp.column}, row {comp.row}"
            what = f"{data.label(comp.feature)}: {comp.n1}/{comp.N1} vs {comp.n2}/{comp.N2}"
            items.append(
                QAItem(
                    comp.source,
                    where,
                    what,
                    comp.printed_p,
                    f"{p:.4g}",
                    "p-value-vs-recomputed",
                    "Fisher's exact test, two-sided",
                )
            )
    return items


def _text_frequencies(data: _Data) -> list[QAItem]:
    items = []
    table_counts: dict[tuple[Node, Node], tuple[int, int, _Place]] = {}
    stated = []
    for record in data.records(DMKG.CohortFrequency):
        cohort, feature = data.value(record, DMKG.cohort), data.value(record, DMKG.feature)
        n, total = data.integer(record, DMKG.numerator), data.integer(record, DMKG.denominator)
        if cohort is None or feature is None or n is None or total is None:
            continue
        place = data.place(record)
        entry = (n, total, place)
        if place.table:
            table_counts[(cohort, feature)] = entry
        else:
            stated.append((cohort, feature, data.value(record, DMKG.countsStatus), entry))
    for cohort, feature, status, (n, total, place) in stated:
        derived = data.count(cohort, feature, status, place.source)
        if derived is not None:
            got, note = (derived.n, derived.assessed), derived.note
        elif (cohort, feature) in table_counts:
            tn, ttotal, tplace = table_counts[(cohort, feature)]
            got = (tn, ttotal)
            note = f"{tplace.table}, row {tplace.row}: {tplace.verbatim}"
        else:
            continue
        if got != (n, total):
            items.append(
                QAItem(
                    place.source,
                    place.text(),
                    data.label(feature),
                    f"{n}/{total}",
                    f"{got[0]}/{got[1]}",
                    "text-vs-table",
                    note,
                )
            )
    return items


def qa_report(graph: Graph) -> list[QAItem]:
    """Every printed number that disagrees with the paper's own data, by kind and place."""
    data = _Data(graph)
    items = [
        *_printed_totals(data),
        *_reported_statistics(data),
        *_percentages(data),
        *_p_values(data),
        *_text_frequencies(data),
    ]
    order = {kind: i for i, kind in enumerate(QA_KINDS)}
    return sorted(items, key=lambda i: (order[i.kind], i.source, i.location, i.item))
