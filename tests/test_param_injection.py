"""Parameter injection: arbitrary text in every canned-query parameter either is refused with a
QueryError or gives exactly the answer a plain-Python computation over the graph gives."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.errors import QueryError
from kg.namespaces import DMKG
from kg.query import list_queries, run_query
from kg.terms import TermIndex

DOIS = ["10.1016/j.ad.2025.02.012", "10.1016/j.jaad.2020.03.058", "10.3390/curroncol28030182"]
HOSTILE = [
    '" } } ; DROP ALL ; #',
    "> } UNION { ?s ?p ?o } #",
    "\\u0022) || true #",
    "10.1016/j.ad.2025.02.012> } #",
    'anti-TIF1-gamma" . ?x ?y ?z',
    "<urn:x>",
    "' OR '1'='1",
    "𝔡𝔪",
    "\x00",
    "dmkg:Patient",
    "dmkg:HeliotropeRash } #",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.sampled_from(DOIS).map(lambda d: d + " "),
    st.builds(lambda d, s: d + s, st.sampled_from(DOIS), st.sampled_from(HOSTILE)),
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _patients_matching(
    graph: Graph, terms: TermIndex, antibody: URIRef, sign: URIRef, min_age: int, doi: str | None
) -> set[str]:
    """patients-matching computed with plain rdflib triple look-ups, no SPARQL."""
    found = set()
    for patient in graph.subjects(DMKG.caseLabel, None):
        pub = graph.value(patient, DMKG.describedIn)
        if doi is not None and str(graph.value(pub, DMKG.doi)) != doi:
            continue
        age = graph.value(patient, DMKG.ageAtDiagnosis)
        if min_age > 0 and (age is None or int(age) < min_age):
            continue
        records = list(graph.subjects(DMKG.ofPatient, patient))
        positive = any(
            graph.value(r, DMKG.antibodyStatus) == DMKG.Positive
            and terms.is_under(graph.value(r, DMKG.antibody), antibody)  # type: ignore[arg-type]
            for r in records
        )
        present = any(
            graph.value(r, DMKG.findingStatus) == DMKG.Present
            and terms.is_under(graph.value(r, DMKG.finding), sign)  # type: ignore[arg-type]
            for r in records
        )
        if positive and present:
            found.add(str(patient))
    return found


def _cancer_sites(graph: Graph, doi: str | None) -> Counter[str]:
    """cancer-sites (patients per site) computed with plain triple look-ups: the source's own
    category where a diagnosis has one, else its organ site."""
    per_site: dict[str, set[str]] = {}
    for diagnosis in graph.subjects(RDF.type, DMKG.CancerDiagnosis):
        site = graph.value(diagnosis, DMKG.cancerCategory) or graph.value(
            diagnosis, DMKG.cancerSite
        )
        patient = graph.value(diagnosis, DMKG.ofPatient)
        pub = graph.value(patient, DMKG.describedIn)
        if site is not None and (doi is None or str(graph.value(pub, DMKG.doi)) == doi):
            per_site.setdefault(str(site), set()).add(str(patient))
    return Counter({site: len(patients) for site, patients in per_site.items()})


@SETTINGS
@given(source=TEXT)
def test_source_parameter_of_every_query(graph: Graph, source: str) -> None:
    for query in list_queries(include_checks=False):
        if not any(p.name == "source" for p in query.params):
            continue
        params = {"source": source}
        if query.name == "patients-matching":
            params.update(antibody="anti-TIF1-gamma", sign="heliotrope rash")
        # a DOI matches in any case (DOIs are case-insensitive; README, dmkg query)
        doi = {d.casefold(): d for d in DOIS}.get(source.strip().casefold())
        try:
            result = run_query(graph, query.name, params)
        except QueryError:
            assert doi is None  # only a DOI of the graph may pass
            continue
        assert doi is not None
        if query.name == "cancer-sites":
            got = Counter({str(r["site"]): int(str(r["patients"])) for r in result.records()})
            assert got == _cancer_sites(graph, doi)


@SETTINGS
@given(
    antibody=st.one_of(
        TEXT,
        st.sampled_from(["anti-TIF1-gamma", "anti-Ro/SSA", "ANA", "myositis-specific antibody"]),
    ),
    sign=st.one_of(
        TEXT, st.sampled_from(["heliotrope rash", "Gottron papules or sign", "myositis"])
    ),
    min_age=st.one_of(TEXT, st.integers(min_value=-5, max_value=130).map(str)),
)
def test_patients_matching_parameters(
    graph: Graph, terms: TermIndex, antibody: str, sign: str, min_age: str
) -> None:
    params = {"antibody": antibody, "sign": sign, "min_age": min_age}
    try:
        result = run_query(graph, "patients-matching", params)
    except QueryError:
        return
    antibody_iri = (
        terms.resolve(antibody.strip(), root=DMKG.Autoantibody)
        if not antibody.startswith("dmkg:")
        else DMKG._NS[antibody[5:]]
    )
    sign_iri = (
        terms.resolve(sign.strip(), root=DMKG.ClinicalFinding)
        if not sign.startswith("dmkg:")
        else DMKG._NS[sign[5:]]
    )
    expected = _patients_matching(graph, terms, antibody_iri, sign_iri, int(min_age), None)
    assert {str(r["patient"]) for r in result.records()} == expected


@SETTINGS
@given(finding=st.one_of(TEXT, st.sampled_from(["myositis", "heliotrope rash", "dysphagia"])))
def test_survival_finding_parameter(graph: Graph, terms: TermIndex, finding: str) -> None:
    try:
        result = run_query(graph, "survival-by-finding", {"finding": finding})
    except QueryError:
        return
    iri = (
        terms.resolve(finding.strip(), root=DMKG.ClinicalFinding)
        if not finding.startswith("dmkg:")
        else DMKG._NS[finding[5:]]
    )
    observed = {graph.value(o, DMKG.ofPatient) for o in graph.subjects(DMKG.finding, iri)}
    assert sum(int(str(r["patients"])) for r in result.records()) == len(observed)


def test_hostile_strings_reach_no_query_text(graph: Graph) -> None:
    """The query text sent to the engine is the file's text: values travel as bindings."""
    before = {q.name: q.text for q in list_queries()}
    for text in HOSTILE:
        for name in ("cancer-sites", "patients-matching"):
            with pytest.raises(QueryError):
                run_query(
                    graph,
                    name,
                    {"source": text, "antibody": text, "sign": text}
                    if name == "patients-matching"
                    else {"source": text},
                )
    assert {q.name: q.text for q in list_queries()} == before
    assert graph.value(DMKG.HeliotropeRash, RDFS.label) == Literal("heliotrope rash", lang="en")
