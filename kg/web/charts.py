"""The figures of ``dmkg plot`` on the pages, as inline SVG with their numbers beside them.

Each chart is drawn on the server from the site's one graph by :mod:`kg.figures` (the same
code and numbers as ``dmkg plot``), written by matplotlib's SVG backend and made to fit its
box (``width: 100%``, the SVG's own ``viewBox``), labelled for screen readers (``role="img"``,
a ``<title>`` and ``aria-labelledby``) and followed by a text alternative: its numbers as a
small table. Which charts a page shows:

- a clinical finding or an autoantibody: its share present (positive) by source and cohort
  (``term-frequency``), survival by its status where the sources have follow-up
  (``survival``, ``survival-by-antibody``), and the odds ratios and risk estimates about it
  (``evidence-forest``; for an antibody that splits two cohorts also ``mi2-forest``);
- malignancy and every class under it: survival by cancer site (``survival-by-site``);
- a source: its findings' frequencies (``finding-frequency``) where it has patients, survival
  by cancer site, the risk estimates it prints (``evidence-forest``), the cohort odds ratios
  it prints (``mi2-forest``) where its cohorts are split by an antibody;
- a canned query's result: survival-by-finding its curves, sign-frequency its frequencies,
  cancer-sites survival by site, with the query's own parameters.

Charts are computed once per page key and kept (the graph does not change while the app
runs). matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import io
import math
import re
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from rdflib import URIRef

from kg.errors import DmkgError
from kg.namespaces import DMKG

if TYPE_CHECKING:
    from kg.figures import FigureResult
    from kg.web.model import GraphView

__all__ = ["Chart", "Charts"]


@dataclass
class Chart:
    """One figure on a page: its SVG, a caption, and its numbers as a table."""

    id: str
    kind: str  # the figure's name in ``dmkg plot``
    title: str
    svg: Markup
    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def _number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.{digits}g}"
    return str(value)


def _percent(row: dict[str, Any]) -> str:
    return f"{100 * row['proportion']:.1f}% ({100 * row['ci_low']:.1f}-{100 * row['ci_high']:.1f})"


def svg_markup(result: FigureResult, chart_id: str, title: str) -> Markup:
    """The figure as an inline ``<svg>`` that scales to its box and names itself."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "none"}):
        result.figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # matplotlib numbers its elements (figure_1, axes_1, ...) alike in every figure: prefix
    # the ids, and what refers to them, so that two charts on a page share none
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r'(url\(#|href="#)', rf"\1{chart_id}-", text)
    title_id = f"{chart_id}-title"
    text = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 class="chart-svg" role="img" aria-labelledby="{title_id}"',
        text,
        count=1,
    )
    escaped = Markup.escape(title)
    text = re.sub(r"(<svg[^>]*>)", rf'\1<title id="{title_id}">{escaped}</title>', text, count=1)
    return Markup(text)


def _frequency_table(data: Any) -> tuple[list[str], list[list[str]]]:
    columns = ["group", "present or positive", "assessed", "excluded", "% (Wilson 95% CI)"]
    rows = [
        [
            r["group"],
            str(r["present"]),
            str(r["assessed"]),
            (f"{r['excluded']} ({r['excluded_statuses']})" if r["excluded_statuses"] else "")
            if "excluded_statuses" in r
            else _number(r["excluded"]),
            _percent(r),
        ]
        for r in data.to_dict("records")
    ]
    return columns, rows


def _finding_table(data: Any) -> tuple[list[str], list[list[str]]]:
    columns = ["finding", "present", "assessed", "% (Wilson 95% CI)"]
    rows = [
        [r["finding"], str(r["present"]), str(r["assessed"]), _percent(r)]
        for r in data.to_dict("records")
    ]
    return columns, rows


def _survival_table(result: FigureResult) -> tuple[list[str], list[list[str]]]:
    at_risk = result.tables["at_risk"].to_dict("records")
    times = sorted({r["time"] for r in at_risk})
    columns = [
        "group",
        "patients",
        "placed",
        "deaths",
        "censored",
        "median months",
        *(f"at risk {t:g} mo" for t in times),
    ]
    rows = []
    for group in result.tables["groups"].to_dict("records"):
        counts = {r["time"]: r["at_risk"] for r in at_risk if r["group"] == group["group"]}
        rows.append(
            [
                group["group"],
                str(group["patients"]),
                str(group["included"]),
                str(group["events"]),
                str(group["censored"]),
                _number(group["median_months"]),
                *(str(counts[t]) if t in counts else "" for t in times),
            ]
        )
    return columns, rows


