"""Export the patient-level and cohort-level evidence as a KGX graph (nodes.tsv, edges.tsv).

KGX TSV is the flat serialisation of Biolink Model graphs: one node per line with ``id`` and
``category``, one edge per line with ``subject``, ``predicate`` and ``object``; a
multi-valued cell separates its values with ``|``.

Nodes (``provided_by`` infores:dmkg):

- ``biolink:Case``: each patient, as the case of its paper: the paper's DOI with its ``/``
  percent-encoded and the case label as fragment (``doi:10.1016%2Fj.ad.2025.02.012#case-5``).
  KGX's CURIE rule allows no ``/`` after the colon, and every prefix must be one of the
  Biolink model's JSON-LD context; a prefix of our own (``dmkgd:``) is neither.
- ``biolink:PhenotypicFeature``: findings and antibody positivity. The node id is the HPO
  term where the ontology has an exact or close HPO match (for an antibody, its "antibody
  positivity" term: a positive result *is* that phenotype). A class with no such term
  (``dmkg:FlagellateErythema``) is left out with every edge to it, each listed in
  ``kgx-notes.tsv``: the ``dmkg`` prefix is not in the Biolink prefix map, and a broader
  term would claim what the paper does not (the absence of scalp poikiloderma is not the
  absence of poikiloderma).
- ``biolink:Disease``: dermatomyositis and its subtypes, the cancers and interstitial lung
  disease, by MONDO (else NCIt) id where there is an exact match; else left out and listed
  (``dmkg:BladderMalignancy``).
- ``biolink:Publication``: each source paper, as ``doi:...`` with ``/`` percent-encoded.

Edges (``primary_knowledge_source`` infores:dmkg, an id of our own that the Biolink
information-resource registry does not list; ``knowledge_level`` observation;
``agent_type`` manual_agent; ``publications`` the paper's DOI):

- Case ``biolink:has_phenotype`` feature (``biolink:CaseToPhenotypicFeatureAssociation``),
  ``negated`` true for an absent finding or a negative antibody test; unknown, equivocal,
  not reported and not performed are left out.
- Case ``biolink:related_to_at_instance_level`` disease
  (``biolink:CaseToDiseaseAssociation``): dermatomyositis, each cancer, and interstitial
  lung disease (negated when absent). Biolink has no narrower case-to-disease predicate.
- Disease ``biolink:has_phenotype`` feature (``biolink:DiseaseToPhenotypicFeatureAssociation``)
  with ``has_count``, ``has_total`` and ``has_percentage``: the n/m of the HPO annotation
  export (:func:`kg.exchange.hpoa.feature_counts`), for every feature including those
  without an HPO term.

Treatments are not exported: Biolink's treatment predicates relate a drug to a disease in
general, not to one patient.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, URIRef

from kg.exchange.hpoa import feature_counts
from kg.exchange.identifiers import DMKG_INFORES, curie_of
from kg.exchange.patients import PatientData, read_patients, read_publications
from kg.exchange.vocab import TermMapper
from kg.namespaces import DMKG

__all__ = [
    "EDGE_COLUMNS",
    "NODE_COLUMNS",
    "NOTES_FILE",
    "KgxGraph",
    "build_kgx",
    "case_curie",
    "exportable",
    "node_for",
    "publication_curie",
    "write_kgx",
]

NODE_COLUMNS = ("id", "category", "name", "xref", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "negated",
    "has_count",
    "has_total",
    "has_percentage",
    "publications",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
)


@dataclass
class KgxGraph:
    """Nodes and edges by id, each a mapping from column to cell text."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    #: (node or edge, what, why) left out because an id is not a Biolink-prefix CURIE
    left_out: list[tuple[str, str, str]] = field(default_factory=list)


