"""Identifiers, labels and versions the exchange formats share, and the rules that pick them.

Every external identifier here comes from the project's verified term-mappings table (the
ontology's skos matches carry the same ones) or, for HPO, is checked against HPO 2025-11-24
by the tests with the ``hpo3`` package. :class:`TermMapper` reads the cross-references of the
shipped ontology and decides, for each dmkg class, which external term an export writes,
and maps such a term back to the dmkg class on import: one rule, used both ways, so an
export followed by an import lands on the same classes.

>>> mapper = TermMapper.shipped()
>>> mapper.phenotype(DMKG.HeliotropeRash)
Mapped(curie='HP:0040324', label='Heliotrope rash', match='exact')
>>> mapper.phenotype(DMKG.FlagellateErythema) is None
True
>>> mapper.from_curie("HP:0040324", "phenotype") == DMKG.HeliotropeRash
True
>>> curie_of(OBO["MONDO_0016367"])
'MONDO:0016367'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespaces import DMKG, OBO
from kg.ontology import load_ontology
from kg.terms import TermIndex

__all__ = [
    "CK_ASSAY",
    "CURATION_DATE",
    "DMKG_INFORES",
    "DM_SUBTYPE_OF_ANTIBODY",
    "EXTERNAL_LABELS",
    "GRADE_SEVERITY",
    "HPO_VERSION",
    "LATERALITY",
    "PREFERRED_CLOSE",
    "RESOURCES",
    "SEVERITY",
    "UNIT_LABELS",
    "Mapped",
    "Role",
    "TermMapper",
    "curie_of",
    "doi_curie",
]

#: date of the bundled curation (the commit that added kg/data/). Exports use it for their
#: creation and biocuration dates, so that two exports of the same data are byte-identical.
CURATION_DATE = "2026-11-21"
#: the HPO release the identifiers were checked against (the one the hpo3 package ships)
HPO_VERSION = "2025-11-24"
#: our own information-resource id for Biolink knowledge-source slots (not registered with
#: the Biolink infores catalogue; see the KGX export's documentation)
DMKG_INFORES = "infores:dmkg"

#: Labels of the external terms the ontology cross-references, as the verified table gives
#: them (HPO labels are HPO's own, checked by tests/test_exchange_hpo.py with hpo3). Where the
#: table gives no label (most NCIt exact matches, some MONDO siblings, CHEBI:50790) the
#: exports fall back to the dmkg class label.
EXTERNAL_LABELS: dict[str, str] = {
    "HP:0000989": "Pruritus",
    "HP:0000992": "Cutaneous photosensitivity",
    "HP:0001029": "Poikiloderma",
    "HP:0001041": "Facial erythema",
    "HP:0001369": "Arthritis",
    "HP:0001596": "Alopecia",
    "HP:0002015": "Dysphagia",
    "HP:0002094": "Dyspnea",
    "HP:0003236": "Elevated circulating creatine kinase concentration",
    "HP:0003326": "Myalgia",
    "HP:0003458": "EMG: myopathic abnormalities",
    "HP:0003493": "Antinuclear antibody positivity",
    "HP:0003701": "Proximal muscle weakness",
    "HP:0003713": "Muscle fiber necrosis",
    "HP:0005059": "Arthralgia/arthritis",
    "HP:0009071": "Inflammatory myopathy",
    "HP:0010783": "Erythema",
    "HP:0012490": "Panniculitis",
    "HP:0020151": "Anti-dsDNA antibody positivity",
    "HP:0025508": "Gottron's papules",
    "HP:0025520": "Calcinosis cutis",
    "HP:0025535": "Shawl sign",
    "HP:0025536": "V-sign",
    "HP:0030808": "Ragged cuticle",
    "HP:0030873": "Anti-centromere antibody positivity",
    "HP:0030880": "Raynaud phenomenon",
    "HP:0032235": "Anti-La/SS-B antibody positivity",
    "HP:0033028": "Anti-U1 ribonucleoprotein antibody positivity",
    "HP:0033033": "Anti-MDA5 antibody positivity",
    "HP:0033040": "Anti-Sm antibody positivity",
    "HP:0033126": "Cutaneous necrosis",
    "HP:0033425": "Periungual erythema",
    "HP:0033554": "Anti-Mi2 antibody positivity",
    "HP:0033555": "Anti-Ro/SS-A antibody positivity",
    "HP:0033560": "Anti-PM-Scl antibody positivity",
    "HP:0034088": "Anti-Ku antibody positivity",
    "HP:0034093": "Anti-Ro52/TRIM21 antibody positivity",
    "HP:0034105": "Anti-transcription intermediary factor-1gamma antibody positivity",
    "HP:0034139": "Anti-SUMO-activating enzyme antibody positivity",
    "HP:0034142": "Anti-nuclear matrix protein-2 antibody positivity",
    "HP:0034144": "Anti-hY-RNA complex antibody positivity",
    "HP:0034152": "Anti-histidyl tRNA synthetase antibody positivity",
    "HP:0040324": "Heliotrope rash",
    "HP:0045051": "Decreased DLCO",
    "HP:0100296": "Perifascicular muscle fiber atrophy",
    "HP:0100614": "Myositis",
    "HP:0200042": "Skin ulcer",
    "HP:0430033": "Gottron sign",
    "HP:6000006": "Holster sign",
    "HP:6000678": "Myositis-specific autoantibody positivity",
    "HP:6001013": "Mechanic's hands",
    # severity and laterality modifiers (HPO "Clinical modifier" branch)
    "HP:0012825": "Mild",
    "HP:0012826": "Moderate",
    "HP:0012827": "Borderline",
    "HP:0012828": "Severe",
    "HP:0012829": "Profound",
    "HP:0012834": "Right",
    "HP:0012835": "Left",
    # MONDO, NCIt, ChEBI, MAxO, STATO and OBI labels as the verified table gives them
    "MONDO:0016367": "dermatomyositis",
    "NCIT:C26744": "Dermatomyositis",
    "MONDO:1010065": "anti-Mi2 dermatomyositis",
    "MONDO:1010096": "clinically amyopathic dermatomyositis",
    "MONDO:0600023": "idiopathic inflammatory myopathy",
    "MONDO:0015925": "interstitial lung disease",
    "MONDO:0004953": "invasive ductal breast carcinoma",
    "MONDO:0008433": "small cell lung carcinoma",
    "MONDO:0005061": "lung adenocarcinoma",
    "MONDO:0005611": "bladder transitional cell carcinoma",
    "MONDO:0001056": "gastric cancer",
    "MONDO:0008170": "ovarian cancer",
    "MONDO:0008315": "prostate cancer",
    "MONDO:0006143": "cervical squamous cell carcinoma",
    "MONDO:0006117": "breast diffuse large B-cell lymphoma",
    "MONDO:0018908": "non-Hodgkin lymphoma",
    "MONDO:0009831": "malignant pancreatic neoplasm",
    "MONDO:0005575": "colorectal cancer",
    "CHEBI:28748": "doxorubicin",
    "CHEBI:4027": "cyclophosphamide",
    "CHEBI:45863": "paclitaxel",
    "CHEBI:8382": "prednisone",
    "NCIT:C1647": "Trastuzumab",
    "MAXO:0001480": "immunoglobulin infusion therapy",
    "MAXO:0000234": "aromatase inhibitor agent therapy",
    "MAXO:0001064": "mastectomy",
    "STATO:0000182": "odds ratio",
    "STATO:0000134": "true negative rate",
    "STATO:0000073": "Fisher's exact test",
    "OBI:0000175": "p-value",
}

#: severity words (dmkg:severity, or what a grade stands for) -> HPO severity modifier
SEVERITY: dict[str, str] = {
    "borderline": "HP:0012827",
    "mild": "HP:0012825",
    "moderate": "HP:0012826",
    "severe": "HP:0012828",
    "profound": "HP:0012829",
}
#: Requena's legend: "+: present sign; ++: marked sign; +++: very prominent sign". A single
#: "+" says only that the sign is there, so grade 1 carries no severity (reading it as "Mild"
#: would claim more than the paper); "++" is read as Moderate and "+++" as Severe.
GRADE_SEVERITY: dict[int, str] = {2: "moderate", 3: "severe"}
#: laterality words (dmkg:laterality) -> HPO laterality modifier
LATERALITY: dict[str, str] = {"left": "HP:0012835", "right": "HP:0012834"}
#: the LOINC assay for serum creatine kinase activity (the code and name the GA4GH
#: phenopacket-tools builders use for creatine kinase)
CK_ASSAY = ("LOINC:2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma")
#: UCUM units the curated data uses, with their names
UNIT_LABELS: dict[str, str] = {
    "U/L": "enzyme unit per liter",
    "[IU]/L": "international unit per liter",
    "mg": "milligram",
    "mg/d": "milligram per day",
    "mg/kg": "milligram per kilogram",
    "mg/m2": "milligram per square meter",
}

#: (id, name, url, version, iri_prefix) of each resource an export may cite, by CURIE prefix.
#: Versions are those the verified table was checked against; where it names no release
#: (NCIt and ChEBI identifiers came from MONDO cross-references and the biomappings curated
#: file; LOINC and UCUM codes from the GA4GH phenopacket-tools builders) it says so.
RESOURCES: dict[str, tuple[str, str, str, str, str]] = {
    "HP": (
        "hp",
        "Human Phenotype Ontology",
        "http://purl.obolibrary.org/obo/hp.owl",
        HPO_VERSION,
        "http://purl.obolibrary.org/obo/HP_",
    ),
    "MONDO": (
        "mondo",
        "Mondo Disease Ontology",
        "http://purl.obolibrary.org/obo/mondo.owl",
        "2026-08",
        "http://purl.obolibrary.org/obo/MONDO_",
    ),
    "NCIT": (
        "ncit",
        "NCI Thesaurus OBO Edition",
        "http://purl.obolibrary.org/obo/ncit.owl",
        "unrecorded (identifiers from MONDO 2026-08 cross-references)",
        "http://purl.obolibrary.org/obo/NCIT_",
    ),
    "CHEBI": (
        "chebi",
        "Chemical Entities of Biological Interest",
        "http://purl.obolibrary.org/obo/chebi.owl",
        "unrecorded (identifiers from the biomappings curated file)",
        "http://purl.obolibrary.org/obo/CHEBI_",
    ),
    "MAXO": (
        "maxo",
        "Medical Action Ontology",
        "http://purl.obolibrary.org/obo/maxo.owl",
        "2024-07-29",
        "http://purl.obolibrary.org/obo/MAXO_",
    ),
    "LOINC": (
        "loinc",
        "Logical Observation Identifiers Names and Codes",
        "https://loinc.org",
        "unrecorded",
        "https://loinc.org/",
    ),
    "UCUM": (
        "ucum",
        "Unified Code for Units of Measure",
        "https://ucum.org",
        "unrecorded",
        "https://ucum.org/ucum#",
    ),
}

#: A class with several close matches and no exact one: the close match an export uses is
#: the one the verified table lists as the concept's main identifier (its ``id`` column);
#: the others appear only in the table's note.
PREFERRED_CLOSE: dict[URIRef, str] = {DMKG.PhotodistributedViolaceousRash: "HP:0000992"}

#: The dermatomyositis subtype each myositis-specific antibody defines (from the subtype
#: classes' definitions). A cohort whose every member carries the antibody is annotated to
#: the subtype in the HPO annotation export.
DM_SUBTYPE_OF_ANTIBODY: dict[URIRef, URIRef] = {
    DMKG.AntiMi2: DMKG.AntiMi2Dermatomyositis,
    DMKG.AntiTIF1gamma: DMKG.AntiTIF1Dermatomyositis,
    DMKG.AntiNXP2: DMKG.AntiNXP2Dermatomyositis,
    DMKG.AntiSAE: DMKG.AntiSAEDermatomyositis,
    DMKG.AntiMDA5: DMKG.AntiMDA5Dermatomyositis,
}

_OBO_CURIE = re.compile(r"^http://purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)$")

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


def curie_of(iri: URIRef | str) -> str:
    """The CURIE of an OBO or dmkg IRI (other IRIs are returned unchanged).

    >>> curie_of(DMKG.HeliotropeRash)
    'dmkg:HeliotropeRash'
    """
    text = str(iri)
    match = _OBO_CURIE.match(text)
    if match:
        return f"{match.group(1)}:{match.group(2)}"
    if text.startswith(str(DMKG._NS)):
        return "dmkg:" + text[len(str(DMKG._NS)) :]
    return text


def doi_curie(doi: str) -> str:
    """A DOI as the CURIE the HPO annotation and phenopacket exports write.

    >>> doi_curie("10.1016/j.ad.2025.02.012")
    'DOI:10.1016/j.ad.2025.02.012'
    """
    return f"DOI:{doi}"


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

    Mapping back accepts exactly the terms the forward rules produce; where two classes
    produce the same term the closer match wins (HP:0001029 is Poikiloderma's exact match
    and only a broad match of scalp poikiloderma).
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
                if mapped is None:
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
        return held[1] if held else None

    def known(self, role: Role) -> list[str]:
        """Every external term that maps back in a role, sorted."""
        return sorted(c for r, c in self._back if r == role)


_ = OBO  # re-exported name used by the module doctest
