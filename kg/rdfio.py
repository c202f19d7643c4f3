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

__all__ = ["FORMATS_BY_SUFFIX", "parse_rdf_file"]

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
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from None
    graph = Graph()
    if fmt == "xml" and re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        raise UsageError(
            f"{path}: RDF/XML with a DOCTYPE or ENTITY declaration is refused "
            "(XML entities can expand without bound or read other files)"
        )
    if fmt == "json-ld":
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
