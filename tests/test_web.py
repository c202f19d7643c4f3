"""The web pages, in process (Starlette's test client), against counts made from the papers.

Hand counts (seed texts in /work/shared/seeds):
- Requena et al. 2024 (000), Table 2, column "Heliotrope rash": "+" in 17 rows, "++" in cases
  8 and 18, "+++" in case 5: 20 present; "—" in 19, 20, 21 and "No" in 6: 4 absent; "U" in 12.
  The Current Oncology case report (002) adds one patient with a "heliotropic rash": 21.
- Requena Table 1, row 5: 43, F, "Infiltrating ductal carcinoma of the breast", 12 months,
  myositis Yes, dysphagia Yes, CPK 1399, ILD No, "ANA+ 1/640, anti-Jo-1, anti-RNP, Ro, La,
  Sm -", "D (3)". Table 2, row 5: heliotrope "+++".
- Requena Table 1, myositis column against the survival column: 15 "Yes", 13 of them "D".
- Monseau et al. 2020 (003), Table I: "Heliotrope rash 41/64 (64.1) 34/55 (61.8) .8"; 27 rows
  with a printed p-value; 64 anti-Mi2-positive and 55 control patients.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from starlette.testclient import TestClient

from kg.cli import main
from kg.query import list_queries
from kg.web import create_app

REQUENA_CASE5 = "Pd94b72d8786a3c33"  # opaque patient id of Requena case 5 (see README)
HPO_HELIOTROPE = "https://hpo.jax.org/browse/term/HP:0040324"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(graph: Graph) -> Iterator[TestClient]:
    with TestClient(create_app(graph, workers=1, timeout=20)) as test_client:
        yield test_client


def _text(page: str) -> str:
    """The visible text of a page: inline tags dropped, others read as a space."""
    inline = re.sub(r"</?(a|span|code|strong|em)\b[^>]*>", "", page)
    return " ".join(re.sub(r"<[^>]+>", " ", inline).split())


def _rows(page: str, table_class: str) -> list[list[str]]:
    """The body rows of the first table with ``table_class``, as cell texts."""
    match = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">(.*?)</table>', page, re.DOTALL)
    assert match, f"no table {table_class!r} on the page"
    body = match.group(1).split("<tbody>")[-1]
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


def test_home_lists_sources_and_counts(client: TestClient) -> None:
    page = client.get("/").text
    rows = {r[0]: r for r in _rows(page, "sources")}
    assert rows["requena2024"][4] == "10.1016/j.ad.2025.02.012" and rows["requena2024"][5] == "25"
    assert rows["curroncol2021"][5] == "1"
    assert rows["monseau2020"][5] == "0"  # cohort-level data only
    assert 'id="count-patients">26<' in page
    for link in ("/ontology", "/patients", "/queries", "/sparql-editor"):
        assert f'href="{link}"' in page


def test_ontology_page_links_every_class(client: TestClient, ontology: Graph) -> None:
    from kg.docs import OntologyIndex

    page = client.get("/ontology").text
    for cls in OntologyIndex(ontology).classes():
        local = str(cls).rsplit("/", 1)[-1]
        assert f'href="/term/{local}"' in page, local
    assert "<details" in page and "Domain terms" in page and "Data model" in page


def test_class_page_heliotrope(client: TestClient) -> None:
    page = client.get("/term/HeliotropeRash").text
    text = _text(page)
    assert "Violaceous or lilac erythema of the upper eyelids" in text
    assert "heliotropic rash" in text
    assert f'href="{HPO_HELIOTROPE}"' in page
    assert 'href="/term/CutaneousFinding"' in page
    counts = {r[0]: r for r in _rows(page, "status-counts")}
    assert (
        counts["present"][1] == "21"
        and "requena2024: 20" in counts["present"][2]
        and "curroncol2021: 1" in counts["present"][2]
    )
    assert counts["absent"][1] == "4" and counts["unknown"][1] == "1"
    cohort = _text(page.split('id="cohort-statistics"')[1].split('id="associations"')[0])
    assert "41/64" in cohort and "34/55" in cohort and ".8" in cohort
    assert "Table I, row Heliotrope rash" in cohort


def test_class_page_cohort_statistics_hold_no_patients(client: TestClient) -> None:
    # since the summary links (patient -> class), the patients themselves were listed
    # under "Cohort statistics" with all their links
    for term in ("HeliotropeRash", "AntiTIF1gamma", "Myositis", "Female"):
        page = client.get(f"/term/{term}").text
        cohort = page.split('id="cohort-statistics"')[1].split("<h2")[0]
        kinds = set(re.findall(r'<tr class="record" data-kind="([^"]+)"', cohort))
        assert kinds and kinds <= {
            "cohort-level frequency",
            "group comparison",
            "reported statistic",
            "risk estimate",
            "printed total",
        }, (term, kinds)
        assert "/patient/" not in cohort, term


def test_class_page_lists_each_patient_once(client: TestClient) -> None:
    # breast cancer: a diagnosis names it as cancer site and a subclass as malignancy, and
    # each patient was listed twice ("as malignancy", "as cancer site")
    page = client.get("/term/BreastMalignancy").text
    rows = _rows(page, "class-patients")
    assert len(rows) == len({r[0] for r in rows}) == 9
    heliotrope = _rows(client.get("/term/HeliotropeRash").text, "class-patients")
    assert len(heliotrope) == 26 and len({r[0] for r in heliotrope}) == 26
    assert ["requena2024 case 5", "present"] in heliotrope


def test_class_page_of_a_parent_counts_its_subclasses(client: TestClient) -> None:
    # Requena Table 2 "Gottron's papules": 19 present (18 "+", case 18 "++"); the class
    # "Gottron papules or sign" has no record of its own, only through its subclass
    page = client.get("/term/GottronPapulesOrSign").text
    counts = {r[0]: r[1] for r in _rows(page, "status-counts")}
    assert counts["present"] == "19"
    assert 'href="/term/GottronPapules"' in page


def test_antibody_page_links_hgnc(client: TestClient) -> None:
    page = client.get("/term/AntiTIF1gamma").text
    assert 'href="https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:16290"' in page
    # Requena Table 1: anti-TIF1-gamma positive in cases 15, 16, 17, 18, 20, 22, 23; the
    # case report adds one positive patient
    counts = {r[0]: r[1] for r in _rows(page, "status-counts")}
    assert counts["positive"] == "8" and counts["negative"] == "4"


def test_printed_estimates_read_with_their_interval(client: TestClient) -> None:
    """Monseau 2020 prints a standardized incidence ratio of cancer in anti-Mi2-positive DM of
    5.1 (95% CI 3.0-8.6) and a median time to malignancy of 61.5 days (95% CI -105.8 to 237.5):
    a record shows each as one estimate with its interval, not as separate bound rows."""
    for path in ("/source/monseau2020", "/term/AntiMi2"):
        text = " ".join(re.sub(r"<[^>]+>", " ", client.get(path).text).split())
        assert "estimate (95% CI): 5.1 (3.0-8.6)" in text, path
        assert "confidence interval low" not in text, path
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get("/source/monseau2020").text).split())
    assert "estimate (95% CI): 61.5 (-105.8 to 237.5)" in text


def test_mondo_and_ncit_links(client: TestClient) -> None:
    page = client.get("/term/Dermatomyositis").text
    assert 'href="http://purl.obolibrary.org/obo/MONDO_0016367"' in page
    assert 'href="http://purl.obolibrary.org/obo/NCIT_C26744"' in page


def test_unknown_term_is_404(client: TestClient) -> None:
    response = client.get("/term/NoSuchThing")
    assert response.status_code == 404 and "dmkg:NoSuchThing" in response.text


def test_patient_page_requena_case_5(client: TestClient) -> None:
    page = client.get(f"/patient/{REQUENA_CASE5}").text
    assert "requena2024 case 5" in page
    findings = {r[0]: r for r in _rows(page, "findings")}
    heliotrope = findings["heliotrope rash"]
    assert heliotrope[1] == "present" and "grade: 3" in heliotrope[2]
    assert heliotrope[3] == "+++" and "Table 2, row 5, column “Heliotrope rash”" in heliotrope[4]
    assert findings["myositis"][1] == "present" and "Table 1, row 5" in findings["myositis"][4]
    antibodies = {r[0]: r for r in _rows(page, "antibody-results")}
    assert antibodies["antinuclear antibody"][1] == "positive"
    assert "titer: 1/640" in antibodies["antinuclear antibody"][2]
    assert {name for name, row in antibodies.items() if row[1] == "negative"} == {
        "anti-Jo-1 antibody",
        "anti-U1-RNP antibody",
        "anti-Ro/SSA antibody",
        "anti-La/SSB antibody",
        "anti-Sm antibody",
    }
    cancer = _rows(page, "cancers")[0]
    assert cancer[0] == "invasive ductal breast carcinoma"
    assert "Infiltrating ductal carcinoma of the breast" in cancer[3]
    assert "(months): 12" in cancer[2]
    outcome = _rows(page, "outcome")[0]
    assert outcome[0] == "dead" and outcome[3] == "D (3)"


def test_patient_page_case_report_treatments(client: TestClient) -> None:
    patients = _rows(client.get("/patients").text, "patients")
    assert len(patients) == 26
    case_report = [r for r in patients if r[1] == "curroncol2021"]
    assert len(case_report) == 1 and case_report[0][3] == "61"  # "A 61-year-old female"
    link = re.search(r'href="(/patient/[^"]+)">curroncol2021 case', client.get("/patients").text)
    assert link
    page = client.get(link.group(1)).text
    treatments = _rows(page, "treatments")
    assert treatments, "the case report's treatments are listed"
    assert all("section" in row[4] for row in treatments)  # read from the text, not a table
    assert any("prednisone" in row[0].lower() for row in treatments)


def test_source_pages(client: TestClient) -> None:
    page = client.get("/source/monseau2020").text
    assert "Group comparisons (27)" in page
    assert "10.1016/j.jaad.2020.03.058" in page
    cohorts = {
        r[0]: r[1]
        for r in re.findall(r"<tr><td><a [^>]+>([^<]+)</a></td><td class=\"num\">(\d+)</td>", page)
    }
    assert cohorts["Monseau 2020: anti-Mi2-positive DM"] == "64"
    assert cohorts["Monseau 2020: anti-Mi2-negative DM (controls)"] == "55"
    requena = client.get("/source/requena2024").text
    assert len(_rows(requena, "patients")) == 25
    assert client.get("/source/nothing").status_code == 404


def test_search_labels_and_synonyms(client: TestClient) -> None:
    page = client.get("/search", params={"q": "anti-p155/140"}).text
    assert 'href="/term/AntiTIF1gamma"' in page
    page = client.get("/search", params={"q": "heliotropic"}).text
    assert 'href="/term/HeliotropeRash"' in page
    page = client.get("/search", params={"q": "case 5"}).text
    assert f'href="/patient/{REQUENA_CASE5}"' in page


def test_canned_query_form_survival_by_myositis(client: TestClient) -> None:
    response = client.get(
        "/queries/survival-by-finding", params={"finding": "myositis", "run": "1"}
    )
    assert response.status_code == 200
    rows = {r[0]: r for r in _rows(response.text, "results")}
    assert rows["present"][1:3] == ["15", "13"]  # patients, dead
    assert "SELECT ?status" in response.text  # the SPARQL text is shown
    assert "dmkg:Myositis" in response.text  # with the value bound
    csv_text = client.get(
        "/queries/survival-by-finding/download", params={"finding": "myositis", "format": "csv"}
    ).text
    present = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["status"] == "present")
    assert present["patients"] == "15" and present["dead"] == "13"
    records = client.get(
        "/queries/survival-by-finding/download", params={"finding": "myositis", "format": "json"}
    ).json()
    assert {r["status"]: r["dead"] for r in records}["present"] == 13


def test_canned_query_bad_parameter(client: TestClient) -> None:
    response = client.get("/queries/survival-by-finding", params={"finding": "myosits", "run": "1"})
    assert response.status_code == 400
    assert "Did you mean" in response.text and "myositis" in response.text
    assert 'href="?finding=myositis&amp;run=1"' in response.text  # the suggestion runs it
    assert 'aria-invalid="true"' in response.text
    bad = client.get("/queries/survival-by-finding/download", params={"format": "xlsx"})
    assert bad.status_code == 400
    assert client.get("/queries/no-such-query").status_code == 404


@pytest.mark.parametrize("name", [q.name for q in list_queries(include_checks=False)])
def test_every_canned_query_has_a_form_that_runs(client: TestClient, name: str) -> None:
    form = client.get(f"/queries/{name}")
    assert form.status_code == 200 and 'id="query-form"' in form.text
    query = next(q for q in list_queries() if q.name == name)
    params = {p.name: p.default or "" for p in query.params}
    if name == "patients-matching":
        params.update(antibody="anti-TIF1-gamma", sign="heliotrope rash", min_age="60")
    run = client.get(f"/queries/{name}", params={**params, "run": "1"})
    assert run.status_code == 200, run.text
    assert 'id="query-result"' in run.text


def test_sparql_editor_runs_through_the_endpoint(client: TestClient) -> None:
    query = (
        "PREFIX dmkg: <https://w3id.org/dmkg/ontology/> SELECT ?status (COUNT(?p) AS ?n) "
        "WHERE { ?o dmkg:finding dmkg:HeliotropeRash ; dmkg:findingStatus ?status ; "
        "dmkg:ofPatient ?p } GROUP BY ?status"
    )
    page = client.get("/sparql-editor", params={"query": query}).text
    rows = {r[0]: r[1] for r in _rows(page, "results")}
    assert rows == {"present": "21", "absent": "4", "unknown": "1"}
    refused = client.get("/sparql-editor", params={"query": "CLEAR ALL"})
    assert refused.status_code == 403 and "read-only" in refused.text


def test_resource_page_and_redirects(client: TestClient) -> None:
    page = client.get("/resource/cohort/monseau2020/mi2pos").text
    assert "Monseau 2020: anti-Mi2-positive DM" in page and "64" in page
    redirect = client.get(f"/resource/patient/{REQUENA_CASE5}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"].endswith(REQUENA_CASE5)
    assert client.get("/resource/nothing/here").status_code == 404


def test_sparql_without_query(client: TestClient) -> None:
    described = client.get("/sparql")
    assert described.status_code == 200 and "sd:Service" in described.text
    browser = client.get("/sparql", headers={"accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/sparql-editor"
    assert client.put("/sparql", content=b"x").status_code == 405


def test_static_files_are_served(client: TestClient) -> None:
    assert "--accent" in client.get("/static/style.css").text
    assert "Ctrl+Enter" in client.get("/static/editor.js").text


def test_serve_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "70000", "--graph", "/nonexistent"]) == 2
    assert main(["serve", "--timeout", "0"]) == 2
    assert main(["serve", "--graph", "/nonexistent-folder"]) == 2
    assert "no built graph" in capsys.readouterr().err


@pytest.mark.slow
def test_wheel_ships_templates_and_static_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    html = REPO / "kg" / "html"
    for folder in ("templates", "static"):  # static/yasgui/ too: YASGUI ships in the wheel
        for path in (html / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"kg/html/{path.relative_to(html).as_posix()}" in names


def test_app_over_a_knowledge_graph(graph: Graph, client: TestClient) -> None:
    # the CLI passes the one KnowledgeGraph; the app reads it through its .rdf view and
    # shows the same pages as over the bare rdflib graph
    from kg.api import KnowledgeGraph

    with TestClient(create_app(KnowledgeGraph(graph), workers=1, timeout=20)) as over_kg:
        for path in ("/", "/term/HeliotropeRash", f"/patient/{REQUENA_CASE5}"):
            assert _text(over_kg.get(path).text) == _text(client.get(path).text), path
        answer = over_kg.get(
            "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"accept": "text/csv"},
        )
        assert answer.text.split() == ["n", str(len(graph))]


def test_editor_links_only_http_iris(client: TestClient) -> None:
    """A result IRI with another scheme (javascript:, data:) is shown as text, never a link."""
    query = (
        'SELECT ?x WHERE { VALUES ?s { "javascript:alert(1)" "data:text/html,x" '
        '"JaVaScRiPt:alert(2)" "https://example.org/ok" } BIND(IRI(?s) AS ?x) }'
    )
    page = client.get("/sparql-editor", params={"query": query}).text
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))], hrefs
    assert "https://example.org/ok" in hrefs
    assert "alert(1)" in page  # shown, as text


# -- search, autocomplete, forms and error pages (issue 22) -----------------------------------
# The ids below are those the ontology gives (ontology/dmkg-terms.ttl): heliotrope rash is
# skos:exactMatch HP:0040324; HP:0000992 (cutaneous photosensitivity) is a skos:closeMatch of
# the photodistributed violaceous rash, not of heliotrope rash; anti-TIF1-gamma's target antigen
# gene is HGNC:16290 (TRIM33); breast cancer is MONDO:0007254.


@pytest.mark.parametrize(
    ("text", "term", "how"),
    [
        ("gotron", "GottronPapules", "similar spelling"),
        ("dysfagia", "Dysphagia", "similar spelling"),
        ("heliotropic", "HeliotropeRash", "exact synonym"),
        ("HP:0040324", "HeliotropeRash", "cross-reference (exact match)"),
        ("hp_0040324", "HeliotropeRash", "cross-reference (exact match)"),
        ("HP:0000992", "PhotodistributedViolaceousRash", "cross-reference (close match)"),
        ("HGNC:16290", "AntiTIF1gamma", "cross-reference (target antigen gene)"),
        ("MONDO:0007254", "BreastMalignancy", "cross-reference (exact match)"),
        ("dmkg:HeliotropeRash", "HeliotropeRash", "CURIE"),
        ("https://w3id.org/dmkg/ontology/AntiMi2", "AntiMi2", "IRI"),
    ],
)
def test_search_like_ols(client: TestClient, text: str, term: str, how: str) -> None:
    page = client.get("/search", params={"q": text}).text
    rows = re.findall(r'<tr data-how="([^"]+)"><td><a href="/term/([^"]+)"', page)
    assert (how, term) in rows, rows
    suggestions = client.get("/api/suggest", params={"q": text}).json()["suggestions"]
    assert any(s["href"] == f"/term/{term}" and s["how"] == how for s in suggestions)


def test_search_by_id_goes_to_the_term(client: TestClient) -> None:
    response = client.get("/search", params={"q": "HP:0040324", "go": "1"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/term/HeliotropeRash"


def test_suggest_endpoint(client: TestClient) -> None:
    found = client.get("/api/suggest", params={"q": "gotron"}).json()
    assert found["query"] == "gotron"
    labels = [s["label"] for s in found["suggestions"]]
    assert {"Gottron papules", "Gottron sign"} <= set(labels)
    assert all(
        set(s) == {"label", "curie", "kind", "matched", "how", "href"} for s in found["suggestions"]
    )
    assert client.get("/api/suggest", params={"q": ""}).json()["suggestions"] == []
    assert client.get("/api/suggest", params={"q": "xyzzy"}).json()["suggestions"] == []
    patients = client.get("/api/suggest", params={"q": "requena2024 case 5"}).json()
    assert {"label": "requena2024 case 5", "href": f"/patient/{REQUENA_CASE5}"}.items() <= (
        patients["suggestions"][0].items()
    )


def test_query_form_required_fields_and_errors_in_words(client: TestClient) -> None:
    form = client.get("/queries/patients-matching").text
    for name in ("antibody", "sign"):
        tag = re.search(rf'<input [^>]*id="field-{name}"[^>]*>', form)
        assert tag and " required" in tag.group(0), name
    for name in ("min_age", "source"):  # a default, or every source when left empty
        tag = re.search(rf'<(input|select) [^>]*id="field-{name}"[^>]*>', form)
        assert tag and " required" not in tag.group(0), name
    response = client.get("/queries/patients-matching", params={"run": "1"})
    assert response.status_code == 400
    assert "Please fill in antibody" in response.text and "Please fill in sign" in response.text
    assert "--param" not in response.text
    number = client.get("/queries/survival-by-finding", params={"finding": "dmkg:Nope", "run": "1"})
    assert number.status_code == 400 and "--param" not in number.text


def test_error_pages_are_styled_with_their_status(graph: Graph) -> None:
    from starlette.requests import Request
    from starlette.responses import Response

    def failing(request: Request) -> Response:
        raise RuntimeError("secret detail")

    app = create_app(graph, workers=1, timeout=20)
    app.add_route("/failing", failing)
    with TestClient(app, raise_server_exceptions=False) as c:
        for method, path, status, words in (
            ("GET", "/no/such/page", 404, "There is no page at /no/such/page."),
            ("GET", "/term/NoSuchThing", 404, "There is no term dmkg:NoSuchThing"),
            ("GET", "/patient/nobody", 404, "There is no patient 'nobody'."),
            ("GET", "/queries/no-such-query", 404, "No canned query named 'no-such-query'"),
            ("POST", "/ontology", 405, "This page does not answer POST requests."),
            ("GET", "/failing", 500, "Something went wrong inside dmkg"),
        ):
            response = c.request(method, path)
            assert response.status_code == status, path
            assert response.headers["content-type"].startswith("text/html")
            assert words in html.unescape(_text(response.text)), path
            assert '<nav aria-label="site">' in response.text  # the site's layout
            assert 'href="/static/style.css"' in response.text
        assert "secret detail" not in c.get("/failing").text  # no traceback shown
        allowed = c.post("/ontology").headers["allow"]  # Starlette's order varies
        assert sorted(allowed.split(", ")) == ["GET", "HEAD"]


def test_unknown_term_suggests_the_term_meant(client: TestClient) -> None:
    response = client.get("/term/HeliotropRash")
    assert response.status_code == 404
    assert re.search(r'<a href="/term/HeliotropeRash">heliotrope rash</a>', response.text)
