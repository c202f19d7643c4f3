"""The benchmark's report: every size, the goals checked at the largest, the machine, and the
JSON it writes."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.bench.commands import command_table
from kg.bench.memory import _PAGE, SAMPLE_INTERVAL
from kg.bench.results import SizeResult
from kg.bench.tables import _growth_table, _machine_line, _sig, _size_table

__all__ = ["GOALS", "GOAL_PATIENTS", "BenchReport", "Goal", "machine", "write_json"]


#: the goals of the 100,000-patient registry: build seconds, peak MB, seconds per query
GOALS = {"build_s": 120.0, "peak_mb": 3000.0, "query_s": 1.0, "command_s": 1.0}
#: growth between the two largest sizes: time ratio at most this times the size ratio (10x the
#: patients: at most 11x the time), for every stage, step and query
GROWTH_SLACK = 1.1
#: dmkg's embedded store against Virtuoso 7 on the same graph: at most this many times slower
VIRTUOSO_FACTOR = 2.0
GOAL_PATIENTS = 100_000


@dataclass
class Goal:
    """One of the issue's goals, at the largest size measured."""

    name: str
    value: float
    limit: float
    unit: str
    detail: str

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def text(self) -> str:
        verdict = "met" if self.met else "NOT met"
        sign = "<=" if self.met else ">"
        return (
            f"  {self.name}: {verdict} ({_sig(self.value, 4)} {self.unit} {sign} "
            f"{_sig(self.limit, 4)} {self.unit}; {self.detail})"
        )


