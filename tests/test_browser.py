"""The pages in a real browser: Debian's headless Chromium, driven by Playwright.

A person's path through the site: the home page, the class tree opened down to heliotrope
rash, its page (HPO link, patients), a patient (Requena case 5), a canned-query form
(survival by myositis) and the SPARQL editor. A screenshot of each page is kept in
tests/artifacts/ (git-ignored). Without Chromium the test fails, saying what to install;
it never skips.

Hand counts (seed texts in /work/shared/seeds): Requena et al. 2024 Table 2, heliotrope rash
present in 20 of 25 rows (case 5 "+++"), plus the case report's "heliotropic rash": 21.
Requena Table 1: myositis "Yes" in 15 patients, 13 of them dead ("D") at last follow-up.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from kg.web import create_app
from kg.web.server import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture(scope="module")
def site(graph: Graph) -> Iterator[str]:
    with BackgroundServer(create_app(graph, workers=1, timeout=20)) as server:
        yield server.url


@pytest.fixture(scope="module")
def page(site: str) -> Iterator[Any]:
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
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(30_000)
        tab = context.new_page()
        yield tab
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _shot(page: Any, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, f"{path} looks empty"


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
        page.get_attribute("a.xref[data-curie='HP:0040324']", "href")
        == "https://hpo.jax.org/browse/term/HP:0040324"
    )
    present = page.locator("table.status-counts tr[data-status=present] td.patients-count")
    assert present.inner_text() == "21"  # 20 in Requena Table 2 + the case report
    _shot(page, "3-class-page")

    # follow a patient: Requena case 5
    page.locator("table.patient-records a", has_text="requena2024 case 5").first.click()
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
