"""The web front end of dmkg: pages over the graph and the ontology, and a read-only SPARQL
endpoint. ``create_app(graph)`` builds it from the same graph the command line uses;
``dmkg serve`` runs it."""

from __future__ import annotations

from kg.web.app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
