"""The rules that pick the external term an export writes for each dmkg class.

The identifiers, labels and versions themselves are in :mod:`kg.exchange.identifiers`.
:class:`TermMapper` reads the cross-references of the shipped ontology and decides, for each
dmkg class, which external term an export writes, and maps such a term back to the dmkg class
on import: one rule, used both ways, so an export followed by an import lands on the same
classes.

>>> mapper = TermMapper.shipped()
>>> mapper.phenotype(DMKG.HeliotropeRash)
Mapped(curie='HP:0040324', label='Heliotrope rash', match='exact')
>>> mapper.phenotype(DMKG.FlagellateErythema) is None
True
>>> mapper.from_curie("HP:0040324", "phenotype") == DMKG.HeliotropeRash
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.exchange.identifiers import EXTERNAL_LABELS, PREFERRED_CLOSE, curie_of
from kg.namespaces import DMKG
from kg.ontology import load_ontology
from kg.terms import TermIndex

__all__ = ["Mapped", "Role", "TermMapper"]

Match = Literal["exact", "close", "broad"]
#: what an external term stands for in an export: a phenotypic feature (HPO), a disease
#: (MONDO, else NCIt) or an intervention (an agent from ChEBI or NCIt, else a MAxO action)
Role = Literal["phenotype", "disease", "intervention"]

_MATCH_PROPERTIES: dict[Match, URIRef] = {
    "exact": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "broad": SKOS.broadMatch,
}
_RANK: dict[Match, int] = {"exact": 0, "close": 1, "broad": 2}


@dataclass(frozen=True)
class Mapped:
    """The external term an export writes for a dmkg class, and how close it is."""

    curie: str
    label: str
    match: Match


class TermMapper:
    """Chooses the external term for each dmkg class, and maps such terms back.

    Rules (the same for every export):

    - phenotype (HPO): the exact match; else the close match (for an antibody: the HPO
      "antibody positivity" finding, which is what a positive result means); else the broad
      match. A broad match is only true of a present finding (a patient with scalp
      poikiloderma has poikiloderma; one without it may still have poikiloderma elsewhere),
      so callers use it for present findings only.
    - disease: the exact MONDO match, else the exact NCIt match.
    - intervention: an exact ChEBI or NCIt match (the agent); else an exact or close MAxO
      match (the medical action).

    Mapping back accepts the exact and close terms the forward rules produce; where two
    classes produce the same term the closer match wins. A broad match never maps back: the
    external term is broader than the class (HP:0045051 Decreased DLCO is only a broad match
    of reduced DLCO "below 70% of predicted", a threshold a foreign curator never stated), so
    such a term maps back only to a class it is an exact or close match of (HP:0001029 to
    Poikiloderma, not to scalp poikiloderma), or is unmapped.
    """

    def __init__(self, ontology: Graph) -> None:
        self.terms = TermIndex(ontology)
        self.graph = ontology
        self._xrefs: dict[URIRef, dict[Match, list[str]]] = {}
        for match, prop in _MATCH_PROPERTIES.items():
            for cls, target in ontology.subject_objects(prop):
                if isinstance(cls, URIRef) and isinstance(target, URIRef):
                    entry = self._xrefs.setdefault(cls, {"exact": [], "close": [], "broad": []})
                    entry[match].append(curie_of(target))
        for entry in self._xrefs.values():
            for ids in entry.values():
                ids.sort()
        self._back: dict[tuple[Role, str], tuple[int, URIRef]] = {}
        classes = sorted(self._xrefs)
        roles: tuple[Role, ...] = ("phenotype", "disease", "intervention")
        for cls in classes:
            for role in roles:
                mapped = self.map(cls, role)
                if mapped is None or mapped.match == "broad":
                    continue
                key: tuple[Role, str] = (role, mapped.curie)
                rank = _RANK[mapped.match]
                held = self._back.get(key)
                if held is not None and held[0] == rank:
                    raise ValueError(
                        f"{mapped.curie} is a {mapped.match} match of both "
                        f"{curie_of(held[1])} and {curie_of(cls)}; the exports "
                        "need one class per external term"
                    )
                if held is None or rank < held[0]:
                    self._back[key] = (rank, cls)

    @staticmethod
    @lru_cache(maxsize=1)
    def shipped() -> TermMapper:
        """The mapper for the ontology shipped with dmkg (built once)."""
        return TermMapper(load_ontology())

    # -- forward ----------------------------------------------------------------------
    def xrefs(self, cls: URIRef) -> dict[Match, list[str]]:
        """Every cross-reference of a class, by kind of match."""
        return self._xrefs.get(cls, {"exact": [], "close": [], "broad": []})

    def label(self, curie: str, cls: URIRef | None = None) -> str:
        """The label of an external term (the verified table's), else the class's label."""
        if curie in EXTERNAL_LABELS:
            return EXTERNAL_LABELS[curie]
        return self.terms.label(cls) if cls is not None else curie

    def class_label(self, cls: URIRef) -> str:
        """The dmkg label of a class."""
        return self.terms.label(cls)

    def is_under(self, cls: URIRef, root: URIRef) -> bool:
        return self.terms.is_under(cls, root)

    def _pick(self, cls: URIRef, match: Match, prefixes: tuple[str, ...]) -> Mapped | None:
        ids = self.xrefs(cls)[match]
        for prefix in prefixes:
            found = [i for i in ids if i.startswith(prefix + ":")]
            if match == "close" and len(found) > 1:
                preferred = PREFERRED_CLOSE.get(cls)
                found = [preferred] if preferred in found else []
            if found:
                return Mapped(found[0], self.label(found[0], cls), match)
        return None

    def phenotype(self, cls: URIRef) -> Mapped | None:
        """The HPO term for a finding or (as antibody positivity) an autoantibody."""
        matches: tuple[Match, ...] = ("exact", "close", "broad")
        for match in matches:
            mapped = self._pick(cls, match, ("HP",))
            if mapped is not None:
                return mapped
        return None

    def disease(self, cls: URIRef) -> Mapped | None:
        """The MONDO (else NCIt) term of a disease class; exact matches only."""
        return self._pick(cls, "exact", ("MONDO", "NCIT"))

    def intervention(self, cls: URIRef) -> Mapped | None:
        """The agent (ChEBI, NCIt) or medical action (MAxO) of an intervention class."""
        return self._pick(cls, "exact", ("CHEBI", "NCIT", "MAXO")) or self._pick(
            cls, "close", ("MAXO",)
        )

    def map(self, cls: URIRef, role: Role) -> Mapped | None:
        """The external term of ``cls`` in a role (see the class docstring)."""
        if role == "phenotype":
            if not (
                self.is_under(cls, DMKG.ClinicalFinding) or self.is_under(cls, DMKG.Autoantibody)
            ):
                return None
            return self.phenotype(cls)
        if role == "disease":
            if not (self.is_under(cls, DMKG.Disease) or self.is_under(cls, DMKG.ClinicalFinding)):
                return None
            return self.disease(cls)
        if not self.is_under(cls, DMKG.Intervention):
            return None
        return self.intervention(cls)

    # -- back ---------------------------------------------------------------------------
    def from_curie(self, curie: str, role: Role) -> URIRef | None:
        """The dmkg class whose export term in ``role`` is ``curie``, if any."""
        held = self._back.get((role, curie.strip()))
        if held is None and ":" in curie:  # CURIE prefixes are case-insensitive here
            prefix, local = curie.strip().split(":", 1)
            held = self._back.get((role, f"{prefix.upper()}:{local}"))
            if held is None and prefix == "dmkg":
                return self._own_class(local, role)
        return held[1] if held else None

    def _own_class(self, local: str, role: Role) -> URIRef | None:
        """A dmkg class named by its own CURIE (what an export writes where no external
        term says as much), if the ontology declares it and it fits the role."""
        cls = DMKG._NS[local]
        if (cls, RDF.type, OWL.Class) not in self.graph:
            return None
        roots = {
            "phenotype": (DMKG.ClinicalFinding, DMKG.Autoantibody),
            "disease": (DMKG.Disease,),
            "intervention": (DMKG.Intervention,),
        }[role]
        return cls if any(self.is_under(cls, r) for r in roots) else None

    def known(self, role: Role) -> list[str]:
        """Every external term that maps back in a role, sorted."""
        return sorted(c for r, c in self._back if r == role)
