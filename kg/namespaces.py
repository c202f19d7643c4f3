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

__all__ = ["DMKG", "DATA", "SHAPES", "PROV", "DCTERMS", "IAO", "OBOINOWL", "OBO", "ONTOLOGY_IRI", "bind_prefixes"]

ONTOLOGY_IRI = URIRef("https://w3id.org/dmkg/ontology")
DATA = Namespace("https://w3id.org/dmkg/data/")
SHAPES = Namespace("https://w3id.org/dmkg/shapes/")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
IAO = Namespace("http://purl.obolibrary.org/obo/IAO_")
OBO = Namespace("http://purl.obolibrary.org/obo/")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")


class DMKG(DefinedNamespace):
    """Terms of the dmkg ontology that code refers to by name (core schema and key classes)."""

    _NS = Namespace("https://w3id.org/dmkg/ontology/")
    _fail = True

    AboveNormalRange: URIRef
    Absent: URIRef
    Alive: URIRef
    AntiCentromere: URIRef
    AntiDsDNA: URIRef
    AntiEJ: URIRef
    AntiJo1: URIRef
    AntiKu: URIRef
    AntiLaSSB: URIRef
    AntiMDA5: URIRef
    AntiMi1: URIRef
    AntiMi2: URIRef
    AntiNXP2: URIRef
    AntiOJ: URIRef
    AntiPL12: URIRef
    AntiPL7: URIRef
    AntiPMScl: URIRef
    AntiRo52: URIRef
    AntiRo60: URIRef
    AntiRoSSA: URIRef
    AntiSAE: URIRef
    AntiSm: URIRef
    AntiSynthetaseAutoantibody: URIRef
    AntiTIF1gamma: URIRef
    AntiU1RNP: URIRef
    AntibodyStatus: URIRef
    AntibodyTestResult: URIRef
    AntinuclearAntibody: URIRef
    AtCancerOnset: URIRef
    AtProgression: URIRef
    AtRecurrence: URIRef
    Autoantibody: URIRef
    BelowNormalRange: URIRef
    CancerAssociatedDMPatient: URIRef
    CancerAssociatedMyositis: URIRef
    CancerDiagnosis: URIRef
    CancerWithinTwoYears: URIRef
    Carcinoma: URIRef
    CaseReport: URIRef
    CaseSeriesStudy: URIRef
    ClinicalFinding: URIRef
    Cohort: URIRef
    CohortFrequency: URIRef
    ComparativeCohortStudy: URIRef
    Count: URIRef
    CreatineKinase: URIRef
    CutaneousFinding: URIRef
    Dead: URIRef
    Dermatomyositis: URIRef
    Disease: URIRef
    Dysphagia: URIRef
    ElevatedCreatineKinase: URIRef
    Equivocal: URIRef
    ExtramuscularFinding: URIRef
    Female: URIRef
    FindingObservation: URIRef
    FindingStatus: URIRef
    FishersExactTest: URIRef
    GroupComparison: URIRef
    InterstitialLungDisease: URIRef
    Intervention: URIRef
    LabAnalyte: URIRef
    LabInterpretation: URIRef
    LabMeasurement: URIRef
    LostToFollowUp: URIRef
    Lymphoma: URIRef
    MSAPositivePatient: URIRef
    Male: URIRef
    Malignancy: URIRef
    MalignancyByHistology: URIRef
    MalignancyBySite: URIRef
    Mean: URIRef
    Median: URIRef
    MuscularFinding: URIRef
    Myositis: URIRef
    MyositisAssociatedAutoantibody: URIRef
    MyositisSpecificAutoantibody: URIRef
    Negative: URIRef
    NegativePredictiveValue: URIRef
    NotPerformed: URIRef
    NotReported: URIRef
    OddsRatio: URIRef
    OtherAutoantibody: URIRef
    Outcome: URIRef
    Patient: URIRef
    PatientObservation: URIRef
    Positive: URIRef
    PositiveMyositisSpecificResult: URIRef
    Present: URIRef
    PrintedTotal: URIRef
    Proportion: URIRef
    Publication: URIRef
    Record: URIRef
    ReportedStatistic: URIRef
    ResultNotReported: URIRef
    RiskEstimate: URIRef
    Sex: URIRef
    SourceLocation: URIRef
    Specificity: URIRef
    StandardizedIncidenceRatio: URIRef
    StatisticalMeasure: URIRef
    StatisticalTest: URIRef
    Study: URIRef
    SurgicalProcedure: URIRef
    SurvivalProportion: URIRef
    TemporalRelation: URIRef
    TherapeuticAgent: URIRef
    Treatment: URIRef
    TumourMarker: URIRef
    TumourMarkerResult: URIRef
    Unknown: URIRef
    VitalStatus: URIRef
    WithinNormalRange: URIRef
    about: URIRef
    ageAtDiagnosis: URIRef
    alsoDoi: URIRef
    analyte: URIRef
    antibody: URIRef
    antibodyStatus: URIRef
    authors: URIRef
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
    curatedLine: URIRef
    curatorNote: URIRef
    denominator: URIRef
    describedIn: URIRef
    doi: URIRef
    dose: URIRef
    doseUnit: URIRef
    doseValue: URIRef
    endDate: URIRef
    feature: URIRef
    finding: URIRef
    findingStatus: URIRef
    firstGroup: URIRef
    grade: URIRef
    hasMarkerResult: URIRef
    hasObservation: URIRef
    histology: URIRef
    inPublication: URIRef
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
    numerator: URIRef
    ofPatient: URIRef
    outOf: URIRef
    outcomeOfInterest: URIRef
    pValue: URIRef
    pValueComparator: URIRef
    partOfStudy: URIRef
    population: URIRef
    printedPValue: URIRef
    printedPercent: URIRef
    rangeHigh: URIRef
    rangeLow: URIRef
    referenceHigh: URIRef
    referenceLow: URIRef
    responseNote: URIRef
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


