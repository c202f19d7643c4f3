"""Import phenopackets made by other curators as a curated source folder of our own format.

``import_phenopackets`` reads every ``*.json`` under a folder (sub-folders too, as in the
phenopacket-store layout) with the ``phenopackets`` protobuf classes and writes, per cited
publication, a source folder (``source.yaml`` with one YAML patient per phenopacket, and
``measurements.tsv`` for values with a reference range) that ``dmkg build --data`` builds
like any bundled source. Before the folder is put in place it passes the same gate as the
bundled data: the loader, then the SHACL shapes (:func:`kg.validate.shacl.validate_graph`).

Terms are mapped back through the ontology's cross-references with the rules the exports
use (:class:`~kg.exchange.vocab.TermMapper`), so export -> import -> export gives the same
phenopackets. A term with no dmkg class (an HPO id, a disease, an agent, an assay) is an
error naming the file, the JSON path and the id; ``allow_unmapped`` turns these errors into
lines of the folder's ``import-notes.tsv`` instead. Parts of a phenopacket our data model
has no place for (genomic interpretations, biosamples, feature onsets, routes, ...) are
never errors, but each is listed in ``import-notes.tsv``: nothing is dropped silently.

Decisions: the subject id becomes the case label; a phenopacket must have a (not excluded)
dermatomyositis disease, or a subtype of it, whose onset age is the age at DM diagnosis;
``UNKNOWN_STATUS`` is read as lost to follow-up; survival days become months (days /
30.4375, a whole number of months when that number gives back the same days).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from google.protobuf import json_format
from phenopackets import Phenopacket

from kg.errors import UsageError, ValidationFailed
from kg.exchange.phenopackets_import.checks import MAX_PACKET_BYTES, message_problems
from kg.exchange.phenopackets_import.context import months_from_days
from kg.exchange.phenopackets_import.folder import write_folder
from kg.exchange.phenopackets_import.problems import (
    MEASUREMENTS_FILE,
    NOTES_FILE,
    ImportProblem,
    ImportResult,
    PhenopacketImportError,
    SourcePlan,
)
from kg.exchange.phenopackets_import.reader import PacketReader
from kg.exchange.vocab import TermMapper
from kg.fileio import UnreadableFile, read_regular_file, replace_folder
from kg.loaders import load_source
from kg.validate.shacl import validate_graph

__all__ = [
    "MEASUREMENTS_FILE",
    "NOTES_FILE",
    "ImportProblem",
    "ImportResult",
    "PhenopacketImportError",
    "SourcePlan",
    "import_phenopackets",
    "months_from_days",
    "plan_import",
    "read_phenopacket_files",
]

_ANOTHER_DOI = "(another DOI of the same work)"
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


_STAGING = ".dmkg-import-"


def _remove_stale_staging(out_root: Path) -> None:
    """Remove the staging folders of imports whose process is gone (killed mid-import)."""
    for folder in out_root.glob(f"{_STAGING}*") if out_root.is_dir() else []:
        pid = folder.name[len(_STAGING) :]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


def read_phenopacket_files(directory: Path) -> list[tuple[str, Phenopacket]]:
    """Every ``*.json`` file under ``directory`` parsed as a phenopacket, by relative name."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such folder (give a folder of phenopacket JSON files)")
    found: list[tuple[str, Phenopacket]] = []
    problems: list[ImportProblem] = []
    for path in sorted(directory.rglob("*.json")):
        name = path.relative_to(directory).as_posix()
        try:  # a regular file of bounded size only: a FIFO would hang the read
            text = read_regular_file(path, MAX_PACKET_BYTES).decode("utf-8")
            packet = json_format.Parse(text, Phenopacket())
        except UnreadableFile as exc:
            problems.append(ImportProblem(name, "$", "", exc.reason))
        except (UnicodeDecodeError, OSError) as exc:
            problems.append(ImportProblem(name, "$", "", f"unreadable file ({exc})"))
        except RecursionError:
            problems.append(ImportProblem(name, "$", "", "JSON nested too deeply"))
        except json_format.ParseError as exc:
            problems.append(
                ImportProblem(
                    name,
                    "$",
                    "",
                    f"not a GA4GH phenopacket v2 ({exc})",
                    "JSON of the Phenopacket message",
                )
            )
        else:  # enum numbers and Infinity pass the parser; the readers would crash on them
            checked = message_problems(name, packet)
            problems += checked
            if not checked:
                found.append((name, packet))
    if problems:
        raise PhenopacketImportError(problems)
    if not found:
        raise UsageError(f"{directory}: no *.json phenopacket files in this folder")
    return found


def _publication(file: str, packet: Phenopacket) -> tuple[str, str, list[str]] | None:
    """The DOI, title and other DOIs of the work a phenopacket cites, if it cites a DOI."""
    dois: list[tuple[str, str]] = []
    for ref in packet.meta_data.external_references:
        doi = ""
        if ref.id.upper().startswith("DOI:"):
            doi = ref.id.split(":", 1)[1]
        elif "doi.org/" in ref.reference:
            doi = ref.reference.split("doi.org/", 1)[1]
        if doi:
            dois.append((doi.strip(), ref.description))
    if not dois:
        return None
    main, title = dois[0]
    others = [d for d, description in dois[1:] if description.endswith(_ANOTHER_DOI)]
    return main, title, others


