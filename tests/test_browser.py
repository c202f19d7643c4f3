"""The pages in a real browser: Debian's headless Chromium, driven by Playwright.

A person's path through the site (the home page, the class tree opened down to heliotrope
rash, its page, a patient, a canned-query form, the SPARQL editor), then one test per page
type asserting what a person sees there, and that no page is wider than a 1280 px window.
A screenshot of each page is kept in tests/artifacts/ (git-ignored). Without Chromium the
tests fail, saying what to install; they never skip.

Every page type is also checked with axe-core (the copy inside the PyPI package
axe-playwright-python) at 1280 px and at a phone's 390 px: no serious or critical violation,
and nothing wider than a 390 px window. The search box's autocomplete is used as a person
would: typing, arrow keys, Enter.

Hand counts (seed texts in /work/shared/seeds): Requena et al. 2024 Table 2, heliotrope rash
present in 20 of 25 rows (case 5 "+++"), plus the case report's "heliotropic rash": 21.
Requena Table 2, heliotrope rash: 20 present, 4 absent ("—" in 19, 20, 21, "No" in 6),
1 unknown ("U" in 12). Requena Table 1: myositis "Yes" in 15 patients, 13 of them dead ("D")
at last follow-up.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from rdflib import Graph, URIRef

from kg.namespaces import DMKG
from kg.query import list_queries
from kg.web import create_app
from kg.web.server import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280
REQUENA_CASE5 = "Pd94b72d8786a3c33"  # opaque patient id of Requena case 5 (see README)
HPO_HELIOTROPE = "HP:0040324"
#: the cohort-level record kinds (group counts and statistics, never a patient's record)
COHORT_KINDS = (
    "CohortFrequency",
    "GroupComparison",
    "ReportedStatistic",
    "RiskEstimate",
    "PrintedTotal",
)
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


#: a phone's window (an iPhone 12 to 15 is 390 px wide)
PHONE = 390
#: one address of each page type, with the status it answers
PAGE_TYPES = {
    "home": ("/", 200),
    "ontology tree": ("/ontology", 200),
    "class page": ("/term/HeliotropeRash", 200),
    "individual page": ("/term/Female", 200),
    "property page": ("/term/finding", 200),
    "patients list": ("/patients", 200),
    "patient page": (f"/patient/{REQUENA_CASE5}", 200),
    "source page": ("/source/requena2024", 200),
    "cohort source page": ("/source/monseau2020", 200),
    "search results": ("/search?q=gotron", 200),
    "queries list": ("/queries", 200),
    "query form": ("/queries/patients-matching", 200),
    "query result": ("/queries/survival-by-finding?finding=myositis&run=1", 200),
    "query form with errors": ("/queries/survival-by-finding?finding=gotron&run=1", 400),
    "SPARQL editor": ("/sparql-editor", 200),
    "SPARQL editor result": (
        "/sparql-editor?" + urlencode({"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"}),
        200,
    ),
    "resource page": ("/resource/cohort/monseau2020/mi2pos", 200),
    "unknown term": ("/term/HeliotropRash", 404),
    "unknown address": ("/no/such/page", 404),
    "error inside a page": ("/test-error-inside-a-page", 500),
}


def _failing_page(request: Any) -> Any:
    raise RuntimeError("a page that fails, to see the 500 page")


@pytest.fixture(scope="module")
def site(graph: Graph) -> Iterator[str]:
    app = create_app(graph, workers=1, timeout=20)
    app.add_route("/test-error-inside-a-page", _failing_page)
    with BackgroundServer(app) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
            "(apt-get install -y chromium chromium-driver)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the browser tests need Playwright (pip install playwright); they use "
            f"{CHROMIUM}, so 'playwright install' is not needed"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tempfile.mkdtemp(prefix="dmkg-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": WIDTH, "height": 900},
        )
        context.set_default_timeout(30_000)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(browser: Any) -> Any:
    return browser.new_page()


@pytest.fixture(scope="module")
def phone(browser: Any) -> Any:
    """A tab as wide as a phone's window."""
    tab = browser.new_page()
    tab.set_viewport_size({"width": PHONE, "height": 844})
    return tab


def _shot(page: Any, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path} looks empty"


