"""The numbers of one registry size: a row per stage and canned query, on dmkg and the baselines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from kg.bench.validate import VALIDATE_ROW

__all__ = ["SizeResult", "StageRow"]


@dataclass
class StageRow:
    """One line of a size's table: a stage or a canned query, on dmkg and the baselines.

    A baseline's ``*_status`` is ``ok``, ``timeout`` (its seconds are the limit it hit),
    ``not run`` (see the size's ``rdflib_reason``), ``failed``, or ``-`` where the baseline
    has no such stage (generating, validating, inferring).
    """

    name: str
    kind: str  # "stage", "step" (inside load+validate, summed over batches), "build", "query"
    dmkg_s: float
    dmkg_peak_mb: float
    rows: int | None = None
    #: a query's whole 'dmkg query NAME --store DIR' command (fresh process), on disk only
    command_s: float | None = None
    rdflib_s: float | None = None
    rdflib_status: str = "-"
    rdflib_rows: int | None = None
    pyoxigraph_s: float | None = None
    pyoxigraph_status: str = "-"
    pyoxigraph_rows: int | None = None
    virtuoso_s: float | None = None
    virtuoso_status: str = "-"
    virtuoso_rows: int | None = None

    @property
    def label(self) -> str:
        if self.kind == "step":
            return f"  {self.name} (summed)"
        return (
            f"query {self.name}"
            if self.kind == "query"
            else ("build (total)" if self.kind == "build" else self.name)
        )

    def ratio(self, engine: str) -> float | None:
        """Baseline seconds / dmkg seconds (above 1: dmkg was quicker); for a query killed at
        the time limit, a lower bound."""
        seconds = getattr(self, f"{engine}_s")
        if seconds is None or getattr(self, f"{engine}_status") not in ("ok", "timeout"):
            return None
        return seconds / self.dmkg_s if self.dmkg_s > 0 else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rdflib_ratio"] = self.ratio("rdflib")
        data["pyoxigraph_ratio"] = self.ratio("pyoxigraph")
        data["virtuoso_ratio"] = self.ratio("virtuoso")
        return data


@dataclass
class SizeResult:
    """All numbers of one registry size."""

    patients: int
    triples: int
    data_triples: int
    inferred: int
    ntriples_mb: float
    graph_patients: int  # patients the built graph holds (the summary query's count)
    stages: list[StageRow]  # the stages, then the canned queries
    rdflib_reason: str | None = None  # why rdflib did not run (None: it ran)
    rdflib_load_peak_mb: float | None = None
    pyoxigraph_load_peak_mb: float | None = None
    batches: int = 0  # batches of the build, and how many ran side by side
    batch_workers: int = 0
    # Virtuoso 7 (kg.bench.virtuoso): why it did not run (None: it ran), its load's peak
    # (the server's memory included) and each failed query's message
    virtuoso_reason: str | None = None
    virtuoso_load_peak_mb: float | None = None
    virtuoso_errors: dict[str, str] = field(default_factory=dict)
    # CPU seconds of raw pyoxigraph's bulk load (its threads included, IRIs checked): divided
    # by the cores, the least wall time that load takes on the machine
    pyoxigraph_load_cpu_s: float | None = None

    @property
    def row_mismatches(self) -> list[str]:
        """The queries whose row counts differ between the engines that answered them."""
        found = []
        for row in self.stages:
            counts = {row.rows, row.rdflib_rows, row.pyoxigraph_rows, row.virtuoso_rows}
            if row.kind == "query" and len(counts - {None}) > 1:
                found.append(row.name)
        return found

    def row(self, name: str) -> StageRow:
        return next(r for r in self.stages if r.name == name)

    @property
    def build_s(self) -> float:
        return self.row("build").dmkg_s

    @property
    def build_stages(self) -> list[str]:
        """The stages :func:`kg.build.store.build_store` reported, in the order they ran (the
        build row is the wall time of the whole call, these and the steps between them)."""
        return [
            r.name
            for r in self.stages
            if r.kind == "stage" and r.name not in ("generate", VALIDATE_ROW)
        ]

    @property
    def peak(self) -> StageRow:
        """The row whose stage used the most memory (of the whole process tree: a step's
        peak is one process's)."""
        return max((r for r in self.stages if r.kind != "step"), key=lambda r: r.dmkg_peak_mb)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "stages"}
        data["stages"] = [r.as_dict() for r in self.stages]
        data["build_s"] = self.build_s
        data["build_stages"] = self.build_stages
        data["peak_mb"] = self.peak.dmkg_peak_mb
        data["row_mismatches"] = self.row_mismatches
        return data
