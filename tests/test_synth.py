"""dmkg synth: a synthetic registry in the curated-data format, checked end to end.

The registry's own TSV is the reference: every count below is made from registry.tsv with
plain Python and compared with what the loaders, the SHACL gate and the canned queries make
of it. The distribution test compares a 5,000-patient draw with kg/synth-params.yaml.
"""

from __future__ import annotations

import csv
import shutil
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rdflib import RDF, Graph, Literal
from scipy.stats import binom

from kg.errors import CurationErrors, UsageError
from kg.loaders import load_sources
from kg.namespaces import DMKG
from kg.query import list_queries, run_query
from kg.reason.summary_links import add_summary_links
from kg.sources.synth import write_registry
from kg.sources.synth_params import load_params
from kg.sources.synth_yaml import MARKER
from kg.terms import TermIndex
from kg.validate.shacl import validate_graph

SMALL, SMALL_SEED = 80, 11
BIG, BIG_SEED = 5000, 2024
DOI = "10.5555/dmkg-synth.synth"
CANCER_COLUMN, INTERVAL_COLUMN = "Associated cancer", "DM to cancer (months)"
OUTCOME_COLUMN = "Outcome (months since DM diagnosis)"
NOT_A_CANCER = {"none", "unknown", ""}
PARAMS = load_params()
FINDINGS = {f["column"]: term for term, f in PARAMS["findings"].items()}
ANTIBODIES = {s["column"]: term for term, s in PARAMS["serotypes"].items() if "column" in s}
FINDING_STATUS = {"+": "present", "-": "absent", "U": "unknown", "": "not_reported"}
ANTIBODY_STATUS = {"+": "positive", "-": "negative", "NP": "not_tested", "": "not_reported"}

Row = dict[str, str]


def read_rows(folder: Path) -> list[Row]:
    with (folder / "registry.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def named(rows: Iterable[Row]) -> list[Row]:
    """The rows whose cancer cell names a malignancy."""
    return [r for r in rows if r[CANCER_COLUMN] not in NOT_A_CANCER]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_registry(tmp_path_factory.mktemp("synth"), patients=SMALL, seed=SMALL_SEED)


@pytest.fixture(scope="module")
def rows(small: Path) -> list[Row]:
    return read_rows(small)


@pytest.fixture(scope="module")
def synth_graph(small: Path, terms: TermIndex, ontology: Graph) -> Graph:
    graph = load_sources([small], terms)
    assert validate_graph(graph, ontology).conforms
    graph += ontology  # labels and rdfs:subClassOf for the queries, as in a build
    add_summary_links(graph)  # what the canned queries scan, as in a build
    return graph


def query(graph: Graph, name: str, terms: TermIndex, **params: str) -> list[dict[str, Any]]:
    result = run_query(graph, name, {"source": DOI, **params}, terms=terms)
    return [
        {k: (v.toPython() if isinstance(v, Literal) else v) for k, v in r.items()}
        for r in result.records()
    ]


# --------------------------------------------------------------------------- files


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = write_registry(tmp_path / "a", patients=300, seed=5)
    again = write_registry(tmp_path / "b", patients=300, seed=5)
    other = write_registry(tmp_path / "c", patients=300, seed=6)
    for name in ("registry.tsv", "source.yaml"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / "registry.tsv").read_bytes() != (other / "registry.tsv").read_bytes()


def test_one_row_per_patient_and_the_declared_columns(small: Path, rows: list[Row]) -> None:
    assert small.name == "synth" and sorted(p.name for p in small.iterdir()) == [
        "registry.tsv",
        "source.yaml",
    ]
    assert len(rows) == SMALL
    assert [r["Case"] for r in rows] == [str(i) for i in range(1, SMALL + 1)]
    assert len(rows[0]) == 16
    assert (small / "source.yaml").read_text(encoding="utf-8").splitlines()[0] == MARKER


def test_an_interval_only_where_a_cancer_is_named(rows: list[Row]) -> None:
    for row in rows:
        has_cancer = row[CANCER_COLUMN] not in NOT_A_CANCER
        assert bool(row[INTERVAL_COLUMN]) == has_cancer, row


def test_previous_output_is_replaced_and_other_folders_refused(tmp_path: Path) -> None:
    first = write_registry(tmp_path, patients=10, seed=1)
    before = (first / "registry.tsv").read_bytes()
    stale = tmp_path / ".synth.synth-tmp-deadbeef"  # as a killed run leaves it
    stale.mkdir()
    again = write_registry(tmp_path, patients=12, seed=2)
    assert again == first and (again / "registry.tsv").read_bytes() != before
    assert len(read_rows(again)) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]  # no temporary left

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "source.yaml").write_text("id: mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not the output of an earlier 'dmkg synth'"):
        write_registry(tmp_path, patients=3, seed=1, source_id="mine")
    assert (foreign / "source.yaml").read_text(encoding="utf-8") == "id: mine\n"
    (first / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="notes.txt"):
        write_registry(tmp_path, patients=3, seed=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"patients": 0},
        {"patients": -3},
        {"seed": -1},
        {"source_id": "../up"},
        {"source_id": ""},
    ],
)
def test_bad_arguments_are_usage_errors(tmp_path: Path, bad: dict[str, Any]) -> None:
    args: dict[str, Any] = {"patients": 5, "seed": 1, **bad}
    with pytest.raises(UsageError):
        write_registry(tmp_path, **args)
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------------------- graph


