"""Read a user's RDF file without surprises: nothing fetched, no XML entity tricks.

* the format follows the file suffix (``.nt``, ``.ttl``, ``.jsonld``/``.json``, ``.rdf``/
  ``.owl``/``.xml``);
* RDF/XML with a ``DOCTYPE`` or ``ENTITY`` declaration is refused (entity expansion and
  external entities are classic XML attacks);
* JSON-LD that names a remote ``@context`` (or ``@import``) is refused: the context would have
  to be fetched from the network; inline it instead;
* ``owl:imports`` are data like any other triple: never followed.

>>> import tempfile, pathlib
>>> bad = pathlib.Path(tempfile.mkdtemp()) / "x.jsonld"
>>> _ = bad.write_text('{"@context": "https://schema.org/", "@id": "urn:a", "name": "x"}')
>>> parse_rdf_file(bad)  # doctest: +ELLIPSIS
Traceback (most recent call last):
kg.errors.UsageError: ...x.jsonld: remote JSON-LD context 'https://schema.org/' is not fetched...
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.errors import UsageError
from kg.fileio import UnreadableFile, read_regular_file

__all__ = [
    "FORMATS_BY_SUFFIX",
    "MAX_LITERAL_CHARS",
    "MAX_RDF_BYTES",
    "parse_rdf_file",
]

#: the largest RDF file read into rdflib (about 1 KB of memory a triple; larger graphs go
#: through ``dmkg build --store``)
MAX_RDF_BYTES = 256 * 1024 * 1024
#: the longest literal accepted from a user's RDF file
MAX_LITERAL_CHARS = 1_000_000
#: nesting beyond this in a JSON-LD document is refused before it is walked
MAX_JSON_DEPTH = 100


FORMATS_BY_SUFFIX = {
    ".nt": "nt",
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def _remote_contexts(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                values = value if isinstance(value, list) else [value]
                found += [v for v in values if isinstance(v, str)]
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for value in node:
            found += _remote_contexts(value)
    return found


def parse_rdf_file(path: Path) -> Graph:
    """Parse ``path`` into a new graph, refusing what would reach out or expand entities."""
    fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(
            f"{path}: unknown RDF file type {path.suffix!r}; expected one of "
            + ", ".join(sorted(FORMATS_BY_SUFFIX))
        )
    try:
        data = read_regular_file(path, MAX_RDF_BYTES)
    except UnreadableFile as exc:
        raise UsageError(f"{path}: {exc.reason}") from None
    graph = _parse(path, fmt, data)
    _refuse_long_literals(path, graph)
    return graph


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (before json.loads recurses)."""
    depth = deepest = 0
    for match in _JSON_BRACKETS.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _refuse_long_literals(path: Path, graph: Graph) -> None:
    from rdflib import Literal

    for s, _, o in graph:
        if isinstance(o, Literal) and len(o) > MAX_LITERAL_CHARS:
            raise UsageError(
                f"{path}: a literal of {len(o):,} characters on {str(s)[:200]}; at most "
                f"{MAX_LITERAL_CHARS:,} are accepted"
            )


def _parse(path: Path, fmt: str, data: bytes) -> Graph:
    graph = Graph()
    if fmt == "xml" and re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise UsageError(
            f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused "
            "(XML entities can expand without bound or read other files)"
        )
    if fmt == "json-ld":
        text = data.decode("utf-8", errors="replace")
        if _json_depth(text) > MAX_JSON_DEPTH:
            raise UsageError(
                f"{path}: JSON nested more than {MAX_JSON_DEPTH} levels deep; a JSON-LD "
                "document of RDF needs a few"
            )
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UsageError(f"{path}: not valid JSON ({exc})") from None
        remote = _remote_contexts(document)
        if remote:
            raise UsageError(
                f"{path}: remote JSON-LD context {remote[0]!r} is not fetched; "
                "put the context inline in the file"
            )
        try:
            graph.parse(data=json.dumps(document), format="json-ld")
        except Exception as exc:  # noqa: BLE001 - the JSON-LD processor raises many kinds
            raise UsageError(
                f"{path}: not readable JSON-LD ({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        return graph
    try:
        graph.parse(data=data, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many parser error types
        raise UsageError(
            f"{path}: not a readable RDF file (format {fmt}; "
            f"{type(exc).__name__}: {str(exc)[:200]})"
        ) from None
    return graph
