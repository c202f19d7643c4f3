"""Stage 1, the sources: the curated file format, its privacy screen, and synthetic registries."""
