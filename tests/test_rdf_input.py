"""Users' RDF files: entity tricks refused, remote contexts and imports never fetched."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.rdfio import parse_rdf_file

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
