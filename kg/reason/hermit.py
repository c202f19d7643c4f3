"""Classify the graph with HermiT (through owlready2) and return the inferred types.

owlready2 reads N-Triples, not Turtle, so the ontology and data are handed to it as one
N-Triples file in a temporary folder. The ontology has no ``owl:imports`` and nothing is
fetched. The inferences are returned as plain ``rdf:type`` triples so the build can write
them into the graph (materialised), where SPARQL users see them without a reasoner.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from kg.errors import ReasonerError
from kg.namespaces import DATA, DMKG

__all__ = ["Inference", "java_available", "reason", "reasoning_signature"]


@dataclass(frozen=True)
class Inference:
    """The outcome of classification: new type triples, and that the graph is consistent."""

    triples: frozenset[tuple[URIRef, URIRef, URIRef]]
    #: True when HermiT found the graph consistent and inferred exactly these triples
    checked_by_hermit: bool = False

    def count(self, cls: URIRef) -> int:
        return sum(1 for _, _, o in self.triples if o == cls)


def java_available() -> bool:
    """HermiT runs on Java; True if a ``java`` executable is on the PATH."""
    return shutil.which("java") is not None


def reasoning_signature(ontology: Graph) -> set[URIRef]:
    """The data properties and links that class definitions mention, plus ``rdf:type``.

    A triple whose property no restriction names cannot change which defined class an
    individual falls in, so only these triples are handed to the reasoner: the same
    inferences in a fraction of the time.
    """
    mentioned = {p for p in ontology.objects(None, OWL.onProperty) if isinstance(p, URIRef)}
    for a, b in ontology.subject_objects(OWL.inverseOf):
        if a in mentioned or b in mentioned:
            mentioned |= {a, b}  # type: ignore[arg-type]
    return {RDF.type} | mentioned


_TMP_PREFIX = "dmkg-reason-"


def _remove_stale_folders() -> None:
    """Remove the temporary folders of reasoner runs whose process is gone (killed)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_TMP_PREFIX}*"):
        pid = folder.name[len(_TMP_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reason(data: Graph, ontology: Graph) -> Inference:
    """Run HermiT over ontology + data; raise ReasonerError if inconsistent or failing."""
    if not java_available():
        raise ReasonerError(
            "the OWL reasoner HermiT needs Java, and no 'java' command was found "
            "(install a Java runtime, e.g. 'apt-get install default-jre-headless', or build "
            "with --no-reason: the rules in ontology/rules give the same graph, without "
            "HermiT's consistency check)"
        )
    import owlready2  # imported here: it is slow to import and only the build needs it

    _remove_stale_folders()
    with tempfile.TemporaryDirectory(prefix=f"{_TMP_PREFIX}{os.getpid()}-") as tmp:
        path = Path(tmp) / "graph.nt"
        merged = Graph()
        for triple in ontology:
            merged.add(triple)
        signature = reasoning_signature(ontology)
        for triple in data:
            if triple[1] in signature:
                merged.add(triple)
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        saved, tempfile.tempdir = tempfile.tempdir, tmp  # owlready2's own temporary file
        # (left behind when HermiT fails) goes into our folder, removed with it
        try:
            onto = world.get_ontology(path.as_uri()).load()
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise ReasonerError("HermiT found the ontology and data inconsistent") from None
        except owlready2.OwlReadyJavaError as exc:
            first = str(exc).strip().splitlines()[1:2] or [str(exc)]
            raise ReasonerError(f"HermiT failed: {first[0][:300]}") from None
        finally:
            tempfile.tempdir = saved
        triples = set()
        dmkg_ns = str(DMKG._NS)
        subjects = {
            s
            for s in data.subjects(RDF.type)
            if isinstance(s, URIRef) and str(s).startswith(str(DATA))
        }
        for subject in sorted(subjects):
            individual = world[str(subject)]
            if individual is None:
                continue
            for cls in individual.is_a:
                cls_iri = getattr(cls, "iri", None)
                if not cls_iri or not cls_iri.startswith(dmkg_ns):
                    continue
                triple = (subject, RDF.type, URIRef(cls_iri))
                if triple not in data:
                    triples.add(triple)
        world.close()
    return Inference(frozenset(triples))
