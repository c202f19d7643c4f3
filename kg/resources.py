"""Find the shipped RDF and SPARQL resources, from a git checkout or an installed wheel.

In a checkout the folders ``ontology/``, ``shapes/`` and ``queries/`` sit at the top of
the repository; a wheel carries copies under ``kg/_resources/``. This is the only module
that knows either location.

>>> resource_dir("ontology").joinpath("dmkg-core.ttl").is_file()
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "RESOURCE_KINDS",
    "criteria_files",
    "data_dir",
    "ontology_files",
    "query_files",
    "resource_dir",
    "resource_files",
    "shape_files",
]

RESOURCE_KINDS = ("ontology", "shapes", "queries")

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(kind: str) -> Path:
    """Return the folder holding one kind of resource (``ontology``, ``shapes``, ``queries``)."""
    if kind not in RESOURCE_KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {RESOURCE_KINDS}")
    shipped = _PACKAGE / "_resources" / kind
    if shipped.is_dir():
        return shipped
    checkout = _PACKAGE.parent / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"dmkg resource folder {kind!r} not found in {shipped} or {checkout}")


def resource_files(kind: str, pattern: str) -> list[Path]:
    """Files of one resource kind matching a glob pattern, sorted by name."""
    return sorted(resource_dir(kind).glob(pattern))


def ontology_files() -> list[Path]:
    """The Turtle files that together form the dmkg ontology."""
    return resource_files("ontology", "*.ttl")


def criteria_files() -> list[Path]:
    """The classification criteria sets (``ontology/criteria/*.ttl``), read with the ontology."""
    return resource_files("ontology", "criteria/*.ttl")


def shape_files() -> list[Path]:
    """The SHACL shapes files."""
    return resource_files("shapes", "*.ttl")


def query_files() -> list[Path]:
    """The SPARQL query files."""
    return resource_files("queries", "*.rq")


def data_dir() -> Path:
    """The folder of bundled curated sources (one sub-folder per publication)."""
    return _PACKAGE / "data"
