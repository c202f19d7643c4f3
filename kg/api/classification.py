"""A patient's classification records, with every item and the source cells it was read from.

The records are derived when the graph is built (:mod:`kg.reason.classification`): each holds
the score ranges, categories, whether they decide it, the possible subgroups and the items met
and not met; every other item that applies to the patient is unknown. The evidence of an
item is the patient's finding and antibody records of the item's classes (and their sub- and
superclasses), or the age, each with the cell or phrase it was read from. Reads an rdflib
graph (a store's view: :attr:`kg.store.Store.rdf`), so it works on every kind of store.
Classification criteria serve research cohorts, not diagnosis.

>>> from kg.api import load
>>> from kg.api.patients import find_patient
>>> g = load()
>>> view = patient_classifications(g.rdf, find_patient(g.rdf, "curroncol2021 case 1"))[0]
>>> view["score"], view["biopsy_score"], view["decided"]
('7.2 to 20.8', '10.5 to 29.5', True)
>>> [(i["item"], i["status"]) for i in view["item_rows"]][6]
('heliotrope rash', 'met')
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rdflib import RDFS, Graph, URIRef

from kg.api.values import label_of, value_of
from kg.namespaces import DMKG, PROV
from kg.query.catalogue import CannedQuery, Param
from kg.reason.vocabulary import DMKGC
from kg.store import QueryResult, Store

__all__ = ["LISTING", "classification_table", "item_rows", "patient_classifications", "score_text"]

#: every patient's record of one criteria set, one row a patient (``dmkg classify``). Not a
#: canned query: a listing of every patient of a registry is no question to answer in 2 s at
#: 100,000 patients (the canned ``classification-summary`` is); each property is a
#: single-pattern subquery, which Oxigraph joins by hashing instead of a lookup a row.
LISTING = """PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?patient ?case ?source ?score_low ?score_high ?category_low ?category_high
       ?biopsy_score_low ?biopsy_score_high ?biopsy_category_low ?biopsy_category_high
       ?decided ?subgroups ?unknown_items
WHERE {
  ?set dmkgc:criteriaId ?criteria .
  { SELECT ?classification ?set ?patient WHERE {
      ?classification dmkgc:byCriteria ?set ; dmkgc:classifiedPatient ?patient } }
  { SELECT ?classification ?score_low WHERE { ?classification dmkgc:scoreLow ?score_low } }
  { SELECT ?classification ?score_high WHERE { ?classification dmkgc:scoreHigh ?score_high } }
  { SELECT ?classification ?category_low WHERE {
      ?classification dmkgc:categoryLow ?category_low } }
  { SELECT ?classification ?category_high WHERE {
      ?classification dmkgc:categoryHigh ?category_high } }
  { SELECT ?classification ?decided WHERE { ?classification dmkgc:decided ?decided } }
  { SELECT ?classification ?unknown_items WHERE {
      ?classification dmkgc:unknownItems ?unknown_items } }
  { SELECT ?patient ?publication WHERE { ?patient dmkg:describedIn ?publication } }
  {
    SELECT ?publication ?source (COUNT(?earlier) AS ?rank) WHERE {
      ?publication dmkg:doi ?source .
      ?other dmkg:doi ?earlier FILTER(?earlier <= ?source)
    } GROUP BY ?publication ?source
  }
  OPTIONAL { SELECT ?patient ?case WHERE { ?patient dmkg:caseLabel ?case } }
  OPTIONAL {
    SELECT ?classification ?biopsy_score_low ?biopsy_score_high ?biopsy_category_low
        ?biopsy_category_high WHERE {
      ?classification dmkgc:biopsyScoreLow ?biopsy_score_low ;
          dmkgc:biopsyScoreHigh ?biopsy_score_high ;
          dmkgc:biopsyCategoryLow ?biopsy_category_low ;
          dmkgc:biopsyCategoryHigh ?biopsy_category_high .
    }
  }
  OPTIONAL { SELECT ?classification ?subgroups WHERE {
      ?classification dmkgc:possibleSubgroups ?subgroups } }
}
ORDER BY ?rank (xsd:integer(?case)) ?case ?patient"""

_PARAMS = (
    Param("criteria", "string", "eular-acr-2017", False, "the criteria set's id"),
    Param("source", "doi", None, False, "DOI of one publication; every source when omitted"),
)


def classification_table(store: Store, params: dict[str, str]) -> QueryResult:
    """:data:`LISTING` on any store, with ``criteria`` and ``source`` checked and bound as a
    canned query's parameters are."""
    from kg.query.params import bind_params

    query = CannedQuery(
        "classification", "Classification by criteria", "", _PARAMS, (), (), LISTING
    )
    lookup = store.lookup_graph() if params.get("source") else None
    return store.select(LISTING, bind_params(query, params, lookup))


_RELATED = (
    (DMKGC.satisfiedByFinding, DMKG.finding, DMKG.findingStatus),
    (DMKGC.satisfiedByAntibody, DMKG.antibody, DMKG.antibodyStatus),
)


