"""Stage 8, analysis: statistics, the data-quality report, networks and the graph summary."""
