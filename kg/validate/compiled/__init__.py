"""The SHACL gate for large graphs: the shapes compiled into SPARQL, run on a pyoxigraph Store.

pySHACL checks one focus node after another in Python, far too slowly for a registry of
100,000 patients (15-20 million triples). :func:`compile_shapes` turns each constraint of
``shapes/`` into a SPARQL SELECT listing its violations (``?focus``, ``?value``), and
:func:`validate_store` runs them on a Store holding the ontology and the data: the same union
pySHACL validates when ``kg.validate.shacl`` passes the ontology as ``ont_graph``. The report is a
:class:`kg.validate.shacl.ValidationReport`, each violation located in the curated files exactly as
``kg.validate.shacl`` locates it (:func:`run_checks` gives the raw results). pySHACL stays the
reference: ``tests/test_shapes_sparql.py`` compares the two on every shape fixture, every bad
input that loads and the bundled data.

A run reads each predicate's triples a few times rather than asking per focus node where it
can: a maxCount is first screened by comparing a path's number of triples with its number of
distinct subjects (equal: no node has two values); each value constraint is tested in one
scan of its path's triples, and only the flagged values' focus nodes are looked up in the
shape's target; the remaining per-node tests (minCount, sh:or, sh:xone, ...) of one shape
share one query over its focus nodes. pyoxigraph releases the GIL while it evaluates, so the
queries run on two threads.

A SHACL feature the compiler does not translate raises :class:`ShapeCompileError` when the
shapes are compiled, so an edit of the shapes cannot weaken the gate unnoticed. Two places
where the store reads data differently from rdflib (both follow the standards):

- Oxigraph keeps literals in canonical form and stores the integer subtypes as
  ``xsd:integer`` (``"5"^^xsd:int`` is read back as ``"5"^^xsd:integer``), so ``sh:datatype``
  compiles only for datatypes that survive loading (``xsd:string``, ``xsd:integer``, ...).
- ``sh:pattern`` runs as SPARQL ``REGEX`` (XPath rules: ``$`` matches only at the very end),
  where pySHACL uses Python's ``re`` (there ``$`` also matches before a final newline).
"""

from kg.validate.compiled.checks import CheckResult, CompiledCheck, ShapeCompileError
from kg.validate.compiled.compiler import compile_shapes
from kg.validate.compiled.report import StoreValidationReport, validate_store
from kg.validate.compiled.run import run_checks

__all__ = [
    "CheckResult",
    "CompiledCheck",
    "ShapeCompileError",
    "StoreValidationReport",
    "compile_shapes",
    "run_checks",
    "validate_store",
]
