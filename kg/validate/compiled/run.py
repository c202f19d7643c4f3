"""Running compiled checks on a pyoxigraph Store, batched into few queries on two threads."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.validate.compiled.checks import CheckResult, CompiledCheck, _names
from kg.validate.shacl import _short

__all__ = ["run_checks"]


_Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal"
#: one violation as the store gives it: focus, value, result path (None where there is none)
_Row: TypeAlias = "tuple[_Term, _Term | None, _Term | None]"
#: above this many flagged values, a value check runs its own query instead of having the
#: flagged values' focus nodes looked up in its target
_MAX_CANDIDATES = 5000


@dataclass(frozen=True)
class _Query:
    """One query of a run; ``kind`` (screen, scan, pattern, single, focus, member) says how
    its rows are read, ``members`` which checks (or, for member, which target) they serve."""

    name: str
    kind: str
    text: str
    members: tuple[int, ...]


def _prefixes(checks: list[CompiledCheck], members: Iterable[int]) -> str:
    lines = {
        line
        for i in members
        for line in checks[i].sparql.splitlines()
        if line.startswith("PREFIX ")
    }
    return "".join(line + "\n" for line in sorted(lines))


def _any_flag(tests: list[str]) -> str:
    return " || ".join(f"COALESCE({t}, false)" for t in tests)


def _flags(tests: list[str]) -> str:
    """One projected flag per test: SPARQL computes them only for rows the filter keeps."""
    return " ".join(f"(COALESCE({t}, false) AS ?_t{k})" for k, t in enumerate(tests))


def _flagged(
    checks: list[CompiledCheck],
    query: _Query,
    flags: Iterable[_Term | None],
    test: Callable[[CompiledCheck], str],
) -> list[int]:
    """The checks of ``query`` whose flag is true in one row."""
    tests = sorted({test(checks[i]) for i in query.members})
    true = {
        t for t, flag in zip(tests, flags) if isinstance(flag, ox.Literal) and flag.value == "true"
    }
    return [i for i in query.members if test(checks[i]) in true]


def _first_queries(checks: list[CompiledCheck], names: Graph) -> list[_Query]:
    """The queries that need no target: maxCount screens, value scans, value patterns and
    the checks on unbounded paths (which run as compiled)."""
    screens: dict[str, list[int]] = defaultdict(list)
    scans: dict[str, list[int]] = defaultdict(list)
    patterns: dict[str, list[int]] = defaultdict(list)
    queries = []
    for i, check in enumerate(checks):
        if check.level == "value" and check.unbounded:
            name = " ".join(
                x
                for x in (
                    _short(names, URIRef(check.shape)),
                    check.path,
                    _short(names, URIRef(check.component)),
                )
                if x
            )
            queries.append(_Query(name, "single", check.sparql, (i,)))
        elif check.max_count is not None and not check.unbounded:
            # no node with 2 values (triples = distinct subjects), or none at all for 0
            distinct = "COUNT(DISTINCT ?s)" if check.max_count else "0"
            screens[
                f"SELECT (COUNT(*) AS ?n) ({distinct} AS ?d) WHERE {{ ?s {check.path} ?o }}"
            ].append(i)
        elif check.level == "value" and check.value_test:
            scans[check.path].append(i)
        elif check.level == "value":
            patterns[check.test].append(i)
    for text, members in screens.items():
        queries.append(
            _Query(
                f"screen {checks[members[0]].path} ({len(members)} maxCount)",
                "screen",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    for path, members in scans.items():
        tests = sorted({checks[i].value_test for i in members})
        text = (
            f"SELECT ?focus ?value {_flags(tests)} "
            f"WHERE {{ ?focus {path} ?value FILTER({_any_flag(tests)}) }}"
        )
        queries.append(
            _Query(
                f"values of {path} ({len(members)} checks)",
                "scan",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    for test, members in patterns.items():
        check = checks[members[0]]
        queries.append(
            _Query(
                f"{_short(names, URIRef(check.component))} on {check.path}",
                "pattern",
                _prefixes(checks, members) + f"SELECT DISTINCT ?focus ?value WHERE {{ {test} }}",
                tuple(members),
            )
        )
    return queries


def _focus_queries(checks: list[CompiledCheck], names: Graph, skip: set[int]) -> list[_Query]:
    """Per shape, one query over its focus nodes for all its focus-level checks."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, check in enumerate(checks):
        if check.level == "focus" and i not in skip:
            groups[(check.shape, check.target)].append(i)
    queries = []
    for (shape, target), members in groups.items():
        tests = sorted({checks[i].test for i in members})
        text = f"SELECT ?focus {_flags(tests)} WHERE {{ {target} FILTER({_any_flag(tests)}) }}"
        queries.append(
            _Query(
                f"{_short(names, URIRef(shape))} focus checks ({len(members)})",
                "focus",
                _prefixes(checks, members) + text,
                tuple(members),
            )
        )
    return queries


