"""Export disease-phenotype annotations in the layout of HPO's ``phenotype.hpoa``.

Twelve tab-separated columns under a ``#``-prefixed header (description, version, tracker,
hpo-version), as HPO's own file: database_id, disease_name, qualifier, hpo_id, reference,
evidence, onset, frequency, sex, modifier, aspect, biocuration. One row per disease, HPO
term and publication:

- database_id / disease_name: MONDO ids and labels (the format allows MONDO). A patient
  series or case report annotates dermatomyositis (MONDO:0016367); a cohort of a comparative
  study whose every member carries a myositis-specific antibody annotates that antibody's
  DM subtype (Monseau's anti-Mi2-positive arm: MONDO:1010065 anti-Mi2 dermatomyositis).
- frequency: ``n/m``. From patients: n present (or antibody-positive), m = present + absent
  (negative); patients whose status is unknown, equivocal, not reported or not tested are
  not in m, so a frequency is given only where absence was recorded. From cohort tables:
  the printed n/N. Where a study has patient rows, the rows are used, not the totals or
  text figures; where a cohort has a table row and a text figure for one feature (Monseau:
  proximal weakness 61/64 in Table I, 63/64 in the text), the table row is used. ``0/m``
  rows are kept (HPO prefers them to ``NOT``), except for the antibody a cohort was
  selected for lacking (anti-Mi2 0/55 in the anti-Mi2-negative arm says nothing about DM).
- hpo_id: the HPO term by the rules of :class:`~kg.exchange.vocab.TermMapper`; a finding
  with only a broader HPO term (scalp poikiloderma) is left out, because its absences are
  not absences of the broader term. reference: ``DOI:...`` (our sources have no PMID in the
  graph), evidence ``PCS`` (published clinical study), aspect ``P`` (every term used is
  under Phenotypic abnormality), biocuration ``dmkg:curators[<curation date>]``.
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.exchange.identifiers import CURATION_DATE, DM_SUBTYPE_OF_ANTIBODY, HPO_VERSION, doi_curie
from kg.exchange.patients import read_patients, read_publications
from kg.exchange.vocab import Mapped, TermMapper
from kg.namespaces import DMKG, PROV

__all__ = [
    "HPOA_COLUMNS",
    "Annotation",
    "FeatureCount",
    "feature_counts",
    "hpo_annotations",
    "hpoa_text",
    "write_hpoa",
]

HPOA_COLUMNS = (
    "database_id",
    "disease_name",
    "qualifier",
    "hpo_id",
    "reference",
    "evidence",
    "onset",
    "frequency",
    "sex",
    "modifier",
    "aspect",
    "biocuration",
)
BIOCURATION = f"dmkg:curators[{CURATION_DATE}]"


@dataclass(frozen=True, order=True)
class Annotation:
    """One disease-phenotype annotation with its counts and where they come from."""

    disease: str
    disease_name: str
    hpo_id: str
    hpo_label: str
    doi: str
    n: int
    m: int
    cohort: URIRef
    basis: str  # "patients" or "cohort table" or "text"
    feature: URIRef

    @property
    def frequency(self) -> str:
        return f"{self.n}/{self.m}"

    def row(self) -> list[str]:
        return [
            self.disease,
            self.disease_name,
            "",
            self.hpo_id,
            doi_curie(self.doi),
            "PCS",
            "",
            self.frequency,
            "",
            "",
            "P",
            BIOCURATION,
        ]


def _disease(mapper: TermMapper, cls: URIRef) -> tuple[str, str]:
    mapped = mapper.disease(cls)
    assert mapped is not None, f"no MONDO term for {cls}"
    return mapped.curie, mapped.label


def _hpo(mapper: TermMapper, feature: URIRef, notes: list[str], where: str) -> Mapped | None:
    name = mapper.class_label(feature)
    if not (
        mapper.is_under(feature, DMKG.ClinicalFinding)
        or mapper.is_under(feature, DMKG.Autoantibody)
    ):
        notes.append(f"{where}: {name}: not a clinical finding or an autoantibody")
        return None
    mapped = mapper.phenotype(feature)
    if mapped is None:
        notes.append(f"{where}: {name}: no HPO term in the verified mapping table")
    elif mapped.match == "broad":
        notes.append(
            f"{where}: {name}: only the broader {mapped.curie} {mapped.label}; "
            "its absences are not absences of that term"
        )
        return None
    return mapped


def _cohort_label(graph: Graph, cohort: URIRef) -> str:
    return str(graph.value(cohort, RDFS.label) or cohort)


@dataclass(frozen=True, order=True)
class FeatureCount:
    """How many of the m patients of a cohort assessed for a feature had it (n)."""

    disease: URIRef
    cohort: URIRef
    feature: URIRef
    n: int
    m: int
    doi: str
    basis: str  # "patients", "cohort table" or "text"


def feature_counts(
    graph: Graph, mapper: TermMapper | None = None
) -> tuple[list[FeatureCount], list[str]]:
    """n/m per cohort and feature (dmkg classes), from patient rows, tables or text."""
    mapper = mapper or TermMapper.shipped()
    notes: list[str] = []
    found, cohort_doi = _patient_counts(graph)
    frequencies, sizes = _cohort_frequencies(graph, mapper, cohort_doi, notes)
    publications = read_publications(graph)
    for cohort in sorted({c for c, _ in frequencies}, key=str):
        rows = {f: v for (c, f), v in frequencies.items() if c == cohort}
        disease = DMKG.Dermatomyositis
        for antibody, subtype in sorted(DM_SUBTYPE_OF_ANTIBODY.items()):
            n_m = rows.get(antibody)
            if n_m and n_m[0] == n_m[1] == sizes.get(cohort):
                disease = subtype
        pub = graph.value(cohort, DMKG.describedIn)
        doi = publications[pub].doi if isinstance(pub, URIRef) and pub in publications else ""
        for row_feature, (row_n, row_total, row_basis) in sorted(rows.items()):
            if (
                row_feature in DM_SUBTYPE_OF_ANTIBODY
                and row_n == 0
                and row_total == sizes.get(cohort)
            ):
                notes.append(
                    f"{_cohort_label(graph, cohort)}: "
                    f"{mapper.class_label(row_feature)} 0/{row_total}: the cohort was "
                    "selected for lacking it"
                )
                continue
            found.append(
                FeatureCount(disease, cohort, row_feature, row_n, row_total, doi, row_basis)
            )
    return sorted(found), sorted(set(notes))


def _patient_counts(graph: Graph) -> tuple[list[FeatureCount], dict[URIRef, str]]:
    """Counts per cohort and feature from the patient rows, and each such cohort's DOI."""
    counts: dict[tuple[URIRef, URIRef], list[int]] = defaultdict(lambda: [0, 0])
    cohort_doi: dict[URIRef, str] = {}
    for patient in read_patients(graph):
        statuses = [(f.finding, f.status) for f in patient.findings]
        statuses += [
            (
                a.antibody,
                {DMKG.Positive: DMKG.Present, DMKG.Negative: DMKG.Absent}.get(a.status, a.status),
            )
            for a in patient.antibodies
        ]
        seen: set[tuple[URIRef, URIRef]] = set()
        for cohort in patient.cohorts:
            cohort_doi[cohort] = patient.publication.doi
            for feature, status in statuses:
                if status in (DMKG.Present, DMKG.Absent) and (cohort, feature) not in seen:
                    seen.add((cohort, feature))
                    counts[(cohort, feature)][0 if status == DMKG.Present else 1] += 1
    found = [
        FeatureCount(
            DMKG.Dermatomyositis,
            cohort,
            feature,
            present,
            present + absent,
            cohort_doi[cohort],
            "patients",
        )
        for (cohort, feature), (present, absent) in sorted(counts.items())
    ]
    return found, cohort_doi


