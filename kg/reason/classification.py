"""Classification records: every patient scored by every criteria set in ``ontology/criteria/``.

The criteria are data (items with their points, the classes, antibodies or ages that satisfy
them, categories with thresholds, the subclassification tree); the SPARQL updates in
``ontology/classification/`` apply them to the summary links and ages of every patient, in
both builds (``dmkg build`` on the rdflib graph, ``dmkg build --store`` in each batch's
Oxigraph store), so a registry is classified in the store, with no loop over patients in
Python. Each record gives the score range without (and, after a muscle biopsy, with) biopsy
over the items the sources leave open, the category at each end, whether that decides the
category, the possible subgroups, and each item as met, not met or unknown.

Classification criteria serve research cohorts; they do not diagnose a patient.

>>> from kg.ontology import load_ontology
>>> from kg.namespaces import DATA, DMKG
>>> from kg.reason.vocabulary import DMKGC
>>> from rdflib import RDF, Literal
>>> g = load_ontology()
>>> p = DATA["p1"]
>>> for triple in [(p, RDF.type, DMKG.Patient), (p, DMKG.ageAtDiagnosis, Literal(61)),
...                (p, DMKG.presentFinding, DMKG.HeliotropeRash)]:
...     _ = g.add(triple)
>>> _ = add_classifications(g)
>>> c = next(g.subjects(DMKGC.classifiedPatient, p))
>>> str(g.value(c, DMKGC.scoreLow)), str(g.value(c, DMKGC.scoreHigh)), str(g.value(c, DMKGC.decided))
('5.2', '20.8', 'false')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.reason.summary_links import run_update_files
from kg.resources import resource_files

__all__ = ["CLASSIFICATION_CONSTRUCT", "add_classifications", "classification_files"]

#: every triple the classification updates add, for stores that hand them on (the batches)
CLASSIFICATION_CONSTRUCT = """PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
CONSTRUCT { ?classification ?property ?value }
WHERE { ?classification a dmkgc:PatientClassification ; ?property ?value }"""


def classification_files() -> list[Path]:
    """The SPARQL updates in ``ontology/classification/``, in the order they run."""
    return resource_files("ontology", "classification/*.ru")


def add_classifications(target: Graph | Any) -> int:
    """Run the classification updates on an rdflib graph or a pyoxigraph store holding the
    ontology (with the criteria), the data and the summary links; return how many triples
    they added."""
    return run_update_files(target, classification_files())