def _member_queries(
    checks: list[CompiledCheck],
    names: Graph,
    candidates: dict[int, set[tuple[_Term, _Term | None]]],
) -> tuple[list[_Query], list[str]]:
    """Queries re-running value checks with many flagged values, and queries looking the
    other flagged values' focus nodes up in their targets (numbered by the returned list)."""
    queries: list[_Query] = []
    wanted: dict[str, set[_Term]] = defaultdict(set)
    for i, pairs in candidates.items():
        check = checks[i]
        if len(pairs) > _MAX_CANDIDATES or any(isinstance(f, ox.BlankNode) for f, _ in pairs):
            name = f"{_short(names, URIRef(check.shape))} {check.path} (rerun)"
            queries.append(_Query(name, "single", check.sparql, (i,)))
        else:
            wanted[check.target] |= {focus for focus, _ in pairs}
    targets = sorted(wanted)
    for t, target in enumerate(targets):
        users = [i for i, c in enumerate(checks) if c.target == target]
        foci = sorted(wanted[target], key=str)
        for start in range(0, len(foci), 1000):
            values = " ".join(str(f) for f in foci[start : start + 1000])
            text = f"SELECT DISTINCT ?focus WHERE {{ VALUES ?focus {{ {values} }} {target} }}"
            queries.append(
                _Query(f"target {t} lookup", "member", _prefixes(checks, users) + text, (t,))
            )
    return queries, targets


def _execute(store: ox.Store, query: _Query) -> tuple[float, list[tuple[_Term | None, ...]]]:
    start = time.perf_counter()
    solutions = store.query(query.text)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = [tuple(solution) for solution in solutions]
    return time.perf_counter() - start, rows


def _find(
    store: ox.Store, checks: list[CompiledCheck], names: Graph, threads: int
) -> tuple[dict[int, set[_Row]], dict[str, float]]:
    """The violations of each check (by index) and the time each query took."""
    seconds: dict[str, float] = {}
    found: dict[int, set[_Row]] = defaultdict(set)

    def run(queries: list[_Query]) -> list[tuple[_Query, list[tuple[_Term | None, ...]]]]:
        if threads > 1 and len(queries) > 1:
            with ThreadPoolExecutor(threads) as pool:
                answers = list(pool.map(lambda q: _execute(store, q), queries))
        else:
            answers = [_execute(store, q) for q in queries]
        for query, (took, _) in zip(queries, answers):
            seconds[query.name] = seconds.get(query.name, 0.0) + took
        return [(query, rows) for query, (_, rows) in zip(queries, answers)]

    def single(query: _Query, rows: list[tuple[_Term | None, ...]]) -> None:
        for focus, value, *path in rows:
            assert focus is not None
            found[query.members[0]].add((focus, value, path[0] if path else None))

    passed: set[int] = set()
    candidates: dict[int, set[tuple[_Term, _Term | None]]] = defaultdict(set)
    for query, rows in run(_first_queries(checks, names)):
        if query.kind == "screen":
            n, d = rows[0]
            if isinstance(n, ox.Literal) and isinstance(d, ox.Literal) and n.value == d.value:
                passed.update(query.members)
        elif query.kind == "single":
            single(query, rows)
        else:
            for focus, value, *flags in rows:
                assert focus is not None
                hit = (
                    query.members
                    if query.kind == "pattern"
                    else _flagged(checks, query, flags, lambda c: c.value_test)
                )
                for i in hit:
                    candidates[i].add((focus, value))

    lookups, targets = _member_queries(checks, names, candidates)
    inside: dict[str, set[_Term]] = defaultdict(set)
    for query, rows in run(_focus_queries(checks, names, passed) + lookups):
        if query.kind == "single":
            single(query, rows)
        elif query.kind == "member":
            inside[targets[query.members[0]]] |= {r[0] for r in rows if r[0] is not None}
        else:
            for focus, *flags in rows:
                assert focus is not None
                for i in _flagged(checks, query, flags, lambda c: c.test):
                    found[i].add((focus, focus if checks[i].has_value else None, None))
    rerun = {q.members[0] for q in lookups if q.kind == "single"}
    for i, pairs in candidates.items():
        if i not in rerun:
            found[i] |= {(f, v, None) for f, v in pairs if f in inside[checks[i].target]}
    return {i: rows for i, rows in found.items() if rows}, seconds


def _to_rdflib(term: _Term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def _run_names(checks: list[CompiledCheck]) -> Graph:
    """Prefixes for a run: dmkg's and those the compiler used (for sh:closed's result paths)."""
    names = _names()
    for check in checks:
        for prefix, namespace in re.findall(r"^PREFIX (\S*): <(.*)>$", check.sparql, re.MULTILINE):
            names.bind(prefix, namespace, override=False)
    return names


def _results(
    checks: list[CompiledCheck], rows: dict[int, set[_Row]], names: Graph, limit: int | None = None
) -> tuple[list[CheckResult], dict[int, int]]:
    """The rows as results, in a stable order; at most ``limit`` per check, with the number
    left out per check."""
    results, left_out = [], {}
    for i in sorted(rows):
        ordered = sorted(rows[i], key=lambda row: tuple(str(t) for t in row))
        if limit is not None and len(ordered) > limit:
            left_out[i] = len(ordered) - limit
            ordered = ordered[:limit]
        results += [
            CheckResult(
                checks[i],
                _to_rdflib(focus),
                _to_rdflib(value) if value is not None else None,
                _short(names, _to_rdflib(path)) if path is not None else checks[i].path,
            )
            for focus, value, path in ordered
        ]
    return results, left_out


def run_checks(
    store: ox.Store, checks: list[CompiledCheck], *, threads: int = 2
) -> tuple[list[CheckResult], dict[str, float]]:
    """Every violation of ``checks`` in the default graph of ``store``, and the seconds each
    query of the run took (on ``threads`` threads)."""
    names = _run_names(checks)
    rows, seconds = _find(store, checks, names, threads)
    return _results(checks, rows, names)[0], seconds
