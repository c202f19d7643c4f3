"""README.md cannot go stale: every code block in it is run or checked here.

A block of ``$ `` lines is a shell session: each command runs in bash (``dmkg`` is
``python -P -m kg.cli`` of this interpreter) in one working folder shared by the whole file,
which holds ``build/`` from one real ``dmkg build`` and whatever earlier blocks wrote, so a
command runs as the README shows it, from the checkout's root. The lines under a command are
compared with its output (stdout and stderr), in order and line by line: a line ``...``
stands for any number of lines, ``...`` inside a line for any text, and a number of seconds
("done in 0.5 s") for any number. A command whose output shows an error must fail; every
other one must exit 0 (or with the code a following ``echo $?`` shows).

The ``dmkg build`` output is compared with a real build, the ``>>>`` block runs as a doctest,
the Turtle example must be triples of the built graph, the YAML codebook must be one the
loader reads. Every other block has a rule in ``RULES`` that says how it is run (at a small
size, with free ports) or why it is not; a block without a rule, or a rule without its block,
fails the test, so a new README block needs a decision here.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
#: seconds any one README command may take
COMMAND_TIMEOUT = 600

# ---------------------------------------------------------------------------------------------
# The README's code blocks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One ``$ `` command of a shell session and the output lines shown under it."""

    text: str
    output: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string, its lines (fence indent removed) and where."""

    lang: str
    lines: tuple[str, ...]
    line: int  # 1-based line number of the opening fence in README.md
    heading: str = ""  # the "#" heading the block stands under

    @property
    def key(self) -> str:
        """The block's first line: how RULES names it."""
        return self.lines[0].strip() if self.lines else ""

    @property
    def is_session(self) -> bool:
        return bool(self.lines) and self.lines[0].startswith("$ ")

    def commands(self) -> list[Command]:
        found: list[tuple[str, list[str]]] = []
        lines = list(self.lines)
        while lines:
            line = lines.pop(0)
            if line.startswith("$ "):
                text = line[2:]
                while text.endswith("\\") and lines:
                    text = text[:-1] + " " + lines.pop(0).strip()
                found.append((text, []))
            else:
                found[-1][1].append(line)
        return [Command(text, tuple(out)) for text, out in found]


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order (fences may be indented in a list)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i, heading = 0, ""
    while i < len(lines):
        opening = re.fullmatch(r"( *)```(\S*)\s*", lines[i])
        if not opening:
            heading = lines[i] if re.match(r"#+ ", lines[i]) else heading
            i += 1
            continue
        indent, start = len(opening.group(1)), i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        blocks.append(Block(opening.group(2), tuple(body), start + 1, heading))
        i += 1
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))

# ---------------------------------------------------------------------------------------------
# Comparing shown output with real output
# ---------------------------------------------------------------------------------------------

#: a number of seconds in shown output stands for any number of seconds
_SECONDS = r"\d+(?:\.\d+)? s\b"