def node_for(mapper: TermMapper, cls: URIRef) -> tuple[str, str, str]:
    """Node id, Biolink category and name for a dmkg finding, antibody or disease class."""
    if mapper.is_under(cls, DMKG.ClinicalFinding) or mapper.is_under(cls, DMKG.Autoantibody):
        mapped = mapper.phenotype(cls)
        if mapped is not None and mapped.match != "broad":
            return mapped.curie, "biolink:PhenotypicFeature", mapped.label
        disease = mapper.disease(cls)
        if disease is not None:
            return disease.curie, "biolink:Disease", disease.label
        return curie_of(cls), "biolink:PhenotypicFeature", mapper.class_label(cls)
    disease = mapper.disease(cls)
    if disease is not None:
        return disease.curie, "biolink:Disease", disease.label
    return curie_of(cls), "biolink:Disease", mapper.class_label(cls)


_NO_PREFIX = "no identifier with a prefix of the Biolink model's prefix map"
#: the file, beside nodes.tsv and edges.tsv, that lists what the graph leaves out and why
NOTES_FILE = "kgx-notes.tsv"


def exportable(node_id: str) -> bool:
    """Whether a node id has a prefix of the Biolink prefix map (ours, ``dmkg``, has not)."""
    return not node_id.startswith("dmkg:")


def publication_curie(doi: str) -> str:
    """A DOI as a KGX CURIE: no ``/`` after the colon (KGX's CURIE rule).

    >>> publication_curie("10.1016/j.ad.2025.02.012")
    'doi:10.1016%2Fj.ad.2025.02.012'
    """
    return "doi:" + quote(doi, safe="")


def case_curie(doi: str, case: str) -> str:
    """A patient as case ``case`` of the paper ``doi``.

    >>> case_curie("10.3390/curroncol28030182", "1")
    'doi:10.3390%2Fcurroncol28030182#case-1'
    """
    return f"{publication_curie(doi)}#case-{quote(case, safe='')}"


def _edge_id(*parts: str) -> str:
    return "dmkgd:edge/" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _percentage(n: int, m: int) -> str:
    return f"{100 * n / m:.2f}".rstrip("0").rstrip(".")


def build_kgx(graph: Graph, mapper: TermMapper | None = None) -> KgxGraph:
    """The KGX nodes and edges of a dmkg graph."""
    mapper = mapper or TermMapper.shipped()
    kg = KgxGraph()
    for pub in read_publications(graph).values():
        _add_node(kg, mapper, publication_curie(pub.doi), "biolink:Publication", pub.title)
    dm = node_for(mapper, DMKG.Dermatomyositis)
    for patient in read_patients(graph):
        _add_patient(kg, mapper, patient, dm)
    counts, _ = feature_counts(graph, mapper)
    for count in counts:
        if not (
            mapper.is_under(count.feature, DMKG.ClinicalFinding)
            or mapper.is_under(count.feature, DMKG.Autoantibody)
        ):
            continue
        disease_id, disease_category, disease_name = node_for(mapper, count.disease)
        _add_node(kg, mapper, disease_id, disease_category, disease_name, count.disease)
        node_id, category, name = node_for(mapper, count.feature)
        _add_node(kg, mapper, node_id, category, name, count.feature)
        _add_edge(
            kg,
            disease_id,
            "biolink:has_phenotype",
            node_id,
            "biolink:DiseaseToPhenotypicFeatureAssociation",
            count.doi,
            count=(count.n, count.m),
            key=str(count.cohort),
        )
    return kg


def _add_patient(
    kg: KgxGraph, mapper: TermMapper, patient: PatientData, dm: tuple[str, str, str]
) -> None:
    """A case node with its edges to dermatomyositis, its findings, antibodies and cancers."""
    case = case_curie(patient.publication.doi, patient.case)
    doi = patient.publication.doi
    _add_node(kg, mapper, case, "biolink:Case", f"{patient.source_id} case {patient.case}")
    _add_node(kg, mapper, *dm, DMKG.Dermatomyositis)
    _add_edge(
        kg,
        case,
        "biolink:related_to_at_instance_level",
        dm[0],
        "biolink:CaseToDiseaseAssociation",
        doi,
    )
    observations = [(f.finding, f.status) for f in patient.findings]
    observations += [
        (
            a.antibody,
            {DMKG.Positive: DMKG.Present, DMKG.Negative: DMKG.Absent}.get(a.status, a.status),
        )
        for a in patient.antibodies
    ]
    for cls, status in observations:
        if status not in (DMKG.Present, DMKG.Absent):
            kg.skipped.append(
                f"{patient.source_id} case {patient.case}: "
                f"{mapper.class_label(cls)} ({mapper.class_label(status)})"
            )
            continue
        node_id, category, name = node_for(mapper, cls)
        _add_node(kg, mapper, node_id, category, name, cls)
        disease = category == "biolink:Disease"
        _add_edge(
            kg,
            case,
            "biolink:related_to_at_instance_level" if disease else "biolink:has_phenotype",
            node_id,
            "biolink:CaseToDiseaseAssociation"
            if disease
            else "biolink:CaseToPhenotypicFeatureAssociation",
            doi,
            negated=status == DMKG.Absent,
        )
    for cancer in patient.cancers:
        node_id, category, name = node_for(mapper, cancer.malignancy)
        _add_node(kg, mapper, node_id, category, name, cancer.malignancy)
        _add_edge(
            kg,
            case,
            "biolink:related_to_at_instance_level",
            node_id,
            "biolink:CaseToDiseaseAssociation",
            doi,
        )


