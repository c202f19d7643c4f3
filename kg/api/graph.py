"""The one graph object: :class:`KnowledgeGraph`, over any :class:`kg.store.Store`.

The command line, the web app, figures, exports and notebooks all read a graph through this
class, opened by :func:`kg.api.open_graph` (see :mod:`kg.api.open`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg.analyse.frames import records_frame
from kg.api.ontology_view import OntologyViews
from kg.api.patients import patient_record, patients_frame
from kg.api.records import PatientRecord
from kg.api.values import result_frame
from kg.store import Store, as_store

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

    from kg.analyse.summary import GraphSummary
    from kg.figures import FigureResult

__all__ = ["KnowledgeGraph"]


class KnowledgeGraph(OntologyViews):
    """A dmkg graph over any store, with pandas, networkx, owlready2 and matplotlib views.

    ``store`` is where the graph lives and queries run (:class:`kg.store.Store`: rdflib or
    Oxigraph in memory, Oxigraph on disk, or a remote endpoint); ``rdf`` is an rdflib Graph
    over the same data. Every method reads the graph and none changes it. Open one with
    :func:`kg.api.open_graph`; ``KnowledgeGraph(graph)`` wraps an rdflib graph or a store.
    """

    def __init__(self, graph: Graph | Store, *, origin: str | None = None) -> None:
        self.store: Store = as_store(graph)
        self.origin = origin or self.store.description
        self._terms: Any = None
        self._ontology: Any = None

    def __len__(self) -> int:
        return len(self.store)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph: {len(self):,} triples from {self.origin}>"

    @property
    def rdf(self) -> Graph:
        """An rdflib Graph of the ontology, data, inferences and query catalogue (the graph
        itself for an rdflib store; a view over the store otherwise)."""
        return self.store.rdf

    # -- queries ----------------------------------------------------------------------------

    @property
    def terms(self) -> Any:
        """A :class:`kg.terms.TermIndex` over this graph's labels and synonyms."""
        if self._terms is None:
            from kg.terms import TermIndex

            self._terms = TermIndex(self.rdf)
        return self._terms

    def queries(self) -> pd.DataFrame:
        """The canned queries: name, title, parameters and description.

        >>> from kg.api import load

        >>> "survival-by-finding" in load().queries()["name"].tolist()
        True
        """
        from kg.query import list_queries

        rows = [
            {
                "name": q.name,
                "title": q.title,
                "parameters": ", ".join(p.name for p in q.params),
                "description": q.description,
            }
            for q in list_queries(include_checks=False)
        ]
        return records_frame(rows, ["name", "title", "parameters", "description"])

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run a canned query (see :meth:`queries`); labels with a ``<column>_id`` CURIE.

        Parameters are checked and bound as ``dmkg query --param`` does; counts come back
        as integers, other numbers as floats.

        >>> from kg.api import load

        >>> g = load()
        >>> df = g.query("survival-by-finding", finding="myositis")
        >>> df[["status", "patients", "dead", "alive", "lost"]].values.tolist()
        [['absent', 9, 4, 2, 3], ['present', 15, 13, 2, 0], ['unknown', 1, 0, 0, 1]]
        >>> df["median_followup_months"].tolist()[:2]
        [27.5, 15.0]
        """
        from kg.query import load_query, run_query

        values = {key: str(value) for key, value in params.items() if value is not None}
        result = run_query(self.store, name, values, terms=self.terms)
        return result_frame(result, self.store, load_query(name).title)

    def sparql(self, text: str) -> pd.DataFrame | bool | Graph:
        """Run a read-only SPARQL query: a DataFrame for SELECT (as :meth:`query`), a bool for
        ASK, an rdflib Graph for CONSTRUCT and DESCRIBE. Updates, SERVICE and FROM are
        refused (:class:`kg.errors.QueryError`).

        >>> from kg.api import load

        >>> load().sparql("PREFIX dmkg: <https://w3id.org/dmkg/ontology/> "
        ...               "SELECT (COUNT(?p) AS ?n) WHERE { ?p a dmkg:Patient }")["n"].tolist()
        [26]
        """
        answer = self.store.sparql(text)
        if answer.ask is not None:
            return answer.ask
        if answer.graph is not None:
            return answer.graph
        assert answer.select is not None
        return result_frame(answer.select, self.store, "SPARQL query")

    # -- patients ----------------------------------------------------------------------------

    def patients(self) -> pd.DataFrame:
        """One row per patient, ordered by source and case.

        Columns: ``id`` (CURIE), ``patient`` (label, e.g. "requena2024 case 5"),
        ``source`` (DOI), ``case``, ``age`` (at DM diagnosis), ``sex``, ``cancers`` (the most
        specific malignancy of each diagnosis) and ``cancer_sites``, ``antibodies`` (those
        tested positive), ``msa_positive`` (placed by the reasoner in "patient positive for
        a myositis-specific antibody"), ``outcome`` (vital status at last follow-up),
        ``followup_months`` and ``eular_acr_2017`` (the EULAR/ACR 2017 category, with biopsy
        where there was one: "definite IIM", or "probable IIM to definite IIM" where the
        unknown items leave it open; for research cohorts, not diagnosis). Several values are
        joined with ``"; "``.

        >>> from kg.api import load

        >>> p = load().patients()
        >>> p["outcome"].value_counts().to_dict()
        {'dead': 17, 'alive': 5, 'lost to follow-up': 4}
        """
        return patients_frame(self.rdf)

    def patient(self, patient: Any) -> PatientRecord:
        """One patient's findings, tests, cancers, treatments and outcome with provenance.

        ``patient`` is the IRI, its CURIE (``patient:P...``) or the source case as the
        patient's label writes it ("requena2024 case 5", any case and spacing).

        >>> from kg.api import load

        >>> p = load().patient("curroncol2021 case 1")
        >>> p.age, p.sex, len(p.treatments)
        (61, 'female', 10)
        >>> p.tests.query("test == 'antinuclear antibody'")[["result", "titer", "section"]
        ...     ].values.tolist()
        [['positive', '1:160', 'Case presentation']]
        """
        return patient_record(self.rdf, patient)

    # -- analyses ----------------------------------------------------------------------------

    def summary(self) -> GraphSummary:
        """Sources, records by kind and the patients the reasoner classified (as ``dmkg
        stats`` prints them).

        >>> from kg.api import load

        >>> load().summary().patients
        26
        """
        from kg.analyse.summary import summarise

        return summarise(self.store)

    def qa_report(self) -> list[Any]:
        """Every printed number that disagrees with the paper's own data (``dmkg qa``)."""
        from kg.analyse.qa import qa_report

        return qa_report(self.rdf)

    def association_rows(self) -> list[dict[str, Any]]:
        """2x2 tables, Fisher's p and odds ratios (``dmkg associations``)."""
        from kg.analyse.statistics import associations

        return associations(self.rdf)

    # -- networkx views and figures (see kg.analyse.networks and kg.figures) -------------------------

    def to_networkx(self) -> nx.MultiDiGraph[Any]:
        """The whole RDF graph as a networkx MultiDiGraph (see :func:`kg.analyse.networks.to_networkx`)."""
        from kg.analyse.networks import to_networkx

        return to_networkx(self.rdf)

    def patient_feature_graph(self) -> nx.Graph[Any]:
        """Patients and their present findings, positive antibodies and cancer sites
        (see :func:`kg.analyse.networks.patient_feature_graph`)."""
        from kg.analyse.networks import patient_feature_graph

        return patient_feature_graph(self.rdf)

    def association_graph(self, min_patients: int = 2) -> nx.MultiGraph[Any]:
        """Findings, antibodies and cancer sites linked by co-occurrence and by evidence
        (see :func:`kg.analyse.networks.association_graph`)."""
        from kg.analyse.networks import association_graph

        return association_graph(self.rdf, min_patients=min_patients, terms=self.terms)

    def evidence_graph(self) -> nx.MultiDiGraph[Any]:
        """Publications, studies, cohorts, claims and what the claims are about
        (see :func:`kg.analyse.networks.evidence_graph`)."""
        from kg.analyse.networks import evidence_graph

        return evidence_graph(self.rdf, terms=self.terms)

    def plot(
        self, name: str, out: str | os.PathLike[str] | None = None, **params: Any
    ) -> FigureResult:
        """Draw a figure (see :data:`kg.figures.FIGURES`); save it to ``out`` (.png or .svg)
        if given. The result holds the figure and the numbers behind it.

        >>> from kg.api import load

        >>> r = load().plot("finding-frequency", source="10.1016/j.ad.2025.02.012")
        >>> r.data.set_index("finding")[["present", "assessed"]].loc["heliotrope rash"].tolist()
        [20, 24]
        """
        from kg.figures import plot

        return plot(self.rdf, name, out, terms=self.terms, **params)
