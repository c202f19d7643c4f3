"""The curated data against the papers: counts derived from the graph's rows must equal the
counts we made by hand from the seed text (Requena Tables 1 and 2, Monseau Table I, the case
report). Printed totals are kept as printed, also where they disagree with the rows.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef

from kg.namespaces import DATA, DMKG

REQUENA = DATA["publication/requena2024"]
MONSEAU = DATA["publication/monseau2020"]
CASE_REPORT = DATA["publication/curroncol2021"]

STATUS = {
    DMKG.Present: "present",
    DMKG.Absent: "absent",
    DMKG.Unknown: "unknown",
    DMKG.NotReported: "not reported",
    DMKG.Equivocal: "equivocal",
}
AB_STATUS = {
    DMKG.Positive: "positive",
    DMKG.Negative: "negative",
    DMKG.NotPerformed: "not performed",
    DMKG.ResultNotReported: "not reported",
}

# --- hand counts, Requena et al. Table 2 (25 rows; + ++ +++ present, U unknown, No/— absent,
# ± equivocal). The printed "Total" row disagrees for four columns; see PRINTED_TABLE2.
TABLE2_BY_HAND = {
    DMKG.PhotodistributedViolaceousRash: {"present": 22, "unknown": 2, "absent": 1},
    DMKG.CuticleInvolvement: {"present": 21, "unknown": 1, "absent": 3},
    DMKG.HeliotropeRash: {"present": 20, "unknown": 1, "absent": 4},
    DMKG.GottronPapules: {"present": 19, "unknown": 1, "absent": 5},
    DMKG.Pruritus: {"present": 11, "unknown": 8, "absent": 6},
    DMKG.SkinNecrosis: {"present": 10, "absent": 15},
    DMKG.FlagellateErythema: {"present": 4, "equivocal": 1, "unknown": 7, "absent": 13},
    DMKG.ScalpPoikiloderma: {"present": 8, "unknown": 3, "absent": 14},
    DMKG.CalcinosisCutis: {"absent": 25},
}
PRINTED_TABLE2 = {
    DMKG.PhotodistributedViolaceousRash: 22,
    DMKG.CuticleInvolvement: 21,
    DMKG.HeliotropeRash: 20,
    DMKG.GottronPapules: 19,
    DMKG.Pruritus: 13,
    DMKG.SkinNecrosis: 8,
    DMKG.FlagellateErythema: 5,
    DMKG.ScalpPoikiloderma: 9,
    DMKG.CalcinosisCutis: 0,
}
# --- hand counts, Requena Table 1 (Y/N/U columns; the empty dysphagia cell of case 21 is
# "not reported"; CPK: numbers above 175 U/L are elevated, N/Normal/No are not, U unknown)
TABLE1_BY_HAND = {
    DMKG.Myositis: {"present": 15, "absent": 9, "unknown": 1},
    DMKG.Dysphagia: {"present": 7, "absent": 15, "unknown": 2, "not reported": 1},
    DMKG.InterstitialLungDisease: {"present": 1, "absent": 24},
    DMKG.ElevatedCreatineKinase: {"present": 11, "absent": 10, "unknown": 4},
}
# --- hand counts, Requena Table 1 free-text antibody column, read test by test; "NP" (cases
# 6, 11 and 12: the work-up was not performed) is not performed for each of the 15 antibodies
# the column names in any row, so every antibody below has 3 more "not performed"
NP_CASES = 3
_ANTIBODIES_READ = {
    DMKG.AntinuclearAntibody: {"positive": 9, "negative": 8, "not reported": 1},
    DMKG.AntiTIF1gamma: {"positive": 7, "negative": 4},
    DMKG.AntiMi2: {"positive": 1, "negative": 11, "not reported": 1},
    DMKG.AntiMi1: {"positive": 1, "negative": 4, "not reported": 1},
    DMKG.AntiJo1: {"negative": 11, "not reported": 1},
    DMKG.AntiNXP2: {"negative": 6},
    DMKG.AntiMDA5: {"negative": 5},
    DMKG.AntiCentromere: {"positive": 1},
    DMKG.AntiRoSSA: {"negative": 5},
    DMKG.AntiLaSSB: {"negative": 5},
    DMKG.AntiU1RNP: {"negative": 5},
    DMKG.AntiSm: {"negative": 2},
    DMKG.AntiDsDNA: {"negative": 3},
    DMKG.AntiKu: {"negative": 1},
    DMKG.AntiSAE: {"negative": 1},
}
ANTIBODIES_BY_HAND = {
    antibody: {**counts, "not performed": NP_CASES} for antibody, counts in _ANTIBODIES_READ.items()
}
AGES_BY_HAND = [
    48,
    74,
    68,
    58,
    43,
    84,
    64,
    61,
    53,
    69,
    55,
    56,
    46,
    81,
    46,
    56,
    77,
    77,
    79,
    48,
    59,
    60,
    43,
    77,
    60,
]


def _per_status(
    graph: Graph,
    publication: URIRef,
    kind: URIRef,
    term_p: URIRef,
    status_p: URIRef,
    names: dict[URIRef, str],
) -> dict[URIRef, Counter[str]]:
    query = f"""
        SELECT ?term ?status WHERE {{
          ?obs a <{kind}> ; <{term_p}> ?term ; <{status_p}> ?status ;
               <{DMKG.ofPatient}> / <{DMKG.describedIn}> <{publication}> .
        }}"""
    counts: dict[URIRef, Counter[str]] = {}
    for row in graph.query(query):
        counts.setdefault(row.term, Counter())[names[row.status]] += 1  # type: ignore[union-attr]
    return counts


def _findings(graph: Graph, publication: URIRef) -> dict[URIRef, Counter[str]]:
    return _per_status(
        graph, publication, DMKG.FindingObservation, DMKG.finding, DMKG.findingStatus, STATUS
    )


@pytest.mark.parametrize("finding", list(TABLE2_BY_HAND), ids=lambda f: f.split("/")[-1])
def test_requena_table2_counts_from_rows(graph: Graph, finding: URIRef) -> None:
    assert dict(_findings(graph, REQUENA)[finding]) == TABLE2_BY_HAND[finding]


@pytest.mark.parametrize("finding", list(TABLE1_BY_HAND), ids=lambda f: f.split("/")[-1])
def test_requena_table1_counts_from_rows(graph: Graph, finding: URIRef) -> None:
    assert dict(_findings(graph, REQUENA)[finding]) == TABLE1_BY_HAND[finding]


@pytest.mark.parametrize("antibody", list(ANTIBODIES_BY_HAND), ids=lambda a: a.split("/")[-1])
def test_requena_antibody_column_read_test_by_test(graph: Graph, antibody: URIRef) -> None:
    counts = _per_status(
        graph, REQUENA, DMKG.AntibodyTestResult, DMKG.antibody, DMKG.antibodyStatus, AB_STATUS
    )
    assert dict(counts[antibody]) == ANTIBODIES_BY_HAND[antibody]
    assert DMKG.Autoantibody not in counts  # no record for the panel as a whole


def test_requena_printed_totals_kept_as_printed(graph: Graph) -> None:
    query = f"""
        SELECT ?feature ?count WHERE {{
          ?t a <{DMKG.PrintedTotal}> ; <{DMKG.feature}> ?feature ; <{DMKG.count}> ?count ;
             <{DMKG.cohort}> <{DATA["cohort/requena2024/series"]}> ;
             <http://www.w3.org/ns/prov#wasDerivedFrom>/<{DMKG.inRow}>/<{DMKG.table}> "Table 2" .
        }}"""
    printed = {row.feature: int(row["count"]) for row in graph.query(query)}  # type: ignore[union-attr]
    assert printed == PRINTED_TABLE2
    # the rows and the printed totals disagree in exactly these columns, and both are kept
    disagree = {f for f, n in PRINTED_TABLE2.items() if TABLE2_BY_HAND[f].get("present", 0) != n}
    assert disagree == {
        DMKG.Pruritus,
        DMKG.SkinNecrosis,
        DMKG.FlagellateErythema,
        DMKG.ScalpPoikiloderma,
    }


def test_requena_patients_demographics_and_outcomes(graph: Graph) -> None:
    rows = list(
        graph.query(f"""
        SELECT ?case ?age ?sex WHERE {{
          ?p a <{DMKG.Patient}> ; <{DMKG.describedIn}> <{REQUENA}> ; <{DMKG.caseLabel}> ?case ;
             <{DMKG.ageAtDiagnosis}> ?age ; <{DMKG.sex}> ?sex . }}""")
    )
    assert len(rows) == 25
    ages = {int(r.case): int(r.age) for r in rows}  # type: ignore[union-attr]
    assert [ages[i] for i in range(1, 26)] == AGES_BY_HAND
    assert Counter(r.sex for r in rows) == {DMKG.Male: 9, DMKG.Female: 16}  # type: ignore[union-attr]
    outcomes = Counter(
        r.s
        for r in graph.query(f"""
        SELECT ?s WHERE {{ ?o a <{DMKG.Outcome}> ; <{DMKG.vitalStatus}> ?s ;
                            <{DMKG.ofPatient}>/<{DMKG.describedIn}> <{REQUENA}> . }}""")
    )
    assert outcomes == {DMKG.Dead: 17, DMKG.Alive: 4, DMKG.LostToFollowUp: 4}


def test_requena_cancers_sites_and_timing(graph: Graph) -> None:
    rows = list(
        graph.query(f"""
        SELECT ?site ?months ?relation WHERE {{
          ?c a <{DMKG.CancerDiagnosis}> ; <{DMKG.ofPatient}>/<{DMKG.describedIn}> <{REQUENA}> ;
             <{DMKG.cancerSite}> ?site ; <{DMKG.intervalMonths}> ?months ;
             <{DMKG.temporalRelation}> ?relation . }}""")
    )
    assert len(rows) == 25
    sites = Counter(r.site for r in rows)  # type: ignore[union-attr]
    assert sites == {
        DMKG.BreastMalignancy: 8,
        DMKG.LungMalignancy: 6,
        DMKG.BladderMalignancy: 4,
        DMKG.OvarianMalignancy: 4,
        DMKG.GastricMalignancy: 1,
        DMKG.ProstateMalignancy: 1,
        DMKG.CervicalMalignancy: 1,
    }  # 8 breast: 7 carcinomas and the lymphoma
    months = sorted(Decimal(str(r.months)) for r in rows)  # type: ignore[union-attr]
    assert months[12] == 3  # median as printed
    assert sum(months) / 25 == Decimal("5.36")  # printed "mean 5.4 months"
    # "(onset)" printed in cases 4 and 17; no qualifier in 16 rows (to the first diagnosis)
    assert Counter(r.relation for r in rows) == {  # type: ignore[union-attr]
        DMKG.AtFirstDiagnosis: 16,
        DMKG.AtCancerOnset: 2,
        DMKG.AtRecurrence: 5,
        DMKG.AtProgression: 2,
    }


def test_lymphoma_of_the_breast_is_both_breast_and_lymphoma(graph: Graph) -> None:
    rows = list(
        graph.query(f"""
        SELECT ?case WHERE {{
          ?c a <{DMKG.CancerDiagnosis}> ; <{DMKG.cancerSite}> <{DMKG.BreastMalignancy}> ;
             <{DMKG.histology}> ?h ; <{DMKG.ofPatient}>/<{DMKG.caseLabel}> ?case .
          ?h <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{DMKG.Lymphoma}> . }}""")
    )
    assert [str(r.case) for r in rows] == ["6"]  # type: ignore[union-attr]


# --- Monseau et al. Table I: 31 feature rows; 26 rows compare both cohorts by Fisher's test,
# the CK row compares means, 4 antibody rows give the control cohort only.
def test_monseau_table_rows(graph: Graph) -> None:
    freq = list(
        graph.query(f"""
        SELECT ?feature ?cohort ?n ?N ?pct WHERE {{
          ?f a <{DMKG.CohortFrequency}> ; <{DMKG.feature}> ?feature ; <{DMKG.cohort}> ?cohort ;
             <{DMKG.numerator}> ?n ; <{DMKG.denominator}> ?N ;
             <http://www.w3.org/ns/prov#wasDerivedFrom>/<{DMKG.inRow}>/<{DMKG.table}> "Table I" .
          OPTIONAL {{ ?f <{DMKG.printedPercent}> ?pct }} }}""")
    )
    assert len(freq) == 26 * 2 + 4
    by = {(r.feature, r.cohort.split("/")[-1]): (int(r.n), int(r.N), r.pct) for r in freq}  # type: ignore[union-attr]
    assert by[(DMKG.Alopecia, "mi2pos")] == (1, 42, Literal(Decimal("2.4")))
    assert by[(DMKG.HolsterSign, "mi2neg")][:2] == (2, 55)
    assert by[(DMKG.AntiTIF1gamma, "mi2neg")][:2] == (5, 32)
    assert by[(DMKG.ReducedDLCO, "mi2neg")][:2] == (14, 23)
    comparisons = list(
        graph.query(f"""
        SELECT ?printed WHERE {{ ?c a <{DMKG.GroupComparison}> ; <{DMKG.printedPValue}> ?printed ;
          <http://www.w3.org/ns/prov#wasDerivedFrom>/<{DMKG.inRow}>?/<{DMKG.inPublication}>
          <{MONSEAU}> . }}""")
    )
    assert len(comparisons) == 27
    assert Counter(str(r.printed) for r in comparisons)["<.0001"] == 2  # type: ignore[union-attr]


def test_monseau_sir_and_text_figures(graph: Graph) -> None:
    rows = list(
        graph.query(f"""
        SELECT ?value ?low ?high ?pop WHERE {{
          ?r a <{DMKG.RiskEstimate}> ; <{DMKG.measure}> <{DMKG.StandardizedIncidenceRatio}> ;
             <{DMKG.value}> ?value ; <{DMKG.ciLow}> ?low ; <{DMKG.ciHigh}> ?high ;
             <{DMKG.population}> ?pop ; <{DMKG.statedIn}> <{MONSEAU}> . }}""")
    )
    assert [(float(r.value), float(r.low), float(r.high)) for r in rows] == [(5.1, 3.0, 8.6)]  # type: ignore[union-attr]
    median = list(
        graph.query(f"""
        SELECT ?v ?lo ?hi WHERE {{ ?r <{DMKG.measure}> <{DMKG.Median}> ; <{DMKG.unit}> "d" ;
          <{DMKG.value}> ?v ; <{DMKG.ciLow}> ?lo ; <{DMKG.ciHigh}> ?hi ;
          <{DMKG.statedIn}> <{MONSEAU}> . }}""")
    )
    assert [(float(r.v), float(r.lo), float(r.hi)) for r in median] == [(61.5, -105.8, 237.5)]  # type: ignore[union-attr]


def test_case_report_patient(graph: Graph) -> None:
    patients = list(graph.subjects(DMKG.describedIn, CASE_REPORT))
    patient = [p for p in patients if (p, DMKG.caseLabel, None) in graph]
    assert len(patient) == 1
    p = patient[0]
    assert graph.value(p, DMKG.ageAtDiagnosis).toPython() == 61  # type: ignore[union-attr]
    positives = {
        row.ab
        for row in graph.query(f"""
        SELECT ?ab WHERE {{ ?r <{DMKG.ofPatient}> <{p}> ; <{DMKG.antibody}> ?ab ;
          <{DMKG.antibodyStatus}> <{DMKG.Positive}> . }}""")
    }  # type: ignore[union-attr]
    assert positives == {DMKG.AntinuclearAntibody, DMKG.AntiRo52, DMKG.AntiTIF1gamma}
    ana = [
        r
        for r in graph.subjects(DMKG.ofPatient, p)
        if (r, DMKG.antibody, DMKG.AntinuclearAntibody) in graph
    ]
    assert len(ana) == 1
    assert graph.value(ana[0], DMKG.titerDilution) == Literal(160)
    assert graph.value(ana[0], DMKG.stainingPattern) == Literal("speckled")
    treatments = list(graph.subjects(DMKG.ofPatient, p))
    agents = Counter(
        graph.value(t, DMKG.intervention)
        for t in treatments
        if (t, DMKG.intervention, None) in graph
    )
    assert agents[DMKG.Trastuzumab] == 2 and sum(agents.values()) == 10
    markers = {
        graph.value(m, DMKG.marker): graph.value(m, DMKG.markerStatus)
        for m in graph.objects(None, DMKG.hasMarkerResult)
    }
    assert (
        markers[DMKG.HER2] == DMKG.Positive and markers[DMKG.ProgesteroneReceptor] == DMKG.Negative
    )
    # "Ki67 22%": the measured value, and no positive/negative call the report never makes
    ki67 = next(
        m for m in graph.objects(None, DMKG.hasMarkerResult) if (m, DMKG.marker, DMKG.Ki67) in graph
    )
    assert graph.value(ki67, DMKG.markerStatus) is None
    assert float(graph.value(ki67, DMKG.markerPercent)) == 22  # type: ignore[arg-type]
    ck = {
        str(graph.value(m, DMKG.timepoint)): graph.value(m, DMKG.value)
        for m in treatments
        if (m, DMKG.analyte, DMKG.CreatineKinase) in graph
    }
    # 1024 IU/L at presentation, normalised at the end of the neoadjuvant treatment (no value
    # given), 98 IU/L at last follow-up
    assert ck == {
        "at presentation": Literal(Decimal(1024)),
        "end of neoadjuvant treatment": None,
        "last follow-up": Literal(Decimal(98)),
    }
    # "a 4-month history of a heliotropic rash, proximal muscle weakness, dysphagia"
    history = {
        graph.value(o, DMKG.finding): graph.value(o, DMKG.historyMonths)
        for o in treatments
        if (o, DMKG.historyMonths, None) in graph
    }
    assert history == {
        f: Literal(Decimal(4))
        for f in (DMKG.HeliotropeRash, DMKG.ProximalMuscleWeakness, DMKG.Dysphagia)
    }


# The neoadjuvant regimen: "From September 2019 to March 2020 ... cyclophosphamide (600 mg/m2)
# and doxorubicin (60 mg/m2) every two weeks for four cycles followed by weekly paclitaxel
# (80 mg/m2) and trastuzumab (...) for 12 administrations": the regimen's window on every
# agent, phase 1 starting it (2019-09), phase 2 ending it (2020-03), no other phase date.
REGIMEN_BY_HAND = {
    DMKG.Cyclophosphamide: (1, "2019-09", None),
    DMKG.Doxorubicin: (1, "2019-09", None),
    DMKG.Paclitaxel: (2, None, "2020-03"),
    DMKG.Trastuzumab: (2, None, "2020-03"),
}


def test_case_report_neoadjuvant_phases_dated_only_where_the_report_dates_them(
    graph: Graph,
) -> None:
    phases = {}
    for t in graph.subjects(DMKG.regimen, Literal("neoadjuvant chemotherapy")):
        assert (graph.value(t, DMKG.regimenStartDate), graph.value(t, DMKG.regimenEndDate)) == (
            Literal("2019-09"),
            Literal("2020-03"),
        )
        start, end = graph.value(t, DMKG.startDate), graph.value(t, DMKG.endDate)
        phases[graph.value(t, DMKG.intervention)] = (
            int(graph.value(t, DMKG.phaseOrder)),  # type: ignore[arg-type]
            None if start is None else str(start),
            None if end is None else str(end),
        )
    assert phases == REGIMEN_BY_HAND


def test_literature_claims_tied_to_citing_paper(graph: Graph) -> None:
    rows = list(
        graph.query(f"""
        SELECT ?pub ?measure ?value ?cited WHERE {{
          ?c <{DMKG.citedReference}> ?cited ; <{DMKG.statedIn}> ?pub ; <{DMKG.measure}> ?measure .
          OPTIONAL {{ ?c <{DMKG.value}> ?value }} }}""")
    )
    by_pub = Counter(r.pub for r in rows)  # type: ignore[union-attr]
    assert by_pub == {REQUENA: 3, CASE_REPORT: 4}
    found = {(r.measure, float(r.value)) for r in rows if r.value is not None}  # type: ignore[union-attr]
    assert (DMKG.NegativePredictiveValue, 95.0) in found
    assert (DMKG.Specificity, 89.0) in found
    assert (DMKG.OddsRatio, 27.0) in found


def test_every_record_has_provenance_to_a_publication(graph: Graph) -> None:
    missing = list(
        graph.query(f"""
        SELECT ?r WHERE {{
          ?r a ?kind . ?kind <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{DMKG.Record}> .
          FILTER NOT EXISTS {{ ?r <http://www.w3.org/ns/prov#wasDerivedFrom>/<{DMKG.inRow}>?/
                                  <{DMKG.inPublication}> ?p }}
        }}""")
    )
    assert missing == []
    cells = list(
        graph.query(f"""
        SELECT ?r WHERE {{ ?r a <{DMKG.FindingObservation}> ;
          <http://www.w3.org/ns/prov#wasDerivedFrom> ?loc .
          ?loc <{DMKG.inRow}> ?tableRow ; <{DMKG.column}> ?col .
          ?tableRow <{DMKG.inPublication}> ?p ; <{DMKG.table}> ?t ; <{DMKG.row}> ?row ;
               <{DMKG.curatedFile}> ?f ; <{DMKG.curatedLine}> ?line . }}""")
    )
    # 25 patients x (9 Table 2 columns + 4 Table 1 finding columns)
    assert len({r.r for r in cells}) == 25 * 13  # type: ignore[union-attr]


def test_cells_of_a_table_row_share_one_source_row(graph: Graph) -> None:
    """The 9 finding cells of each Requena Table 2 case lie in one source row, which states
    publication, table, row label, curated file and line once for all of them."""
    rows = list(
        graph.query(f"""
        SELECT ?tableRow (COUNT(DISTINCT ?loc) AS ?cells) (COUNT(DISTINCT ?line) AS ?lines)
        WHERE {{ ?r a <{DMKG.FindingObservation}> ;
                    <http://www.w3.org/ns/prov#wasDerivedFrom> ?loc .
          ?loc <{DMKG.inRow}> ?tableRow .
          ?tableRow <{DMKG.table}> "Table 2" ; <{DMKG.inPublication}> <{REQUENA}> ;
                    <{DMKG.curatedLine}> ?line . }}
        GROUP BY ?tableRow""")
    )
    assert len(rows) == 25
    assert {(int(r.cells), int(r.lines)) for r in rows} == {(9, 1)}  # type: ignore[union-attr]
