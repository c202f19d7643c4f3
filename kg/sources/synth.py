"""Draw a synthetic dermatomyositis registry in the curated-data format.

:func:`write_registry` writes ``OUT/<source_id>/source.yaml`` and ``registry.tsv`` (one row
per patient), which go through the same loaders and SHACL gate as the curated papers. The
rates come from ``kg/synth-params.yaml``, where each number names the paper, table and
counts it was taken from. Draws are vectorised with ``numpy.random.default_rng(seed)``: the
same number of patients, seed and parameters give byte-identical files.

The model, in drawing order: sex; one myositis-specific antibody serotype (or none); a
cancer with the serotype's probability; age (by cancer status); the cancer's site (by sex),
its interval to DM and the outcome; five findings (by group: anti-Mi-2, else cancer, else
other); then the cells that hold no answer (unknown, not reported, not performed).

>>> registry = generate_registry(3, seed=7)
>>> registry.header[:4]
('Case', 'Age (years)', 'Sex', 'Associated cancer')
>>> [row[0] for row in registry.rows()]
['1', '2', '3']
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from kg.errors import CurationError, UsageError

__all__ = [
    "MARKER",
    "MAX_PATIENTS",
    "PARAMS_FILE",
    "Registry",
    "generate_registry",
    "load_params",
    "source_yaml",
    "write_registry",
]

PARAMS_FILE = Path(__file__).resolve().parent / "synth-params.yaml"
#: first line of every source.yaml this module writes; only such a folder is ever replaced
MARKER = "# dmkg synth: a synthetic dermatomyositis registry; not real patients."
MAX_PATIENTS = 10_000_000
TABLE_FILE = "registry.tsv"
_OWN_FILES = {"source.yaml", TABLE_FILE}
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")

# Cell codes; source_yaml() writes the codebooks that read them.
FINDING_CODES = {"+": "present", "-": "absent", "U": "unknown", "": "not reported"}
ANTIBODY_CODES = {"+": "positive", "-": "negative", "NP": "not performed", "": "not reported"}
CANCER_CODES = {"none": "absent", "unknown": "unknown", "": "not reported"}
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
    return np.char.add(
        np.char.add(signed.astype(str), " ("), np.char.add(relations[pick].astype(str), ")")
    )


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


def source_yaml(
    registry: Registry,
    *,
    source_id: str,
    seed: int,
    params: dict[str, Any] | None = None,
    params_digest: str = "",
) -> str:
    """The source.yaml that declares the registry's columns, codes, study and cohort."""
    p = params if params is not None else load_params()
    n = registry.patients
    q = _quote
    title = (
        f"Synthetic dermatomyositis registry: {n} patients, seed {seed} (dmkg synth; "
        "not real patients)"
    )
    cohort = f"{source_id}: synthetic DM registry, {n} patients"
    lines = [
        MARKER,
        f"# Written by `dmkg synth --patients {n} --seed {seed}` from kg/synth-params.yaml"
        + (f" (sha256 {params_digest})" if params_digest else "")
        + ".",
        "# The same patients, seed and parameters give byte-identical files; this folder is",
        '# replaced by the next `dmkg synth` run. Format: README.md, "Curated data format".',
        f"id: {source_id}",
        "publication:",
        f"  doi: 10.5555/dmkg-synth.{source_id}",
        f"  title: {q(title)}",
        '  authors: "dmkg synth"',
        "study:",
        "  design: case series",
        f"  label: {q(f'Synthetic DM registry {source_id} (dmkg synth)')}",
        "  note: >-",
        "    Drawn with numpy.random.default_rng(seed) from the rates in kg/synth-params.yaml,",
        "    each taken from the curated papers (requena2024, monseau2020, curroncol2021) or",
        "    marked there as an assumption. Test data for scale, not evidence.",
        "cohorts:",
        f"  - {{id: registry, label: {q(cohort)}, size: {n}}}",
        "codebooks:",
        *_codebook("finding", FINDING_CODES),
        *_codebook("antibody", ANTIBODY_CODES),
        *_codebook("cancer", CANCER_CODES),
        "patient_tables:",
        "  - table: Registry",
        f"    file: {TABLE_FILE}",
        "    cohort: registry",
        f"    case_column: {CASE}",
        "    columns:",
        f"      {q(AGE)}: {{kind: age}}",
        f"      {q(SEX)}: {{kind: sex, codes: {{F: female, M: male}}}}",
        f"      {q(CANCER)}: {{kind: cancer, codes: cancer}}",
        f"      {q(INTERVAL)}: {{kind: cancer-interval}}",
    ]
    for term, finding in p["findings"].items():
        lines.append(
            f"      {q(finding['column'])}: {{kind: finding, term: {q(term)}, codes: finding}}"
        )
    for term, serotype in p["serotypes"].items():
        if "column" in serotype:
            lines.append(
                f"      {q(serotype['column'])}: {{kind: antibody, term: {q(term)}, "
                "codes: antibody}"
            )
    lines.append(
        f"      {q(OUTCOME)}: {{kind: outcome, codes: {{D: dead, A: alive, L: lost to follow-up}}}}"
    )
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _codebook(name: str, codes: dict[str, str]) -> list[str]:
    return [f"  {name}:", *(f"    {_quote(code)}: {meaning}" for code, meaning in codes.items())]


