"""Classification records: every patient scored by every criteria set in ``ontology/criteria/``.

The criteria are data (items with their points, the classes, antibodies or ages that satisfy
them, categories with thresholds, the subclassification tree). :func:`classification_ntriples`
reads them once from the ontology, asks the graph or store one SELECT for the patients'
summary links and ages that the items can use, and applies the criteria in Python: the same
code in both builds (``dmkg build`` on the rdflib graph, ``dmkg build --store`` in each batch's
worker), so both derive the same records, at a cost a registry can pay.

A record (one per patient and criteria set) holds the score range without (and, after a
muscle biopsy, with) biopsy over the items the sources leave open, the category at each end,
whether that decides the category, how many items are unknown, the possible subgroups and the
items met and not met (every other item that applies is unknown; the records an item was read
from are the patient's finding and antibody records, each with its source cell:
:func:`item_rows`). Scores are ``xsd:decimal`` sums of tenths, written as Oxigraph writes them
("8", "7.2"), so every store gives back the same literal.

Classification criteria serve research cohorts; they do not diagnose a patient.

>>> from kg.ontology import load_ontology
>>> from kg.namespaces import DATA, DMKG
>>> from rdflib import RDF, Literal
>>> g = load_ontology()
>>> p = DATA["p1"]
>>> for triple in [(p, RDF.type, DMKG.Patient), (p, DMKG.ageAtDiagnosis, Literal(61)),
...                (p, DMKG.presentFinding, DMKG.HeliotropeRash)]:
...     _ = g.add(triple)
>>> add_classifications(g)
13
>>> c = next(g.subjects(DMKGC.classifiedPatient, p))
>>> str(g.value(c, DMKGC.scoreLow)), str(g.value(c, DMKGC.scoreHigh)), str(g.value(c, DMKGC.decided))
('5.2', '20.8', 'false')
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from rdflib import RDF, XSD, Graph

from kg.namespaces import DATA, DMKG
from kg.reason.criteria import LINKS, Criteria, Item, load_criteria
from kg.reason.vocabulary import DMKGC

__all__ = [
    "CLASSIFICATION_CONSTRUCT",
    "add_classifications",
    "append_classifications",
    "classification_ntriples",
]

#: every triple of the classification records, for comparing graphs and stores
CLASSIFICATION_CONSTRUCT = """PREFIX dmkgc: <https://w3id.org/dmkg/classification/>
CONSTRUCT { ?classification ?property ?value }
WHERE { ?classification a dmkgc:PatientClassification ; ?property ?value }"""


# -- the patients' facts: one SELECT ----------------------------------------------------------


def _facts_query(criteria: tuple[Criteria, ...]) -> str:
    pairs: set[tuple[str, str]] = set()
    kinds = {kind: link for link, kind in LINKS.items()}
    for c in criteria:
        for kind, classes in c.wanted.items():
            pairs |= {(kinds[kind], cls) for cls in classes}
    values = "\n    ".join(f"(<{link}> <{cls}>)" for link, cls in sorted(pairs))
    return f"""SELECT ?patient ?link ?value WHERE {{
  {{ ?patient a <{DMKG.Patient}> }}
  UNION {{ ?patient <{DMKG.ageAtDiagnosis}> ?value BIND(<{DMKG.ageAtDiagnosis}> AS ?link) }}
  UNION {{ VALUES (?link ?value) {{
    {values}
  }} ?patient ?link ?value }}
}}"""


def _patient_facts(target: Graph | Any, criteria: tuple[Criteria, ...]) -> dict[str, Any]:
    """patient IRI -> {"age": Decimal | None, "present": set, "absent": set, ...}."""
    facts: dict[str, Any] = {}
    query = _facts_query(criteria)
    text: Any = str
    if isinstance(target, Graph):
        rows: Any = ((str(p), l, v) for p, l, v in target.query(query))  # type: ignore[misc]
    else:  # a pyoxigraph store
        rows = ((s[0].value, s[1], s[2]) for s in target.query(query))
        text = _ox_text
    age_link = str(DMKG.ageAtDiagnosis)
    for patient, link, value in rows:
        record = facts.get(patient)
        if record is None:
            record = facts[patient] = {"age": None, **{k: set() for k in LINKS.values()}}
        if link is None:
            continue
        link_text = text(link)
        if link_text == age_link:
            record["age"] = Decimal(text(value))
        else:
            record[LINKS[link_text]].add(text(value))
    return facts


def _ox_text(term: Any) -> str:
    return str(term.value)


# -- applying the criteria to one patient ------------------------------------------------------


def _status(item: Item, facts: dict[str, Any]) -> bool | None:
    """True met, False not met, None unknown."""
    if item.ages is not None:
        age = facts["age"]
        if age is None:
            return None
        low, high = item.ages
        return bool(age >= low and (high is None or age < high))
    if any(facts[kind] & classes for kind, classes in item.met_by.items()):
        return True
    if item.ruled_out_by and all(facts[kind] & classes for kind, classes in item.ruled_out_by):
        return False
    return None


def _scores(
    items: tuple[Item, ...], status: dict[str, bool | None], biopsy: bool
) -> tuple[Decimal, Decimal]:
    """[lowest, highest] over the unknown items; an exclusive group adds one item's points."""
    low: dict[str, Decimal] = {}
    high: dict[str, Decimal] = {}
    for item in items:
        points = item.with_biopsy if biopsy else item.without
        if points is None or item.iri not in status:
            continue
        met = status[item.iri]
        if met is not False:
            high[item.group] = max(high.get(item.group, Decimal(0)), points)
        if met:
            low[item.group] = max(low.get(item.group, Decimal(0)), points)
    return sum(low.values(), Decimal(0)), sum(high.values(), Decimal(0))


