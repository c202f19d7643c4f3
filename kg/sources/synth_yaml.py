"""The ``source.yaml`` of a synthetic registry: the codebooks, study, cohort and columns that let
the curated loaders read ``registry.tsv``."""

from __future__ import annotations

from typing import Any

from kg.sources.synth_draws import AGE, CANCER, CASE, INTERVAL, OUTCOME, SEX, Registry
from kg.sources.synth_params import load_params

__all__ = ["ANTIBODY_CODES", "CANCER_CODES", "FINDING_CODES", "MARKER", "TABLE_FILE", "source_yaml"]

#: first line of every source.yaml dmkg synth writes; only such a folder is ever replaced
MARKER = "# dmkg synth: a synthetic dermatomyositis registry; not real patients."
TABLE_FILE = "registry.tsv"

# Cell codes; source_yaml() writes the codebooks that read them.
FINDING_CODES = {"+": "present", "-": "absent", "U": "unknown", "": "not reported"}
ANTIBODY_CODES = {"+": "positive", "-": "negative", "NP": "not performed", "": "not reported"}
CANCER_CODES = {"none": "absent", "unknown": "unknown", "": "not reported"}


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