def _cohort_frequencies(
    graph: Graph, mapper: TermMapper, cohort_doi: dict[URIRef, str], notes: list[str]
) -> tuple[dict[tuple[URIRef, URIRef], tuple[int, int, str]], dict[URIRef, int]]:
    """n/m per cohort and feature from cohort tables and text figures (a table's figure
    before the text's), for cohorts without patient rows; and the sizes of those cohorts."""
    frequencies: dict[tuple[URIRef, URIRef], tuple[int, int, str]] = {}
    sizes: dict[URIRef, int] = {}
    for record in sorted(graph.subjects(RDF.type, DMKG.CohortFrequency), key=str):
        cohort_node, feature_node = (
            graph.value(record, DMKG.cohort),
            graph.value(record, DMKG.feature),
        )
        n_node, total_node = (
            graph.value(record, DMKG.numerator),
            graph.value(record, DMKG.denominator),
        )
        if not (
            isinstance(cohort_node, URIRef)
            and isinstance(feature_node, URIRef)
            and isinstance(n_node, Literal)
            and isinstance(total_node, Literal)
        ):
            continue
        cohort, feature, n, total = cohort_node, feature_node, int(n_node), int(total_node)
        located = [
            graph.value(loc, DMKG.inRow)  # only a table cell lies in a source row
            for loc in graph.objects(record, PROV.wasDerivedFrom)
        ]
        basis = "cohort table" if any(t is not None for t in located) else "text"
        where, figure = _cohort_label(graph, cohort), f"{n}/{total}"
        name = mapper.class_label(feature)
        if cohort in cohort_doi:
            notes.append(
                f"{where}: {name}: {basis} figure {figure} not used; the patient "
                "rows are counted instead"
            )
            continue
        held = frequencies.get((cohort, feature))
        if held is None or (held[2] == "text" and basis == "cohort table"):
            if held is not None:
                notes.append(
                    f"{where}: {name}: text figure {held[0]}/{held[1]} not used; "
                    f"the table gives {figure}"
                )
            frequencies[(cohort, feature)] = (n, total, basis)
        else:
            notes.append(
                f"{where}: {name}: {basis} figure {figure} not used; the "
                f"{held[2]} gives {held[0]}/{held[1]}"
            )
        size = graph.value(cohort, DMKG.cohortSize)
        if isinstance(size, Literal):
            sizes[cohort] = int(size)
    return frequencies, sizes


