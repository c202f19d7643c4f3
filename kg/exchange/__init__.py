"""Exchange formats: phenopackets, HPO annotations, KGX and SSSOM out; phenopackets in.

Each module turns the graph into one format the field uses (or, for phenopackets, reads it
back); :mod:`kg.exchange.identifiers` holds the identifiers they share,
:mod:`kg.exchange.vocab` the term-choice rules, and :mod:`kg.exchange.patients` reads
patients out of the graph once for every export.
"""

from __future__ import annotations

from kg.exchange.hpoa import hpo_annotations, write_hpoa
from kg.exchange.kgx import build_kgx, write_kgx
from kg.exchange.phenopackets import build_phenopackets, write_phenopackets
from kg.exchange.phenopackets_import import PhenopacketImportError, import_phenopackets
from kg.exchange.sssom import mappings, write_sssom
from kg.exchange.vocab import TermMapper

__all__ = [
    "PhenopacketImportError",
    "TermMapper",
    "build_kgx",
    "build_phenopackets",
    "hpo_annotations",
    "import_phenopackets",
    "mappings",
    "write_hpoa",
    "write_kgx",
    "write_phenopackets",
    "write_sssom",
]
