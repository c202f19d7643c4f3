"""Stage 3, the gate: SHACL validation with the `shacl` wheel, of rdflib graphs and of N-Triples at registry scale."""
