"""Every row and cell of the source tables, as printed, against our TSV transcriptions.

The tables are read straight from the seed texts of the papers (tab-separated lines under
the table caption, up to the table's legend) and compared cell for cell with
``kg/data/requena2024/table1.tsv``, ``table2.tsv`` and ``kg/data/monseau2020/table-I.tsv``.
The seeds live beside the repository (``<repo>/../shared/seeds``): CI has them, a fresh
clone may not, and then the tests that need them are skipped. The antibody readings of
Requena Table 1 are checked against our table1.tsv and run everywhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
REQUENA_SEED = "000_*.txt"
MONSEAU_SEED = "003_*.txt"
REQUENA = REPO / "kg" / "data" / "requena2024"
MONSEAU = REPO / "kg" / "data" / "monseau2020"

REQUENA_CASES = [str(n) for n in range(1, 26)]
#: the three bold sub-headings of Monseau Table I (rows without numbers)
MONSEAU_HEADINGS = [
    "Cutaneous features",
    "Muscular features",
    "Extracutaneous and extramuscular features",
]
MONSEAU_ROWS = 34  # rows under the header: 3 headings, then 9, 9 and 13 feature rows


# --------------------------------------------------------------------------- reading


Rows = list[list[str]]


def _tsv(path: Path) -> Rows:
    """Our transcription, split on tabs only (no quoting, no stripping)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip()]


def _seed_text(pattern: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the seed texts of the papers are not here ({SEEDS}); they sit beside "
            "the repository in CI, not in a fresh clone"
        )
    found = sorted(SEEDS.glob(pattern))
    assert len(found) == 1, f"expected one seed {pattern} in {SEEDS}, found {found}"
    return found[0].read_text(encoding="utf-8")