def test_every_canned_query_answers(synth_graph: Graph, terms: TermIndex) -> None:
    required = {
        "patients-matching": {
            "antibody": "anti-TIF1-gamma",
            "sign": "heliotrope rash",
            "min_age": "0",
        }
    }
    for canned in list_queries(include_checks=True):
        params = dict(required.get(canned.name, {}))
        if any(p.name == "source" for p in canned.params):
            params["source"] = DOI
        result = run_query(synth_graph, canned.name, params, terms=terms)
        if canned.is_violation_check or canned.name in (
            "antibody-cancer-evidence",
            "cohort-comparison",
        ):  # nothing of the kind here
            assert result.rows == [], canned.name
        else:
            assert result.rows, canned.name


def test_antibody_frequency_matches_the_tsv(
    synth_graph: Graph, rows: list[Row], terms: TermIndex
) -> None:
    answer = {r["antibody"]: r for r in query(synth_graph, "antibody-frequency", terms)}
    for column, term in ANTIBODIES.items():
        counts = Counter(ANTIBODY_STATUS[r[column]] for r in rows)
        got = answer[terms.resolve(term)]
        assert {k: got[k] for k in ANTIBODY_STATUS.values()} == {
            k: counts[k] for k in ANTIBODY_STATUS.values()
        }, column
        assert got["patients"] == SMALL


def test_sign_frequency_matches_the_tsv(
    synth_graph: Graph, rows: list[Row], terms: TermIndex
) -> None:
    answer = {r["sign"]: r for r in query(synth_graph, "sign-frequency", terms)}
    for column, term in FINDINGS.items():
        counts = Counter(FINDING_STATUS[r[column]] for r in rows)
        got = answer[terms.resolve(term)]
        assert {k: got[k] for k in FINDING_STATUS.values()} == {
            k: counts[k] for k in FINDING_STATUS.values()
        }, column
    # whether a cancer was found: present, absent ("none"), unknown, not reported (empty)
    cancer = answer[DMKG.Malignancy]
    cells = Counter(r[CANCER_COLUMN] for r in rows)
    assert (cancer["present"], cancer["absent"], cancer["unknown"], cancer["not_reported"]) == (
        len(named(rows)),
        cells["none"],
        cells["unknown"],
        cells[""],
    )
    assert cancer["patients"] == SMALL and len(answer) == len(FINDINGS) + 1