def _fits(page: Any) -> None:
    """The page is no wider than the window: nothing to scroll sideways."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert window == WIDTH
    assert width <= window, f"{page.url} is {width} px wide in a {window} px window"


def _open(page: Any, site: str, path: str, status: int = 200) -> None:
    """Go to ``path``, check the status, that the page fits the window, and keep a shot."""
    response = page.goto(site + path)
    assert response is not None and response.status == status, path
    _fits(page)
    name = path.strip("/").replace("/", "-").split("?")[0] or "home"
    _shot(page, f"page-{name}")


def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


_PATIENT_STATUS = """
PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?patient ?label ?status WHERE {
  ?record ?link ?term ; dmkg:ofPatient ?patient .
  ?patient rdfs:label ?label .
  OPTIONAL { ?record dmkg:findingStatus|dmkg:antibodyStatus ?s . ?s rdfs:label ?status }
}"""


def _statuses(graph: Graph, term: str) -> dict[str, set[str]]:
    """Patient label -> the statuses of their records naming ``term`` (from the graph)."""
    found: dict[str, set[str]] = {}
    for row in graph.query(_PATIENT_STATUS, initBindings={"term": DMKG[term]}):
        found.setdefault(str(row.label), set()).add(str(row.status or ""))  # type: ignore[union-attr]
    return found


def _cohort_records(graph: Graph, term: str) -> int:
    """How many cohort-level records name ``term`` (from the graph)."""
    kinds = " ".join(f"dmkg:{k}" for k in COHORT_KINDS)
    query = f"""PREFIX dmkg: <https://w3id.org/dmkg/ontology/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT (COUNT(DISTINCT ?record) AS ?n) WHERE {{
      VALUES ?kind {{ {kinds} }}
      ?record ?link ?term ; a/rdfs:subClassOf* ?kind .
    }}"""
    row = next(iter(graph.query(query, initBindings={"term": DMKG[term]})))
    return int(row[0])  # type: ignore[index]


def _class_patients(page: Any) -> list[dict[str, str]]:
    rows = []
    for line in page.locator("table.class-patients tbody tr").all():
        rows.append(
            {
                "patient": line.locator("td.patient").inner_text().strip(),
                "href": line.locator("td.patient a").get_attribute("href") or "",
                "status": line.locator("td.status").inner_text().strip(),
            }
        )
    return rows


def _assert_cohort_section_is_cohort_level(page: Any, graph: Graph, term: str) -> None:
    section = page.locator("table.cohort-records")
    assert section.count() == 1 and section.is_visible()
    kinds = [
        k.lower()
        for k in section.locator("tr.record").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    ]
    labels = {str(graph.value(DMKG[k], RDFS_LABEL)).lower() for k in COHORT_KINDS}
    assert kinds and set(kinds) <= labels, kinds
    assert len(kinds) == _cohort_records(graph, term)
    # no patient (nor a patient's record) among them
    assert section.locator("a[href^='/patient/']").count() == 0
    assert "case" not in " ".join(_texts(page, "table.cohort-records td.main"))


# -- one test per page type ---------------------------------------------------------------


def test_home_page(site: str, page: Any) -> None:
    _open(page, site, "/")
    assert page.locator("h1").inner_text().startswith("Dermatomyositis")
    assert page.inner_text("#count-patients") == "26"
    assert page.inner_text("#count-sources") == "3"
    sources = page.locator("table.sources tbody tr")
    assert sources.count() == 3
    assert sources.filter(has_text="requena2024").locator("td.num").inner_text() == "25"
    for link in ("Ontology", "Patients", "Queries", "SPARQL"):
        assert page.locator("header nav a", has_text=link).is_visible()


def test_ontology_page(site: str, page: Any, graph: Graph) -> None:
    from kg.docs import OntologyIndex

    _open(page, site, "/ontology")
    tree = page.locator("#class-tree")
    assert tree.is_visible()
    assert page.locator("text=Domain terms").first.is_visible()
    linked = set(
        tree.locator("a[href^='/term/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    )
    classes = {"/term/" + str(c).rsplit("/", 1)[-1] for c in OntologyIndex(graph).classes()}
    assert classes <= linked


def test_class_page_heliotrope_rash(site: str, page: Any, graph: Graph) -> None:
    _open(page, site, "/term/HeliotropeRash")
    assert page.inner_text("#term-label").startswith("heliotrope rash")
    definition = str(
        graph.value(DMKG.HeliotropeRash, URIRef("http://purl.obolibrary.org/obo/IAO_0000115"))
    )
    assert page.inner_text("#term-definition") == definition
    assert definition.startswith("Violaceous or lilac erythema of the upper eyelids")
    xref = page.locator(f"a.xref[data-curie='{HPO_HELIOTROPE}']")
    assert xref.is_visible()
    assert xref.get_attribute("href") == f"https://hpo.jax.org/browse/term/{HPO_HELIOTROPE}"

    # its patients, each once, with case label and status, as the graph has them
    rows = _class_patients(page)
    assert page.locator("table.class-patients").is_visible()
    graph_statuses = _statuses(graph, "HeliotropeRash")
    assert len(rows) == len(graph_statuses) == 26
    assert len({r["href"] for r in rows}) == len({r["patient"] for r in rows}) == len(rows)
    assert {r["patient"]: {r["status"]} for r in rows} == graph_statuses
    requena = Counter(r["status"] for r in rows if r["patient"].startswith("requena2024 case "))
    assert requena == {"present": 20, "absent": 4, "unknown": 1}  # Requena Table 2
    report = [r for r in rows if r["patient"].startswith("curroncol2021 case ")]
    assert [r["status"] for r in report] == ["present"]  # "heliotropic rash"
    counts = dict(
        zip(
            _texts(page, "table.status-counts td:first-child"),
            _texts(page, "table.status-counts td.patients-count"),
            strict=True,
        )
    )
    assert counts == {"present": "21", "absent": "4", "unknown": "1"}

    # under "Cohort statistics", only cohort-level records (Monseau Table I, Requena total)
    assert page.locator("h2#cohort-statistics").is_visible()
    _assert_cohort_section_is_cohort_level(page, graph, "HeliotropeRash")
    cohort = page.inner_text("table.cohort-records")
    assert "41/64" in cohort and "34/55" in cohort
    assert page.locator("table.patient-records").count() == 0


@pytest.mark.parametrize(
    ("term", "patients"),
    [("BreastMalignancy", 9), ("AntiTIF1gamma", None), ("Myositis", None)],
)
def test_class_page_lists_each_patient_once(
    site: str, page: Any, graph: Graph, term: str, patients: int | None
) -> None:
    # breast cancer: a diagnosis names the class as its cancer site and a subclass as its
    # malignancy; the patient is still one line
    _open(page, site, f"/term/{term}")
    rows = _class_patients(page)
    hrefs = [r["href"] for r in rows]
    assert rows and len(hrefs) == len(set(hrefs))
    assert all(r["patient"].split(" case ")[-1] for r in rows)  # a case label each
    if patients is not None:
        assert len(rows) == patients
    else:
        assert {r["patient"] for r in rows} == set(_statuses(graph, term))
    if page.locator("table.cohort-records").count():
        _assert_cohort_section_is_cohort_level(page, graph, term)


def test_individual_and_property_pages(site: str, page: Any, graph: Graph) -> None:
    _open(page, site, "/term/Female")
    assert page.locator("#term-label .kind").inner_text().lower() == "individual"
    women = {str(graph.value(p, RDFS_LABEL)) for p in graph.subjects(DMKG.sex, DMKG.Female)}
    assert {r["patient"] for r in _class_patients(page)} == women
    _assert_cohort_section_is_cohort_level(page, graph, "Female")  # Monseau's sex rows

    _open(page, site, "/term/finding")
    assert page.locator("#term-label .kind").inner_text().lower() == "object property"
    assert page.locator("table.facts th", has_text="domain").is_visible()


def test_patient_list(site: str, page: Any) -> None:
    _open(page, site, "/patients")
    rows = page.locator("table.patients tbody tr")
    assert rows.count() == 26
    assert rows.filter(has_text="requena2024 case 5").count() == 1


def test_patient_page(site: str, page: Any) -> None:
    _open(page, site, f"/patient/{REQUENA_CASE5}")
    assert page.inner_text("#patient-label") == "requena2024 case 5"
    row = page.locator("table.findings tr.record", has_text="heliotrope rash")
    assert row.locator("td.status").inner_text() == "present"
    assert "Table 2, row 5" in row.locator("td.source").inner_text()
    assert page.locator("table.cancers td.main").first.inner_text() == (
        "invasive ductal breast carcinoma"
    )


def test_source_page(site: str, page: Any) -> None:
    _open(page, site, "/source/monseau2020")
    assert page.locator("h2", has_text="Group comparisons (27)").is_visible()
    assert page.locator("a[href='https://doi.org/10.1016/j.jaad.2020.03.058']").first.is_visible()
    assert page.locator("table.patients").count() == 0  # cohort-level data only


def test_search_page(site: str, page: Any) -> None:
    _open(page, site, "/")
    page.fill("header input[type=search]", "heliotropic")
    page.press("header input[type=search]", "Enter")
    page.wait_for_url("**/search?q=heliotropic")
    _fits(page)
    link = page.locator("table.search-results a[href='/term/HeliotropeRash']")
    assert link.is_visible() and link.inner_text() == "heliotrope rash"


def test_queries_page(site: str, page: Any) -> None:
    _open(page, site, "/queries")
    names = _texts(page, "table.queries tbody td:first-child")
    assert names == [q.name for q in list_queries(include_checks=False)]


def test_query_result_page(site: str, page: Any) -> None:
    _open(page, site, "/queries/survival-by-finding?finding=myositis&run=1")
    header = _texts(page, "#query-result th")
    present = page.locator("#query-result tbody tr", has_text="present").first
    cells = dict(zip(header, present.locator("td").all_inner_texts(), strict=True))
    assert cells["patients"] == "15" and cells["dead"] == "13"  # Requena Table 1
    assert page.locator("#query-text").is_visible()


def test_sparql_editor_page(site: str, browser: Any) -> None:
    """YASGUI on the app's own /sparql: a query typed with a default prefix (no PREFIX line)
    gives the 26 patients of the papers (Requena's 25 cases and the case report's woman), an
    example from the catalogue opens in a tab, the table downloads as CSV, Tab leaves the
    labelled editor, and no request goes anywhere but the app."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _open(page, site, "/sparql-editor")
    page.wait_for_selector("#yasgui .CodeMirror")
    assert page.locator("#editor-form").is_hidden()  # YASGUI replaces the plain form
    editor = page.locator("#yasgui .CodeMirror textarea")
    assert editor.get_attribute("aria-label") == "SPARQL query"
    assert "Tab leaves the editor" in page.inner_text("#editor-keys")
    page.click("#yasgui .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT ?patient ?name WHERE { ?patient a dmkg:Patient ; rdfs:label ?name }")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#yasgui .yasr table tbody tr")
    names = _texts(page, "#yasgui .yasr table tbody td:nth-child(3)")
    assert len(names) == 26 and "requena2024 case 5" in names
    # Tab moves on from the editor (focus is not trapped), and Shift+Tab comes back
    page.click("#yasgui .CodeMirror")
    page.keyboard.press("Control+End")
    assert page.locator(".CodeMirror-hints").count() == 0  # no completion list to pick from
    page.keyboard.press("Tab")
    focused = "document.activeElement === dmkgYasgui.getTab().getYasqe().getInputField()"
    assert not page.evaluate(focused)
    # the next control is YASQE's own "Share query" button beside the text
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Share query"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused)
    # the table's download: a CSV of the same rows, made in the page
    with page.expect_download() as download:
        page.click("#yasgui .yasr_downloadIcon")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert [h.strip('"') for h in lines[0].split(",")] == ["patient", "name"]
    assert len(lines) == 27  # the header and the 26 patients
    # a canned query of the catalogue opens in a tab of its own and runs there
    page.select_option("#example-select", label="Cancer sites")
    assert "Cancer sites" in _texts(page, "#yasgui .tabsList [role=tab]")[-1]
    page.locator("#yasgui .CodeMirror:visible").click()
    page.keyboard.press("Control+Enter")
    table = page.locator("#yasgui .yasr table.dataTable:visible")
    table.locator("tbody tr").first.wait_for()
    assert "breast" in table.inner_text().lower()
    _fits(page)
    _shot(page, "sparql-editor-yasgui")
    # an IRI with a script scheme in a result is never a link (YASR's DOMPurify drops it)
    page.locator("#yasgui .CodeMirror:visible").click()
    page.keyboard.press("Control+A")
    page.keyboard.type('SELECT ?x WHERE { BIND(IRI("javascript:alert(1)") AS ?x) }')
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#yasgui .yasr table.dataTable:visible >> text=alert")
    assert page.locator("#yasgui a[href^='javascript']").count() == 0
    outside = [url for url in requests if not url.startswith((site, "blob:" + site, "data:"))]
    assert outside == [] and site.startswith("http://127.0.0.1:")
    page.close()