def _forest_table(data: Any) -> tuple[list[str], list[list[str]]]:
    columns = ["evidence", "kind", "measure", "counts", "estimate (95% CI)", "printed p", "source"]
    rows = []
    for r in data.to_dict("records"):
        counts = f"{r['n1']}/{r['N1']} vs {r['n2']}/{r['N2']}" if _number(r["N1"]) else ""
        rows.append(
            [
                r["evidence"],
                r["kind"],
                r["measure"],
                counts,
                r["estimate"],
                _number(r["reported_p"]),
                r["source"],
            ]
        )
    return columns, rows


def _mi2_table(data: Any) -> tuple[list[str], list[list[str]]]:
    from kg.figures.common import estimate_text

    columns = ["feature", "counts", "odds ratio (95% CI)", "printed p", "Fisher p"]
    rows = [
        [
            r["feature"],
            f"{r['n1']}/{r['N1']} vs {r['n2']}/{r['N2']}",
            estimate_text(r["odds_ratio"], r["ci_low"], r["ci_high"]),
            _number(r["reported_p"]),
            _number(r["p_fisher"]),
        ]
        for r in data.to_dict("records")
    ]
    return columns, rows


#: a chart to try: figure name, its parameters, the page's title for it, its table maker
_Plan = tuple[str, dict[str, str], str, Callable[[Any], tuple[list[str], list[list[str]]]]]


#: canned query -> the figure of its result, its title, its table, the parameters it takes
_QUERY_FIGURES: dict[str, tuple[str, str, Any, tuple[str, ...]]] = {
    "survival-by-finding": (
        "survival",
        "Survival by the finding's status",
        _survival_table,
        ("finding", "source"),
    ),
    "sign-frequency": (
        "finding-frequency",
        "Findings: share present",
        _finding_table,
        ("source",),
    ),
    "cancer-sites": ("survival-by-site", "Survival by cancer site", _survival_table, ("source",)),
}
#: the most pages whose charts are kept
_MAX_PAGES = 512