def test_cancer_sites_and_timing_match_the_tsv(
    synth_graph: Graph, rows: list[Row], terms: TermIndex
) -> None:
    sites = {r["site"]: r["patients"] for r in query(synth_graph, "cancer-sites", terms)}
    # a lymphoma has a histology but no organ site
    expected = Counter(
        terms.resolve(r[CANCER_COLUMN])
        for r in named(rows)
        if r[CANCER_COLUMN] != "non-Hodgkin lymphoma"
    )
    assert sites == dict(expected)
    timing = {
        r["case"]: (r["interval_months"], r["relation"])
        for r in query(synth_graph, "dm-cancer-timing", terms)
    }
    assert timing == {
        r["Case"]: (
            Decimal(r[INTERVAL_COLUMN].split()[0]),
            # no qualifier printed: the interval to the first diagnosis
            r[INTERVAL_COLUMN].partition(" ")[2].strip("()") or "first diagnosis",
        )
        for r in named(rows)
    }


def test_tif1_positive_patients_by_site_and_sign(
    synth_graph: Graph, rows: list[Row], terms: TermIndex
) -> None:
    tif1 = [r for r in rows if r["Anti-TIF1-gamma"] == "+"]
    by_site = {
        r["site"]: r["patients"]
        for r in query(synth_graph, "antibody-cancer", terms)
        if r["antibody"] == DMKG.AntiTIF1gamma
    }
    assert by_site == dict(
        Counter(
            terms.resolve(r[CANCER_COLUMN])
            for r in named(tif1)
            if r[CANCER_COLUMN] != "non-Hodgkin lymphoma"
        )
    )
    pairs = {
        (r["sign"], r["antibody"]): r["patients"]
        for r in query(synth_graph, "sign-antibody", terms)
    }
    assert pairs[(DMKG.HeliotropeRash, DMKG.AntiTIF1gamma)] == sum(
        r["Heliotrope rash"] == "+" for r in tif1
    )
    assert pairs.get((DMKG.Malignancy, DMKG.AntiTIF1gamma), 0) == len(named(tif1))
    matching = query(
        synth_graph,
        "patients-matching",
        terms,
        antibody="anti-TIF1-gamma",
        sign="heliotrope rash",
        min_age="60",
    )
    assert sorted(r["case"] for r in matching) == sorted(
        r["Case"] for r in tif1 if r["Heliotrope rash"] == "+" and int(r["Age (years)"]) >= 60
    )


def test_survival_by_myositis_matches_the_tsv(
    synth_graph: Graph, rows: list[Row], terms: TermIndex
) -> None:
    answer = {r["status"]: r for r in query(synth_graph, "survival-by-finding", terms)}
    status_iri = {"+": DMKG.Present, "-": DMKG.Absent, "U": DMKG.Unknown, "": DMKG.NotReported}
    for code, iri in status_iri.items():
        group = [r[OUTCOME_COLUMN] for r in rows if r["Myositis"] == code]
        if not group:
            assert iri not in answer
            continue
        got = answer[iri]
        assert (got["patients"], got["dead"], got["alive"], got["lost"]) == (
            len(group),
            sum(o[0] == "D" for o in group),
            sum(o[0] == "A" for o in group),
            sum(o[0] == "L" for o in group),
        )
        months = [Decimal(o.split("(")[1].rstrip(")")) for o in group if "(" in o]
        assert got["median_followup_months"] == (statistics.median(months) if months else None)


# --------------------------------------------------------------------------- cancer column


def _broken(tmp_path: Path, edit: Callable[[str, str], tuple[str, str]]) -> Path:
    """A 6-patient registry whose source.yaml and registry.tsv went through ``edit``."""
    folder = write_registry(tmp_path, patients=6, seed=3)
    yaml_text, tsv = edit(
        (folder / "source.yaml").read_text(encoding="utf-8"),
        (folder / "registry.tsv").read_text(encoding="utf-8"),
    )
    (folder / "source.yaml").write_text(yaml_text, encoding="utf-8")
    (folder / "registry.tsv").write_text(tsv, encoding="utf-8")
    return folder


INTERVAL_YAML = '      "DM to cancer (months)": {kind: cancer-interval}\n'
AGE_YAML = '      "Age (years)": {kind: age}\n'


