"""The Python API and the one way in: :func:`open_graph` returns the :class:`KnowledgeGraph`
that the command line, the web app, figures, exports and notebooks share.

>>> from kg.api import open_graph
>>> open_graph().summary().patients
26
"""

from kg.analyse.frames import records_frame
from kg.api.cache import CACHE_ENV, cache_dir, cache_key
from kg.api.graph import KnowledgeGraph
from kg.api.open import ENGINE_ENV, load, open_graph
from kg.api.records import PROVENANCE_COLUMNS, PatientRecord

__all__ = [
    "CACHE_ENV",
    "ENGINE_ENV",
    "PROVENANCE_COLUMNS",
    "KnowledgeGraph",
    "PatientRecord",
    "cache_dir",
    "cache_key",
    "load",
    "open_graph",
    "records_frame",
]
