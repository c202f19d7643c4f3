"""Stage 5, where the graph lives: one Store interface over rdflib, Oxigraph (memory or disk) and remote SPARQL."""
