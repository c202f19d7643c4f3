"""Write records of one source into RDF, with stable IRIs and provenance on each.

Every IRI is a digest of what identifies the thing (source, table, row, column, line),
so two builds of the same files give the same triples, and patient IRIs carry nothing
that identifies a person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import CurationError
from kg.namespaces import DATA, DMKG, PROV
from kg.terms import TermIndex

__all__ = ["SourceWriter", "Where", "digest"]

P = ParamSpec("P")
R = TypeVar("R")


def digest(*parts: object) -> str:
    """A short stable hash of the parts, for IRIs.

    >>> digest("requena2024", "1")
    '93bf2d3e51bd3382'
    """
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Where:
    """A place in a publication (table cell or text section) and in our curated file."""

    file: str
    line: int | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None
    section: str | None = None
    verbatim: str | None = None

    def error(self, problem: str, value: str | None = None, expected: str | None = None,
              suggestions: tuple[str, ...] = ()) -> CurationError:
        """A curation error located here."""
        case = self.row if self.table and self.row != str(self.line) else None
        return CurationError(problem, self.file, self.line, self.column, value, expected,
                             suggestions, case)


@dataclass
class SourceWriter:
    """Adds one source's triples to a graph; collects curation errors instead of stopping."""

    source_id: str
    graph: Graph
    terms: TermIndex
    publication: URIRef = field(init=False)
    errors: list[CurationError] = field(default_factory=list)
    patients: dict[str, URIRef] = field(default_factory=dict)
    cohorts: dict[str, URIRef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.publication = DATA[f"publication/{self.source_id}"]

    # -- plumbing -----------------------------------------------------------------
    def add(self, s: Node, p: URIRef, o: Node | None) -> None:
        if o is not None:
            self.graph.add((s, p, o))

    def literal(self, s: Node, p: URIRef, value: object, datatype: URIRef | None = None) -> None:
        """Add a typed literal unless the value is None or an empty string."""
        if value is None or value == "":
            return
        if datatype is None:
            if isinstance(value, bool):
                datatype = XSD.boolean
            elif isinstance(value, int):
                datatype = XSD.integer
            elif isinstance(value, (float, Decimal)):
                datatype = XSD.decimal
            else:
                datatype = XSD.string
        if datatype == XSD.string:
            # plain literals: the same as xsd:string in RDF 1.1, and what SPARQL's "..." matches
            self.graph.add((s, p, Literal(str(value))))
            return
        if datatype == XSD.decimal:
            value = _decimal_text(value)
        self.graph.add((s, p, Literal(value, datatype=datatype)))

    def iri(self, kind: str, *parts: object) -> URIRef:
        return DATA[f"{kind}/{digest(self.source_id, kind, *parts)}"]

    def location(self, where: Where) -> URIRef:
        """The SourceLocation node for a place, created once."""
        loc = self.iri("loc", where.table, where.row, where.column, where.section, where.file,
                       where.line)
        if (loc, RDF.type, DMKG.SourceLocation) not in self.graph:
            self.add(loc, RDF.type, DMKG.SourceLocation)
            self.add(loc, DMKG.inPublication, self.publication)
            if where.table:
                self.literal(loc, DMKG.table, where.table)
                self.literal(loc, DMKG.row, where.row)
                self.literal(loc, DMKG.column, where.column)
            else:  # text: ``column`` names the curated YAML item, not a table column
                self.literal(loc, DMKG.section, where.section or "text")
                self.literal(loc, DMKG.curatedItem, where.column)
            self.literal(loc, DMKG.curatedFile, where.file)
            self.literal(loc, DMKG.curatedLine, where.line)
            self.literal(loc, DMKG.verbatim, where.verbatim)
        return loc

    def record(self, cls: URIRef, where: Where, *key: object, verbatim: str | None = None,
               patient: URIRef | None = None, note: str | None = None) -> URIRef:
        """A new record of class ``cls`` derived from ``where``."""
        node = self.iri("record", cls.split("/")[-1], where.table, where.row, where.column,
                        where.section, where.file, where.line, *key)
        self.add(node, RDF.type, cls)
        self.add(node, PROV.wasDerivedFrom, self.location(where))
        text = verbatim if verbatim is not None else (where.verbatim or "")
        self.graph.add((node, DMKG.verbatim, Literal(text)))
        if patient is not None:
            self.add(node, DMKG.ofPatient, patient)
        self.literal(node, DMKG.curatorNote, note)
        return node

    def derive(self, node: URIRef, where: Where) -> None:
        """Add a further source location to an existing record."""
        self.add(node, PROV.wasDerivedFrom, self.location(where))

    # -- sources, cohorts, patients ----------------------------------------------
    def patient(self, case: str, cohort: URIRef, where: Where) -> URIRef:
        """The patient with this case label in this source (created on first use)."""
        node = self.patients.get(case)
        if node is None:
            node = DATA[f"patient/P{digest(self.source_id, 'patient', case)}"]
            self.patients[case] = node
            self.add(node, RDF.type, DMKG.Patient)
            self.literal(node, DMKG.caseLabel, case)
            self.add(node, RDFS.label, Literal(f"{self.source_id} case {case}"))
            self.add(node, DMKG.describedIn, self.publication)
        self.add(node, DMKG.memberOf, cohort)
        self.add(node, PROV.wasDerivedFrom, self.location(where))
        return node

    def attempt(self, func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R | None:
        """Run ``func``; a CurationError is collected and None returned."""
        try:
            return func(*args, **kwargs)
        except CurationError as exc:
            self.errors.append(exc)
            return None

    def term(self, text: str, root: URIRef | None, where: Where) -> URIRef:
        try:
            return self.terms.resolve(text, root=root, file=where.file, row=where.line,
                                      column=where.column)
        except CurationError as exc:
            if where.table and where.row:
                exc.case = where.row
            raise


def _decimal_text(value: object) -> Decimal:
    number = Decimal(str(value))
    return number.normalize() if number == number.to_integral() else number

