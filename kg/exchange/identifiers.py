"""Identifiers, labels and versions the exchange formats share.

Every external identifier here comes from the project's verified term-mappings table (the
ontology's skos matches carry the same ones) or, for HPO, is checked against HPO 2025-11-24
by the tests with the ``hpo3`` package; :mod:`kg.exchange.vocab` holds the rules that pick
them for each dmkg class.

>>> curie_of(OBO["MONDO_0016367"])
'MONDO:0016367'
"""

from __future__ import annotations

import re

from rdflib import URIRef

from kg.namespaces import DMKG, OBO

__all__ = [
    "CK_ASSAY",
    "CURATION_DATE",
    "DMKG_INFORES",
    "DM_SUBTYPE_OF_ANTIBODY",
    "EXTERNAL_LABELS",
    "GRADE_SEVERITY",
    "HPO_ANCESTORS",
    "HPO_VERSION",
    "LATERALITY",
    "PREFERRED_CLOSE",
    "RESOURCES",
    "ROUTES",
    "SEVERITY",
    "UNIT_LABELS",
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

#: For each HPO term the exports use, the other such terms that are its ancestors in HPO
#: 2025-11-24 (tests/test_exchange_hpo.py recomputes this with hpo3). A phenopacket must not
#: exclude an ancestor of a present term, nor list a term whose ancestor it already excludes.
HPO_ANCESTORS: dict[str, frozenset[str]] = {
    "HP:0001041": frozenset({"HP:0010783"}),
    "HP:0005059": frozenset({"HP:0001369"}),
    "HP:0020151": frozenset({"HP:0003493"}),
    "HP:0025535": frozenset({"HP:0010783"}),
    "HP:0025536": frozenset({"HP:0010783"}),
    "HP:0030873": frozenset({"HP:0003493"}),
    "HP:0032235": frozenset({"HP:0003493"}),
    "HP:0033028": frozenset({"HP:0003493"}),
    "HP:0033040": frozenset({"HP:0003493"}),
    "HP:0033554": frozenset({"HP:0003493"}),
    "HP:0033555": frozenset({"HP:0003493"}),
    "HP:0033560": frozenset({"HP:0003493"}),
    "HP:0034144": frozenset({"HP:0003493"}),
    "HP:0034152": frozenset({"HP:6000678"}),
    "HP:6000006": frozenset({"HP:0001029"}),
}
#: routes of administration (dmkg:route words) -> NCIt route terms: oral as the GA4GH
#: phenopacket-tools builders write it; subcutaneous from the NCIt route branch
ROUTES: dict[str, tuple[str, str]] = {
    "oral": ("NCIT:C38288", "Oral Route of Administration"),
    "subcutaneous": ("NCIT:C38299", "Subcutaneous Route of Administration"),
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
    # dmkg's own classes, for what no external term states without claiming more (a cancer
    # printed only as "bladder", the temporal relation of a DM-to-cancer interval)
    "dmkg": (
        "dmkg",
        "dmkg ontology",
        "https://w3id.org/dmkg/ontology/",
        "0.1.0",
        "https://w3id.org/dmkg/ontology/",
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


_ = OBO  # name used by the module doctest