def _add_node(
    kg: KgxGraph,
    mapper: TermMapper,
    node_id: str,
    category: str,
    name: str,
    cls: URIRef | None = None,
) -> None:
    """A node, or more cross-references for a node already there."""
    if not exportable(node_id):
        entry = ("node", f"{node_id} {name}", _NO_PREFIX)
        if entry not in kg.left_out:
            kg.left_out.append(entry)
        return
    exact = mapper.xrefs(cls)["exact"] if cls is not None else []
    xrefs = [x for x in exact if x != node_id]
    if cls is not None and node_id in exact:  # the dmkg class is the same concept
        xrefs.append(curie_of(cls))
    held = kg.nodes.get(node_id)
    if held is not None:
        merged = sorted(set(held["xref"].split("|")) - {""} | set(xrefs))
        held["xref"] = "|".join(merged)
        return
    kg.nodes[node_id] = {
        "id": node_id,
        "category": category,
        "name": name,
        "xref": "|".join(sorted(set(xrefs))),
        "provided_by": DMKG_INFORES,
    }


def _add_edge(
    kg: KgxGraph,
    subject: str,
    predicate: str,
    obj: str,
    category: str,
    doi: str,
    *,
    negated: bool = False,
    count: tuple[int, int] | None = None,
    key: str = "",
) -> None:
    if not (exportable(subject) and exportable(obj)):
        what = f"{subject} {predicate} {obj}" + (f" {count[0]}/{count[1]}" if count else "")
        kg.left_out.append(("edge", what + (" (negated)" if negated else ""), _NO_PREFIX))
        return
    edge_id = _edge_id(subject, predicate, obj, doi, key)
    kg.edges[edge_id] = {
        "id": edge_id,
        "subject": subject,
        "predicate": predicate,
        "object": obj,
        "category": category,
        "negated": "true" if negated else "",
        "has_count": str(count[0]) if count else "",
        "has_total": str(count[1]) if count else "",
        "has_percentage": _percentage(*count) if count else "",
        "publications": publication_curie(doi),
        "primary_knowledge_source": DMKG_INFORES,
        "knowledge_level": "observation",
        "agent_type": "manual_agent",
    }


def _tsv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return buffer.getvalue()


def write_kgx(graph: Graph, out_dir: Path) -> KgxGraph:
    """Write ``nodes.tsv`` and ``edges.tsv`` into ``out_dir`` (sorted, so reproducible)."""
    kg = build_kgx(graph)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "nodes.tsv": _tsv(NODE_COLUMNS, [kg.nodes[k] for k in sorted(kg.nodes)]),
        NOTES_FILE: _tsv(
            ("kind", "item", "reason"),
            [
                dict(zip(("kind", "item", "reason"), row, strict=True))
                for row in sorted(kg.left_out)
            ],
        ),
        "edges.tsv": _tsv(
            EDGE_COLUMNS,
            sorted(
                kg.edges.values(),
                key=lambda e: (
                    e["subject"],
                    e["predicate"],
                    e["object"],
                    e["publications"],
                    e["id"],
                ),
            ),
        ),
    }
    for name, text in files.items():
        tmp = out_dir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out_dir / name)
    return kg
