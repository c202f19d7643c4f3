"""Stage 3, the gate: SHACL validation with pySHACL, and the shapes compiled to SPARQL for Oxigraph."""
