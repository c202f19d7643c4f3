"""The dmkg vocabulary as a closed namespace: a typo in a term is an error, not a new IRI.

>>> DMKG.Patient
rdflib.term.URIRef('https://w3id.org/dmkg/ontology/Patient')
>>> DMKG.Patinet  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: term 'Patinet' not in namespace
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "DATA",
    "DCTERMS",
    "DMKG",
    "IAO",
    "OBO",
    "OBOINOWL",
    "ONTOLOGY_IRI",
    "PROV",
    "SHAPES",
    "bind_prefixes",
]

ONTOLOGY_IRI = URIRef("https://w3id.org/dmkg/ontology")
DATA = Namespace("https://w3id.org/dmkg/data/")
SHAPES = Namespace("https://w3id.org/dmkg/shapes/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
IAO = Namespace("http://purl.obolibrary.org/obo/IAO_")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")


class DMKG(DefinedNamespace):
    """Every term of the dmkg ontology (a test keeps this list equal to ontology/*.ttl)."""

    _NS = Namespace("https://w3id.org/dmkg/ontology/")
    _fail = True

    AbnormalMuscleMRI: URIRef
    AboveNormalRange: URIRef
    Absent: URIRef
    Adenocarcinoma: URIRef
    Alive: URIRef
    Alopecia: URIRef
    AntiCentromere: URIRef
    AntiDsDNA: URIRef
    AntiEJ: URIRef
    AntiJo1: URIRef
    AntiKu: URIRef
    AntiLaSSB: URIRef
    AntiMDA5: URIRef
    AntiMDA5Dermatomyositis: URIRef
    AntiMi1: URIRef
    AntiMi2: URIRef
    AntiMi2Dermatomyositis: URIRef
    AntiNXP2: URIRef
    AntiNXP2Dermatomyositis: URIRef
    AntiOJ: URIRef
    AntiPL12: URIRef
    AntiPL7: URIRef
    AntiPMScl: URIRef
    AntiRo52: URIRef
    AntiRo60: URIRef
    AntiRoSSA: URIRef
    AntiSAE: URIRef
    AntiSAEDermatomyositis: URIRef
    AntiSm: URIRef
    AntiSynthetaseAutoantibody: URIRef
    AntiTIF1Dermatomyositis: URIRef
    AntiTIF1gamma: URIRef
    AntiU1RNP: URIRef
    AntibodyStatus: URIRef
    AntibodyTestResult: URIRef
    AntinuclearAntibody: URIRef
    AromataseInhibitor: URIRef
    Arthritis: URIRef
    AtCancerOnset: URIRef
    AtFirstDiagnosis: URIRef
    AtProgression: URIRef
    AtRecurrence: URIRef
    Autoantibody: URIRef
    AxillaryLymphNodeDissection: URIRef
    BelowNormalRange: URIRef
    BladderMalignancy: URIRef
    BladderUrothelialCarcinoma: URIRef
    BreastDiffuseLargeBCellLymphoma: URIRef
    BreastMalignancy: URIRef
    BreastSkinRash: URIRef
    CalcinosisCutis: URIRef
    CancerAssociatedDMPatient: URIRef
    CancerAssociatedMyositis: URIRef
    CancerDiagnosis: URIRef
    CancerWithinTwoYears: URIRef
    Carcinoma: URIRef
    CaseReport: URIRef
    CaseSeriesStudy: URIRef
    CervicalMalignancy: URIRef
    CervicalSquamousCellCarcinoma: URIRef
    ClassicDMSkinRash: URIRef
    ClinicalFinding: URIRef
    ClinicallyAmyopathicDermatomyositis: URIRef
    Cohort: URIRef
    CohortFrequency: URIRef
    ColorectalMalignancy: URIRef
    ComparativeCohortStudy: URIRef
    Corticosteroid: URIRef
    Count: URIRef
    CreatineKinase: URIRef
    CutaneousFinding: URIRef
    CutaneousUlceration: URIRef
    CuticleInvolvement: URIRef
    CuticularHyperkeratosis: URIRef
    Cyclophosphamide: URIRef
    Dead: URIRef
    Dermatomyositis: URIRef
    DiffuseLargeBCellLymphoma: URIRef
    Disease: URIRef
    Doxorubicin: URIRef
    DuctalCarcinoma: URIRef
    Dysphagia: URIRef
    Dyspnea: URIRef
    ElectromyographyFinding: URIRef
    ElevatedCreatineKinase: URIRef
    Equivocal: URIRef
    EstrogenReceptor: URIRef
    ExtramuscularFinding: URIRef
    FacialErythema: URIRef
    Female: URIRef
    FiberSizeVariability: URIRef
    FibrillationPotentials: URIRef
    FindingObservation: URIRef
    FindingStatus: URIRef
    FishersExactTest: URIRef
    FlagellateErythema: URIRef
    GastricMalignancy: URIRef
    GottronPapules: URIRef
    GottronPapulesOrSign: URIRef
    GottronSign: URIRef
    GroupComparison: URIRef
    HER2: URIRef
    HeliotropeRash: URIRef
    HolsterSign: URIRef
    IdiopathicInflammatoryMyopathy: URIRef
    InterstitialLungDisease: URIRef
    Intervention: URIRef
    IntravenousImmunoglobulin: URIRef
    InvasiveDuctalBreastCarcinoma: URIRef
    Ki67: URIRef
    LabAnalyte: URIRef
    LabInterpretation: URIRef
    LabMeasurement: URIRef
    LostToFollowUp: URIRef
    LungAdenocarcinoma: URIRef
    LungFunctionFinding: URIRef
    LungMalignancy: URIRef
    Lymphoma: URIRef
    MSAPositivePatient: URIRef
    Male: URIRef
    Malignancy: URIRef
    MalignancyByHistology: URIRef
    MalignancyBySite: URIRef
    Mastectomy: URIRef
    Mean: URIRef
    MechanicsHands: URIRef
    Median: URIRef
    MuscleBiopsyFinding: URIRef
    MuscleFiberRegeneration: URIRef
    MuscleMRIFinding: URIRef
    MuscleT1FatReplacement: URIRef
    MuscleT2Hyperintensity: URIRef
    MuscleWeakness: URIRef
    MuscularFinding: URIRef
    Myalgia: URIRef
    MyofiberNecrosis: URIRef
    MyopathicEMG: URIRef
    Myositis: URIRef
    MyositisAssociatedAutoantibody: URIRef
    MyositisSpecificAutoantibody: URIRef
    NailfoldNecrosis: URIRef
    Negative: URIRef
    NegativePredictiveValue: URIRef
    NonHodgkinLymphoma: URIRef
    NotPerformed: URIRef
    NotReported: URIRef
    OddsRatio: URIRef
    OtherAutoantibody: URIRef
    Outcome: URIRef
    OvarianMalignancy: URIRef
    PValue: URIRef
    Paclitaxel: URIRef
    PancreaticMalignancy: URIRef
    Panniculitis: URIRef
    Patient: URIRef
    PatientObservation: URIRef
    PerifascicularAtrophy: URIRef
    PerimysialInflammation: URIRef
    PeriungualErythema: URIRef
    PhotodistributedViolaceousRash: URIRef
    Poikiloderma: URIRef
    Positive: URIRef
    PositiveMyositisSpecificResult: URIRef
    PositiveSharpWaves: URIRef
    Prednisone: URIRef
    Present: URIRef
    PrintedTotal: URIRef
    ProgesteroneReceptor: URIRef
    Proportion: URIRef
    ProstateMalignancy: URIRef
    ProximalMuscleWeakness: URIRef
    Pruritus: URIRef
    Publication: URIRef
    RaynaudPhenomenon: URIRef
    Record: URIRef
    ReducedDLCO: URIRef
    ReducedFEV: URIRef
    ReducedFVC: URIRef
    ReportedStatistic: URIRef
    ResultNotReported: URIRef
    RiskEstimate: URIRef
    SarcolemmalMHCIExpression: URIRef
    SarcolemmalMxAExpression: URIRef
    ScalpPoikiloderma: URIRef
    SevereMuscleWeakness: URIRef
    Sex: URIRef
    ShawlSign: URIRef
    SkinNecrosis: URIRef
    SmallCellCarcinoma: URIRef
    SmallCellLungCarcinoma: URIRef
    SourceLocation: URIRef
    SourceRow: URIRef
    Specificity: URIRef
    SquamousCellCarcinoma: URIRef
    StandardizedIncidenceRatio: URIRef
    StatisticalMeasure: URIRef
    StatisticalTest: URIRef
    Study: URIRef
    StudyDuration: URIRef
    SurgicalProcedure: URIRef
    SurvivalProportion: URIRef
    TemporalRelation: URIRef
    TherapeuticAgent: URIRef
    Trastuzumab: URIRef
    Treatment: URIRef
    TumourMarker: URIRef
    TumourMarkerResult: URIRef
    Unknown: URIRef
    UrothelialCarcinoma: URIRef
    VSign: URIRef
    VitalStatus: URIRef
    WithinNormalRange: URIRef
    about: URIRef
    absentFinding: URIRef
    ageAtDiagnosis: URIRef
    alsoDoi: URIRef
    analyte: URIRef
    antibody: URIRef
    antibodyStatus: URIRef
    authors: URIRef
    cancerCategory: URIRef
    cancerSite: URIRef
    caseLabel: URIRef
    ciHigh: URIRef
    ciLevel: URIRef
    ciLow: URIRef
    citedReference: URIRef
    cohort: URIRef
    cohortSize: URIRef
    column: URIRef
    count: URIRef
    countsStatus: URIRef
    curatedFile: URIRef
    curatedItem: URIRef
    curatedLine: URIRef
    curatorNote: URIRef
    denominator: URIRef
    describedIn: URIRef
    doi: URIRef
    dose: URIRef
    doseUnit: URIRef
    doseValue: URIRef
    endDate: URIRef
    equivocalFinding: URIRef
    feature: URIRef
    finding: URIRef
    findingStatus: URIRef
    firstGroup: URIRef
    forStatus: URIRef
    grade: URIRef
    hasMarkerResult: URIRef
    hasObservation: URIRef
    hasOutcome: URIRef
    historyMonths: URIRef
    histology: URIRef
    inPublication: URIRef
    inRow: URIRef
    interpretation: URIRef
    intervalMonths: URIRef
    intervention: URIRef
    journal: URIRef
    laterality: URIRef
    malignancy: URIRef
    mappingNote: URIRef
    marker: URIRef
    markerPercent: URIRef
    markerScore: URIRef
    markerStatus: URIRef
    measure: URIRef
    memberOf: URIRef
    method: URIRef
    monthsSinceDiagnosis: URIRef
    negativeFor: URIRef
    notReportedFinding: URIRef
    notTestedFor: URIRef
    numerator: URIRef
    ofPatient: URIRef
    outOf: URIRef
    outcomeOfInterest: URIRef
    pValue: URIRef
    pValueComparator: URIRef
    partOfStudy: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    phaseOrder: URIRef
    population: URIRef
    positiveFor: URIRef
    positiveImplies: URIRef
    presentFinding: URIRef
    printedPValue: URIRef
    printedPercent: URIRef
    rangeHigh: URIRef
    rangeLow: URIRef
    referenceHigh: URIRef
    referenceLow: URIRef
    regimen: URIRef
    regimenEndDate: URIRef
    regimenStartDate: URIRef
    responseNote: URIRef
    resultNotReportedFor: URIRef
    route: URIRef
    row: URIRef
    schedule: URIRef
    secondGroup: URIRef
    section: URIRef
    severity: URIRef
    sex: URIRef
    spreadKind: URIRef
    stainingPattern: URIRef
    startDate: URIRef
    statedIn: URIRef
    statisticLabel: URIRef
    statisticalTest: URIRef
    studyDesignNote: URIRef
    summaryLink: URIRef
    table: URIRef
    targetAntigenGene: URIRef
    targetAntigenSymbol: URIRef
    temporalRelation: URIRef
    timepoint: URIRef
    titer: URIRef
    titerDilution: URIRef
    treatmentFor: URIRef
    treatmentPhase: URIRef
    tumourGrade: URIRef
    tumourSizeMm: URIRef
    tumourStage: URIRef
    unit: URIRef
    unknownFinding: URIRef
    value: URIRef
    verbatim: URIRef
    vitalStatus: URIRef
    year: URIRef


def bind_prefixes(graph: Graph) -> None:
    """Bind the prefixes dmkg writes with, so Turtle output is readable."""
    graph.bind("dmkg", DMKG._NS)
    graph.bind("dmkgd", DATA)
    graph.bind("prov", PROV)
    graph.bind("dcterms", DCTERMS)
    graph.bind("obo", OBO)
    graph.bind("oboInOwl", OBOINOWL)
    graph.bind("skos", Namespace("http://www.w3.org/2004/02/skos/core#"))


# DefinedNamespace answers every ``DMKG.term`` through a metaclass ``__getattr__`` with its
# closed-namespace check (about 1 us a lookup; a registry load makes millions). Setting each
# declared term as a real class attribute makes the lookup a plain one; an undeclared name
# still reaches ``__getattr__`` and fails as before.
for _name in DMKG.__annotations__:
    type.__setattr__(DMKG, _name, DMKG._NS[_name])
del _name