def test_sparql_editor_share_link(site: str, browser: Any) -> None:
    """The share button's link opens its query in YASGUI and runs it on the app's own
    endpoint, even when a crafted link names another endpoint."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(site + "/sparql-editor")
    page.wait_for_selector("#yasgui .CodeMirror")
    query = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }"
    page.evaluate(f"() => {{ dmkgYasgui.getTab().setQuery({query!r}); }}")
    link = page.evaluate("dmkgYasgui.getTab().getShareableLink()")
    assert link.startswith(site + "/sparql-editor")
    crafted = link + "&endpoint=http%3A%2F%2Fexample.invalid%2Fsparql"
    page.close()
    page = browser.new_page()  # a link opened afresh (a new visit, not a hash change)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(crafted)
    page.wait_for_selector("#yasgui .yasr table.dataTable tbody tr")
    assert page.evaluate("dmkgYasgui.getTab().getYasqe().getValue()") == query
    assert "26" in page.inner_text("#yasgui .yasr table.dataTable tbody")  # the 26 patients
    assert [url for url in requests if not url.startswith(site)] == []
    page.close()


def test_sparql_editor_without_yasgui(site: str, browser: Any) -> None:
    """Without its script the page keeps the plain form: a result with a long unbreakable
    value stays inside the window."""
    page = browser.new_page()
    page.route("**/yasgui/yasgui.min.js", lambda route: route.abort())
    _open(page, site, "/sparql-editor")
    assert page.locator("textarea#query").is_visible()
    assert page.locator("label[for=query]").inner_text() == "SPARQL query"
    long_value = "x" * 400
    page.fill("textarea#query", f'SELECT ?value WHERE {{ BIND("{long_value}" AS ?value) }}')
    page.click("#run")
    page.wait_for_selector("#editor-result table.results")
    assert page.inner_text("#editor-result tbody td").strip() == long_value
    _fits(page)
    page.close()


def test_resource_page(site: str, page: Any) -> None:
    _open(page, site, "/resource/cohort/monseau2020/mi2pos")
    assert "Monseau 2020: anti-Mi2-positive DM" in page.inner_text("main")


def test_not_found_page(site: str, page: Any) -> None:
    _open(page, site, "/term/NoSuchThing", status=404)
    assert page.locator("h1").inner_text() == "Not found"
    assert "dmkg:NoSuchThing" in page.inner_text("p.error")
    assert page.locator("a", has_text="Back to the start page").is_visible()


#: the class pages the issue measured at 19,000-33,000 px tall and 1,500 px wide
_WIDE_BEFORE = ("HeliotropeRash", "AntiTIF1gamma", "AntiMi2", "Dysphagia", "Myositis")


@pytest.mark.parametrize("term", [*_WIDE_BEFORE, "BreastMalignancy", "Present", "Patient"])
def test_class_pages_fit_the_window(site: str, page: Any, term: str) -> None:
    _open(page, site, f"/term/{term}")
    # one line per patient, none of their records
    hrefs = page.locator("table.class-patients td.patient a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == len(set(hrefs))
    assert page.locator("table.cohort-records a[href^='/patient/']").count() == 0


# -- a person's path through the site ------------------------------------------------------
def test_a_visit_through_the_site(site: str, page: Any) -> None:
    # home page
    page.goto(site + "/")
    assert page.inner_text("#count-patients") == "26"
    assert page.locator("table.sources tbody tr").count() == 3
    _shot(page, "1-home")

    # the ontology browser: open clinical finding, then cutaneous finding
    page.click("header nav >> text=Ontology")
    page.wait_for_url("**/ontology")
    heliotrope = page.locator("#class-tree li[data-term=HeliotropeRash] a")
    assert not heliotrope.is_visible()
    page.locator("#class-tree li[data-term=ClinicalFinding] > details > summary").click()
    page.locator("#class-tree li[data-term=CutaneousFinding] > details > summary").click()
    assert heliotrope.is_visible()
    _shot(page, "2-class-tree")

    # the class page
    heliotrope.click()
    page.wait_for_url("**/term/HeliotropeRash")
    assert page.inner_text("#term-label").startswith("heliotrope rash")
    assert (
        page.get_attribute(f"a.xref[data-curie='{HPO_HELIOTROPE}']", "href")
        == f"https://hpo.jax.org/browse/term/{HPO_HELIOTROPE}"
    )
    present = page.locator("table.status-counts tr[data-status=present] td.patients-count")
    assert present.inner_text() == "21"  # 20 in Requena Table 2 + the case report
    _shot(page, "3-class-page")

    # follow a patient: Requena case 5
    page.locator("table.class-patients a", has_text="requena2024 case 5").first.click()
    page.wait_for_url("**/patient/*")
    assert page.inner_text("#patient-label") == "requena2024 case 5"
    row = page.locator("table.findings tr.record", has_text="heliotrope rash")
    assert row.locator("td.status").inner_text() == "present"
    assert row.locator("span.detail[data-name=grade]").inner_text() == "3"
    assert "Table 2, row 5" in row.locator("td.source").inner_text()
    assert "+++" in row.inner_text()
    _shot(page, "4-patient")

    # run a canned query from its form
    page.click("header nav >> text=Queries")
    page.click("text=survival-by-finding")
    page.wait_for_url("**/queries/survival-by-finding")
    page.fill("input[name=finding]", "myositis")
    page.click("#run-query")
    page.wait_for_selector("#query-result table.results")
    header = page.locator("#query-result th").all_inner_texts()
    rows = {}
    for line in page.locator("#query-result tbody tr").all():
        cells = line.locator("td").all_inner_texts()
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    assert rows["present"]["patients"] == "15" and rows["present"]["dead"] == "13"
    assert "SELECT ?status" in page.inner_text("#query-text")
    _shot(page, "5-canned-query")

    # the SPARQL editor, with an example query
    page.click("header nav >> text=SPARQL")
    page.click("text=Examples")
    page.click("text=Patients with heliotrope rash, by status and grade")
    page.wait_for_selector("#editor-result table.results")
    first = page.locator("#editor-result tbody tr").first.locator("td").all_inner_texts()
    # ordered by status, then grade descending: an absent row first ("absent" < "present")
    assert first[1] == "absent"
    grade3 = page.locator("#editor-result tbody tr", has_text="+++")
    assert grade3.count() == 1 and "requena2024 case 5" in grade3.inner_text()
    _shot(page, "6-sparql-editor")


# -- accessibility and phones ------------------------------------------------------------------


def _axe_problems(tab: Any) -> list[str]:
    """axe-core's serious and critical violations on the page in ``tab``, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [WIDTH, PHONE])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_serious_violation(
    site: str, page: Any, phone: Any, kind: str, width: int
) -> None:
    tab = page if width == WIDTH else phone
    path, status = PAGE_TYPES[kind]
    response = tab.goto(site + path)
    assert response is not None and response.status == status, path
    problems = _axe_problems(tab)
    assert not problems, f"{kind} ({path}) at {width} px:\n" + "\n".join(problems)


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_page_fits_a_phone(site: str, phone: Any, kind: str) -> None:
    """Nothing is wider than a 390 px window: wide tables scroll inside their own box."""
    path, status = PAGE_TYPES[kind]
    response = phone.goto(site + path)
    assert response is not None and response.status == status, path
    width, window = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert window == PHONE
    wide = phone.evaluate(
        """w => [...document.querySelectorAll('body *')]
             .filter(e => e.getBoundingClientRect().right > w + 1
                          && !e.closest('.table-scroll, pre, [hidden]'))
             .slice(0, 5).map(e => e.tagName + '.' + e.className)""",
        PHONE,
    )
    assert width <= PHONE, f"{path} is {width} px wide in a {PHONE} px window: {wide}"
    _shot(phone, "phone-" + kind.replace(" ", "-"))


