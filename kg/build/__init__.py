"""Stage 6, building: the graph files (small data, HermiT), the on-disk store (registry scale), publishing."""

#: triples per INSERT DATA request of ``dmkg publish`` (here, not in kg.build.publish, so that
#: the command line shows it without importing the stores)
DEFAULT_CHUNK_SIZE = 1000

__all__ = ["DEFAULT_CHUNK_SIZE"]
