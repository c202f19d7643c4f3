"""Publish the built graph into a named graph of a remote SPARQL 1.1 store, safely.

The graph is loaded into a new temporary named graph (``urn:dmkg:publish-tmp:<uuid>``), either in one
SPARQL 1.1 Graph Store Protocol ``PUT`` of N-Triples (``gsp_url``) or in SPARQL Update
``INSERT DATA`` requests of ``chunk_size`` triples (triples with blank nodes go in
``INSERT { ... } WHERE {}``, since Virtuoso refuses blank nodes in ``INSERT DATA``); its triple
count is checked with a COUNT
query; only then one ``MOVE <temporary> TO <target>`` request replaces the target graph (and
removes the temporary one). Until that request, the target graph is not touched: a load that
fails, a count that differs, a server that stops or a Ctrl-C leave it as it was, and the
temporary graph is dropped (if the server still answers).

Blank nodes stay in one request with every triple that mentions them (in ``INSERT DATA`` a
blank node label is scoped to its request), so OWL restrictions and lists arrive whole:

>>> from rdflib import BNode, Graph, URIRef
>>> g = Graph()
>>> b = BNode("r1")
>>> _ = g.add((URIRef("urn:x:A"), URIRef("urn:x:sub"), b))
>>> _ = g.add((b, URIRef("urn:x:on"), URIRef("urn:x:p")))
>>> _ = g.add((URIRef("urn:x:C"), URIRef("urn:x:sub"), URIRef("urn:x:D")))
>>> [len(chunk) for chunk in triple_chunks(g, 1)]  # plain triples first, then bnode groups
[1, 2]
"""

from __future__ import annotations

import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import BNode, Graph
from rdflib.term import Node

from kg.build import DEFAULT_CHUNK_SIZE
from kg.errors import RemoteError
from kg.store import DEFAULT_GRAPH_IRI, Endpoint, RemoteStore, graph_iri

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "TEMPORARY_PREFIX",
    "PublishReport",
    "publish",
    "stray_temporaries",
    "triple_chunks",
]

#: triples per INSERT DATA request (Virtuoso turns each request into SQL of bounded size)


@dataclass(frozen=True)
class PublishReport:
    """What a publish did: the target graph, its triple count, the method and the time."""

    graph: str
    triples: int
    replaced: int
    method: str
    seconds: float

    def text(self) -> str:
        return (
            f"published {self.triples:,} triples into <{self.graph}> ({self.method}, "
            f"{self.seconds:.1f} s; the graph held {self.replaced:,} triples before)"
        )


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def triple_chunks(graph: Graph, size: int) -> list[list[str]]:
    """The graph as N-Triples lines in chunks of about ``size`` lines; the triples that share
    a blank node are never split across chunks."""
    parent: dict[Node, Node] = {}

    def find(node: Node) -> Node:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    plain: list[str] = []
    linked: list[tuple[Node, str]] = []
    for s, p, o in graph:
        line = f"{s.n3()} {p.n3()} {o.n3()} ."
        bnodes = [t for t in (s, o) if isinstance(t, BNode)]
        if not bnodes:
            plain.append(line)
            continue
        for other in bnodes[1:]:
            parent[find(other)] = find(bnodes[0])
        linked.append((bnodes[0], line))
    groups: dict[Node, list[str]] = {}
    for node, line in linked:
        groups.setdefault(find(node), []).append(line)
    units = [[line] for line in sorted(plain)] + sorted(sorted(g) for g in groups.values())
    chunks: list[list[str]] = []
    current: list[str] = []
    for unit in units:
        if current and len(current) + len(unit) > size:
            chunks.append(current)
            current = []
        current.extend(unit)
    if current:
        chunks.append(current)
    return chunks


def _gsp_url(base: str, graph: str) -> str:
    joiner = "&" if urllib.parse.urlsplit(base).query else "?"
    return f"{base}{joiner}{urllib.parse.urlencode({'graph': graph})}"


def _load_gsp(
    graph: Graph, endpoint: Endpoint, temporary: str, progress: Callable[[str], None]
) -> None:
    assert endpoint.gsp_url is not None
    body = graph.serialize(format="nt", encoding="utf-8")
    progress(f"  PUT {len(body) / 1e6:.1f} MB of N-Triples to {endpoint.gsp_url}")
    endpoint.request(
        _gsp_url(endpoint.gsp_url, temporary),
        method="PUT",
        data=body,
        content_type="application/n-triples",
        what="Graph Store Protocol PUT",
    )


