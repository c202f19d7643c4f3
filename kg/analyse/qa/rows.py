"""The patient rows of the graph, indexed once for the QA checks to count them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.analyse.statistics import label, select
from kg.namespaces import DMKG, PROV

__all__ = ["Count", "PatientRows", "Place"]

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
    SELECT ?patient ?status ?months WHERE {
      ?outcome a dmkg:Outcome ; dmkg:ofPatient ?patient ; dmkg:vitalStatus ?status .
      OPTIONAL { ?outcome dmkg:monthsSinceDiagnosis ?months }
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


@dataclass(frozen=True)
class Place:
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
class Count:
    n: int
    assessed: int
    note: str


class PatientRows:
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
        self.outcomes: dict[Node, tuple[Node, Decimal | None]] = {}
        for row in select(graph, _OUTCOMES):
            self.vital[row["patient"]].add(row["status"])
            months = Decimal(str(row["months"])) if "months" in row else None
            self.outcomes[row["patient"]] = (row["status"], months)
        self._ancestors: dict[Node, set[Node]] = {}

    def outcome(self, patient: Node) -> tuple[Node | None, Decimal | None]:
        """A patient's vital status and months since the DM diagnosis (None if absent)."""
        return self.outcomes.get(patient, (None, None))

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
    def place(self, record: Node) -> Place:
        location = self.value(record, PROV.wasDerivedFrom)
        row = self.value(location, DMKG.inRow) or location  # a table cell's source row
        publication = self.value(row, DMKG.inPublication)
        return Place(
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
    ) -> Count | None:
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
            return Count(n, known, f"rows: {n} {self.label(subject)} of {known}")
        if self.is_a(subject, DMKG.VitalStatus):
            n = sum(1 for p in patients if subject in self.vital.get(p, ()))
            known = sum(1 for p in patients if p in self.vital)
            return Count(n, known, f"rows: {n} {self.label(subject)} of {known}")
        if self.is_a(subject, DMKG.TemporalRelation):
            hit = {
                p for p, _, relation, _ in self.diagnoses if p in patients and relation == subject
            }
            return Count(
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
        return Count(n, recorded, "rows: " + ", ".join(parts))

    def tested(self, cohort: Node, feature: Node) -> Count | None:
        """Patients tested (antibodies) or assessed (findings) for ``feature``."""
        patients = self.members.get(cohort, set())
        by_patient = self.status.get(feature)
        if not patients or by_patient is None:
            return None
        wanted = _TESTED if self.under(feature, DMKG.Autoantibody) else _ASSESSED
        n = sum(1 for p, found in by_patient.items() if p in patients and found & wanted)
        word = "tested (positive or negative)" if wanted is _TESTED else "assessed"
        return Count(n, len(patients), f"rows: {n} {word} of {len(patients)} patients")

    def _count_malignancy(self, patients: set[Node], category: Node, source: str) -> Count:
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
        return Count(len(counted), len(patients), note)

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
