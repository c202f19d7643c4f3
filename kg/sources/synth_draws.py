"""The draws of :mod:`kg.sources.synth`: the registry table, column by column, vectorised with
``numpy.random.default_rng(seed)``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.errors import UsageError
from kg.sources.synth_params import load_params

__all__ = [
    "AGE",
    "CANCER",
    "CASE",
    "INTERVAL",
    "MAX_PATIENTS",
    "OUTCOME",
    "SEX",
    "Registry",
    "generate_registry",
]

MAX_PATIENTS = 10_000_000
CASE, AGE, SEX, CANCER = "Case", "Age (years)", "Sex", "Associated cancer"
INTERVAL, OUTCOME = "DM to cancer (months)", "Outcome (months since DM diagnosis)"

Strings = npt.NDArray[np.str_]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Registry:
    """The drawn table: column names and one list of cells per column."""

    header: tuple[str, ...]
    columns: tuple[list[str], ...]

    @property
    def patients(self) -> int:
        return len(self.columns[0])

    def rows(self) -> Iterator[tuple[str, ...]]:
        """The rows, cell by cell."""
        return zip(*self.columns, strict=True)

    def tsv(self) -> str:
        """The table as TSV text: header line, one line per patient, final newline."""
        lines = ["\t".join(self.header)]
        lines.extend(map("\t".join, self.rows()))
        return "\n".join(lines) + "\n"


def generate_registry(patients: int, seed: int, params: dict[str, Any] | None = None) -> Registry:
    """Draw ``patients`` rows with ``numpy.random.default_rng(seed)``."""
    _check_counts(patients, seed)
    p = params if params is not None else load_params()
    rng = np.random.default_rng(seed)
    n = patients

    female = rng.random(n) < p["sex"]["female"]
    names = list(p["serotypes"])
    serotype = rng.choice(len(names), size=n, p=[p["serotypes"][s]["share"] for s in names])
    risk = np.array([p["serotypes"][s]["cancer"] for s in names])
    cancer = rng.random(n) < risk[serotype]

    ages = np.where(
        cancer,
        _quantile_draw(rng, p["age"]["cancer"]["quantiles"], n),
        _quantile_draw(rng, p["age"]["no_cancer"]["quantiles"], n),
    )
    site = _sites(rng, p["cancer_sites"], female)
    interval = _intervals(rng, p["interval"], n)
    outcome = _outcomes(rng, p["outcome"], cancer)

    findings: list[tuple[str, list[str]]] = []
    for finding in p["findings"].values():
        present = rng.random(n) < _finding_rates(finding, names, serotype, cancer)
        cells = np.where(present, "+", "-")
        findings.append((finding["column"], _mask(rng, cells, p["finding_cells"], "U")))

    panel = rng.random(n)
    not_performed = panel < p["antibody_panel"]["not_performed"]["p"]
    not_reported = ~not_performed & (
        panel < p["antibody_panel"]["not_performed"]["p"] + p["antibody_panel"]["not_reported"]["p"]
    )
    antibodies: list[tuple[str, list[str]]] = []
    for number, name in enumerate(names):
        if "column" not in p["serotypes"][name]:
            continue
        cells = np.where(serotype == number, "+", "-")
        cells = np.where(not_performed, "NP", np.where(not_reported, "", cells))
        antibodies.append((p["serotypes"][name]["column"], cells.tolist()))

    cancer_cell = np.where(cancer, site, "none")
    hidden = rng.random(n)
    unknown = hidden < p["cancer_cell"]["unknown"]["p"]
    unreported = ~unknown & (
        hidden < p["cancer_cell"]["unknown"]["p"] + p["cancer_cell"]["not_reported"]["p"]
    )
    cancer_cell = np.where(unknown, "unknown", np.where(unreported, "", cancer_cell))
    named = cancer & ~unknown & ~unreported
    interval_cell = np.where(named, interval, "")

    header = (
        CASE,
        AGE,
        SEX,
        CANCER,
        INTERVAL,
        *(c for c, _ in findings),
        *(c for c, _ in antibodies),
        OUTCOME,
    )
    columns = (
        [str(i) for i in range(1, n + 1)],
        ages.astype(str).tolist(),
        np.where(female, "F", "M").tolist(),
        cancer_cell.tolist(),
        interval_cell.tolist(),
        *(cells for _, cells in findings),
        *(cells for _, cells in antibodies),
        outcome.tolist(),
    )
    return Registry(header, columns)


def _check_counts(patients: object, seed: object) -> None:
    if (
        isinstance(patients, bool)
        or not isinstance(patients, int)
        or not 1 <= patients <= MAX_PATIENTS
    ):
        raise UsageError(
            f"--patients {patients}: the number of patients must be a whole "
            f"number from 1 to {MAX_PATIENTS:,}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed {seed}: the seed must be a whole number of 0 or more")


def _quantile_draw(
    rng: np.random.Generator, quantiles: Sequence[Sequence[float]], n: int
) -> npt.NDArray[np.int64]:
    """Whole years from a piecewise-linear quantile function [[probability, value], ...]."""
    probs, values = zip(*quantiles)
    years: npt.NDArray[np.int64] = np.rint(np.interp(rng.random(n), probs, values)).astype(np.int64)
    return years


def _sites(rng: np.random.Generator, spec: dict[str, Any], female: Bools) -> Strings:
    """A cancer site for every patient (used only where a cancer was drawn), by sex."""
    site = np.empty(len(female), dtype=object)
    for sex, mask in (("female", female), ("male", ~female)):
        labels = list(spec[sex])
        weights = np.array([spec[sex][label] for label in labels], dtype=float)
        site[mask] = np.array(labels, dtype=object)[
            rng.choice(len(labels), size=int(mask.sum()), p=weights / weights.sum())
        ]
    return site.astype(str)


def _intervals(rng: np.random.Generator, spec: dict[str, Any], n: int) -> Strings:
    """``months (relation)`` cells drawn from the paper's pairs; some cancers come first."""
    months = np.array([m for m, _ in spec["pairs"]], dtype=np.int64)
    relations = np.array([r for _, r in spec["pairs"]], dtype=object)
    pick = rng.integers(len(months), size=n)
    before = rng.random(n) < spec["before_dm"]["p"]
    signed = np.where(before, -months[pick], months[pick])
    qualified = np.char.add(
        np.char.add(signed.astype(str), " ("), np.char.add(relations[pick].astype(str), ")")
    )
    # an interval to the first diagnosis is printed without a qualifier, as in the paper
    first = relations[pick] == "first diagnosis"
    return np.where(first, signed.astype(str), qualified)


