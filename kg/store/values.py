"""VALUES blocks and SPARQL JSON results: how bindings travel to a store that takes only text.

The bindings of a canned query reach a text-only store (Oxigraph, a remote endpoint) as a
``VALUES`` block built from RDF terms and put at the start of the query's outermost ``WHERE``
group, never as pasted user text:

>>> from rdflib import Literal
>>> print(with_values("SELECT ?x WHERE { ?x ?p ?age FILTER(?age >= ?min) }",
...                   {"min": Literal(60)}))
SELECT ?x WHERE { VALUES (?min) { ("60"^^<http://www.w3.org/2001/XMLSchema#integer>) }
 ?x ?p ?age FILTER(?age >= ?min) }
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

from kg.errors import QueryError, RemoteError

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "graph_iri",
    "literal_from_parts",
    "term_from_json",
    "values_block",
    "with_values",
]

#: the named graph that ``dmkg publish`` writes and ``--endpoint`` queries read by default
DEFAULT_GRAPH_IRI = "https://w3id.org/dmkg/graph"

_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def values_block(bindings: Mapping[str, Identifier]) -> str:
    """One row of ``VALUES`` for ``bindings``, each value written by rdflib's ``n3()``.

    >>> from rdflib import URIRef
    >>> values_block({"sign": URIRef("https://w3id.org/dmkg/ontology/Myositis")})
    'VALUES (?sign) { (<https://w3id.org/dmkg/ontology/Myositis>) }'
    >>> values_block({"doi": Literal('a" } DROP ALL #')})
    'VALUES (?doi) { ("a\\\\" } DROP ALL #") }'
    """
    names, terms = [], []
    for name, value in bindings.items():
        if not _VARIABLE.fullmatch(name):
            raise QueryError(
                f"{name!r} is not a SPARQL variable name (expected letters, digits and underscores)"
            )
        if not isinstance(value, (URIRef, Literal)):
            raise QueryError(
                f"variable ?{name}: only IRIs and literals can be bound remotely, "
                f"not {type(value).__name__}"
            )
        names.append(f"?{name}")
        terms.append(value.n3())
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def graph_iri(value: str, flag: str = "--graph") -> str:
    """``value`` if it is an absolute IRI that can be written as ``<value>`` in SPARQL.

    >>> graph_iri("https://w3id.org/dmkg/graph")
    'https://w3id.org/dmkg/graph'
    >>> graph_iri("build/dmkg.nt")
    Traceback (most recent call last):
    kg.errors.RemoteError: --graph 'build/dmkg.nt' is not an absolute IRI (expected e.g. https://w3id.org/dmkg/graph)
    """
    if not (re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value) and _IRIREF.fullmatch(f"<{value}>")):
        raise RemoteError(
            f"{flag} {value!r} is not an absolute IRI (expected e.g. {DEFAULT_GRAPH_IRI})"
        )
    return value


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _outer_group(text: str) -> int:
    """Index of the ``{`` opening the outermost WHERE group of a query (comments, strings and
    IRIs skipped; braces inside parentheses, as in ``(EXISTS {...} AS ?x)``, ignored)."""
    i, n = 0, len(text)
    braces = parens = 0
    form: str | None = None
    last_word = ""
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            match = _IRIREF.match(text, i)
            if match:
                i = match.end()
                continue
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif c == "{":
            if braces == 0 and parens == 0 and (form != "CONSTRUCT" or last_word == "WHERE"):
                return i
            braces += 1
        elif c == "}":
            braces -= 1
        elif c.isalpha() or c == "_":
            match = _WORD.match(text, i)
            assert match is not None
            word = match.group().upper()
            if braces == 0 and parens == 0 and text[i - 1 : i] not in ("?", "$", ":"):
                last_word = word
                if form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                    form = word
            i = match.end()
            continue
        i += 1
    raise QueryError("cannot find the WHERE group of the query to bind its parameters")


def with_values(text: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with a ``VALUES`` row for ``bindings`` first in its outermost WHERE group.

    First, not last: a trailing ``VALUES`` is joined after the group's FILTERs are applied,
    so ``FILTER(?age >= ?min_age)`` would see ``?min_age`` unbound.
    """
    if not bindings:
        return text
    at = _outer_group(text) + 1
    return f"{text[:at]} {values_block(bindings)}\n{text[at:]}"


# ---------------------------------------------------------------------------------------------
# SPARQL JSON results -> rdflib terms
# ---------------------------------------------------------------------------------------------


def literal_from_parts(value: str, lang: str | None, datatype: str | None) -> Literal:
    """The literal every store gives for a lexical form, a language tag and a datatype IRI:
    ``xsd:string`` is dropped, since in RDF 1.1 a plain literal and an ``xsd:string`` literal
    are the same term (rdflib 7 keeps them apart, and the embedded store gives plain ones).

    >>> literal_from_parts("x", None, "http://www.w3.org/2001/XMLSchema#string") == Literal("x")
    True
    """
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != _XSD_STRING:
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


_XSD_STRING = str(XSD.string)


def term_from_json(cell: Mapping[str, str]) -> Node:
    """An rdflib term from one cell of SPARQL 1.1 JSON results.

    Virtuoso still writes SPARQL 1.0's ``typed-literal``; literals as
    :func:`literal_from_parts` makes them.

    >>> term_from_json({"type": "literal", "value": "77",
    ...                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}).toPython()
    77
    >>> term_from_json({"type": "typed-literal", "value": "x",
    ...                 "datatype": "http://www.w3.org/2001/XMLSchema#string"}) == Literal("x")
    True
    """
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return literal_from_parts(value, cell.get("xml:lang"), cell.get("datatype"))
    raise RemoteError(f"the endpoint answered a result cell of unknown type {kind!r}")