def _set_row(tsv: str, case: int, column: str, value: str) -> str:
    lines = [line.split("\t") for line in tsv.splitlines()]
    lines[case][lines[0].index(column)] = value
    return "\n".join("\t".join(cells) for cells in lines) + "\n"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda y, t: (
                y,
                _set_row(_set_row(t, 2, CANCER_COLUMN, "none"), 2, INTERVAL_COLUMN, "4"),
            ),
            [
                "registry.tsv, line 3 (case 2), column 'DM to cancer (months)'",
                "DM-to-cancer interval in a row without a cancer: '4'",
            ],
        ),
        (
            lambda y, t: (y, _set_row(t, 4, CANCER_COLUMN, "Brest cancer")),
            [
                "line 5 (case 4), column 'Associated cancer'",
                "unknown term: 'Brest cancer'",
                "or one of the column's codes: 'none', 'unknown', ''",
                "did you mean 'breast cancer'",
            ],
        ),
        (
            lambda y, t: (y.replace('"none": absent', '"none": present'), t),
            [
                "item 'columns.Associated cancer'",
                "unusable code in a cancer column: 'none: present'",
            ],
        ),
        (
            lambda y, t: (
                y.replace(INTERVAL_YAML, "").replace(AGE_YAML, INTERVAL_YAML + AGE_YAML),
                t,
            ),
            [
                "item 'columns.DM to cancer (months)'",
                "cancer-interval column declared before any cancer column",
            ],
        ),
    ],
    ids=["interval-without-cancer", "unknown-cancer", "present-code", "interval-first"],
)
def test_cancer_column_errors_are_located(
    tmp_path: Path,
    terms: TermIndex,
    edit: Callable[[str, str], tuple[str, str]],
    expected: list[str],
) -> None:
    folder = _broken(tmp_path, edit)
    with pytest.raises(CurationErrors) as caught:
        load_sources([folder], terms)
    message = str(caught.value)
    assert all(part in message for part in expected), message


# --------------------------------------------------------------------------- distributions


def test_params_reproduce_the_papers_figures() -> None:
    """The serotype table gives back the cancer share, specificity and NPV it cites."""
    sero = PARAMS["serotypes"]
    claims = {k: v["value"] for k, v in PARAMS["claims"].items()}
    cancer = sum(s["share"] * s["cancer"] for s in sero.values())
    tif1 = sero["anti-TIF1-gamma"]
    rest = [s for name, s in sero.items() if name != "anti-TIF1-gamma"]
    specificity = 1 - tif1["share"] * (1 - tif1["cancer"]) / (1 - cancer)
    npv = sum(s["share"] * (1 - s["cancer"]) for s in rest) / sum(s["share"] for s in rest)
    assert cancer == pytest.approx(claims["cancer_share"], abs=0.005)
    assert specificity == pytest.approx(claims["tif1_specificity"], abs=0.005)
    assert npv == pytest.approx(claims["tif1_npv"], abs=0.005)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> list[Row]:
    return read_rows(write_registry(tmp_path_factory.mktemp("big"), patients=BIG, seed=BIG_SEED))


def _within(k: int, n: int, p: float, what: str) -> None:
    low, high = binom.interval(0.999, n, p)
    assert low <= k <= high, f"{what}: {k}/{n} = {k / n:.4f}, expected {p:.4f} ({low}-{high})"


def _cell(column: str, value: str) -> Callable[[Row], bool]:
    """Whether a row's cell in ``column`` is ``value``."""
    return lambda row: row[column] == value


def _rate(rows: list[Row], hit: Callable[[Row], bool], what: str, p: float) -> None:
    assert rows, what
    _within(sum(map(hit, rows)), len(rows), p, what)