class Charts:
    """The charts of each page, drawn on first request and kept per page key."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self._cache: dict[str, list[Chart]] = {}
        self._lock = threading.Lock()

    def for_term(self, iri: URIRef) -> list[Chart]:
        """The charts of a class page (none for a class without any)."""
        return self._cached(f"term:{iri}", lambda: self._draw_all(self._term_plans(iri)))

    def for_source(self, iri: URIRef, doi: str) -> list[Chart]:
        """The charts of a source page: its frequencies, its cohort odds ratios."""
        return self._cached(f"source:{iri}", lambda: self._draw_all(self._source_plans(iri, doi)))

    @staticmethod
    def estimate(value: str, low: str, high: str) -> str:
        """An estimate shown as text ("1.1", "inf", "") with its interval: "1.10 (0.49-2.48)"."""
        from kg.figures.common import estimate_text

        if not value:
            return ""
        number = [float(v) if v else None for v in (value, low, high)]
        return estimate_text(number[0], number[1], number[2])

    def for_query(self, name: str, values: dict[str, str]) -> list[Chart]:
        """The chart of a canned query's result, drawn from the same parameters (none for a
        query without a figure)."""
        if name not in _QUERY_FIGURES:
            return []
        figure, title, table, wanted = _QUERY_FIGURES[name]
        params = {k: v for k, v in values.items() if k in wanted}
        key = f"query:{name}:{sorted(params.items())}"
        with self._lock:  # typed values make new keys: keep the number of them bounded
            if len(self._cache) > _MAX_PAGES:
                self._cache = {k: v for k, v in self._cache.items() if not k.startswith("query:")}
        return self._cached(key, lambda: self._draw_all([(figure, params, title, table)]))

    def _cached(self, key: str, make: Callable[[], list[Chart]]) -> list[Chart]:
        # one lock: matplotlib's state is not for concurrent drawing, and a chart is drawn once
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def _term_plans(self, iri: URIRef) -> list[_Plan]:
        ontology = self.view.ontology
        above = ontology.ancestors(iri) | {iri}
        name = ontology.label(iri)
        curie = "dmkg:" + str(iri)[len(str(DMKG._NS)) :]
        plans: list[_Plan] = []
        finding, antibody = DMKG.ClinicalFinding in above, DMKG.Autoantibody in above
        if finding or antibody:
            what = "present" if finding else "positive"
            plans.append(
                (
                    "term-frequency",
                    {"term": curie},
                    f"{name}: share {what} by source and cohort",
                    _frequency_table,
                )
            )
            survival = "survival" if finding else "survival-by-antibody"
            key = "finding" if finding else "antibody"
            plans.append((survival, {key: curie}, f"Survival by {name} status", _survival_table))
            plans.append(
                (
                    "evidence-forest",
                    {"term": curie},
                    f"{name}: odds ratios and risk estimates",
                    _forest_table,
                )
            )
        if antibody:
            plans.append(
                (
                    "mi2-forest",
                    {"antibody": name},
                    f"Features compared between {name}-positive and -negative cohorts",
                    _mi2_table,
                )
            )
        if DMKG.Malignancy in above:
            plans.append(("survival-by-site", {}, "Survival by cancer site", _survival_table))
        return plans

    def _source_plans(self, iri: URIRef, doi: str) -> list[_Plan]:
        plans: list[_Plan] = [
            (
                "finding-frequency",
                {"source": doi},
                "Findings of its patients: share present",
                _finding_table,
            ),
            ("survival-by-site", {"source": doi}, "Survival by cancer site", _survival_table),
            ("evidence-forest", {"source": doi}, "Risk estimates it prints", _forest_table),
        ]
        from kg.analyse.cohorts import cohort_comparisons

        splits = {
            c.feature
            for c in cohort_comparisons(self.view.graph)
            if c.source == doi and c.N1 > 0 and c.n1 == c.N1 and c.n2 == 0
        }
        for antibody in sorted(splits, key=str):
            name = self.view.ontology.label(URIRef(str(antibody)))
            plans.append(
                (
                    "mi2-forest",
                    {"antibody": name},
                    f"Features compared between {name}-positive and -negative cohorts",
                    _mi2_table,
                )
            )
        return plans

    def _draw_all(self, plans: list[_Plan]) -> list[Chart]:
        charts: list[Chart] = []
        for name, params, title, table in plans:
            chart = self._draw(name, params, title, table)
            if chart is not None:
                chart.id = f"chart-{len(charts) + 1}-{name}"
                charts.append(chart)
        return charts

    def _draw(
        self,
        name: str,
        params: dict[str, str],
        title: str,
        table: Callable[[Any], tuple[list[str], list[list[str]]]],
    ) -> Chart | None:
        """One chart, or None where the figure has nothing to show for this page."""
        from kg.figures import plot

        try:
            result = plot(self.view.graph, name, terms=self.view.terms, **params)
        except DmkgError:  # e.g. no cohort comparison splits two cohorts by this antibody
            return None
        try:
            if not _has_content(result):
                return None
            columns, rows = table(result if name.startswith("survival") else result.data)
            caption = _caption(result)
            chart = Chart("", name, title, Markup(""), caption, columns, rows, list(result.notes))
            chart.svg = svg_markup(result, f"{name}-{zlib.crc32(title.encode()):08x}", title)
            return chart
        finally:
            result.figure.clear()


def _has_content(result: FigureResult) -> bool:
    if result.name.startswith("survival"):
        return len(result.data) > 0
    if "plotted" in result.data.columns:
        return bool(result.data["plotted"].any())
    return len(result.data) > 0


def _caption(result: FigureResult) -> str:
    """What the figure shows, in words, with its test where it has one."""
    if result.name.startswith("survival"):
        logrank = result.tables["logrank"].to_dict("records")
        p = f"; log-rank p = {logrank[0]['p']:.3g}" if logrank else ""
        return (
            "Kaplan-Meier curves (death the event; alive and lost to follow-up censored), "
            f"shaded 95% intervals, numbers at risk under the axis{p}."
        )
    if result.name in ("term-frequency", "finding-frequency"):
        return "Share of those assessed, with Wilson 95% intervals."
    return (
        "Odds ratios and risk ratios with 95% intervals on a log scale; the dashed line is 1. "
        "Rows that cannot be drawn on a log scale are in the table only."
    )