def hpo_annotations(
    graph: Graph, mapper: TermMapper | None = None
) -> tuple[list[Annotation], list[str]]:
    """Every HPO annotation the graph supports, and notes on what is left out."""
    mapper = mapper or TermMapper.shipped()
    counts, notes = feature_counts(graph, mapper)
    found: list[Annotation] = []
    for count in counts:
        mapped = _hpo(mapper, count.feature, notes, _cohort_label(graph, count.cohort))
        if mapped is None:
            continue
        disease, disease_name = _disease(mapper, count.disease)
        found.append(
            Annotation(
                disease,
                disease_name,
                mapped.curie,
                mapped.label,
                count.doi,
                count.n,
                count.m,
                count.cohort,
                count.basis,
                count.feature,
            )
        )
    keys = [(a.disease, a.hpo_id, a.doi) for a in found]
    duplicated = {k for k in keys if keys.count(k) > 1}
    if duplicated:
        raise ValueError(
            f"two annotations for one disease, HPO term and reference: {sorted(duplicated)}"
        )
    return sorted(found, key=lambda a: (a.disease, a.hpo_id, a.doi)), sorted(set(notes))


def hpoa_text(found: list[Annotation]) -> str:
    """The annotations as a phenotype.hpoa-style file."""
    buffer = io.StringIO()
    buffer.write(
        '#description: "dmkg: dermatomyositis phenotype annotations from curated '
        'case series, case reports and cohort tables"\n'
    )
    buffer.write(f"#version: {CURATION_DATE}\n")
    buffer.write("#tracker: https://w3id.org/dmkg\n")
    buffer.write(
        f"#hpo-version: http://purl.obolibrary.org/obo/hp/releases/{HPO_VERSION}/hp.json\n"
    )
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(HPOA_COLUMNS)
    for annotation in found:
        writer.writerow(annotation.row())
    return buffer.getvalue()


def write_hpoa(graph: Graph, path: Path) -> tuple[list[Annotation], list[str]]:
    """Write the annotations to ``path`` (atomically); return them with the notes."""
    found, notes = hpo_annotations(graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(hpoa_text(found), encoding="utf-8")
    os.replace(tmp, path)
    return found, notes