def test_rates_agree_with_the_params(big: list[Row]) -> None:
    sero, cells = PARAMS["serotypes"], PARAMS["finding_cells"]
    _rate(big, lambda r: r["Sex"] == "F", "female", PARAMS["sex"]["female"])
    antibody_columns = list(ANTIBODIES)
    _rate(
        big,
        lambda r: all(r[c] == "NP" for c in antibody_columns),
        "panel not performed",
        PARAMS["antibody_panel"]["not_performed"]["p"],
    )
    _rate(
        big,
        lambda r: all(r[c] == "" for c in antibody_columns),
        "panel not reported",
        PARAMS["antibody_panel"]["not_reported"]["p"],
    )
    tested = [r for r in big if r["Anti-TIF1-gamma"] in ("+", "-")]
    for column, term in ANTIBODIES.items():
        _rate(tested, _cell(column, "+"), f"{term} positive", sero[term]["share"])

    _rate(
        big,
        lambda r: r[CANCER_COLUMN] == "unknown",
        "cancer unknown",
        PARAMS["cancer_cell"]["unknown"]["p"],
    )
    _rate(
        big,
        lambda r: r[CANCER_COLUMN] == "",
        "cancer not reported",
        PARAMS["cancer_cell"]["not_reported"]["p"],
    )
    known = [r for r in big if r[CANCER_COLUMN] not in ("unknown", "")]

    def has_cancer(row: Row) -> bool:
        return row[CANCER_COLUMN] != "none"

    _rate(known, has_cancer, "cancer", sum(s["share"] * s["cancer"] for s in sero.values()))
    _rate(
        [r for r in known if r["Anti-TIF1-gamma"] == "+"],
        has_cancer,
        "cancer if TIF1+",
        sero["anti-TIF1-gamma"]["cancer"],
    )
    others = [s for name, s in sero.items() if name != "anti-TIF1-gamma"]
    _rate(
        [r for r in known if r["Anti-TIF1-gamma"] == "-"],
        has_cancer,
        "cancer if TIF1-",
        sum(s["share"] * s["cancer"] for s in others) / sum(s["share"] for s in others),
    )

    finding_cells = [r[c] for r in big for c in FINDINGS]
    _within(finding_cells.count("U"), len(finding_cells), cells["unknown"]["p"], "U cells")
    _within(finding_cells.count(""), len(finding_cells), cells["not_reported"]["p"], "empty")
    groups = {
        "anti-Mi-2": [r for r in big if r["Anti-Mi-2"] == "+"],
        "cancer": [r for r in named(big) if r["Anti-Mi-2"] == "-"],
        "other": [r for r in big if r[CANCER_COLUMN] == "none" and r["Anti-Mi-2"] == "-"],
    }
    for column, term in FINDINGS.items():
        for group, members in groups.items():
            n, total = PARAMS["findings"][term][group]
            assessed = [r for r in members if r[column] in ("+", "-")]
            _rate(assessed, _cell(column, "+"), f"{term} ({group})", n / total)


def test_cancers_ages_and_outcomes_agree_with_the_params(big: list[Row]) -> None:
    cancers = named(big)
    for sex, site in (("F", "breast cancer"), ("M", "bladder cancer")):
        weights = PARAMS["cancer_sites"]["female" if sex == "F" else "male"]
        _rate(
            [r for r in cancers if r["Sex"] == sex],
            _cell(CANCER_COLUMN, site),
            f"{site} ({sex})",
            weights[site] / sum(weights.values()),
        )
    assert not any(r[CANCER_COLUMN] == "prostate cancer" for r in cancers if r["Sex"] == "F")

    pairs = PARAMS["interval"]["pairs"]
    nonzero = [r for r in cancers if not r[INTERVAL_COLUMN].startswith(("0 ", "-0 "))]
    _rate(
        nonzero,
        lambda r: r[INTERVAL_COLUMN].startswith("-"),
        "cancer before DM",
        PARAMS["interval"]["before_dm"]["p"],
    )
    _rate(
        cancers,
        lambda r: "(recurrence)" in r[INTERVAL_COLUMN],
        "at recurrence",
        sum(rel == "recurrence" for _, rel in pairs) / len(pairs),
    )

    for group, quantiles, rows_ in (
        ("cancer", "cancer", cancers),
        ("no cancer", "no_cancer", [r for r in big if r[CANCER_COLUMN] == "none"]),
    ):
        probs, years = zip(*PARAMS["age"][quantiles]["quantiles"])
        cut = round(float(np.interp(0.5, probs, years)))  # whole years after rounding
        p = float(np.interp(cut + 0.5, years, probs))
        younger = [r for r in rows_ if int(r["Age (years)"]) <= cut]
        _within(len(younger), len(rows_), p, f"age <= {cut} ({group})")

    no_cancer = [r[OUTCOME_COLUMN] for r in big if r[CANCER_COLUMN] == "none"]
    rest = PARAMS["outcome"]["no_cancer"]
    _within(sum(o.startswith("D") for o in no_cancer), len(no_cancer), rest["dead"], "dead")
    _within(no_cancer.count("L"), len(no_cancer), rest["lost"], "lost")
    printed = PARAMS["outcome"]["cancer"]["cells"]
    with_cancer = [r[OUTCOME_COLUMN] for r in cancers]
    _within(
        sum(o.startswith("D") for o in with_cancer),
        len(with_cancer),
        sum(c.startswith("D") for c in printed) / len(printed),
        "dead with a cancer",
    )


