"""Stage 6, building: the graph files (small data, HermiT), the on-disk store (registry scale), publishing."""
