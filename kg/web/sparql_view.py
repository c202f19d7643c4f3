"""The SPARQL editor page: YASGUI on this app's own ``/sparql``, with example queries, and
a plain form that works without JavaScript.

YASGUI (``static/yasgui/``, shipped in the wheel) sends its queries to ``/sparql`` on the same
origin; :func:`editor_config` gives it the default prefixes (which every query may use without
declaring them), the first query and the examples: the queries below and every canned query of
the catalogue. Without JavaScript the form sends its query through the same worker pool as
``/sparql`` (so the same time and row limits apply), asks for SPARQL JSON results (or Turtle
for CONSTRUCT and DESCRIBE), and shows them: IRIs by their label, linked to their page.

>>> [title for title, _ in EXAMPLES][:2]
['Patients per source, by sex', 'Patients with heliotrope rash, by status and grade']
>>> [e["group"] for e in editor_config("")["examples"]][-1]
'Canned queries (the catalogue)'
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import URIRef

from kg.prefixes import DEFAULT_PREFIXES
from kg.query import list_queries
from kg.web.endpoint import Answer
from kg.web.model import GraphView
from kg.web.views import Cell

__all__ = ["EXAMPLES", "PREFIXES", "editor_config", "editor_result"]

#: the declarations a new editor tab starts with (every default prefix works without them)
PREFIXES = "".join(
    f"PREFIX {name}: <{DEFAULT_PREFIXES[name]}>\n"
    for name in ("dmkg", "dmkgd", "rdf", "rdfs", "owl", "xsd", "skos", "prov")
)

#: example queries offered on the editor page: title, text
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Patients per source, by sex",
        PREFIXES
        + """SELECT ?doi ?sex (COUNT(?patient) AS ?patients)
WHERE {
  ?patient a dmkg:Patient ; dmkg:sex ?sex ; dmkg:describedIn ?publication .
  ?publication dmkg:doi ?doi .
}
GROUP BY ?doi ?sex
ORDER BY ?doi ?sex
""",
    ),
    (
        "Patients with heliotrope rash, by status and grade",
        PREFIXES
        + """\
SELECT ?patient ?status ?grade ?verbatim ?table ?row
WHERE {
  ?observation dmkg:finding dmkg:HeliotropeRash ;
               dmkg:findingStatus ?status ;
               dmkg:ofPatient ?patient ;
               dmkg:verbatim ?verbatim ;
               prov:wasDerivedFrom ?location .
  OPTIONAL { ?observation dmkg:grade ?grade }
  OPTIONAL { ?location dmkg:inRow ?sourceRow . ?sourceRow dmkg:table ?table ; dmkg:row ?row }
}
ORDER BY ?status DESC(?grade) ?patient
""",
    ),
    (
        "Positive antibody results with titer",
        PREFIXES
        + """\
SELECT ?patient ?antibody ?titer ?verbatim
WHERE {
  ?result a dmkg:AntibodyTestResult ;
          dmkg:antibody ?antibody ;
          dmkg:antibodyStatus dmkg:Positive ;
          dmkg:ofPatient ?patient ;
          dmkg:verbatim ?verbatim .
  OPTIONAL { ?result dmkg:titer ?titer }
}
ORDER BY ?antibody ?patient
""",
    ),
    (
        "Risk estimates with confidence intervals",
        PREFIXES
        + """\
SELECT ?label ?measure ?value ?ciLow ?ciHigh ?population
WHERE {
  ?estimate a dmkg:RiskEstimate ;
            dmkg:statisticLabel ?label ;
            dmkg:measure ?measure ;
            dmkg:value ?value .
  OPTIONAL { ?estimate dmkg:ciLow ?ciLow ; dmkg:ciHigh ?ciHigh }
  OPTIONAL { ?estimate dmkg:population ?population }
}
""",
    ),
    (
        "Is any patient positive for anti-TIF1-gamma? (ASK)",
        PREFIXES
        + """ASK {
  ?result dmkg:antibody dmkg:AntiTIF1gamma ; dmkg:antibodyStatus dmkg:Positive .
}
""",
    ),
    (
        "The cancers of each patient as a graph (CONSTRUCT)",
        PREFIXES
        + """CONSTRUCT {
  ?patient dmkg:hasObservation ?diagnosis .
  ?diagnosis dmkg:malignancy ?malignancy ; dmkg:intervalMonths ?months .
}
WHERE {
  ?diagnosis a dmkg:CancerDiagnosis ; dmkg:ofPatient ?patient ; dmkg:malignancy ?malignancy .
  OPTIONAL { ?diagnosis dmkg:intervalMonths ?months }
}
""",
    ),
    (
        "The canned queries published in the graph",
        PREFIXES
        + """SELECT ?query ?title
WHERE { ?query a sh:SPARQLExecutable ; rdfs:label ?title . }
ORDER BY ?title
""",
    ),
)


def _catalogue_examples() -> list[dict[str, str]]:
    """Every canned query, its parameters left unbound (so each matches every value)."""
    examples = []
    for query in list_queries(include_checks=False):
        note = f"# {query.title}: the canned query {query.name} (also at /queries/{query.name})\n"
        if query.params:
            names = ", ".join(f"?{p.name}" for p in query.params)
            note += f"# its parameters ({names}) are unbound here: bind one with VALUES\n"
        examples.append(
            {
                "title": query.title,
                "group": "Canned queries (the catalogue)",
                "query": note + query.text,
            }
        )
    return examples


def editor_config(query: str) -> dict[str, Any]:
    """What the page hands YASGUI: the endpoint (same origin), the default prefixes, the first
    query and the examples."""
    examples = [{"title": t, "group": "Examples", "query": q} for t, q in EXAMPLES]
    return {
        "endpoint": "/sparql",
        "prefixes": DEFAULT_PREFIXES,
        "query": query or EXAMPLES[0][1],
        "examples": examples + _catalogue_examples(),
    }


def _binding_cell(view: GraphView, binding: dict[str, str] | None) -> Cell | None:
    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return view.cell(URIRef(value))
    if kind == "bnode":
        return Cell(f"_:{value}")
    return Cell(value)


def editor_result(view: GraphView, answer: Answer) -> dict[str, Any]:
    """Template context for an answer: a table, a boolean, a graph text, or an error."""
    if not answer.ok:
        return {"error": answer.text.strip(), "status": answer.status}
    media = answer.content_type.split(";")[0]
    if media != "application/sparql-results+json":
        return {"kind": "graph", "graph_text": answer.text}
    data = json.loads(answer.body)
    if "boolean" in data:
        return {"kind": "boolean", "boolean": bool(data["boolean"])}
    columns = list(data.get("head", {}).get("vars", []))
    rows = [
        [_binding_cell(view, b.get(c)) for c in columns]
        for b in data.get("results", {}).get("bindings", [])
    ]
    return {"kind": "results", "columns": columns, "rows": rows}