# --------------------------------------------------------------------------- command line


def dmkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, check=False
    )


def test_cli_writes_a_registry_that_validates(tmp_path: Path) -> None:
    run = dmkg("synth", "--patients", "40", "--seed", "9", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert f"wrote {tmp_path / 'synth'}: 40 patients, seed 9" in run.stdout
    assert len(read_rows(tmp_path / "synth")) == 40
    check = dmkg("validate", str(tmp_path / "synth"))
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith(f"VALID: {tmp_path / 'synth'}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patients", "0"], "--patients 0: the number of patients must be a whole number from 1"),
        (["--patients", "many"], "argument --patients: invalid int value: 'many'"),
        (["--patients", "5", "--seed", "-2"], "the seed must be a whole number of 0 or more"),
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    run = dmkg("synth", *args, "--out", str(tmp_path))
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert not any(tmp_path.iterdir())


def test_cli_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    shutil.copytree(
        Path(__file__).resolve().parents[1] / "kg" / "data" / "requena2024", tmp_path / "synth"
    )
    run = dmkg("synth", "--patients", "5", "--out", str(tmp_path))
    assert run.returncode == 2 and "not the output of an earlier 'dmkg synth'" in run.stderr
    assert (tmp_path / "synth" / "table2.tsv").is_file()


def test_no_cancer_found_is_an_absent_observation_not_a_diagnosis(
    synth_graph: Graph, rows: list[Row]
) -> None:
    patients = {str(c): p for p, c in synth_graph.subject_objects(DMKG.caseLabel)}
    for row in rows:
        patient = patients[row["Case"]]
        observations = list(synth_graph.subjects(DMKG.ofPatient, patient))
        diagnoses = [o for o in observations if (o, RDF.type, DMKG.CancerDiagnosis) in synth_graph]
        status = [
            synth_graph.value(o, DMKG.findingStatus)
            for o in observations
            if (o, DMKG.finding, DMKG.Malignancy) in synth_graph
        ]
        expected = {"none": DMKG.Absent, "unknown": DMKG.Unknown, "": DMKG.NotReported}.get(
            row[CANCER_COLUMN], DMKG.Present
        )
        assert status == [expected], row["Case"]
        assert len(diagnoses) == (expected == DMKG.Present), row["Case"]


def test_cli_out_through_a_file_is_a_clear_error(tmp_path: Path) -> None:
    # found by hand: an --out below a plain file raised NotADirectoryError with a traceback
    (tmp_path / "plain").write_text("not a folder\n")
    run = dmkg("synth", "--patients", "5", "--out", str(tmp_path / "plain" / "registry"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr == (
        f"dmkg synth: error: {tmp_path / 'plain' / 'registry'}: Not a directory "
        "(a part of this path is a file, not a folder)\n"
    )
    assert (tmp_path / "plain").read_text() == "not a folder\n"
