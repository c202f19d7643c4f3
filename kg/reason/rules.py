"""The defined classes without a reasoner: the SPARQL updates in ``ontology/rules/``.

Both builds materialise the defined classes (a patient positive for a myositis-specific
antibody, a cancer-associated DM patient, and the two record classes they rest on) with these
rules, so the graph is the same with or without Java. Where Java is present, ``dmkg build``
also runs HermiT (:mod:`kg.reason.hermit`): it checks that ontology and data are consistent
and that it infers exactly what the rules inferred (:func:`check_against_hermit`).

>>> from kg.ontology import load_ontology
>>> from kg.namespaces import DATA, DMKG
>>> from rdflib import RDF, Graph, Literal
>>> data = Graph()
>>> patient, cancer = DATA["p1"], DATA["c1"]
>>> for triple in [(patient, RDF.type, DMKG.Patient), (cancer, RDF.type, DMKG.CancerDiagnosis),
...                (cancer, DMKG.ofPatient, patient), (cancer, DMKG.intervalMonths, Literal(3))]:
...     _ = data.add(triple)
>>> sorted(o.fragment or str(o).rsplit("/", 1)[-1] for _, _, o in infer_with_rules(data, load_ontology()).triples)
['CancerAssociatedDMPatient', 'CancerWithinTwoYears']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef

from kg.errors import ReasonerError
from kg.namespaces import DATA
from kg.reason.hermit import Inference
from kg.reason.summary_links import run_update_files
from kg.resources import resource_files

__all__ = ["apply_rules", "check_against_hermit", "infer_with_rules", "rule_files"]


def rule_files() -> list[Path]:
    """The SPARQL update rules in ``ontology/rules/``, in the order they run."""
    return resource_files("ontology", "rules/*.ru")


def apply_rules(target: Graph | Any) -> int:
    """Run the rules on an rdflib graph or a pyoxigraph store that holds the ontology and the
    data; return how many triples they added."""
    return run_update_files(target, rule_files())


def infer_with_rules(data: Graph, ontology: Graph) -> Inference:
    """The type triples the rules add to ontology + data, on data individuals only (as
    :func:`kg.reason.hermit.reason` returns them)."""
    merged = Graph()
    for part in (ontology, data):
        for triple in part:
            merged.add(triple)
    apply_rules(merged)
    triples = {
        (s, RDF.type, o)
        for s, o in merged.subject_objects(RDF.type)
        if isinstance(s, URIRef)
        and isinstance(o, URIRef)
        and str(s).startswith(str(DATA))
        and (s, RDF.type, o) not in data
    }
    return Inference(frozenset(triples))


def check_against_hermit(rules: Inference, hermit: Inference) -> None:
    """Raise :class:`ReasonerError` unless HermiT and the rules inferred the same triples."""
    missing = sorted(hermit.triples - rules.triples)
    extra = sorted(rules.triples - hermit.triples)
    if not missing and not extra:
        return
    lines = [f"  HermiT only: <{s}> a <{o}>" for s, _, o in missing[:5]]
    lines += [f"  rules only: <{s}> a <{o}>" for s, _, o in extra[:5]]
    raise ReasonerError(
        "the rules in ontology/rules and HermiT disagree on the defined classes "
        f"({len(missing)} triple(s) only HermiT infers, {len(extra)} only the rules infer; "
        "fix the rules so they follow the class definitions):\n" + "\n".join(lines)
    )
