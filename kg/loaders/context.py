"""State shared while one source folder is loaded, and the record builders all forms share.

Patient tables and YAML patient records both end in the same calls (``finding``,
``antibody``, ``classify_malignancy``), so a value means the same in RDF whichever form a
curator used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef

from kg.errors import CurationError
from kg.loaders.cells import FINDING_STATUS, parse_int, parse_titer, word
from kg.loaders.writer import SourceWriter, Where
from kg.namespaces import DMKG
from kg.sources.curated import TableRow

__all__ = ["SourceContext"]


@dataclass
class SourceContext:
    """One source folder being loaded: its files, its YAML, and the writer."""

    folder: Path
    source_id: str
    meta: dict[str, Any]
    writer: SourceWriter
    totals_rows: dict[str, tuple[str, TableRow]] = field(default_factory=dict)
    #: tables that could not be read; their totals are not checked again
    failed_tables: set[str] = field(default_factory=set)
    #: cohort id -> (its first patient table, the case labels there): a later table of the
    #: cohort may hold no case the first lacks (a phantom patient)
    cohort_cases: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    #: (k, n): this load handles patient-table rows k, k+n, k+2n, ... (see load_source)
    shard: tuple[int, int] = (0, 1)
    _classified: dict[URIRef, tuple[URIRef | None, URIRef | None]] = field(default_factory=dict)
    _categories: dict[tuple[str, str], list[URIRef]] = field(default_factory=dict)

    @property
    def first_shard(self) -> bool:
        """True for the shard that loads what lies outside the patient tables."""
        return self.shard[0] == 0

    # -- locating ----------------------------------------------------------------
    def shown(self, file: str) -> str:
        """A curated file's name as shown in messages and provenance (source/file)."""
        return f"{self.source_id}/{file}"

    def table_path(self, name: object, where: Where) -> Path:
        """A file named in source.yaml: a plain file name inside this source folder."""
        text = str(name) if isinstance(name, (str, int, float)) else ""
        path = (self.folder / text).resolve()
        if not text or Path(text).is_absolute() or path.parent != self.folder.resolve():
            raise where.error(
                "file must be a file name inside the source folder",
                text or repr(name),
                "e.g. table1.tsv (no folders, no '..')",
            )
        return path

    def where_yaml(self, key: str | None = None) -> Where:
        return Where(self.shown("source.yaml"), column=key)

    def cohort(self, cohort_id: object, where: Where) -> URIRef:
        if cohort_id not in self.writer.cohorts:
            raise where.error(
                "unknown cohort",
                str(cohort_id),
                "one of the ids under 'cohorts': " + ", ".join(self.writer.cohorts),
            )
        return self.writer.cohorts[str(cohort_id)]

    def codebook(self, codes: object, where: Where) -> dict[str, Any]:
        """A column's codes: an inline mapping or the name of a codebook in source.yaml."""
        if isinstance(codes, dict):
            return {str(k): v for k, v in codes.items()}
        books = self.meta.get("codebooks") or {}
        if isinstance(codes, str) and codes in books:
            return {str(k): v for k, v in books[codes].items()}
        raise where.error(
            "unknown codebook", str(codes), "an inline mapping or one of: " + ", ".join(books)
        )

    def term(self, text: object, root: URIRef | None, where: Where) -> URIRef:
        return self.writer.term(str(text), root, where)

    # -- records shared by every form ----------------------------------------------
    def finding(
        self, patient: URIRef, term: URIRef, reading: dict[str, Any], where: Where, key: str = ""
    ) -> URIRef:
        """A finding observation from a reading (status, grade, severity, note)."""
        w = self.writer
        status = word(reading.get("status", ""), FINDING_STATUS, where, "finding status")
        node = w.record(
            DMKG.FindingObservation,
            where,
            key,
            str(term),
            patient=patient,
            note=reading.get("note"),
        )
        w.add(node, DMKG.finding, term)
        w.add(node, DMKG.findingStatus, status)
        if "grade" in reading:
            w.literal(node, DMKG.grade, parse_int(reading["grade"], where, "grade", 1, 3))
        w.literal(node, DMKG.severity, reading.get("severity"))
        return node

    def antibody(
        self,
        patient: URIRef,
        antibody: URIRef,
        status: URIRef,
        where: Where,
        *,
        fragment: str,
        titer: str = "",
        pattern: str = "",
        strength: str = "",
        note: str = "",
    ) -> URIRef:
        """An antibody test result."""
        w = self.writer
        node = w.record(
            DMKG.AntibodyTestResult,
            where,
            str(antibody),
            verbatim=fragment,
            patient=patient,
            note=note or None,
        )
        w.add(node, DMKG.antibody, antibody)
        w.add(node, DMKG.antibodyStatus, status)
        if titer:
            w.literal(node, DMKG.titer, titer)
            w.literal(node, DMKG.titerDilution, parse_titer(titer, where))
        w.literal(node, DMKG.stainingPattern, pattern)
        w.literal(node, DMKG.severity, strength)
        return node

    def classify_malignancy(self, node: URIRef, malignancy: URIRef) -> None:
        """State the malignancy and derive its organ site and histology from the ontology."""
        self.writer.add(node, DMKG.malignancy, malignancy)
        site, histology = self._site_histology(malignancy)
        self.writer.add(node, DMKG.cancerSite, site)
        self.writer.add(node, DMKG.histology, histology)

    def categorise_cancer(self, node: URIRef, malignancy: URIRef, where: Where) -> None:
        """State the category the paper's own grouping gives the diagnosis, if it has one.

        A paper's categories are the malignancy classes its totals row prints for the same
        table column (Requena: "Breast (7), ..., Lymphoma (1)"). A malignancy under a printed
        histological category is counted there, not under its organ site, as the paper's
        totals do: the lymphoma of the breast is "Lymphoma", not "Breast".
        """
        key = (str(where.table), str(where.column))
        if key not in self._categories:
            found = []
            for item in self.meta.get("totals") or []:
                if (
                    isinstance(item, dict)
                    and (str(item.get("table")), str(item.get("column"))) == key
                ):
                    try:  # a feature that is no malignancy (or unknown) is no category; the
                        # totals loader reports an unknown one
                        found.append(
                            self.writer.terms.resolve(
                                str(item.get("feature", "")), root=DMKG.Malignancy
                            )
                        )
                    except CurationError:
                        continue
            self._categories[key] = found
        terms = self.writer.terms
        under = [c for c in self._categories[key] if terms.is_under(malignancy, c)]
        by_histology = [c for c in under if terms.is_under(c, DMKG.MalignancyByHistology)]
        chosen = terms.most_specific(by_histology or under)
        if len(chosen) == 1:
            self.writer.add(node, DMKG.cancerCategory, chosen[0])

    def _site_histology(self, malignancy: URIRef) -> tuple[URIRef | None, URIRef | None]:
        """The most specific organ site and histology above a malignancy (looked up once)."""
        if malignancy in self._classified:
            return self._classified[malignancy]
        terms = self.writer.terms
        sites = [
            a
            for a in terms.ancestors(malignancy)
            if terms.is_under(a, DMKG.MalignancyBySite)
            and a != DMKG.MalignancyBySite
            and not terms.is_under(a, DMKG.MalignancyByHistology)
        ]
        histologies = [
            a
            for a in terms.ancestors(malignancy)
            if terms.is_under(a, DMKG.MalignancyByHistology)
            and a != DMKG.MalignancyByHistology
            and not terms.is_under(a, DMKG.MalignancyBySite)
        ]
        site = next(iter(terms.most_specific(sites)), None)
        histology = next(iter(terms.most_specific(histologies)), None)
        self._classified[malignancy] = (site, histology)
        return site, histology
