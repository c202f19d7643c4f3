"""Stage 4, reasoning: HermiT classification, the SPARQL rules standing in for it, the summary links."""