@dataclass
class BenchReport:
    """Every size measured, the machine, and the settings of the run."""

    sizes: list[SizeResult]
    machine: dict[str, Any]
    settings: dict[str, Any]
    load_average: dict[str, float] = field(default_factory=dict)

    def growth(self) -> list[dict[str, Any]]:
        """time(size i) / time(size i-1) for every row, beside the ratio of the sizes."""
        steps = []
        for small, large in zip(self.sizes, self.sizes[1:]):
            times = {}
            for row in large.stages:
                before = small.row(row.name).dmkg_s
                times[row.name] = row.dmkg_s / before if before > 0 else None
            steps.append(
                {
                    "from": small.patients,
                    "to": large.patients,
                    "size_ratio": large.patients / small.patients,
                    "triples_ratio": large.triples / small.triples,
                    "peak_mb_ratio": large.peak.dmkg_peak_mb / small.peak.dmkg_peak_mb,
                    "time_ratio": times,
                }
            )
        return steps

    def goals(self) -> list[Goal]:
        """The issue's goals, checked at the largest size."""
        last = self.sizes[-1]
        build = ", ".join(
            f"{name} {_sig(last.row(name).dmkg_s, 3)} s" for name in last.build_stages
        )
        queries = [r for r in last.stages if r.kind == "query"]
        slowest = max(queries, key=lambda r: r.dmkg_s)
        over = [r for r in queries if r.dmkg_s > GOALS["query_s"]]
        peak = last.peak
        against = self.virtuoso_goal()
        raw = last.row("build")
        if last.pyoxigraph_load_cpu_s and raw.pyoxigraph_status == "ok" and raw.pyoxigraph_s:
            build += (
                f"; pyoxigraph's bulk load of the same graph alone: {_sig(raw.pyoxigraph_s, 3)} "
                f"s, {_sig(last.pyoxigraph_load_cpu_s, 3)} s of CPU on "
                f"{self.machine.get('cores') or '?'} core(s)"
            )
        return [
            Goal(
                "build (kg.build.store.build_store, wall time)",
                last.build_s,
                GOALS["build_s"],
                "s",
                f"its stages: {build}",
            ),
            Goal(
                "peak memory", peak.dmkg_peak_mb, GOALS["peak_mb"], "MB", f"in stage {peak.label}"
            ),
            Goal(
                "each canned query",
                slowest.dmkg_s,
                GOALS["query_s"],
                "s",
                f"slowest: {slowest.name}"
                + (
                    f"; over the limit: {', '.join(r.name for r in over)}"
                    if over
                    else f"; all {len(queries)} within"
                ),
            ),
            *self._command_and_growth_goals(),
        ] + ([against] if against is not None else [])

    def virtuoso_goal(self) -> Goal | None:
        """dmkg within VIRTUOSO_FACTOR of Virtuoso on every query Virtuoso answered (None
        where Virtuoso did not run)."""
        pairs = [
            (r.dmkg_s / r.virtuoso_s, r.name)
            for r in self.sizes[-1].stages
            if r.kind == "query" and r.virtuoso_status == "ok" and r.virtuoso_s
        ]
        if not pairs:
            return None
        worst, name = max(pairs)
        over = [n for ratio, n in sorted(pairs, reverse=True) if ratio > VIRTUOSO_FACTOR]
        return Goal(
            "dmkg within 2x of Virtuoso on each query (dmkg s / virtuoso s)",
            worst,
            VIRTUOSO_FACTOR,
            "x",
            f"slowest against Virtuoso: {name}"
            + (f"; over: {', '.join(over)}" if over else f"; all {len(pairs)} within"),
        )

    def _command_and_growth_goals(self) -> list[Goal]:
        """Each query as a user's command (where timed: a store on disk), and the growth
        from the second largest size to the largest (where there are two)."""
        last, found = self.sizes[-1], []
        timed = [r for r in last.stages if r.kind == "query" and r.command_s is not None]
        if timed:
            slowest = max(timed, key=lambda r: r.command_s or 0.0)
            over = [r.name for r in timed if (r.command_s or 0.0) > GOALS["command_s"]]
            found.append(
                Goal(
                    "each canned query as a command (dmkg query NAME --store DIR, fresh process)",
                    slowest.command_s or 0.0,
                    GOALS["command_s"],
                    "s",
                    f"slowest: {slowest.name}"
                    + (
                        f"; over the limit: {', '.join(over)}"
                        if over
                        else f"; all {len(timed)} within"
                    ),
                )
            )
        if len(self.sizes) > 1:
            step = self.growth()[-1]
            ratios = {n: r for n, r in step["time_ratio"].items() if r is not None}
            worst = max(ratios, key=lambda n: ratios[n])
            limit = GROWTH_SLACK * step["size_ratio"]
            over = [n for n, r in ratios.items() if r > limit]
            found.append(
                Goal(
                    f"growth {step['from']:,} -> {step['to']:,} patients, every stage and query",
                    ratios[worst],
                    limit,
                    "x",
                    f"largest: {worst}"
                    + (
                        f"; over the limit: {', '.join(over)}"
                        if over
                        else f"; all {len(ratios)} within"
                    ),
                )
            )
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "sizes": [s.as_dict() for s in self.sizes],
            "growth": self.growth(),
            "goals": [{**asdict(g), "met": g.met} for g in self.goals()],
            "goal_size": self.sizes[-1].patients,
            "machine": self.machine,
            "settings": self.settings,
            "load_average": self.load_average,
            "memory": "peak RSS of the process tree (process + worker processes), MB, "
            f"sampled every {SAMPLE_INTERVAL * 1000:.0f} ms",
        }

    def text(self) -> str:
        """The tables, the goals and the machine, as plain text."""
        parts = [
            part
            for s in self.sizes
            for part in (_size_table(s, self.settings), command_table(s))
            if part
        ]
        if len(self.sizes) > 1:
            parts.append(_growth_table(self.growth(), self.sizes[-1]))
        goals = "\n".join(g.text() for g in self.goals())
        largest = self.sizes[-1].patients
        caveat = (
            f" (the goals are set for {GOAL_PATIENTS:,}; run that size to check them)"
            if largest < GOAL_PATIENTS
            else ""
        )
        parts.append(f"goals at {largest:,} patients{caveat}:\n{goals}")
        parts.append(_machine_line(self.machine, self.load_average))
        return "\n\n".join(parts) + "\n"


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, system, Python and the RDF engines' versions."""
    import pyoxigraph
    import rdflib

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PHYS_PAGES") * _PAGE / 1024**3
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
    }


def write_json(report: BenchReport, path: Path) -> None:
    """Write the report's numbers as JSON, atomically (a temporary file, then a rename)."""
    path = Path(path)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, prefix=f".{path.name}.", suffix=".tmp"
    ) as handle:
        temporary = Path(handle.name)
        try:
            json.dump(report.as_dict(), handle, indent=2)
            handle.write("\n")
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
    os.replace(temporary, path)
