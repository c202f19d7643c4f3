"""Parameters of canned queries: a user's strings checked and turned into RDF terms.

Each value reaches the query as a binding of the variable of the same name, never by
editing the query text. A ``doi`` parameter takes any DOI of a publication (any case) and
binds the one stored; a ``term`` parameter takes a label, synonym or CURIE of a term under
the declared root class and binds its IRI.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Identifier

from kg.errors import QueryError
from kg.namespaces import DMKG
from kg.query.catalogue import CannedQuery, Param

__all__ = ["bind_params"]


def _resolve_doi(graph: Graph | None, value: str) -> Literal:
    """The publication's DOI as stored, found by its DOI or another DOI it has (any case)."""
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", value.strip(), flags=re.IGNORECASE)
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise QueryError(
            f"{value!r} is not a DOI (expected 10.NNNN/..., e.g. 10.1016/j.jaad.2020.03.058)"
        )
    if graph is None:
        return Literal(doi)
    for prop in (DMKG.doi, DMKG.alsoDoi):
        for pub, stored in graph.subject_objects(prop):
            if str(stored).casefold() == doi.casefold():
                main = graph.value(pub, DMKG.doi)
                return Literal(str(main if main is not None else stored))
    known = sorted(str(o) for o in graph.objects(None, DMKG.doi))
    raise QueryError(f"no publication with DOI {doi!r} in the graph; known: {', '.join(known)}")


def bind_params(
    query: CannedQuery, values: dict[str, str], graph: Graph | None = None, terms: Any = None
) -> dict[str, Identifier]:
    """Check and convert parameter values (strings, as typed by a user) to RDF terms.

    ``terms`` is a :class:`kg.terms.TermIndex` for ``term`` parameters.
    """
    bindings: dict[str, Identifier] = {}
    for name in values:
        query.param(name)  # unknown parameter -> QueryError
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise QueryError(
                    f"query {query.name!r} needs --param {param.name}=VALUE ({param.description})"
                )
            continue
        bindings[param.name] = _convert(query, param, str(raw), graph, terms)
    return bindings


def _convert(
    query: CannedQuery, param: Param, raw: str, graph: Graph | None, terms: Any
) -> Identifier:
    where = f"parameter {param.name!r} of query {query.name!r}"
    if param.type == "string":
        return Literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise QueryError(f"{where}: {raw!r} is not a whole number")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "decimal":
        try:
            return Literal(Decimal(raw.strip()), datatype=XSD.decimal)
        except InvalidOperation:
            raise QueryError(f"{where}: {raw!r} is not a number") from None
    if param.type == "doi":
        return _resolve_doi(graph, raw)
    # term
    from kg.errors import CurationError
    from kg.terms import TermIndex

    if terms is None:
        from kg.ontology import load_ontology

        terms = TermIndex(load_ontology())
    root = DMKG._NS[param.root] if param.root else None
    text = raw.strip()
    if text.startswith("dmkg:"):
        iri = DMKG._NS[text[5:]]
        if root is not None and not terms.is_under(iri, root):
            raise QueryError(f"{where}: {raw!r} is not under {terms.label(root)!r}")
        return iri
    try:
        return URIRef(terms.resolve(text, root=root))
    except CurationError as exc:
        hint = (
            f"; did you mean {' or '.join(map(repr, exc.suggestions))}?" if exc.suggestions else ""
        )
        kind = terms.label(root) if root is not None else "term"
        raise QueryError(f"{where}: {raw!r} is not a known {kind}{hint}") from None
