"""Turn curated source folders into RDF.

A source folder holds ``source.yaml`` (the publication, its study and cohorts, how each
table column reads, and the numbers printed outside patient rows) and the TSV tables it
names. :func:`load_source` reads one folder; :func:`load_sources` reads several and
raises one :class:`~kg.errors.CurationErrors` listing every problem found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal

from kg.errors import CurationError, CurationErrors
from kg.loaders.cells import STUDY_DESIGN, parse_int, word
from kg.loaders.cohort_tables import load_comparison_table
from kg.loaders.context import SourceContext
from kg.loaders.patient_tables import load_patient_table
from kg.loaders.records import load_patient_records
from kg.loaders.statements import load_claims, load_frequencies, load_statements, load_totals
from kg.loaders.writer import SourceWriter, TripleSink
from kg.namespaces import DATA, DCTERMS, DMKG, bind_prefixes
from kg.sources.curated import read_yaml
from kg.terms import TermIndex

__all__ = [
    "SCHEMA",
    "TOP_LEVEL_KEYS",
    "check_structure",
    "load_source",
    "load_sources",
    "source_folders",
]

TOP_LEVEL_KEYS = {
    "id",
    "publication",
    "study",
    "cohorts",
    "codebooks",
    "patient_tables",
    "comparison_tables",
    "patients",
    "totals",
    "statements",
    "frequencies",
    "claims",
}


_S = "scalar"
_CODES = "codes"  # a codebook name, or a mapping of codes to a word or a mapping of scalars
_ROW = {"*": _S}
_STATISTIC = {"range": [_S], "ci": [_S], "period": [_S], "*": _S}

#: the shape of source.yaml: a dict is a mapping ("*" for any key), a list a list of items,
#: "scalar" a single value. Anything else in a place is a located error, not a crash.
SCHEMA: dict[str, object] = {
    "id": _S,
    "publication": {"also_doi": [_S], "*": _S},
    "study": _ROW,
    "cohorts": [_ROW],
    "codebooks": {"*": {"*": _CODES}},
    "patient_tables": [{"columns": {"*": {"reference": [_S], "codes": _CODES, "*": _S}}, "*": _S}],
    "comparison_tables": [{"groups": [_ROW], "headings": [_S], "features": {"*": _ROW}, "*": _S}],
    "patients": [
        {
            "age": _ROW,
            "sex": _ROW,
            "outcome": _ROW,
            "findings": [_ROW],
            "antibodies": [_ROW],
            "labs": [_ROW],
            "treatments": [_ROW],
            "cancers": [{"markers": [_ROW], "*": _S}],
            "*": _S,
        }
    ],
    "totals": [_ROW],
    "statements": [_STATISTIC],
    "frequencies": [_ROW],
    "claims": [_STATISTIC],
}
_KIND_WORDS = {
    "mapping": "a mapping (key: value lines)",
    "list": "a list (lines starting with -)",
    _S: "a single value (text or number)",
}


def _kind(schema: object) -> str:
    return "mapping" if isinstance(schema, dict) else "list" if isinstance(schema, list) else _S


def _conform(value: object, schema: object, file: str, path: str) -> None:
    if schema == _CODES:
        if isinstance(value, dict):
            for code, meaning in value.items():
                _conform(
                    meaning,
                    _S if not isinstance(meaning, dict) else _ROW,
                    file,
                    f"{path}[{code!r}]",
                )
            return
        schema = _S
    ok = (
        isinstance(value, dict)
        if isinstance(schema, dict)
        else isinstance(value, list)
        if isinstance(schema, list)
        else value is None or isinstance(value, (str, int, float, bool))
    )
    if not ok:
        got = "empty" if value is None else type(value).__name__
        raise CurationError(
            f"{path} is {got}", file, column=path, expected=_KIND_WORDS[_kind(schema)]
        )
    if isinstance(schema, dict) and isinstance(value, dict):
        for key, member in value.items():
            sub = schema.get(str(key), schema.get("*"))
            if sub is not None and (member is not None or sub != _S):
                _conform(member, sub, file, f"{path}.{key}")
    elif isinstance(schema, list) and isinstance(value, list):
        for number, member in enumerate(value, start=1):
            _conform(member, schema[0], file, f"{path}[{number}]")


def check_structure(meta: dict[str, object], file: str) -> None:
    """Check the shape of source.yaml against ``SCHEMA`` before anything reads it."""
    for key, schema in SCHEMA.items():
        if meta.get(key) is not None:  # an empty top-level key means "none"
            _conform(meta[key], schema, file, key)


#: Crossref's pattern for the DOIs it registers (no spaces, quotes or angle brackets)
_DOI = re.compile(r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+")
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def source_folders(root: Path) -> list[Path]:
    """The sub-folders of ``root`` that hold a source.yaml, sorted (or ``root`` itself)."""
    here = root / "source.yaml"
    if here.exists() or here.is_symlink():  # not only a regular file: reading it says why not
        return [root]
    return sorted(p.parent for p in root.glob("*/source.yaml"))


def load_source(
    folder: Path,
    terms: TermIndex,
    graph: Graph | None = None,
    *,
    sink: TripleSink | None = None,
    shard: tuple[int, int] = (0, 1),
) -> Graph:
    """Load one source folder into ``graph`` (a new graph by default).

    With ``sink``, triples go there instead (e.g. N-Triples text for a store) and the
    returned graph stays empty. ``shard=(k, n)`` loads only the patient-table rows whose case
    label hashes to k of n (all rows of one patient, in every table, land in the same shard),
    so n processes can share a large table and validate their patients apart: every shard
    writes the publication, study and cohorts; shard 0 also loads everything outside the
    patient tables. A shard reads (and checks) only its own rows, so it reports the problems
    of those rows (a duplicated case label hashes to one shard, as does a reading for a case
    the table lacks); problems of a file as a whole (its header, a row of the wrong width)
    are found by every shard and reported once.
    """
    graph = graph if graph is not None else Graph()
    bind_prefixes(graph)
    shown_yaml = f"{folder.name}/source.yaml"
    meta = read_yaml(folder / "source.yaml", shown_yaml)
    unknown = sorted(set(meta) - TOP_LEVEL_KEYS)
    if unknown:
        raise CurationError(
            "unknown top-level key",
            shown_yaml,
            column=unknown[0],
            expected="one of " + ", ".join(sorted(TOP_LEVEL_KEYS)),
            suggestions=difflib.get_close_matches(unknown[0], TOP_LEVEL_KEYS, 1),
        )
    check_structure(meta, shown_yaml)
    source_id = str(meta.get("id") or "")
    if not _SOURCE_ID.fullmatch(source_id):  # it becomes part of IRIs and file names
        raise CurationError(
            "not a valid source id",
            shown_yaml,
            column="id",
            value=source_id,
            expected="letters, digits, '-', '_' and '.' (no spaces or brackets), "
            "starting with a letter or digit",
        )
    if source_id != folder.name:
        raise CurationError(
            "source id differs from the folder name",
            shown_yaml,
            column="id",
            value=source_id,
            expected=repr(folder.name),
        )
    writer = SourceWriter(source_id, sink if sink is not None else graph, terms)
    ctx = SourceContext(folder, source_id, meta, writer, shard=shard)
    _publication(ctx)
    for spec in meta.get("patient_tables") or []:
        before = len(writer.errors)
        writer.attempt(load_patient_table, ctx, spec)
        if len(writer.errors) > before and isinstance(spec, dict):
            ctx.failed_tables.add(str(spec.get("table")))
    if ctx.first_shard:
        for spec in meta.get("comparison_tables") or []:
            writer.attempt(load_comparison_table, ctx, spec)
        load_patient_records(ctx)
        load_totals(ctx)
        load_statements(ctx)
        load_frequencies(ctx)
        load_claims(ctx)
    if writer.errors:
        raise CurationErrors(writer.errors)
    return graph


def _publication(ctx: SourceContext) -> None:
    w = ctx.writer
    where = ctx.where_yaml("publication")
    pub_meta = ctx.meta.get("publication")
    if not isinstance(pub_meta, dict) or not pub_meta.get("doi") or not pub_meta.get("title"):
        raise where.error("publication without 'doi' and 'title'")
    for key, doi in [("doi", pub_meta["doi"])] + [
        (f"also_doi[{n}]", d) for n, d in enumerate(pub_meta.get("also_doi") or [], start=1)
    ]:
        if not _DOI.fullmatch(str(doi)):  # fullmatch: '$' would let a final newline through
            raise ctx.where_yaml(f"publication.{key}").error(
                "not a DOI", str(doi), "a DOI like 10.1016/j.ad.2025.02.012 (Crossref's pattern)"
            )
    pub = w.publication
    w.add(pub, RDF.type, DMKG.Publication)
    w.literal(pub, DMKG.doi, str(pub_meta["doi"]))
    for other in pub_meta.get("also_doi") or []:
        w.literal(pub, DMKG.alsoDoi, str(other))
    w.add(pub, DCTERMS.title, Literal(str(pub_meta["title"])))
    w.add(pub, RDFS.label, Literal(str(pub_meta["title"])))
    w.literal(pub, DMKG.journal, pub_meta.get("journal"))
    w.literal(pub, DMKG.authors, pub_meta.get("authors"))
    if "year" in pub_meta:
        w.literal(
            pub, DMKG.year, parse_int(pub_meta["year"], where, "year", 1900, date.today().year)
        )
    study_meta = ctx.meta.get("study") or {}
    swhere = ctx.where_yaml("study")
    study = DATA[f"study/{ctx.source_id}"]
    w.add(study, RDF.type, word(study_meta.get("design", ""), STUDY_DESIGN, swhere, "study design"))
    w.add(study, RDFS.label, Literal(str(study_meta.get("label") or ctx.source_id)))
    w.add(study, DMKG.describedIn, pub)
    w.literal(study, DMKG.studyDesignNote, study_meta.get("note"))
    cohorts = ctx.meta.get("cohorts") or []
    if not cohorts:
        raise ctx.where_yaml("cohorts").error("a source needs at least one cohort")
    for number, cohort_meta in enumerate(cohorts, start=1):
        cwhere = ctx.where_yaml(f"cohorts[{number}]")
        if not isinstance(cohort_meta, dict) or not cohort_meta.get("id"):
            raise cwhere.error("cohort without 'id'")
        cohort_id = str(cohort_meta["id"])
        if cohort_id in w.cohorts:
            raise cwhere.error("duplicated cohort id", cohort_id)
        node = DATA[f"cohort/{ctx.source_id}/{cohort_id}"]
        w.cohorts[cohort_id] = node
        w.add(node, RDF.type, DMKG.Cohort)
        w.add(node, RDFS.label, Literal(str(cohort_meta.get("label") or cohort_id)))
        w.add(node, DMKG.partOfStudy, study)
        w.add(node, DMKG.describedIn, pub)
        if "size" in cohort_meta:
            w.literal(node, DMKG.cohortSize, parse_int(cohort_meta["size"], cwhere, "size", 1))


def load_sources(folders: Iterable[Path], terms: TermIndex) -> Graph:
    """Load several source folders into one graph; report every problem together."""
    graph = Graph()
    bind_prefixes(graph)
    errors: list[CurationError] = []
    seen: set[str] = set()
    for folder in folders:
        if folder.name in seen:
            errors.append(CurationError("two sources with the same id", str(folder)))
            continue
        seen.add(folder.name)
        try:
            load_source(folder, terms, graph)
        except CurationErrors as exc:
            errors.extend(exc.errors)
        except CurationError as exc:
            errors.append(exc)
    if errors:
        raise CurationErrors(errors)
    return graph
