"""The charts on the class and source pages: inline SVG with their numbers beside them, the
same numbers ``dmkg plot`` computes, against hand counts.

Hand counts (seed texts in /work/shared/seeds):
- Requena et al. 2024 (000), Table 2, column "Heliotrope rash": "+" in 17 rows, "++" in cases
  8 and 18, "+++" in case 5: 20 present; "—" in 19, 20, 21 and "No" in 6: 4 absent; "U" in 12:
  1 unknown. The Current Oncology case report (002) adds one patient with a "heliotropic
  rash". Monseau et al. 2020 (003), Table I: "Heliotrope rash 41/64 (64.1) 34/55 (61.8)".
- Requena Table 1 "Survival" of the heliotrope rash patients: absent 6 D (180), 19 D (4),
  20 A (38), 21 D (23): 4 placed, 3 deaths; present: 20 of which 9, 10, 11 are "L" without
  months: 17 placed (the case report's patient has no months either); unknown 12 "L".
- Requena Table 1 "Autoantibodies": anti-TIF-1-gamma "+" in 7 of the 9 tested (15-18, 20, 22,
  23), "-" in 19, 21, 24, 25; Monseau Table I: "Anti-TIF1γ — 5/32 (13.51)" (controls only).
- Monseau: "standardized incidence ratio of 5.1 (95% confidence interval [CI]: 3.0-8.6)";
  Table I "Holster sign 12/55 vs 2/55".
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from scipy.stats.contingency import odds_ratio
from starlette.testclient import TestClient

from kg.figures import plot
from kg.figures.common import estimate_text
from kg.web import create_app
from kg.web.server import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
#: a desktop window and a phone's (an iPhone 12 to 15 is 390 px wide)
WINDOWS = (1280, 390)


@pytest.fixture(scope="module")
def client(graph: Graph) -> Iterator[TestClient]:
    with TestClient(create_app(graph, workers=1, timeout=20)) as test_client:
        yield test_client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _chart(page: str, kind: str) -> dict[str, object]:
    """The first chart of ``kind`` on a page: its SVG, caption and table rows."""
    match = re.search(
        rf'<figure class="chart" id="([^"]+)" data-kind="{kind}">(.*?)</figure>', page, re.DOTALL
    )
    assert match, f"no {kind} chart on the page"
    body = match.group(2)
    svg = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert svg, f"the {kind} chart has no inline SVG"
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    rows = [
        [_text(c) for c in re.findall(r"<td>(.*?)</td>", r, re.DOTALL)]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    ]
    header = re.findall(r'<th scope="col">(.*?)</th>', body)
    caption = _text(body.split("<figcaption>")[1].split("</figcaption>")[0])
    return {"svg": svg.group(0), "rows": rows, "header": header, "caption": caption}


def test_heliotrope_rash_frequency_chart_matches_hand_counts(client: TestClient) -> None:
    page = client.get("/term/HeliotropeRash").text
    chart = _chart(page, "term-frequency")
    rows = {r[0]: r for r in chart["rows"]}  # type: ignore[union-attr]
    # group, present, assessed, excluded, % (CI)
    assert rows["requena2024 patients"][1:4] == ["20", "24", "1 (unknown 1)"]
    assert rows["requena2024 patients"][4].startswith("83.3% (")
    assert rows["curroncol2021 patients"][1:3] == ["1", "1"]
    assert rows["Monseau 2020: anti-Mi2-positive DM"][1:3] == ["41", "64"]
    assert rows["Monseau 2020: anti-Mi2-negative DM (controls)"][1:3] == ["34", "55"]


def test_heliotrope_rash_survival_chart_has_numbers_at_risk_and_log_rank_p(
    client: TestClient, graph: Graph
) -> None:
    page = client.get("/term/HeliotropeRash").text
    chart = _chart(page, "survival")
    groups = {r[0]: r for r in chart["rows"]}  # type: ignore[union-attr]
    header = chart["header"]
    assert header[:6] == ["group", "patients", "placed", "deaths", "censored", "median months"]
    at_zero = header.index("at risk 0 mo")  # type: ignore[union-attr]
    assert groups["absent"][1:5] == ["4", "4", "3", "1"] and groups["absent"][at_zero] == "4"
    assert groups["present"][1:3] == ["21", "17"] and groups["present"][at_zero] == "17"
    assert groups["unknown"][1:3] == ["1", "0"]
    p = plot(graph, "survival", finding="heliotrope rash").tables["logrank"]["p"].iloc[0]
    assert f"log-rank p = {p:.3g}" in chart["caption"]  # type: ignore[operator]
    assert f"log-rank p = {p:.3g}" in chart["svg"]  # type: ignore[operator]
    assert "numbers at risk" in chart["svg"]  # type: ignore[operator]


def test_chart_svg_is_labelled_and_scales(client: TestClient) -> None:
    page = client.get("/term/HeliotropeRash").text
    svg = _chart(page, "term-frequency")["svg"]
    head = svg.split(">", 1)[0]  # type: ignore[union-attr]
    assert 'role="img"' in head and "viewBox=" in head and "width=" not in head
    title_id = re.search(r'aria-labelledby="([^"]+)"', head)
    assert title_id and f'<title id="{title_id.group(1)}">' in svg  # type: ignore[operator]
    assert "/static/charts.css" in page
    css = client.get("/static/charts.css").text
    assert "width: 100%" in css and "height: auto" in css


def test_anti_tif1_gamma_page_shows_positivity_survival_and_evidence(client: TestClient) -> None:
    page = client.get("/term/AntiTIF1gamma").text
    freq = {r[0]: r for r in _chart(page, "term-frequency")["rows"]}  # type: ignore[union-attr]
    assert freq["requena2024 patients"][1:4] == ["7", "11", "3 (not performed 3)"]
    assert freq["Monseau 2020: anti-Mi2-negative DM (controls)"][1:3] == ["5", "32"]
    survival = {r[0]: r for r in _chart(page, "survival-by-antibody")["rows"]}  # type: ignore[union-attr]
    assert survival["positive"][1:4] == ["8", "7", "4"]
    assert survival["negative"][1:4] == ["4", "4", "3"]
    forest = _chart(page, "evidence-forest")["rows"]
    estimates = {r[0]: r[4] for r in forest}  # type: ignore[union-attr]
    assert estimates["odds ratio of malignancy with high anti-TIF1-gamma levels"] == (
        "27 (no interval)"
    )
    assert any(r[1] == "patient-level" and r[3] for r in forest)  # type: ignore[union-attr]


def test_anti_mi2_page_shows_the_monseau_odds_ratios(client: TestClient) -> None:
    page = client.get("/term/AntiMi2").text
    evidence = {r[0]: r for r in _chart(page, "evidence-forest")["rows"]}  # type: ignore[union-attr]
    sir = evidence["standardized incidence ratio of cancer in anti-Mi2-positive DM"]
    assert sir[4] == "5.1 (3.0-8.6)"
    cohort = {r[0]: r for r in _chart(page, "mi2-forest")["rows"]}  # type: ignore[union-attr]
    assert cohort["Holster sign"][1] == "12/55 vs 2/55"
    assert cohort["Holster sign"][2].startswith("7.")
    assert not re.search(r"record/[0-9a-f]{16}<", page)  # estimates read as numbers, not ids


def test_source_and_malignancy_pages_have_their_charts(client: TestClient) -> None:
    requena = client.get("/source/requena2024").text
    freq = {r[0]: r for r in _chart(requena, "finding-frequency")["rows"]}  # type: ignore[union-attr]
    assert freq["heliotrope rash"][1:3] == ["20", "24"]
    sites = {r[0]: r for r in _chart(requena, "survival-by-site")["rows"]}  # type: ignore[union-attr]
    assert sites["breast cancer"][1:4] == ["7", "7", "4"]
    monseau = client.get("/source/monseau2020").text
    assert _chart(monseau, "mi2-forest")["rows"]
    printed = {r[0]: r[4] for r in _chart(monseau, "evidence-forest")["rows"]}  # type: ignore[union-attr]
    assert printed == {
        "standardized incidence ratio of cancer in anti-Mi2-positive DM": "5.1 (3.0-8.6)"
    }
    malignancy = client.get("/term/Malignancy").text
    sites = {r[0]: r for r in _chart(malignancy, "survival-by-site")["rows"]}  # type: ignore[union-attr]
    assert sites["lung cancer"][1:4] == ["6", "6", "5"]
    assert 'data-kind="survival-by-site"' not in client.get("/term/HeliotropeRash").text


def test_query_result_has_the_chart_of_its_parameters(client: TestClient, graph: Graph) -> None:
    """Requena Table 1: myositis "Yes" in 15 patients, 13 of them "D", all with months."""
    page = client.get("/queries/survival-by-finding?finding=myositis&run=1").text
    chart = _chart(page, "survival")
    groups = {r[0]: r for r in chart["rows"]}  # type: ignore[union-attr]
    assert groups["present"][1:4] == ["15", "15", "13"]
    p = plot(graph, "survival", finding="myositis").tables["logrank"]["p"].iloc[0]
    assert f"log-rank p = {p:.3g}" in chart["caption"]  # type: ignore[operator]
    assert 'class="chart"' not in client.get("/queries/antibody-frequency?run=1").text


def test_association_table_reads_estimates_with_their_interval(client: TestClient) -> None:
    """Monseau Table I heliotrope rash 41/64 vs 34/55: the odds ratio of [[41, 23], [34, 21]]
    with its exact 95% interval, written "1.10 (0.49-2.48)", not four loose numbers."""
    page = client.get("/term/HeliotropeRash").text
    table = page.split('<table class="associations">')[1].split("</table>")[0]
    cohort = next(r for r in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL) if ">cohort<" in r)
    ratio = odds_ratio([[41, 23], [34, 21]], kind="conditional")
    ci = ratio.confidence_interval(confidence_level=0.95)
    expected = estimate_text(float(ratio.statistic), float(ci.low), float(ci.high))
    assert expected == "1.10 (0.49-2.48)"
    assert f'<td class="num estimate">{expected}</td>' in cohort


@pytest.fixture(scope="module")
def browser_page(graph: Graph) -> Iterator[tuple[str, Any]]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="dmkg-chromium-charts-")
    with (
        BackgroundServer(create_app(graph, workers=1, timeout=20)) as server,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            viewport={"width": WINDOWS[0], "height": 900},
        )
        try:
            yield server.url, context.new_page()
        finally:
            context.close()


@pytest.mark.parametrize("width", WINDOWS)
@pytest.mark.parametrize(
    "path", ["/term/HeliotropeRash", "/term/AntiTIF1gamma", "/source/requena2024"]
)
def test_chart_pages_fit_the_window(browser_page: tuple[str, Any], path: str, width: int) -> None:
    """Each chart fits its window (the SVG scales down to its box), is named for screen
    readers by its title, and axe-core finds no serious or critical violation in the charts."""
    url, page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url + path)
    scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= window, f"{path} is {scroll} px wide in a {window} px window"
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() >= 2
    for index in range(charts.count()):
        svg = charts.nth(index)
        box = svg.bounding_box()
        assert box is not None and 0 < box["width"] <= window and box["height"] > 50
        title = svg.evaluate(
            "s => document.getElementById(s.getAttribute('aria-labelledby')).textContent"
        )
        assert title.strip()
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["figure.chart"]]}).response
    serious = [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
