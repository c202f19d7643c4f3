"""The ontology side of :class:`kg.api.KnowledgeGraph`: owlready2 classes, search, instances."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from kg.analyse.frames import records_frame
from kg.api.values import curie_of, label_of, normalise
from kg.errors import CurationError, NotFoundError, UsageError
from kg.namespaces import DMKG, OBOINOWL

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OntologyViews"]


class OntologyViews:
    """Methods over the ontology, mixed into :class:`kg.api.KnowledgeGraph` (which gives
    ``rdf``, ``terms`` and the ``_ontology`` slot)."""

    _ontology: Any

    @property
    def rdf(self) -> Graph:
        raise NotImplementedError

    @property
    def terms(self) -> Any:
        raise NotImplementedError

    @property
    def ontology(self) -> Any:
        """The dmkg ontology in owlready2 (its own World, loaded once per object).

        owlready2 reads N-Triples, so the shipped ontology files are converted first. The
        ontology holds the classes and the value-set individuals, not the patient data
        (see :meth:`instances` for the data).

        >>> from kg.api import load

        >>> onto = load().ontology
        >>> onto.base_iri
        'https://w3id.org/dmkg/ontology/'
        >>> sorted(i.name for i in onto.world["https://w3id.org/dmkg/ontology/VitalStatus"]
        ...        .instances())
        ['Alive', 'Dead', 'LostToFollowUp']
        """
        if self._ontology is None:
            import owlready2

            from kg.ontology import load_ontology

            world = owlready2.World()
            with tempfile.TemporaryDirectory(prefix="dmkg-owl-") as tmp:
                path = Path(tmp) / "dmkg.nt"
                load_ontology().serialize(path, format="nt", encoding="utf-8")
                self._ontology = world.get_ontology(path.as_uri()).load()
        return self._ontology

    def _iri(self, term: Any) -> URIRef:
        """A term given as owlready2 entity, IRI, CURIE (``dmkg:Name``), label or synonym."""
        if hasattr(term, "iri"):
            return URIRef(term.iri)
        text = str(term).strip()
        if text.startswith(("http://", "https://")):
            return URIRef(text)
        if text.startswith("dmkg:"):
            iri = URIRef(f"{DMKG._NS}{text[5:]}")
            if (iri, None, None) not in self.rdf:
                raise NotFoundError(f"{text!r} is not a term of the dmkg ontology")
            return iri
        try:
            return URIRef(self.terms.resolve(text))
        except CurationError as exc:
            hint = (
                f"; did you mean {' or '.join(map(repr, exc.suggestions))}?"
                if exc.suggestions
                else ""
            )
            raise NotFoundError(
                f"{text!r} is not a label, synonym or CURIE of a dmkg term{hint}"
            ) from None

    def term(self, term: Any) -> Any:
        """The owlready2 class or individual for a label, synonym, CURIE or IRI.

        >>> from kg.api import load

        >>> load().term("heliotropic rash").iri
        'https://w3id.org/dmkg/ontology/HeliotropeRash'
        """
        entity = self.ontology.world[str(self._iri(term))]
        if entity is None:
            raise NotFoundError(f"{term!r} is not in the dmkg ontology")
        return entity

    def search(self, text: str) -> list[Any]:
        """owlready2 classes and individuals whose label or synonym contains ``text``
        (case and spacing ignored), sorted by label.

        >>> from kg.api import load

        >>> [str(c.label[0]) for c in load().search("gottron")]
        ['Gottron papules', 'Gottron papules or sign', 'Gottron sign']
        """
        wanted = normalise(text)
        found: set[URIRef] = set()
        for prop in (RDFS.label, OBOINOWL.hasExactSynonym, OBOINOWL.hasRelatedSynonym):
            for subject, name in self.rdf.subject_objects(prop):
                if (
                    isinstance(subject, URIRef)
                    and str(subject).startswith(str(DMKG._NS))
                    and wanted in normalise(str(name))
                ):
                    found.add(subject)
        world = self.ontology.world
        entities = [world[str(iri)] for iri in found]
        return sorted(
            (e for e in entities if e is not None),
            key=lambda e: (str(e.label[0]) if e.label else e.name).casefold(),
        )

    def subclasses(self, term: Any, *, direct: bool = False) -> list[Any]:
        """The owlready2 classes under a term: all descendants, or only the direct ones.

        >>> from kg.api import load

        >>> sorted(c.name for c in load().subclasses("anti-synthetase antibody"))
        ['AntiEJ', 'AntiJo1', 'AntiOJ', 'AntiPL12', 'AntiPL7']
        """
        cls = self.term(term)
        if not hasattr(cls, "descendants"):
            raise UsageError(f"{term!r} is an individual, not a class")
        found = cls.subclasses() if direct else cls.descendants(include_self=False)
        return sorted(found, key=lambda c: c.name)

    def instances(self, term: Any) -> pd.DataFrame:
        """Everything in the graph typed with a class or any class under it, including the
        types the reasoner inferred: ``id`` (CURIE), ``label`` and ``types``.

        >>> from kg.api import load

        >>> len(load().instances("cancer-associated dermatomyositis patient"))
        26
        >>> load().instances("finding status")["id"].tolist()
        ['dmkg:Absent', 'dmkg:Equivocal', 'dmkg:NotReported', 'dmkg:Present', 'dmkg:Unknown']
        """
        root = self._iri(term)
        classes = set(self.rdf.transitive_subjects(RDFS.subClassOf, root))
        rows = []
        seen: set[Node] = set()
        for cls in sorted(classes, key=str):
            for individual in self.rdf.subjects(RDF.type, cls):
                if individual in seen or not isinstance(individual, URIRef):
                    continue
                seen.add(individual)
                types = sorted(
                    label_of(self.rdf, t) or ""
                    for t in self.rdf.objects(individual, RDF.type)
                    if t in classes and t != OWL.NamedIndividual
                )
                rows.append(
                    {
                        "id": curie_of(individual),
                        "label": label_of(self.rdf, individual),
                        "types": "; ".join(types),
                    }
                )
        rows.sort(key=lambda r: str(r["id"]))
        return records_frame(rows, ["id", "label", "types"])
