"""Export the ontology's cross-references as an SSSOM mapping table (TSV with YAML header).

Each ``skos:exactMatch``, ``skos:closeMatch`` and ``skos:broadMatch`` of a dmkg class is one
row, its predicate kept as stated (exact and close matches are never merged). Rows carry
both labels, ``mapping_justification`` semapv:ManualMappingCuration (every mapping was
chosen by a curator from the verified term-mappings table), and the class's
``dmkg:mappingNote`` as ``comment`` where it has one. The metadata block (``#``-prefixed YAML
lines) gives the ``curie_map``, ``mapping_set_id``, ``mapping_set_version`` (the ontology's
owl:versionInfo) and the ontology's ``license``. Antigen genes (``dmkg:targetAntigenGene``)
are not mappings of the class and are not exported.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import OWL, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.exchange.identifiers import EXTERNAL_LABELS, curie_of
from kg.exchange.vocab import TermMapper
from kg.namespaces import DMKG, ONTOLOGY_IRI
from kg.ontology import load_ontology

__all__ = [
    "CURIE_MAP",
    "MAPPING_SET_ID",
    "SSSOM_COLUMNS",
    "Mapping",
    "mappings",
    "sssom_text",
    "write_sssom",
]

MAPPING_SET_ID = "https://w3id.org/dmkg/mappings/dmkg.sssom.tsv"
SSSOM_COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)
CURIE_MAP = {
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "MAXO": "http://purl.obolibrary.org/obo/MAXO_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "OBI": "http://purl.obolibrary.org/obo/OBI_",
    "STATO": "http://purl.obolibrary.org/obo/STATO_",
    "dmkg": str(DMKG._NS),
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
_PREDICATES = {
    SKOS.exactMatch: "skos:exactMatch",
    SKOS.closeMatch: "skos:closeMatch",
    SKOS.broadMatch: "skos:broadMatch",
    SKOS.narrowMatch: "skos:narrowMatch",
}
_ORDER = list(_PREDICATES.values())


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping table."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    comment: str

    def row(self) -> list[str]:
        return [
            self.subject_id,
            self.subject_label,
            self.predicate_id,
            self.object_id,
            self.object_label,
            "semapv:ManualMappingCuration",
            self.comment,
        ]


def mappings(ontology: Graph | None = None) -> list[Mapping]:
    """Every skos match of a dmkg class, ordered by predicate, then subject and object."""
    ontology = ontology if ontology is not None else load_ontology()
    mapper = TermMapper(ontology)
    found = []
    for prop, predicate in _PREDICATES.items():
        for cls, target in ontology.subject_objects(prop):
            if not (
                isinstance(cls, URIRef)
                and isinstance(target, URIRef)
                and str(cls).startswith(str(DMKG._NS))
            ):
                continue
            note = ontology.value(cls, DMKG.mappingNote)
            object_id = curie_of(target)
            found.append(
                Mapping(
                    curie_of(cls),
                    mapper.class_label(cls),
                    predicate,
                    object_id,
                    EXTERNAL_LABELS.get(object_id, ""),
                    " ".join(str(note).split()) if note else "",
                )
            )
    return sorted(found, key=lambda m: (_ORDER.index(m.predicate_id), m.subject_id, m.object_id))


def _metadata(ontology: Graph) -> dict[str, object]:
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    license_iri = ontology.value(ONTOLOGY_IRI, DCTERMS.license)
    return {
        "curie_map": CURIE_MAP,
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": str(version or ""),
        "mapping_set_description": "Cross-references of the dmkg ontology's classes to HPO, "
        "MONDO, NCIt, ChEBI, MAxO, STATO and OBI, chosen from the "
        "project's verified term-mappings table.",
        "license": str(license_iri or ""),
    }


def sssom_text(ontology: Graph | None = None) -> str:
    """The mapping table as SSSOM/TSV text."""
    ontology = ontology if ontology is not None else load_ontology()
    header = yaml.safe_dump(_metadata(ontology), sort_keys=False, allow_unicode=True, width=10_000)
    buffer = io.StringIO()
    for line in header.splitlines():
        buffer.write(f"#{line}\n")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(SSSOM_COLUMNS)
    for mapping in mappings(ontology):
        writer.writerow(mapping.row())
    return buffer.getvalue()


def write_sssom(path: Path, ontology: Graph | None = None) -> list[Mapping]:
    """Write the mapping table to ``path`` (atomically) and return its rows."""
    ontology = ontology if ontology is not None else load_ontology()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(sssom_text(ontology), encoding="utf-8")
    os.replace(tmp, path)
    return mappings(ontology)
