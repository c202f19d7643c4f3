"""The ``dmkg`` command: thin subcommands over the same :class:`kg.api.KnowledgeGraph`."""

from kg.cli.entry import main

__all__ = ["main"]
