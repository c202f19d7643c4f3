"""Write records of one source into RDF, with stable IRIs and provenance on each.

Every IRI is a digest of what identifies the thing (source, table, row, column, line),
so two builds of the same files give the same triples, and patient IRIs carry nothing
that identifies a person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, ParamSpec, Protocol, TypeVar

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import CurationError
from kg.namespaces import DATA, DMKG, PROV
from kg.terms import TermIndex

__all__ = ["GraphSink", "NTriplesSink", "SourceWriter", "TripleSink", "Where", "digest", "nt_term"]

P = ParamSpec("P")
R = TypeVar("R")


def digest(*parts: object) -> str:
    """A short stable hash of the parts, for IRIs.

    >>> digest("requena2024", "1")
    '93bf2d3e51bd3382'
    """
    text = "\x1f".join(map(str, parts))
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

    def error(
        self,
        problem: str,
        value: str | None = None,
        expected: str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> CurationError:
        """A curation error located here."""
        case = self.row if self.table and self.row != str(self.line) else None
        return CurationError(
            problem, self.file, self.line, self.column, value, expected, suggestions, case
        )


_STRING, _INTEGER, _DECIMAL, _BOOLEAN = XSD.string, XSD.integer, XSD.decimal, XSD.boolean
_TYPE = RDF.type
_DATA = str(DATA)
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_term(term: Node) -> str:
    """One RDF term in N-Triples syntax (what rdflib's N-Triples serializer writes)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    return term.n3()  # blank nodes


class TripleSink(Protocol):
    """Where a writer's triples go: an rdflib graph, or N-Triples text for a store."""

    def add(self, triple: tuple[Node, Node, Node]) -> None: ...

    def add_literal(self, s: Node, p: URIRef, value: object, datatype: URIRef) -> None: ...


class GraphSink:
    """Triples into an rdflib graph (small sources, tests, the reference build)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self.graph.add(triple)

    def add_literal(self, s: Node, p: URIRef, value: object, datatype: URIRef) -> None:
        if datatype == XSD.string:
            self.graph.add((s, p, Literal(str(value))))
        else:
            self.graph.add((s, p, Literal(value, datatype=datatype)))


class NTriplesSink:
    """Triples as N-Triples lines, never as Python term objects: the registry-scale path.

    Lines collect in memory and go to ``handle`` every ``flush_every`` lines. The text is
    what rdflib's N-Triples serializer would write for the same terms (a test compares).
    """

    def __init__(self, handle: IO[str], flush_every: int = 50_000) -> None:
        self.handle = handle
        self.lines: list[str] = []
        self.flush_every = flush_every
        self.count = 0

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = triple
        # the loaders' subjects and most objects are IRIs: written without nt_term's checks
        subject = f"<{s}>" if type(s) is URIRef else nt_term(s)
        self._line(
            f"{subject} <{p}> <{o}> .\n"
            if type(o) is URIRef
            else f"{subject} <{p}> {nt_term(o)} .\n"
        )

    def add_literal(self, s: Node, p: URIRef, value: object, datatype: URIRef) -> None:
        if datatype is _STRING:
            subject = f"<{s}>" if type(s) is URIRef else nt_term(s)
            self._line(f'{subject} <{p}> "{str(value).translate(_ESCAPES)}" .\n')
            return
        if isinstance(value, bool):
            lexical = "true" if value else "false"
        elif isinstance(value, int):
            lexical = str(value)
        elif isinstance(value, Decimal):
            lexical = format(value, "f")
        else:
            lexical = str(Literal(value, datatype=datatype))
        self._line(f'{nt_term(s)} <{p}> "{lexical.translate(_ESCAPES)}"^^<{datatype}> .\n')

    def _line(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        self.count += len(self.lines)
        self.handle.write("".join(self.lines))
        self.lines.clear()


#: how many source locations and rows a writer remembers as written (a repeat only
#: re-adds triples)
_SEEN_LOCATIONS = 4096


@dataclass
class SourceWriter:
    """Adds one source's triples to a sink; collects curation errors instead of stopping.

    ``graph`` may be an rdflib graph or any :class:`TripleSink`.
    """

    source_id: str
    graph: Graph | TripleSink
    terms: TermIndex
    publication: URIRef = field(init=False)
    errors: list[CurationError] = field(default_factory=list)
    patients: dict[str, URIRef] = field(default_factory=dict)
    cohorts: dict[str, URIRef] = field(default_factory=dict)
    sink: TripleSink = field(init=False)
    _locations: set[URIRef] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.publication = DATA[f"publication/{self.source_id}"]
        self.sink = GraphSink(self.graph) if isinstance(self.graph, Graph) else self.graph

    # -- plumbing -----------------------------------------------------------------
    def add(self, s: Node, p: URIRef, o: Node | None) -> None:
        if o is not None:
            self.sink.add((s, p, o))

    def literal(self, s: Node, p: URIRef, value: object, datatype: URIRef | None = None) -> None:
        """Add a typed literal unless the value is None or an empty string."""
        if value is None or value == "":
            return
        if datatype is None:
            if isinstance(value, str):
                datatype = _STRING
            elif isinstance(value, bool):
                datatype = _BOOLEAN
            elif isinstance(value, int):
                datatype = _INTEGER
            elif isinstance(value, (float, Decimal)):
                datatype, value = _DECIMAL, _decimal_text(value)
            else:
                datatype = _STRING
        elif datatype == _STRING:
            datatype = _STRING
        elif datatype == _DECIMAL:
            value = _decimal_text(value)
        # strings become plain literals: the same as xsd:string in RDF 1.1, what SPARQL's "..." matches
        self.sink.add_literal(s, p, value, datatype)

    def iri(self, kind: str, *parts: object) -> URIRef:
        # URIRef of the string, not DATA[...]: the namespace lookup costs as much as the
        # digest, and the loaders mint about 40 of these a patient
        return URIRef(f"{_DATA}{kind}/{digest(self.source_id, kind, *parts)}")

    def location(self, where: Where) -> URIRef:
        """The SourceLocation node for a place, created once.

        A table cell holds only its column and cell text and points (``dmkg:inRow``) to a
        SourceRow with the publication, table, row label, curated file and line: those are the
        same for every cell of a row, so a registry row states them once, not once per cell.
        A text location keeps them all itself.
        """
        loc = self.iri(
            "loc", where.table, where.row, where.column, where.section, where.file, where.line
        )
        if loc in self._locations:
            return loc
        if len(self._locations) >= _SEEN_LOCATIONS:
            self._locations.clear()
        self._locations.add(loc)
        self.add(loc, _TYPE, DMKG.SourceLocation)
        if where.table:
            row = self.iri("row", where.table, where.row, where.file, where.line)
            self.add(loc, DMKG.inRow, row)
            self.literal(loc, DMKG.column, where.column)
            if row not in self._locations:  # a row's cells come one after another
                self._locations.add(row)
                self.add(row, _TYPE, DMKG.SourceRow)
                self.add(row, DMKG.inPublication, self.publication)
                self.literal(row, DMKG.table, where.table)
                self.literal(row, DMKG.row, where.row)
                self.literal(row, DMKG.curatedFile, where.file)
                self.literal(row, DMKG.curatedLine, where.line)
        else:  # text: ``column`` names the curated YAML item, not a table column
            self.add(loc, DMKG.inPublication, self.publication)
            self.literal(loc, DMKG.section, where.section or "text")
            self.literal(loc, DMKG.curatedItem, where.column)
            self.literal(loc, DMKG.curatedFile, where.file)
            self.literal(loc, DMKG.curatedLine, where.line)
        self.literal(loc, DMKG.verbatim, where.verbatim)
        return loc

    def record(
        self,
        cls: URIRef,
        where: Where,
        *key: object,
        verbatim: str | None = None,
        patient: URIRef | None = None,
        note: str | None = None,
    ) -> URIRef:
        """A new record of class ``cls`` derived from ``where``."""
        node = self.iri(
            "record",
            cls.split("/")[-1],
            where.table,
            where.row,
            where.column,
            where.section,
            where.file,
            where.line,
            *key,
        )
        self.add(node, _TYPE, cls)
        self.add(node, PROV.wasDerivedFrom, self.location(where))
        text = verbatim if verbatim is not None else (where.verbatim or "")
        self.sink.add_literal(node, DMKG.verbatim, text, _STRING)
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
            self.add(node, _TYPE, DMKG.Patient)
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
            return self.terms.resolve(
                text, root=root, file=where.file, row=where.line, column=where.column
            )
        except CurationError as exc:
            if where.table and where.row:
                exc.case = where.row
            raise


def _decimal_text(value: object) -> Decimal:
    number = Decimal(str(value))
    return number.normalize() if number == number.to_integral() else number