def _outcomes(rng: np.random.Generator, spec: dict[str, Any], cancer: Bools) -> Strings:
    """Outcome cells: the paper's cells for cancer patients, the stated rates otherwise."""
    n = len(cancer)
    with_cancer = np.array(spec["cancer"]["cells"], dtype=object)[
        rng.integers(len(spec["cancer"]["cells"]), size=n)
    ]
    rest = spec["no_cancer"]
    status = rng.choice(3, size=n, p=[rest["dead"], rest["alive"], rest["lost"]])
    low, high = rest["months"]
    months = rng.integers(low, high + 1, size=n).astype(str)
    dated = np.char.add(np.char.add(np.where(status == 0, "D (", "A ("), months), ")")
    without = np.where(status == 2, "L", dated)
    return np.where(cancer, with_cancer, without).astype(str)


def _finding_rates(
    finding: dict[str, Any], names: list[str], serotype: npt.NDArray[np.int64], cancer: Bools
) -> npt.NDArray[np.float64]:
    """Each patient's probability of the finding: a serotype's own rate where the finding
    gives one (anti-Mi-2), else the rate of patients with or without a cancer."""
    rate = np.where(cancer, _share(finding["cancer"]), _share(finding["other"]))
    for number, name in enumerate(names):
        if name in finding:
            rate = np.where(serotype == number, _share(finding[name]), rate)
    return rate.astype(np.float64)


def _share(pair: Sequence[int]) -> float:
    return pair[0] / pair[1]


def _mask(
    rng: np.random.Generator, cells: Strings, spec: dict[str, Any], unknown_code: str
) -> list[str]:
    """Replace cells by the unknown code or an empty cell (not reported) at the stated rates."""
    draw = rng.random(len(cells))
    unknown = draw < spec["unknown"]["p"]
    unreported = ~unknown & (draw < spec["unknown"]["p"] + spec["not_reported"]["p"])
    masked: list[str] = np.where(unknown, unknown_code, np.where(unreported, "", cells)).tolist()
    return masked
