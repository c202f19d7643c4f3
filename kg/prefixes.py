"""The one prefix map of dmkg: the prefixes every query may use without declaring them.

:data:`DEFAULT_PREFIXES` is declared for every query on every surface (``dmkg sparql`` on
every engine and store, the web ``/sparql`` endpoint and editor, ``KnowledgeGraph.sparql``)
unless the query declares the prefix itself (see :func:`kg.store.readonly.checked_query`), and
results write CURIEs with it (``HP:0000992``, ``patient:...``).

>>> DEFAULT_PREFIXES["dmkg"], DEFAULT_PREFIXES["HP"]
('https://w3id.org/dmkg/ontology/', 'http://purl.obolibrary.org/obo/HP_')
"""

from __future__ import annotations

from kg.namespaces import DATA, DCTERMS, OBO, OBOINOWL, PROV, SHAPES

__all__ = ["DEFAULT_PREFIXES"]

_OBO = str(OBO)

#: The one prefix map: declared for every query on every surface (``dmkg sparql``, the web
#: ``/sparql`` endpoint and editor, ``KnowledgeGraph.sparql``) unless the query declares the
#: prefix itself, and used to write CURIEs in results (``HP:0000992``, ``patient:...``).
DEFAULT_PREFIXES: dict[str, str] = {
    "dmkg": "https://w3id.org/dmkg/ontology/",
    "dmkgd": str(DATA),
    "dmkgq": "https://w3id.org/dmkg/query/",
    "dmkgsh": str(SHAPES),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "https://schema.org/",
    "obo": _OBO,
    "oboInOwl": str(OBOINOWL),
    **{name: f"{_OBO}{name}_" for name in ("HP", "MONDO", "NCIT", "CHEBI", "MAXO", "STATO")},
    **{name: f"{_OBO}{name}_" for name in ("OBI", "IAO", "UBERON")},
    **{kind: f"{DATA}{kind}/" for kind in ("patient", "record", "loc", "cohort")},
    **{kind: f"{DATA}{kind}/" for kind in ("publication", "study")},
}