def score_text(value: Any) -> str | None:
    """A score with one decimal place ("8.0", "7.2"), whichever way the store wrote it."""
    return None if value is None else f"{Decimal(str(value)):.1f}"


def _range(graph: Graph, record: Any, low: URIRef, high: URIRef, score: bool) -> str | None:
    lo, hi = graph.value(record, low), graph.value(record, high)
    if lo is None or hi is None:
        return None
    if score:
        lo_text, hi_text = score_text(lo), score_text(hi)
    else:
        lo_text, hi_text = label_of(graph, lo) or str(lo), label_of(graph, hi) or str(hi)
    return lo_text if lo_text == hi_text else f"{lo_text} to {hi_text}"


def _location(graph: Graph, location: Any) -> str:
    row = graph.value(location, DMKG.inRow)
    column = graph.value(location, DMKG.column)
    if row is not None and column is not None:
        return f"{graph.value(row, DMKG.table)} row {graph.value(row, DMKG.row)}, {column}"
    section = graph.value(location, DMKG.section)
    return str(section) if section is not None else "text"


def _evidence(graph: Graph, patient: URIRef, item: URIRef) -> list[str]:
    """The patient's records the item is read from, each with its source cell."""
    cells = set()
    for satisfied_by, kind, status in _RELATED:
        related: set[Any] = set()
        for cls in graph.objects(item, satisfied_by):
            related |= set(graph.transitive_subjects(RDFS.subClassOf, cls))
            related |= set(graph.transitive_objects(cls, RDFS.subClassOf))
        for record in graph.subjects(DMKG.ofPatient, patient):
            what = graph.value(record, kind)
            if what is None or what not in related:
                continue
            for location in graph.objects(record, PROV.wasDerivedFrom):
                verbatim = graph.value(location, DMKG.verbatim)
                cells.add(
                    f"{label_of(graph, what)} {label_of(graph, graph.value(record, status))}: "
                    f"'{verbatim}' ({_location(graph, location)})"
                )
    if graph.value(item, DMKGC.minimumAge) is not None:
        age = graph.value(patient, DMKG.ageAtDiagnosis)
        if age is not None:
            cells.add(f"age at DM diagnosis {age} (read for the age at the first symptom)")
    return sorted(cells)


def item_rows(graph: Graph, record: URIRef) -> list[dict[str, Any]]:
    """Every item that applies to the record's patient, in the paper's order: its status
    (met, not met, unknown), points and evidence (the source cells, "; "-joined)."""
    criteria = graph.value(record, DMKGC.byCriteria)
    patient = graph.value(record, DMKGC.classifiedPatient)
    if criteria is None or patient is None:
        return []
    met = set(graph.objects(record, DMKGC.itemMet))
    not_met = set(graph.objects(record, DMKGC.itemNotMet))
    biopsy = graph.value(record, DMKGC.biopsyScoreLow) is not None
    rows = []
    for item in graph.objects(criteria, DMKGC.hasItem):
        without = value_of(graph, item, DMKGC.pointsWithoutBiopsy)
        if without is None and not biopsy:
            continue  # a biopsy-only item, for a patient with no biopsy findings
        rows.append(
            {
                "number": int(value_of(graph, item, DMKGC.itemOrder) or 0),
                "item": label_of(graph, item) or str(item),
                "item_id": str(item),
                "status": "met" if item in met else "not met" if item in not_met else "unknown",
                "points_without_biopsy": score_text(without),
                "points_with_biopsy": score_text(value_of(graph, item, DMKGC.pointsWithBiopsy)),
                "evidence": "; ".join(_evidence(graph, patient, item)),  # type: ignore[arg-type]
            }
        )
    return sorted(rows, key=lambda r: r["number"])


def patient_classifications(graph: Graph, patient: URIRef) -> list[dict[str, Any]]:
    """One dictionary per criteria set the patient was classified by."""
    views = []
    for record in sorted(graph.subjects(DMKGC.classifiedPatient, patient), key=str):
        criteria = graph.value(record, DMKGC.byCriteria)
        if criteria is None:
            continue
        subgroups = graph.value(record, DMKGC.possibleSubgroups)
        views.append(
            {
                "criteria": label_of(graph, criteria) or str(criteria),
                "criteria_id": str(graph.value(criteria, DMKGC.criteriaId)),
                "citation": value_of(graph, criteria, DMKGC.citation),
                "score": _range(graph, record, DMKGC.scoreLow, DMKGC.scoreHigh, True),
                "category": _range(graph, record, DMKGC.categoryLow, DMKGC.categoryHigh, False),
                "biopsy_score": _range(
                    graph, record, DMKGC.biopsyScoreLow, DMKGC.biopsyScoreHigh, True
                ),
                "biopsy_category": _range(
                    graph, record, DMKGC.biopsyCategoryLow, DMKGC.biopsyCategoryHigh, False
                ),
                "decided": bool(value_of(graph, record, DMKGC.decided)),
                "subgroups": str(subgroups).split("; ") if subgroups else [],
                "item_rows": item_rows(graph, record),  # type: ignore[arg-type]
            }
        )
    return views