def plan_import(
    packets: list[tuple[str, Phenopacket]],
    base_id: str,
    *,
    doi: str | None = None,
    title: str | None = None,
    allow_unmapped: bool = False,
    mapper: TermMapper | None = None,
) -> list[SourcePlan]:
    """Group phenopackets by publication and read each into YAML patients (nothing written)."""
    mapper = mapper or TermMapper.shipped()
    problems: list[ImportProblem] = []
    plans: dict[str, SourcePlan] = {}
    readers: list[tuple[str, PacketReader]] = []
    # a subject id names a patient within its publication ("Patient 3" of one paper is not
    # "Patient 3" of another): duplicates are looked for per publication
    seen_cases: dict[tuple[str, str], str] = {}
    for file, packet in packets:
        cited = _publication(file, packet)
        if cited is None and doi is None:
            problems.append(
                ImportProblem(
                    file,
                    "$.metaData.externalReferences",
                    "",
                    "no DOI of the publication the patient comes from",
                    "an external reference 'DOI:10....', or --doi",
                )
            )
            continue
        key, cited_title, others = cited if cited else (doi or "", "", [])
        plan = plans.setdefault(key, SourcePlan("", key, cited_title or title or ""))
        plan.also_doi = sorted(set(plan.also_doi) | set(others))
        plan.files.append(file)
        reader = PacketReader(file, packet, mapper)
        patient = reader.read()
        case = packet.subject.id or packet.id
        if (key, case) in seen_cases:
            problems.append(
                ImportProblem(
                    file,
                    "$.subject.id",
                    case,
                    f"the same subject id as in {seen_cases[key, case]}, which cites the "
                    "same publication",
                    "one phenopacket per patient of a publication",
                )
            )
            continue
        seen_cases[key, case] = file
        problems.extend(reader.problems if not allow_unmapped else [])
        plan.notes.extend(reader.notes + (reader.problems if allow_unmapped else []))
        if patient is not None:
            plan.patients.append(patient)
            plan.ranged_labs.extend((case, lab) for lab in reader.ranged)
        readers.append((key, reader))
    dm_missing = [p for _, r in readers for p in r.problems if p.problem.startswith("not a derm")]
    if allow_unmapped and dm_missing:
        problems.extend(dm_missing)  # not an unmapped term: out of scope for dmkg
    if problems:
        raise PhenopacketImportError(problems)
    ordered = sorted(plans.values(), key=lambda p: p.doi)
    for number, plan in enumerate(ordered, start=1):
        plan.source_id = base_id if len(ordered) == 1 else f"{base_id}-{number}"
        plan.title = plan.title or title or f"Phenopackets imported as {plan.source_id}"
    return ordered


def import_phenopackets(
    directory: Path,
    out_root: Path,
    source_id: str | None = None,
    *,
    doi: str | None = None,
    title: str | None = None,
    allow_unmapped: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> ImportResult:
    """Import the phenopackets under ``directory`` as source folder(s) under ``out_root``."""
    base = source_id or re.sub(r"[^a-z0-9]+", "-", directory.resolve().name.lower()).strip("-")
    if not _SOURCE_ID.fullmatch(base or ""):
        raise UsageError(
            f"--source-id {base!r}: expected lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    packets = read_phenopacket_files(directory)
    progress(f"read {len(packets)} phenopacket file(s) from {directory}")
    plans = plan_import(packets, base, doi=doi, title=title, allow_unmapped=allow_unmapped)
    for plan in plans:
        target = out_root / plan.source_id
        if target.exists() and not force:
            raise UsageError(f"{target}: already exists; give --force to replace it")
    _remove_stale_staging(out_root)
    staging_root = out_root / f"{_STAGING}{os.getpid()}"
    if staging_root.exists():
        shutil.rmtree(staging_root)
    mapper = TermMapper.shipped()
    try:
        for plan in plans:
            folder = staging_root / plan.source_id
            write_folder(plan, folder, directory.resolve().name)
            graph = load_source(folder, mapper.terms)
            report = validate_graph(graph, mapper.graph)
            if not report.conforms:
                raise ValidationFailed(report.text(), len(report.violations))
            progress(
                f"{plan.source_id}: {len(plan.patients)} patient(s), {len(graph)} triples "
                "conform to the shapes"
            )
        folders = []
        for plan in plans:
            target = out_root / plan.source_id
            replace_folder(staging_root / plan.source_id, target)  # never absent, never mixed
            folders.append(target)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return ImportResult(
        folders,
        sum(len(p.patients) for p in plans),
        sorted(n for p in plans for n in p.notes),
        {p.source_id: p.doi for p in plans},
    )
