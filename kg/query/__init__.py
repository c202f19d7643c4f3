"""Stage 7, questions: the canned queries, their parameters, and rendering their answers."""