def _category(c: Criteria, score: Decimal, biopsy: bool) -> tuple[str, bool]:
    best = max(
        (cat for cat in c.categories if (cat[2] if biopsy else cat[1]) <= score),
        key=lambda cat: cat[2] if biopsy else cat[1],
    )
    return best[0], best[3]


def _feature(
    c: Criteria, feature: str, status: dict[str, bool | None], facts: dict[str, Any]
) -> bool | None:
    items, present, absent = c.features[feature]
    if any(status.get(i) for i in items) or facts["present"] & present:
        return True
    if all(status.get(i, True) is False for i in items) and all(
        facts["absent"] & a for a in absent
    ):
        return False
    return None


def _subgroups(c: Criteria, status: dict[str, bool | None], facts: dict[str, Any]) -> list[str]:
    values = {f: _feature(c, f, status, facts) for f in c.features}
    return sorted(
        {
            label
            for label, yes, no in c.rules
            if all(values[f] is not False for f in yes) and all(values[f] is not True for f in no)
        },
        key=str.casefold,
    )


def _decimal(value: Decimal) -> str:
    """A score as Oxigraph writes an ``xsd:decimal``: "8" for a whole number, else "7.2"."""
    tenths = value.quantize(Decimal("0.1"))
    text = str(int(tenths)) if tenths == tenths.to_integral_value() else str(tenths)
    return f'"{text}"^^<{XSD.decimal}>'


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _body(c: Criteria, status: dict[str, bool | None], biopsy: bool, facts: dict[str, Any]) -> str:
    """The record's triples after its subject, as N-Triples ("{s}" stands for the subject)."""
    lines = []
    ends: list[Any] = []
    for with_biopsy, names in (
        (False, ("scoreLow", "scoreHigh", "categoryLow", "categoryHigh")),
        (True, ("biopsyScoreLow", "biopsyScoreHigh", "biopsyCategoryLow", "biopsyCategoryHigh")),
    ):
        if with_biopsy and not biopsy:
            continue
        low, high = _scores(c.items, status, with_biopsy)
        (cat_low, _), (cat_high, classifies) = (_category(c, s, with_biopsy) for s in (low, high))
        values = (_decimal(low), _decimal(high), f"<{cat_low}>", f"<{cat_high}>")
        lines += [f"<{DMKGC[n]}> {v}" for n, v in zip(names, values)]
        ends = [cat_low, cat_high, classifies]
    lines.append(f'<{DMKGC.decided}> "{str(ends[0] == ends[1]).lower()}"^^<{XSD.boolean}>')
    unknown = sum(1 for s in status.values() if s is None)
    lines.append(f'<{DMKGC.unknownItems}> "{unknown}"^^<{XSD.integer}>')
    for iri, met in status.items():
        if met is not None:
            lines.append(f"<{DMKGC.itemMet if met else DMKGC.itemNotMet}> <{iri}>")
    if ends[2]:
        subgroups = "; ".join(_subgroups(c, status, facts))
        lines.append(f"<{DMKGC.possibleSubgroups}> {_string(subgroups)}")
    return "".join(f"{{s}} {line} .\n" for line in lines)


def _records(c: Criteria, facts: dict[str, dict[str, Any]]) -> Iterator[str]:
    """The N-Triples of every patient's record; patients with the same item statuses and
    feature facts share one computed body."""
    bodies: dict[Any, str] = {}
    present, absent = c.feature_facts
    head = f"<{RDF.type}> <{DMKGC.PatientClassification}> .\n"
    for patient in sorted(facts):
        known = facts[patient]
        biopsy = bool((known["present"] | known["absent"]) & c.biopsy)
        status = {i.iri: _status(i, known) for i in c.items if i.without is not None or biopsy}
        key = (
            biopsy,
            tuple(status.values()),
            frozenset(known["present"] & present),
            frozenset(known["absent"] & absent),
        )
        body = bodies.get(key)
        if body is None:
            body = bodies[key] = _body(c, status, biopsy, known)
        digest = hashlib.sha1(f"{patient} {c.iri}".encode()).hexdigest()[:16]
        node = f"<{DATA}classification/{digest}>"
        yield (
            f"{node} {head}{node} <{DMKGC.classifiedPatient}> <{patient}> .\n"
            f"{node} <{DMKGC.byCriteria}> <{c.iri}> .\n" + body.replace("{s}", node)
        )


def classification_ntriples(target: Graph | Any) -> tuple[str, int]:
    """Every patient's record for every criteria set as N-Triples, and how many triples, from
    one SELECT on an rdflib graph or a pyoxigraph store holding the data and summary links."""
    criteria = load_criteria()
    if not criteria:
        return "", 0
    facts = _patient_facts(target, criteria)
    text = "".join(part for c in criteria for part in _records(c, facts))
    return text, text.count("\n")


def add_classifications(graph: Graph) -> int:
    """Add the records to an rdflib graph; return how many triples were added."""
    before = len(graph)
    text, _ = classification_ntriples(graph)
    if text:
        graph.parse(data=text, format="nt")
    return len(graph) - before


def append_classifications(store: Any, out: str) -> int:
    """Append the records of a batch's pyoxigraph store to the batch's N-Triples file (which
    the main process loads with the data); return how many triples they are."""
    text, count = classification_ntriples(store)
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(text)
    return count
