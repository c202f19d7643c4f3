"""The parameters of :mod:`kg.sources.synth` (``synth-params.yaml``: each rate with the paper,
table and counts it was taken from), checked when read."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kg.errors import CurationError

__all__ = ["PARAMS_FILE", "load_params"]

PARAMS_FILE = Path(__file__).resolve().parent / "synth-params.yaml"


@cache
def load_params(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """The parameters file, checked for the mistakes that would skew every draw."""
    shown = path.name
    with path.open(encoding="utf-8") as handle:
        params: dict[str, Any] = yaml.safe_load(handle)
    shares = {name: entry["share"] for name, entry in params["serotypes"].items()}
    if abs(sum(shares.values()) - 1) > 1e-9:
        raise CurationError(
            "serotype shares do not add up to 1",
            shown,
            column="serotypes",
            value=f"{sum(shares.values()):.6f}",
            expected="1",
        )
    for key, value in _probabilities(params):
        if not 0 <= value <= 1:
            raise CurationError(
                "not a probability",
                shown,
                column=key,
                value=str(value),
                expected="a number from 0 to 1",
            )
    for name, finding in params["findings"].items():
        for group, pair in finding.items():
            if isinstance(pair, list) and not 0 <= pair[0] <= pair[1] > 0:
                raise CurationError(
                    "not a count n of N",
                    shown,
                    column=f"findings.{name}.{group}",
                    value=str(pair),
                    expected="[n, N], 0 <= n <= N",
                )
    return params


def _probabilities(params: dict[str, Any]) -> Iterator[tuple[str, float]]:
    yield "sex.female", params["sex"]["female"]
    for name, entry in params["serotypes"].items():
        yield f"serotypes.{name}.share", entry["share"]
        yield f"serotypes.{name}.cancer", entry["cancer"]
    for section in ("antibody_panel", "cancer_cell", "finding_cells"):
        for key, entry in params[section].items():
            yield f"{section}.{key}.p", entry["p"]
    yield "interval.before_dm.p", params["interval"]["before_dm"]["p"]
    for key in ("dead", "alive", "lost"):
        yield f"outcome.no_cancer.{key}", params["outcome"]["no_cancer"][key]
