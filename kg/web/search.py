"""Search the ontology as OLS does: labels, synonyms, cross-reference ids and CURIEs, with
typing mistakes forgiven.

The index is built once from the app's ontology view (:class:`kg.docs.OntologyIndex`): every
term of ours (class, individual, property) under its label, its exact and related synonyms
(``oboInOwl``), its CURIE and IRI, and the ids it cross-references (``skos:exactMatch``,
``closeMatch``, ... such as ``HP:0040324``). A name that holds the text ranks first; else a
name within a few typing mistakes of it (RapidFuzz's normalised edit distance, word by word).

>>> from kg.ontology import load_ontology
>>> from kg.docs import OntologyIndex
>>> index = SearchIndex(OntologyIndex(load_ontology()))
>>> [h.ref.label for h in index.search("gotron")]
['Gottron sign', 'Gottron papules', 'Gottron papules or sign']
>>> [(h.ref.label, h.how) for h in index.search("HP:0040324")]
[('heliotrope rash', 'cross-reference (exact match)')]
>>> [h.ref.label for h in index.search("dmkg:HeliotropeRash")]
['heliotrope rash']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef

from kg.docs import OntologyIndex
from kg.docs.terms import TermRef
from kg.namespaces import DMKG, OBOINOWL
from kg.terms import normalise

__all__ = ["Hit", "SearchIndex"]

_ONT = str(DMKG._NS)
#: how a name was matched, best first; the number ranks a hit
_RANKS = {"exact": 0, "start": 1, "word": 2, "contains": 3, "fuzzy": 4}
_NAME_KINDS = (
    (OBOINOWL.hasExactSynonym, "exact synonym"),
    (OBOINOWL.hasRelatedSynonym, "related synonym"),
)


@dataclass(frozen=True)
class Hit:
    """A term found: its link, its kind, the name (or id) that matched and how."""

    ref: TermRef
    kind: str
    matched: str
    how: str
    rank: int
    score: float = 100.0

    def as_dict(self, href: str) -> dict[str, str]:
        return {
            "label": self.ref.label,
            "curie": self.ref.curie,
            "kind": self.kind,
            "matched": self.matched,
            "how": self.how,
            "href": href,
        }


@dataclass(frozen=True)
class _Name:
    iri: URIRef
    text: str
    key: str  # normalised
    how: str  # label, exact synonym, related synonym


class SearchIndex:
    """Names, ids and CURIEs of the ontology's own terms, for the search page and the
    autocomplete."""

    def __init__(self, ontology: OntologyIndex) -> None:
        self.ontology = ontology
        self.names: list[_Name] = []
        self.ids: dict[str, list[tuple[URIRef, str, str]]] = defaultdict(list)
        for iri, kind in ontology.kinds.items():
            if not str(iri).startswith(_ONT):
                continue
            self.names.append(
                _Name(iri, ontology.label(iri), normalise(ontology.label(iri)), "label")
            )
            for prop, how in _NAME_KINDS:
                for value in ontology.graph.objects(iri, prop):
                    self.names.append(_Name(iri, str(value), normalise(str(value)), how))
            ref = ontology.ref(iri)
            self.ids[ref.curie.casefold()].append((iri, ref.curie, "CURIE"))
            self.ids[str(iri).casefold()].append((iri, str(iri), "IRI"))
            if kind in ("class", "individual"):
                for xref in ontology.term(iri).xrefs:
                    how = f"cross-reference ({xref.relation})"
                    for key in {xref.curie, xref.iri, xref.curie.replace(":", "_")}:
                        self.ids[key.casefold()].append((iri, xref.curie, how))
        # the words of every name, for typo-tolerant matching word by word
        self._words: dict[str, set[int]] = defaultdict(set)
        for number, name in enumerate(self.names):
            for word in name.key.split():
                self._words[word].add(number)

    def _hit(self, iri: URIRef, matched: str, how: str, rank: int, score: float = 100) -> Hit:
        return Hit(self.ontology.ref(iri), self.ontology.kinds[iri], matched, how, rank, score)

    def search(self, text: str, limit: int = 50, within: set[URIRef] | None = None) -> list[Hit]:
        """The terms ``text`` names, best first: by id or CURIE, then by a name holding the
        text, then by a name within a few typing mistakes. ``within`` limits the terms."""
        wanted = normalise(text)
        if not wanted:
            return []
        found: dict[URIRef, Hit] = {}

        def keep(hits: Iterable[Hit]) -> None:
            for hit in hits:
                if within is not None and hit.ref.iri not in within:
                    continue
                old = found.get(hit.ref.iri)
                if old is None or (hit.rank, -hit.score) < (old.rank, -old.score):
                    found[hit.ref.iri] = hit

        keep(self._hit(iri, shown, how, -1) for iri, shown, how in self.ids.get(wanted, []))
        keep(self._contains(wanted))
        if len(found) < limit:
            keep(self._fuzzy(wanted))
        hits = sorted(found.values(), key=lambda h: (h.rank, -h.score, h.ref.label.casefold()))
        return hits[:limit]

    def _contains(self, wanted: str) -> Iterable[Hit]:
        for name in self.names:
            if wanted not in name.key:
                continue
            if name.key == wanted:
                rank = _RANKS["exact"]
            elif name.key.startswith(wanted):
                rank = _RANKS["start"]
            elif f" {wanted}" in f" {name.key}":
                rank = _RANKS["word"]
            else:
                rank = _RANKS["contains"]
            yield self._hit(name.iri, name.text, name.how, rank)

    def _fuzzy(self, wanted: str) -> Iterable[Hit]:
        """Names each of whose words the text's words are within a few edits of (a word of 3
        letters or fewer must begin a word of the name: every short word is near another)."""
        from rapidfuzz import fuzz, process

        vocabulary = list(self._words)
        scores: dict[int, list[float]] = {}
        for position, word in enumerate(wanted.split()):
            best: dict[int, float] = {}
            if len(word) < 4:
                near = [(w, 100.0) for w in vocabulary if w.startswith(word)]
            else:
                cutoff = 75.0 if len(word) < 6 else 80.0
                near = [
                    (w, score)
                    for w, score, _ in process.extract(
                        word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
                    )
                ]
            for w, score in near:
                for number in self._words[w]:
                    best[number] = max(best.get(number, 0.0), score)
            if position == 0:
                scores = {n: [s] for n, s in best.items()}
            else:
                scores = {n: [*got, best[n]] for n, got in scores.items() if n in best}
        for number, got in scores.items():
            name = self.names[number]
            # equal word scores: the name closest to the text as a whole first
            score = sum(got) / len(got) + fuzz.ratio(wanted, name.key) / 1000
            yield self._hit(name.iri, name.text, "similar spelling", _RANKS["fuzzy"], score)

    def suggest(self, text: str, limit: int = 10) -> list[Hit]:
        """The autocomplete's choices: classes and individuals first, then properties."""
        hits = self.search(text, limit=limit * 3)
        hits.sort(key=lambda h: (h.rank, h.kind not in ("class", "individual")))
        return hits[:limit]
