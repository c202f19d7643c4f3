"""``dmkg export phenopackets|hpoa|kgx|sssom`` and ``dmkg import phenopackets``.

Thin commands over :mod:`kg.exchange`: each reads the graph (or the ontology), calls one
function and prints what it wrote and what it left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kg.cli.common import EPILOG, add_graph_arguments, open_from_args

__all__ = ["add_parser"]


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _export_phenopackets(args: argparse.Namespace) -> int:
    from kg.exchange.phenopackets import NOTES_FILE, write_phenopackets

    out = Path(args.out)
    export = write_phenopackets(open_from_args(args).rdf, out)
    print(
        f"wrote {len(export.packets)} phenopackets to {out}/ "
        f"({len(export.notes)} items left out, each listed with its reason in "
        f"{out / NOTES_FILE})"
    )
    return 0


def _write_or_print(out: str, text: str) -> None:
    if out == "-":
        sys.stdout.write(text)
    else:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def _export_hpoa(args: argparse.Namespace) -> int:
    from kg.exchange.hpoa import hpo_annotations, hpoa_text

    found, notes = hpo_annotations(open_from_args(args).rdf)
    _write_or_print(args.out, hpoa_text(found))
    for note in notes:
        _err(f"note: {note}")
    where = "standard output" if args.out == "-" else args.out
    _err(f"wrote {len(found)} annotations to {where} ({len(notes)} notes on what is left out)")
    return 0


def _export_kgx(args: argparse.Namespace) -> int:
    from kg.exchange.kgx import NOTES_FILE, write_kgx

    out = Path(args.out)
    kg = write_kgx(open_from_args(args).rdf, out)
    print(
        f"wrote {len(kg.nodes)} nodes and {len(kg.edges)} edges to {out / 'nodes.tsv'} and "
        f"{out / 'edges.tsv'} ({len(kg.skipped)} patient observations neither present nor "
        f"absent left out; {len(kg.left_out)} nodes and edges without a Biolink-prefix "
        f"identifier listed in {out / NOTES_FILE})"
    )
    return 0


def _export_sssom(args: argparse.Namespace) -> int:
    from collections import Counter

    from kg.exchange.sssom import mappings, sssom_text

    _write_or_print(args.out, sssom_text())
    counts = Counter(m.predicate_id for m in mappings())
    where = "standard output" if args.out == "-" else args.out
    _err(
        f"wrote {sum(counts.values())} mappings to {where} ("
        + ", ".join(f"{p}: {n}" for p, n in sorted(counts.items()))
        + ")"
    )
    return 0


def _import_phenopackets(args: argparse.Namespace) -> int:
    from kg.exchange.phenopackets_import import NOTES_FILE, import_phenopackets

    result = import_phenopackets(
        Path(args.directory),
        Path(args.out),
        args.source_id,
        doi=args.doi,
        title=args.title,
        allow_unmapped=args.allow_unmapped,
        force=args.force,
        progress=_err,
    )
    for folder in result.folders:
        print(f"wrote {folder}/ (source {folder.name}, DOI {result.sources[folder.name]})")
    print(
        f"imported {result.patients} patient(s); {len(result.notes)} item(s) not kept, listed "
        f"in each folder's {NOTES_FILE}"
    )
    print("build them with: dmkg build --data " + " ".join(str(f) for f in result.folders))
    return 0


def add_parser(sub: Any) -> None:
    """Add the ``export`` and ``import`` commands to the ``dmkg`` parser."""
    export = sub.add_parser(
        "export",
        help="write the graph in an exchange format",
        description="Write the graph as GA4GH phenopackets, HPO annotations "
        "(phenotype.hpoa layout), a KGX graph, or the ontology's "
        "cross-references as an SSSOM mapping table.",
        epilog=EPILOG,
    )
    formats = export.add_subparsers(dest="format", metavar="FORMAT", required=True)

    pp = formats.add_parser(
        "phenopackets",
        help="one GA4GH phenopacket (v2 JSON) per patient",
        description="Write one phenopacket JSON file per patient, and "
        "export-notes.tsv listing every finding, value or treatment left "
        "out and why.",
        epilog=EPILOG,
    )
    pp.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_graph_arguments(pp)
    pp.set_defaults(func=_export_phenopackets)

    hpoa = formats.add_parser(
        "hpoa",
        help="disease-phenotype annotations (phenotype.hpoa)",
        description="Write disease-HPO annotations with n/m frequencies "
        "from patient rows and cohort tables, evidence PCS and the paper's "
        "DOI, in the twelve columns of HPO's phenotype.hpoa. What is left "
        "out is printed as notes on standard error.",
        epilog=EPILOG,
    )
    hpoa.add_argument(
        "--out", required=True, metavar="FILE", help="output file, or - for standard output"
    )
    add_graph_arguments(hpoa)
    hpoa.set_defaults(func=_export_hpoa)

    kgx = formats.add_parser(
        "kgx",
        help="KGX nodes.tsv and edges.tsv (Biolink Model)",
        description="Write nodes.tsv and edges.tsv with Biolink categories, "
        "predicates, knowledge sources and publications.",
        epilog=EPILOG,
    )
    kgx.add_argument("--out", required=True, metavar="DIR", help="output folder")
    add_graph_arguments(kgx)
    kgx.set_defaults(func=_export_kgx)

    sssom = formats.add_parser(
        "sssom",
        help="the ontology's cross-references as SSSOM/TSV",
        description="Write every exact, close and broad match of the "
        "ontology's classes as an SSSOM mapping table with a YAML "
        "metadata header.",
        epilog=EPILOG,
    )
    sssom.add_argument(
        "--out", required=True, metavar="FILE", help="output file, or - for standard output"
    )
    sssom.set_defaults(func=_export_sssom)
    _add_import(sub)


def _add_import(sub: Any) -> None:
    imp = sub.add_parser(
        "import",
        help="read an exchange format as a new curated source",
        description="Read data in an exchange format into curated source "
        "folders that 'dmkg build --data' builds.",
        epilog=EPILOG,
    )
    kinds = imp.add_subparsers(dest="format", metavar="FORMAT", required=True)
    ppi = kinds.add_parser(
        "phenopackets",
        help="phenopackets (v2 JSON) as patients of a source",
        description="Read every *.json phenopacket under DIR and write one "
        "source folder per cited publication (source.yaml with a YAML patient "
        "per phenopacket). The folder is checked by the loader and the SHACL "
        "shapes before it is put in place. An HPO, disease, agent or assay "
        "term with no dmkg class is an error naming the file, JSON path and "
        "id (exit 1), unless --allow-unmapped.",
        epilog=EPILOG,
    )
    ppi.add_argument("directory", metavar="DIR", help="folder of phenopacket JSON files")
    ppi.add_argument(
        "--source-id",
        help="id of the new source (default: from DIR's name; "
        "several publications get -1, -2, ...)",
    )
    ppi.add_argument(
        "--out",
        default="imported",
        metavar="DIR",
        help="where to write the source folder(s) (default: imported)",
    )
    ppi.add_argument("--doi", help="DOI for phenopackets that cite none")
    ppi.add_argument("--title", help="publication title where the phenopackets give none")
    ppi.add_argument(
        "--allow-unmapped",
        action="store_true",
        help="list terms with no dmkg class in import-notes.tsv instead of failing",
    )
    ppi.add_argument("--force", action="store_true", help="replace existing source folders")
    ppi.set_defaults(func=_import_phenopackets)
