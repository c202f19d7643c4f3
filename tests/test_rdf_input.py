"""Users' RDF files: entity tricks refused, remote contexts and imports never fetched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.rdfio import MAX_LITERAL_CHARS, parse_rdf_file

BAD = Path(__file__).parent / "bad_rdf"

REFUSED = {
    "xxe.rdf": "DOCTYPE or ENTITY declaration is refused",
    "billion-laughs.owl": "DOCTYPE or ENTITY declaration is refused",
    "remote-context.jsonld": "remote JSON-LD context 'https://example.org/context.jsonld'",
    "remote-context-in-list.jsonld": "remote JSON-LD context 'https://example.org/more.jsonld'",
    "context-import.jsonld": "remote JSON-LD context 'https://example.org/base.jsonld'",
    "truncated.jsonld": "not valid JSON",
    "bad.nt": "not a readable RDF file (format nt",
    "bad.ttl": "not a readable RDF file (format turtle",
    "deeply-nested.jsonld": "JSON nested more than 100 levels deep",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_bad_rdf_is_refused_with_a_clear_message(name: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_rdf_file(BAD / name)
    assert name in str(caught.value) and REFUSED[name] in str(caught.value)


def test_inline_context_and_imports_are_read_as_data() -> None:
    assert len(parse_rdf_file(BAD / "inline-context.jsonld")) == 1
    imports = parse_rdf_file(BAD / "imports.ttl")
    assert len(imports) == 2  # the owl:imports triple is kept, its target is not loaded


def test_nothing_is_fetched_while_reading() -> None:
    """An audit hook fails the process on any socket use while every file is read."""
    script = textwrap.dedent(f"""
        import sys, pathlib
        def refuse(event, args):
            if event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
                raise SystemExit(f"NETWORK {{event}} {{args!r}}")
        sys.addaudithook(refuse)
        from kg.errors import UsageError
        from kg.rdfio import parse_rdf_file
        for path in sorted(pathlib.Path({str(BAD)!r}).iterdir()):
            try:
                parse_rdf_file(path)
            except UsageError:
                pass
        print("READ ALL WITHOUT NETWORK")
    """)
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "READ ALL WITHOUT NETWORK" in run.stdout


def test_a_huge_literal_is_refused(tmp_path: Path) -> None:
    """A literal over MAX_LITERAL_CHARS (a 100 MB one was read into memory and served)."""
    path = tmp_path / "huge-literal.nt"
    path.write_text(f'<urn:a> <urn:p> "{"x" * (MAX_LITERAL_CHARS + 1)}" .\n', encoding="utf-8")
    with pytest.raises(UsageError, match="a literal of 1,000,001 characters on urn:a"):
        parse_rdf_file(path)


def test_a_fifo_or_device_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "graph.ttl"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file \\(a FIFO\\)"):
        parse_rdf_file(fifo)
    device = tmp_path / "zero.nt"
    device.symlink_to("/dev/zero")
    with pytest.raises(UsageError, match="not a regular file \\(a character device\\)"):
        parse_rdf_file(device)