def test_wide_tables_scroll_in_their_own_box(site: str, phone: Any) -> None:
    phone.goto(site + f"/patient/{REQUENA_CASE5}")
    box = phone.locator(".table-scroll", has=phone.locator("table.findings"))
    scroll, client = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert scroll > client  # the findings table is wider than the phone, its box scrolls
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")


def test_error_pages_are_the_site_pages(site: str, page: Any) -> None:
    for path, status, text in (
        ("/no/such/page", 404, "There is no page at /no/such/page."),
        ("/term/HeliotropRash", 404, "There is no term dmkg:HeliotropRash"),
        ("/test-error-inside-a-page", 500, "Something went wrong inside dmkg"),
    ):
        response = page.goto(site + path)
        assert response is not None and response.status == status
        assert text in page.inner_text("p.error")
        assert page.locator("header nav a", has_text="Ontology").is_visible()
    # the unknown term suggests the term meant
    page.goto(site + "/term/HeliotropRash")
    page.click("ul.suggestions a")
    page.wait_for_url("**/term/HeliotropeRash")


def test_query_form_marks_required_fields(site: str, page: Any) -> None:
    page.goto(site + "/queries/patients-matching")
    for name in ("antibody", "sign"):
        field = page.locator(f"#field-{name}")
        assert field.get_attribute("required") is not None
        assert page.locator(f"label[for=field-{name}]").inner_text().endswith("(required)")
    # the browser keeps an empty required field from being sent
    page.click("#run-query")
    assert "run=1" not in page.url
    assert page.locator("#field-antibody").evaluate("e => e.validity.valueMissing")