def _line_pattern(shown: str) -> re.Pattern[str]:
    parts = re.split(rf"(\.\.\.|{_SECONDS})", shown.rstrip())
    regex = "".join(
        ".*" if part == "..." else _SECONDS if re.fullmatch(_SECONDS, part) else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


def _matches_at(segment: list[str], actual: list[str], at: int) -> bool:
    return at + len(segment) <= len(actual) and all(
        _line_pattern(s).fullmatch(a.rstrip()) for s, a in zip(segment, actual[at:], strict=False)
    )


def _first_difference(run: list[str], actual: list[str], at: int) -> str:
    for shown, real in zip(run, [*actual[at:], *[None] * len(run)], strict=False):
        if real is None or not _line_pattern(shown).fullmatch(real.rstrip()):
            return f"\nfirst difference:\n  shown: {shown}\n  real:  {real}"
    return f"\nfirst difference: {len(actual) - at - len(run)} more real line(s)"


def output_mismatch(shown: list[str], actual: list[str]) -> str | None:
    """None if ``actual`` is what ``shown`` shows, else what differs.

    Shown lines are split at ``...`` lines into runs; each run must match consecutive real
    lines, the runs in order; the first run starts at the first line and the last ends at the
    last line, unless a ``...`` line stands before or after them.
    """
    runs: list[list[str]] = [[]]
    for line in shown:
        if line.strip() == "...":
            runs.append([])
        else:
            runs[-1].append(line)
    at = 0
    for n, run in enumerate(runs):
        first, last = n == 0, n == len(runs) - 1
        if not run:
            continue
        if last:
            candidates = [len(actual) - len(run)]
            if first:
                candidates = [0] if len(actual) == len(run) else []
        else:
            candidates = [0] if first else list(range(at, len(actual)))
        found = next((c for c in candidates if c >= at and _matches_at(run, actual, c)), None)
        if found is None:
            where = "at the start" if first else "at the end" if last else "in order"
            return (
                f"these shown lines are not {where} of the real output:\n  "
                + "\n  ".join(run)
                + _first_difference(run, actual, candidates[0] if candidates else at)
                + "\nreal output:\n  "
                + "\n  ".join(actual)
            )
        at = found + len(run)
    return None


def assert_output(shown: list[str] | tuple[str, ...], actual: str, what: str) -> None:
    problem = output_mismatch(list(shown), actual.splitlines())
    assert problem is None, f"{what}: {problem}"


def test_output_matching_rules() -> None:
    real = ["a 1", "b done in 12.5 s", "c", "d", "e"]
    assert output_mismatch(["a 1", "b done in 0.5 s", "c", "d", "e"], real) is None
    assert output_mismatch(["a 1", "...", "e"], real) is None
    assert output_mismatch(["a 1", "b ...", "..."], real) is None
    assert output_mismatch(["...", "c", "...", "e"], real) is None
    assert output_mismatch(["a 1", "c", "..."], real) is not None  # runs are consecutive
    assert output_mismatch(["a 1", "b done in 0.5 s"], real) is not None  # lines left over
    assert output_mismatch(["a 2", "..."], real) is not None
    assert output_mismatch(["...", "d"], real) is not None  # the last run ends at the end


# ---------------------------------------------------------------------------------------------
# The working folder and the commands
# ---------------------------------------------------------------------------------------------


@dataclass
class Workdir:
    """The folder the README's commands run in, with ``build/`` from one real build."""

    path: Path
    env: dict[str, str]
    build_output: str = ""
    background: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def bash(self, command: str, timeout: float = COMMAND_TIMEOUT) -> tuple[int, str]:
        """Run one command line in bash; its exit code and output (stdout and stderr)."""
        done = subprocess.run(
            ["bash", "-c", _DMKG_FUNCTION + command],
            cwd=self.path,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        return done.returncode, done.stdout.decode("utf-8")

    def start(self, command: str) -> subprocess.Popen[bytes]:
        """Start a command in the background, in its own process group."""
        process = subprocess.Popen(
            ["bash", "-c", _DMKG_FUNCTION + "exec " + command],
            cwd=self.path,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.background.append(process)
        return process

    def stop_background(self) -> None:
        while self.background:
            process = self.background.pop()
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(15)
            if process.stdout is not None:
                process.stdout.close()


_DMKG_FUNCTION = 'dmkg() { "$DMKG_TEST_PYTHON" -P -m kg.cli "$@"; }\n'


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workdir]:
    """A folder laid out like the checkout for the README's relative paths, built once."""
    path = tmp_path_factory.mktemp("readme")
    (path / "kg").mkdir()
    (path / "kg" / "data").symlink_to(REPO / "kg" / "data")
    env = dict(os.environ)
    env.update(
        DMKG_TEST_PYTHON=sys.executable,
        # the oxigraph server and the tools installed beside this interpreter
        PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
        DMKG_CACHE_DIR=str(tmp_path_factory.mktemp("readme-cache")),
        COLUMNS="100",
    )
    _inputs(path)
    work = Workdir(path, env)
    code, work.build_output = work.bash("dmkg build --out build")
    assert code == 0, work.build_output
    try:
        yield work
    finally:
        work.stop_background()


def _inputs(path: Path) -> None:
    """The folders the README's commands read that a reader would have made."""
    from test_exchange_import import FOREIGN  # a phenopacket-store style phenopacket

    # "a copy with two mistakes" (dmkg validate)
    copy = path / "my-series" / "requena2024"
    shutil.copytree(REPO / "kg" / "data" / "requena2024", copy)
    table = copy / "table1.tsv"
    table.write_text(
        table.read_text("utf-8").replace("\n5\t43\t", "\n5\t430\t", 1), encoding="utf-8"
    )
    meta = copy / "source.yaml"
    text = meta.read_text("utf-8")
    wrong = text.replace(
        '"Gottron\'s papules": {kind: finding, term: Gottron papules,',
        ('"Gottron\'s papules": {kind: finding, term: Gotron papules,'),
        1,
    )
    assert wrong != text
    meta.write_text(wrong, encoding="utf-8")
    # a phenopacket with an HPO term dmkg has no class for (dmkg import phenopackets store)
    (path / "store").mkdir()
    (path / "store" / "individual-A.json").write_text(json.dumps(FOREIGN), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the background command exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


def _shows_failure(output: tuple[str, ...]) -> bool:
    return any(re.match(r"(dmkg( [\w-]+)?: error:|INVALID:)", line) for line in output)


def run_session(
    work: Workdir, commands: list[Command], ports: dict[str, int], block: Block
) -> None:
    """Run a session's commands in order and compare each one's output with the shown lines."""
    last_code = 0
    for n, command in enumerate(commands):
        text, shown = command.text, list(command.output)
        for old, new in ports.items():
            text = text.replace(old, str(new))
            shown = [line.replace(old, str(new)) for line in shown]
        what = f"README.md line {block.line}: $ {command.text}"
        if text.rstrip().endswith("&"):  # a server for the next commands
            port = next(p for old, p in ports.items() if str(p) in text)
            wait_for_port(port, work.start(text.rstrip()[:-1]))
            continue
        if text.split("#")[0].strip() == "dmkg serve" or text.startswith("dmkg serve "):
            _run_server(work, text, shown, ports, what)
            continue
        status = re.search(r"#\s*(?:HTTP )?(\d{3})\b", text)
        if status and text.startswith("curl "):
            text = text[: text.index("#")] + " -w '\\n%{http_code}'"
        code, output = work.bash(f"(exit {last_code}); {text}")
        if status and text.startswith("curl "):
            output, _, http = output.rpartition("\n")
            assert http == status.group(1), f"{what}: HTTP {http}, README says {status.group(1)}"
        assert_output(shown, output, what)
        follows = commands[n + 1].text.strip() if n + 1 < len(commands) else ""
        if follows == "echo $?":
            pass  # the next command shows the code
        elif text.strip() != "echo $?":
            if _shows_failure(command.output):
                assert code != 0, f"{what}: exit code 0 although the README shows an error"
            else:
                assert code == 0, f"{what}: exit code {code}\n{output}"
        last_code = code


def _run_server(
    work: Workdir, text: str, shown: list[str], ports: dict[str, int], what: str
) -> None:
    """``dmkg serve``: started with a free port; the lines it prints first are compared."""
    (port,) = ports.values()
    process = work.start(f"{text} --port {port}")
    assert process.stdout is not None
    printed = [process.stdout.readline().decode("utf-8").rstrip("\n") for _ in shown]
    if output_mismatch(shown, printed) is not None and process.poll() is None:
        time.sleep(5)  # an error may still be printing
    if process.poll() is not None:  # it stopped: show all it said
        printed += process.stdout.read().decode("utf-8").splitlines()
    assert_output(shown, "\n".join(printed), what)
    wait_for_port(port, process)


# ---------------------------------------------------------------------------------------------
# What each block is and how it is checked
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How a block is handled: a check function, or None with the reason it is not run."""

    why: str
    check: Callable[[Workdir, Block, Rule], None] | None = None
    replace: tuple[tuple[str, str], ...] = ()  # text replaced in the commands before running
    ports: tuple[str, ...] = ()  # port numbers given a free port


def check_session(work: Workdir, block: Block, rule: Rule) -> None:
    commands = block.commands()
    for old, new in rule.replace:
        assert any(old in c.text for c in commands), f"{old!r} is no longer in the block"
        commands = [Command(c.text.replace(old, new), c.output) for c in commands]
    try:
        run_session(work, commands, {p: free_port() for p in rule.ports}, block)
    finally:
        work.stop_background()


def check_build_output(work: Workdir, block: Block, rule: Rule) -> None:
    assert_output(block.lines, work.build_output, "dmkg build --out build")


def check_make_targets(work: Workdir, block: Block, rule: Rule) -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for line in block.lines:
        target = line.split("#")[0].split()[1]
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), f"no make target {target}"
    # the build output block below; without Java, make run adds --no-reason (same graph)
    assert "$(BIN)/dmkg build --out build;" in makefile
    assert "$(BIN)/dmkg build --out build --no-reason;" in makefile


def check_codebook(work: Workdir, block: Block, rule: Rule) -> None:
    from kg.loaders.cells import FINDING_STATUS

    shown = yaml.safe_load("\n".join(block.lines))["codebooks"]["signs"]
    requena = yaml.safe_load((REPO / "kg/data/requena2024/source.yaml").read_text("utf-8"))
    for code, meaning in shown.items():
        status = meaning["status"] if isinstance(meaning, dict) else meaning
        assert status in FINDING_STATUS, status
        assert requena["codebooks"]["signs"][code] == meaning, code


def check_turtle(work: Workdir, block: Block, rule: Rule) -> None:
    shown = Graph()
    shown.parse(
        data="@prefix dmkg: <https://w3id.org/dmkg/ontology/> .\n"
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n" + "\n".join(block.lines),
        format="turtle",
    )
    built = Graph()
    built.parse(work.path / "build" / "dmkg.nt", format="nt")
    assert len(shown) > 10
    missing = [t for t in shown if t not in built]
    assert not missing, f"not in the built graph: {missing}"


def check_doctest(work: Workdir, block: Block, rule: Rule) -> None:
    test = doctest.DocTestParser().get_doctest(
        "\n".join(block.lines) + "\n", {}, "README.md", str(README), block.line
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DMKG_CACHE_DIR", work.env["DMKG_CACHE_DIR"])
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def check_import(work: Workdir, block: Block, rule: Rule) -> None:
    if not (work.path / "phenopackets").is_dir():  # this test run alone
        code, output = work.bash("dmkg export phenopackets --out phenopackets")
        assert code == 0, output
    check_session(work, block, rule)


#: the sizes the benchmark block is run at instead of 1,000, 10,000 and 100,000 patients
BENCH_SMALL = "10,20,50"
#: lines of the benchmark's output that depend on the size or the machine, not on the code
_BENCH_VARIES = ("goals at ", "machine: ", "rdflib not run: ")


def _bench_shape(line: str) -> str:
    """A benchmark line without its numbers, its slowest query and its column spacing."""
    line = re.sub(r"slowest( against Virtuoso)?: [\w-]+", r"slowest\1: Q", line)
    # a goal's verdict, its comparison and which rows miss it depend on the machine and size
    line = re.sub(r": (NOT met|met) \((\S+ \S+) (<=|>) ", r": V (\2 CMP ", line)
    line = re.sub(r"; (over(?: the limit)?: [^)]+|all \d+ within)\)", "; W)", line)
    line = re.sub(r"largest: [\w+ -]+;", "largest: R;", line)
    line = re.sub(r"in stage [^)]+", "in stage S", line)
    line = re.sub(r"-{3,}", "---", line)  # a table's rule is as wide as its columns
    return " ".join(re.sub(r"\d[\d,]*(?:\.\d+)?", "N", line).split())


def check_bench(work: Workdir, block: Block, rule: Rule) -> None:
    command = f"dmkg bench --patients {BENCH_SMALL} --rdflib-max-patients 0 --on-disk 2>/dev/null"
    code, output = work.bash(command)
    assert code == 0, output
    # the README shows the largest size's tables, then the growth table
    largest = "== " + BENCH_SMALL.split(",")[-1] + " patients:"
    real = largest + output.split(largest, 1)[1]

    def shape(lines: list[str]) -> list[str]:
        return [_bench_shape(x) for x in lines if x.strip() and not x.startswith(_BENCH_VARIES)]

    assert_output(shape(list(block.lines)), "\n".join(shape(real.splitlines())), command)


RULES: dict[str, Rule] = {
    "make run    # creates .venv, installs dmkg, builds the graph into build/ and prints its "
    "summary": Rule(
        "not run: `make run` is `dmkg build --out build` (the next block, compared with a real "
        "build) and four queries; `make test` is the whole suite, this file included. Checked: "
        "the Makefile has both targets",
        check_make_targets,
    ),
    "[1/4] loading 3 curated source(s) ...": Rule(
        "compared line by line with a real `dmkg build --out build`", check_build_output
    ),
    ">>> import kg": Rule("doctest", check_doctest),
    "$ dmkg import phenopackets phenopackets --source-id roundtrip --out imported": Rule(
        "run, after the export it reads", check_import
    ),
    "$ dmkg serve": Rule("run on a free port", check_session, ports=("8000",)),
    "$ oxigraph serve --location oxidata --bind 127.0.0.1:7878 &": Rule(
        "run against a real Oxigraph server on a free port", check_session, ports=("7878",)
    ),
    "$ DMKG_USER=dba DMKG_PASSWORD=... dmkg publish --endpoint http://127.0.0.1:8890/sparql \\": (
        Rule(
            "not run: needs a Virtuoso 7 server with its dba password; tests/test_virtuoso.py "
            "publishes and runs every canned query there"
        )
    ),
    '$ .venv/bin/dmkg sparql "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }"': Rule(
        "run with this interpreter's dmkg for `.venv/bin/dmkg` (the README's folder has no "
        ".venv; `make run` installs the same command there)",
        check_session,
        replace=((".venv/bin/dmkg", "dmkg"),),
    ),
    "$ dmkg build --data registries/synth --store registry-store": Rule(
        "run at 200 patients: the same commands at 100,000 take about 3 minutes and 3 GB (the "
        "benchmark below)",
        check_session,
        replace=(("--patients 100000", "--patients 200"),),
    ),
    "growth between consecutive sizes: time at the larger size / time at the smaller (growth "
    "in step with the size ratio is linear)": Rule(
        "run at 10, 20 and 50 patients; compared line by line with the numbers left out",
        check_bench,
    ),
    "codebooks:": Rule(
        "checked: the statuses are the loader's and the codes are Requena's", check_codebook
    ),
    "<https://w3id.org/dmkg/data/record/e137aeff3d5538cd> a dmkg:FindingObservation ;": Rule(
        "checked: every triple shown is in the built graph", check_turtle
    ),
    "## Layout": Rule(
        "not run: a picture of the folders; tests/test_layout.py checks the package's layout"
    ),
}


def _rule(block: Block) -> Rule | None:
    """The rule named by one of the block's lines, else "run" for a session, else None."""
    named = [RULES[x.strip()] for x in (block.heading, *block.lines) if x.strip() in RULES]
    assert len(named) <= 1, f"README.md line {block.line}: more than one rule names this block"
    if named:
        return named[0]
    return Rule("run", check_session) if block.is_session else None


def test_every_rule_has_its_block() -> None:
    lines = {line.strip() for b in BLOCKS for line in (b.heading, *b.lines)}
    assert [k for k in RULES if k not in lines] == [], "rules whose README block is gone"


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"line{b.line}")
def test_readme_block(block: Block, workdir: Workdir) -> None:
    rule = _rule(block)
    assert rule is not None, (
        f"README.md line {block.line}: no rule for this block ({block.key!r}); add one to RULES"
    )
    if rule.check is None:
        pytest.skip(rule.why)
    rule.check(workdir, block, rule)


# ---------------------------------------------------------------------------------------------
# Counts in the README's prose
# ---------------------------------------------------------------------------------------------


def _built_counts(work: Workdir) -> dict[str, int]:
    out = work.build_output
    graph = re.search(r"dmkg graph: ([\d,]+) triples, (\d+) sources, (\d+) patients", out)
    inferred = re.search(r"inferred type triples: (\d+)", out)
    qa = re.search(r"data-quality report: (\d+) printed numbers", out)
    assert graph and inferred and qa, out
    import kg

    patients = kg.load(work.path / "build").patient_feature_graph()
    return {
        "triples": int(graph.group(1).replace(",", "")),
        "patients": int(graph.group(3)),
        "inferred": int(inferred.group(1)),
        "qa items": int(qa.group(1)),
        "patient graph nodes": patients.number_of_nodes(),
        "patient graph edges": patients.number_of_edges(),
    }


#: a sentence of the README (one number in it as a group) and the count of the build it states
PROSE_COUNTS = (
    (r"\| bundled, ([\d,]+) triples \|", "triples"),
    (r"The papers give (\d+) patients", "patients"),
    (r"they infer exactly HermiT's (\d+) triples", "inferred"),
    (r"The bundled papers give (\d+) items", "qa items"),
    (r"cancer sites: (\d+) nodes, \d+ edges", "patient graph nodes"),
    (r"cancer sites: \d+ nodes, (\d+) edges", "patient graph edges"),
)


def test_counts_in_the_prose_are_the_build_s(workdir: Workdir) -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    counts = _built_counts(workdir)
    for pattern, name in PROSE_COUNTS:
        found = re.findall(pattern, text)
        assert len(found) == 1, f"README.md: {pattern!r} found {len(found)} times, not once"
        assert int(found[0].replace(",", "")) == counts[name], f"{name}: {pattern}"


# ---------------------------------------------------------------------------------------------
# Files and Python names the prose points to
# ---------------------------------------------------------------------------------------------


def _prose() -> str:
    """README.md without its code blocks (run above) and its Layout section (a picture)."""
    text = re.sub(
        r"^ *```.*?^ *```$", "", README.read_text("utf-8"), flags=re.MULTILINE | re.DOTALL
    )
    return re.sub(r"^## Layout$.*?(?=^## )", "", text, flags=re.MULTILINE | re.DOTALL)


def _resolves(dotted: str) -> bool:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_files_and_python_names_in_the_prose_exist() -> None:
    spans = re.findall(r"`([^`\n]+)`", _prose())
    paths = [s for s in spans if re.fullmatch(r"(kg|tests|queries|ontology|shapes)/[\w./*-]*", s)]
    names = [m.group(0) for s in spans if (m := re.match(r"kg(\.\w+)+", s))]
    assert len(paths) > 10 and len(names) > 2
    missing = [
        p for p in paths if not (any(REPO.glob(p + "*")) if "*" in p else (REPO / p).exists())
    ]
    assert missing == [], f"paths in README.md that the checkout does not have: {missing}"
    unknown = [n for n in names if not _resolves(n)]
    assert unknown == [], f"names in README.md that do not import: {unknown}"