def write_registry(out: Path, *, patients: int, seed: int, source_id: str = "synth") -> Path:
    """Write ``out/<source_id>/`` (source.yaml, registry.tsv) and return that folder.

    The files are written into a new temporary folder next to it and renamed into place. An
    existing ``out/<source_id>`` is replaced only if a previous run of this function wrote
    it; anything else there is refused (:class:`~kg.errors.UsageError`).
    """
    _check_counts(patients, seed)
    if not isinstance(source_id, str) or not _SOURCE_ID.fullmatch(source_id):
        raise UsageError(
            f"--source-id {source_id!r}: a source id is a folder name of letters, "
            "digits, '-' and '_' (up to 64, not starting with '-' or '_')"
        )
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    target = out / source_id
    _check_replaceable(target)
    params = load_params()
    digest = hashlib.sha256(PARAMS_FILE.read_bytes()).hexdigest()[:16]
    registry = generate_registry(patients, seed, params)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f".{source_id}.synth-*"):  # left by a run that was killed
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    tmp = out / f".{source_id}.synth-tmp-{secrets.token_hex(6)}"
    tmp.mkdir()
    try:
        (tmp / TABLE_FILE).write_bytes(registry.tsv().encode("utf-8"))
        (tmp / "source.yaml").write_bytes(
            source_yaml(
                registry, source_id=source_id, seed=seed, params=params, params_digest=digest
            ).encode("utf-8")
        )
        if target.exists():
            _check_replaceable(target)
            old = out / f".{source_id}.synth-old-{secrets.token_hex(6)}"
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _check_replaceable(target: Path) -> None:
    """Refuse to replace anything but a folder an earlier synth run wrote."""
    if not target.exists() and not target.is_symlink():
        return
    reason = ""
    if target.is_symlink() or not target.is_dir():
        reason = "it is not a folder"
    else:
        extra = sorted(p.name for p in target.iterdir() if p.name not in _OWN_FILES)
        yaml_file = target / "source.yaml"
        if extra:
            reason = f"it holds files dmkg synth does not write: {', '.join(extra[:3])}"
        elif not yaml_file.is_file() or _first_line(yaml_file) != MARKER:
            reason = "its source.yaml was not written by dmkg synth"
    if reason:
        raise UsageError(
            f"{target} exists and is not the output of an earlier 'dmkg synth' "
            f"({reason}); choose another --out or --source-id"
        )


def _first_line(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.readline(512).decode("utf-8", "replace").rstrip("\r\n")