def _seed_table(text: str, caption: str, legend: str) -> Rows:
    """The tab-separated lines after the line starting ``caption``, up to ``legend``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(caption))
    rows: Rows = []
    for line in lines[start + 1 :]:
        if line.startswith(legend):
            return rows
        if "\t" in line:
            rows.append(line.split("\t"))
    raise AssertionError(f"legend {legend!r} not found after {caption!r}")


# The PDF-to-text step left markup in Monseau Table I; our TSV drops it (and the space
# before a superscript) and keeps everything else as printed.
_MARKUP = [
    (re.compile(r"\s*<sup>\+</sup>"), "+ "),
    (re.compile(r"\s*<sup>-</sup>"), "- "),
    (re.compile(r"\s*<sup>†</sup>"), "†"),
    (re.compile(r"</?b>"), ""),
    (re.compile(r" \$\\gamma\$"), "γ"),
]


def _unmarkup(cell: str) -> str:
    """The cell without extraction markup; whitespace is tidied only where markup was."""
    clean = cell
    for pattern, replacement in _MARKUP:
        clean = pattern.sub(replacement, clean)
    return " ".join(clean.split()) if clean != cell else cell


def test_unmarkup_examples() -> None:
    assert _unmarkup("Anti-Mi2 <sup>+</sup> DM, n (%) n = 64") == "Anti-Mi2+ DM, n (%) n = 64"
    assert _unmarkup("Anti-Mi2 <sup>-</sup> DM, n (%) n = 55") == "Anti-Mi2- DM, n (%) n = 55"
    assert _unmarkup("Abnormal muscle MRI <sup>†</sup>") == "Abnormal muscle MRI†"
    assert _unmarkup("<b>Muscular features</b>") == "Muscular features"
    assert _unmarkup("Anti-TIF1 $\\gamma$") == "Anti-TIF1γ"
    assert _unmarkup(" 3/22 (13.6) ") == " 3/22 (13.6) "  # no markup: left exactly as is


# --------------------------------------------------------------------------- Requena


@pytest.fixture(scope="module")
def requena_seed() -> str:
    return _seed_text(REQUENA_SEED)


@pytest.fixture(scope="module")
def requena_table1(requena_seed: str) -> Rows:
    rows = _seed_table(requena_seed, "**Table 1**", "F: female")
    header = rows[0]
    # "Table 1 (Continued)" repeats the header on the second page
    body = [r for r in rows[1:] if r != header]
    assert len(body) == len(rows) - 2, "the header should be repeated exactly once"
    assert header[0] == ""
    return [["Case", *header[1:]], *body]


@pytest.fixture(scope="module")
def requena_table2(requena_seed: str) -> Rows:
    return _seed_table(requena_seed, "**Table 2**", "DM: dermatomyositis; U:")


def _assert_same_table(printed: Rows, ours: Rows, name: str) -> None:
    assert ours[0] == printed[0], f"{name}: header differs"
    printed_keys = [r[0] for r in printed[1:]]
    our_keys = [r[0] for r in ours[1:]]
    assert our_keys == printed_keys, f"{name}: rows differ (or are in another order)"
    for p_row, o_row in zip(printed, ours):
        assert len(o_row) == len(printed[0]), f"{name} row {o_row[0]!r}: {len(o_row)} cells"
        for column, p_cell, o_cell in zip(printed[0], p_row, o_row):
            assert o_cell == p_cell, f"{name} row {p_row[0]!r}, column {column!r}"


@pytest.mark.parametrize(
    "file, fixture", [("table1.tsv", "requena_table1"), ("table2.tsv", "requena_table2")]
)
def test_requena_table_as_printed(file: str, fixture: str, request: pytest.FixtureRequest) -> None:
    printed: Rows = request.getfixturevalue(fixture)
    ours = _tsv(REQUENA / file)
    assert [r[0] for r in printed[1:]] == [*REQUENA_CASES, "Total"]
    assert len(ours) == 1 + 25 + 1
    _assert_same_table(printed, ours, f"requena2024/{file}")


def test_requena_table1_blank_cell_kept(requena_table1: Rows) -> None:
    """Case 21 prints no dysphagia value; the empty cell is transcribed, not filled in."""
    header = requena_table1[0]
    row = next(r for r in requena_table1 if r[0] == "21")
    assert row[header.index("Dysphagia")] == ""
    ours = _tsv(REQUENA / "table1.tsv")
    assert next(r for r in ours if r[0] == "21")[header.index("Dysphagia")] == ""


# --------------------------------------------------------------------------- Monseau


@pytest.fixture(scope="module")
def monseau_table() -> Rows:
    rows = _seed_table(_seed_text(MONSEAU_SEED), "**Table I.**", "DLCOC,")
    return [[_unmarkup(cell) for cell in row] for row in rows]


def test_monseau_table_I_as_printed(monseau_table: Rows) -> None:
    ours = _tsv(MONSEAU / "table-I.tsv")
    assert len(monseau_table) == 1 + MONSEAU_ROWS
    assert len(ours) == 1 + MONSEAU_ROWS
    _assert_same_table(monseau_table, ours, "monseau2020/table-I.tsv")
    headings = [r for r in ours[1:] if not any(r[1:])]
    assert [r[0] for r in headings] == MONSEAU_HEADINGS


def test_monseau_headers_lost_only_markup(monseau_table: Rows) -> None:
    assert monseau_table[0] == [
        "Features",
        "Anti-Mi2+ DM, n (%) n = 64",
        "Anti-Mi2- DM, n (%) n = 55",
        "Fisher's test, n (%) P value",
    ]
    labels = [r[0] for r in monseau_table]
    assert "Abnormal muscle MRI†" in labels and "Anti-TIF1γ" in labels


# --------------------------------------------------------------------------- antibody readings


@pytest.fixture(scope="module")
def antibody_readings() -> list[dict[str, str]]:
    rows = _tsv(REQUENA / "table1-antibodies.tsv")
    header = rows[0]
    assert {"case", "antibody", "result", "fragment"} <= set(header)
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def antibody_cells() -> dict[str, str]:
    rows = _tsv(REQUENA / "table1.tsv")
    column = rows[0].index("Autoantibodies")
    return {r[0]: r[column] for r in rows[1:] if r[0] != "Total"}


def test_every_fragment_is_in_its_cell(
    antibody_readings: list[dict[str, str]], antibody_cells: dict[str, str]
) -> None:
    for number, reading in enumerate(antibody_readings, start=2):
        case, fragment = reading["case"], reading["fragment"]
        assert case in antibody_cells, f"table1-antibodies.tsv line {number}: case {case!r}"
        assert fragment, f"table1-antibodies.tsv line {number}: empty fragment"
        assert fragment in antibody_cells[case], (
            f"table1-antibodies.tsv line {number}: {fragment!r} not in case {case}'s cell "
            f"{antibody_cells[case]!r}"
        )


def test_every_case_has_a_reading(
    antibody_readings: list[dict[str, str]], antibody_cells: dict[str, str]
) -> None:
    assert list(antibody_cells) == REQUENA_CASES
    read = {r["case"] for r in antibody_readings}
    assert [c for c in REQUENA_CASES if c not in read] == []