def _load_update(
    graph: Graph,
    endpoint: Endpoint,
    temporary: str,
    chunk_size: int,
    progress: Callable[[str, int], None],
) -> None:
    chunks = triple_chunks(graph, chunk_size)
    done = 0
    for number, lines in enumerate(chunks, 1):
        body = f"GRAPH <{temporary}> {{\n" + "\n".join(lines) + "\n}"
        if any("_:" in line for line in lines):  # blank nodes: a template, fresh per request
            text = f"INSERT {{ {body} }} WHERE {{}}"
        else:
            text = f"INSERT DATA {{ {body} }}"
        endpoint.update_request(text, what=f"INSERT DATA (chunk {number} of {len(chunks)})")
        done += len(lines)
        progress(f"  chunk {number}/{len(chunks)}: {done:,} of {len(graph):,} triples", len(lines))


def publish(
    graph: Graph,
    endpoint: Endpoint,
    target: str = DEFAULT_GRAPH_IRI,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[str], None] = _stderr,
) -> PublishReport:
    """Replace the named graph ``target`` of the store at ``endpoint`` with ``graph``.

    Loads by the Graph Store Protocol when ``endpoint.gsp_url`` is set, otherwise by SPARQL
    Update; either way into a temporary graph first (see the module docstring). Raises
    :class:`RemoteError` on any failure, with the target graph unchanged.
    """
    target = graph_iri(target)
    if chunk_size < 1:
        raise RemoteError(f"chunk size must be at least 1, not {chunk_size}")
    started = time.monotonic()
    store = RemoteStore(endpoint, None)
    total = len(graph)
    method = "Graph Store Protocol" if endpoint.gsp_url else "SPARQL Update"
    progress(f"[1/4] checking {endpoint.url} and the target graph <{target}> ...")
    before = store.count(target)
    progress(f"  <{target}> holds {before:,} triples")
    for stray in stray_temporaries(store):
        progress(f"  dropping <{stray}>, left by a publish that was killed")
        endpoint.update_request(f"DROP SILENT GRAPH <{stray}>", what="DROP")
    temporary = f"{TEMPORARY_PREFIX}{uuid.uuid4()}"
    if store.count(temporary):  # a fresh UUID: only a broken store would have it
        raise RemoteError(f"the new temporary graph <{temporary}> is not empty")
    progress(
        f"[2/4] loading {total:,} triples into the temporary graph <{temporary}> by {method} ..."
    )
    sent: list[int] = []  # triples the store has accepted into the temporary graph

    def loading(message: str, count: int = 0) -> None:
        sent.append(count)
        progress(message)

    try:
        if endpoint.gsp_url:
            _load_gsp(graph, endpoint, temporary, progress)
            sent.append(total)
        else:
            _load_update(graph, endpoint, temporary, chunk_size, loading)
        progress(f"[3/4] counting the triples in <{temporary}> ...")
        loaded = store.count(temporary)
        if loaded != total:
            raise RemoteError(
                f"the temporary graph <{temporary}> holds {loaded:,} triples "
                f"where {total:,} were sent; the target graph <{target}> was "
                "not changed"
            )
        progress(f"[4/4] moving <{temporary}> to <{target}> in one update ...")
        endpoint.update_request(f"MOVE <{temporary}> TO <{target}>", what="MOVE")
    except BaseException as exc:
        left = _drop(endpoint, temporary)
        if isinstance(exc, RemoteError):
            note = (
                ""
                if left is None or not any(sent)
                else (
                    f" (the temporary graph could not be dropped: {left}; remove it later with "
                    f"DROP SILENT GRAPH <{temporary}>)"
                )
            )
            raise RemoteError(
                f"{exc}; the target graph <{target}> was left as it was" + note
            ) from None
        raise
    after = store.count(target)
    if after != total:
        raise RemoteError(
            f"after MOVE the target graph <{target}> holds {after:,} triples, "
            f"not {total:,}: the store did not apply the MOVE as one operation"
        )
    return PublishReport(target, after, before, method, time.monotonic() - started)


#: temporary graphs of dmkg publish are named with this prefix, so a later run can find the
#: ones a killed run left behind (two publishes to one store at the same moment would drop
#: each other's: publish one at a time)
TEMPORARY_PREFIX = "urn:dmkg:publish-tmp:"


def stray_temporaries(store: RemoteStore) -> list[str]:
    """Named graphs left by a publish that was killed before it could clean up."""
    rows = store.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{TEMPORARY_PREFIX}")) }}'
    ).rows
    return sorted(str(row[0]) for row in rows if row and row[0] is not None)


def _drop(endpoint: Endpoint, temporary: str) -> str | None:
    """Drop the temporary graph; the error text if that failed too, else None."""
    try:  # a short timeout: the publish has failed already, perhaps by a timeout
        endpoint.with_timeout(min(endpoint.timeout, 5.0)).update_request(
            f"DROP SILENT GRAPH <{temporary}>", what="DROP"
        )
    except RemoteError as exc:
        return str(exc)
    return None