def test_query_form_suggests_the_term_meant(site: str, page: Any) -> None:
    page.goto(site + "/queries/survival-by-finding")
    page.fill("#field-finding", "myosits")
    page.click("#run-query")
    error = page.locator("#error-finding")
    assert "\u201cmyosits\u201d is not a known clinical finding" in error.inner_text()
    assert "--param" not in page.inner_text("main")
    assert page.locator("#field-finding").get_attribute("aria-invalid") == "true"
    error.locator("a.suggestion", has_text="myositis").first.click()
    page.wait_for_selector("#query-result table.results")
    assert page.locator("#field-finding").input_value() == "myositis"


def test_autocomplete(site: str, page: Any) -> None:
    page.goto(site + "/")
    box = page.locator("header input#site-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("gotron", delay=20)
    options = page.locator("#site-q-options [role=option]")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    labels = [t.split(" ")[0:2] for t in options.all_inner_texts()]
    assert ["Gottron", "papules"] in labels  # a typing mistake forgiven
    # a screen reader hears how many choices there are
    assert page.inner_text("#site-q-status").endswith("suggestions, arrow keys to choose")
    problems = _axe_problems(page)  # the open list too
    assert not problems, "\n".join(problems)
    box.press("ArrowDown")
    first = options.first
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    # by a cross-reference id: Enter on the choice opens the term's page
    box.fill("")
    box.press_sequentially("HP:0040324", delay=20)
    page.locator("#site-q-options [role=option]", has_text="heliotrope rash").wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/term/HeliotropeRash")


def test_search_without_the_script(site: str, browser: Any) -> None:
    """Without JavaScript the search box is a plain form that opens the results page."""
    tab = browser.new_page()
    try:
        tab.route("**/static/search.js", lambda route: route.abort())
        tab.goto(site + "/")
        tab.fill("header input[type=search]", "dmkg:HeliotropeRash")
        tab.press("header input[type=search]", "Enter")
        tab.wait_for_url("**/search?q=dmkg%3AHeliotropeRash")
        hit = tab.locator("table.search-results tbody tr").first
        assert hit.locator("a").get_attribute("href") == "/term/HeliotropeRash"
        assert "CURIE" in hit.inner_text()
    finally:
        tab.close()
