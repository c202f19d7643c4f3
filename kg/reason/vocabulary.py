"""The classification vocabulary (``dmkgc:``) as a closed namespace, beside :data:`kg.namespaces.DMKG`.

The classes and properties of classification criteria and records, and the finding classes
only the criteria need, live in their own namespace so the loader's vocabulary (``dmkg:``)
stays the terms the sources use.

>>> DMKGC.PatientClassification
rdflib.term.URIRef('https://w3id.org/dmkg/classification/PatientClassification')
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["CRITERIA", "DMKGC"]

#: the criteria sets' own IRIs (items, categories, subgroups) start here
CRITERIA = Namespace("https://w3id.org/dmkg/criteria/")


class DMKGC(DefinedNamespace):
    """Every term of the classification vocabulary (a test keeps this list equal to the
    ontology's)."""

    _NS = Namespace("https://w3id.org/dmkg/classification/")
    _fail = True

    ClassificationCategory: URIRef
    ClassificationCriteria: URIRef
    ClassificationFeature: URIRef
    ClassificationItem: URIRef
    ClassificationSubgroup: URIRef
    ElevatedAlanineAminotransferase: URIRef
    ElevatedAspartateAminotransferase: URIRef
    ElevatedLactateDehydrogenase: URIRef
    EndomysialInfiltrate: URIRef
    NeckFlexorWeakness: URIRef
    OesophagealDysmotility: URIRef
    PatientClassification: URIRef
    PerivascularInfiltrate: URIRef
    ProximalLowerLimbWeakness: URIRef
    ProximalOverDistalLegWeakness: URIRef
    ProximalUpperLimbWeakness: URIRef
    RimmedVacuoles: URIRef
    SubgroupRule: URIRef
    TreatmentRefractoryFingerFlexorWeakness: URIRef
    biopsyCategoryHigh: URIRef
    biopsyCategoryLow: URIRef
    biopsyFinding: URIRef
    biopsyScoreHigh: URIRef
    biopsyScoreLow: URIRef
    byCriteria: URIRef
    categoryHigh: URIRef
    categoryLow: URIRef
    checkedAgainst: URIRef
    citation: URIRef
    classifiedPatient: URIRef
    classifiesAs: URIRef
    criteriaId: URIRef
    decided: URIRef
    exclusiveGroup: URIRef
    featureFinding: URIRef
    featureItem: URIRef
    hasCategory: URIRef
    hasFeature: URIRef
    hasItem: URIRef
    hasSubgroupRule: URIRef
    itemMet: URIRef
    itemNotMet: URIRef
    itemOrder: URIRef
    maximumAge: URIRef
    minimumAge: URIRef
    pointsWithBiopsy: URIRef
    pointsWithoutBiopsy: URIRef
    possibleSubgroups: URIRef
    ruleSubgroup: URIRef
    satisfiedByAntibody: URIRef
    satisfiedByFinding: URIRef
    scoreHigh: URIRef
    scoreLow: URIRef
    thresholdWithBiopsy: URIRef
    thresholdWithoutBiopsy: URIRef
    unknownItems: URIRef
    whenNo: URIRef
    whenYes: URIRef
