"""Draw a synthetic dermatomyositis registry in the curated-data format.

:func:`write_registry` writes ``OUT/<source_id>/source.yaml`` and ``registry.tsv`` (one row
per patient), which go through the same loaders and SHACL gate as the curated papers. The
rates come from ``kg/synth-params.yaml``, where each number names the paper, table and
counts it was taken from. Draws are vectorised with ``numpy.random.default_rng(seed)``: the
same number of patients, seed and parameters give byte-identical files.

The model, in drawing order: sex; one myositis-specific antibody serotype (or none); a
cancer with the serotype's probability; age (by cancer status); the cancer's site (by sex),
its interval to DM and the outcome; five findings (by group: anti-Mi-2, else cancer, else
other); then the cells that hold no answer (unknown, not reported, not performed).

The parts: :mod:`kg.sources.synth_params` reads the rates, :mod:`kg.sources.synth_draws`
draws the table, :mod:`kg.sources.synth_yaml` writes its ``source.yaml``; this module
writes the folder.

>>> registry = generate_registry(3, seed=7)
>>> registry.header[:4]
('Case', 'Age (years)', 'Sex', 'Associated cancer')
>>> [row[0] for row in registry.rows()]
['1', '2', '3']
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from kg.errors import UsageError
from kg.fileio import recover_folder, replace_folder, writer_lock
from kg.sources.synth_draws import _check_counts, generate_registry
from kg.sources.synth_params import PARAMS_FILE, load_params
from kg.sources.synth_yaml import MARKER, TABLE_FILE, source_yaml

__all__ = ["write_registry"]

_OWN_FILES = {"source.yaml", TABLE_FILE}
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def write_registry(out: Path, *, patients: int, seed: int, source_id: str = "synth") -> Path:
    """Write ``out/<source_id>/`` (source.yaml, registry.tsv) and return that folder.

    The files are written into a new temporary folder next to it and renamed into place. An
    existing ``out/<source_id>`` is replaced only if a previous run of this function wrote
    it; anything else there is refused (:class:`~kg.errors.UsageError`).
    """
    _check_counts(patients, seed)
    if not isinstance(source_id, str) or not _SOURCE_ID.fullmatch(source_id):
        raise UsageError(
            f"--source-id {source_id!r}: a source id is a folder name of letters, "
            "digits, '-' and '_' (up to 64, not starting with '-' or '_')"
        )
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    target = out / source_id
    _check_replaceable(target)
    params = load_params()
    digest = hashlib.sha256(PARAMS_FILE.read_bytes()).hexdigest()[:16]
    registry = generate_registry(patients, seed, params)
    out.mkdir(parents=True, exist_ok=True)
    with writer_lock(target, "dmkg synth"):
        _recover(out, source_id)
        tmp = out / f"{_STAGING}{source_id}.{os.getpid()}"
        tmp.mkdir()
        try:
            (tmp / TABLE_FILE).write_bytes(registry.tsv().encode("utf-8"))
            (tmp / "source.yaml").write_bytes(
                source_yaml(
                    registry, source_id=source_id, seed=seed, params=params, params_digest=digest
                ).encode("utf-8")
            )
            _check_replaceable(target)
            replace_folder(tmp, target)  # one step: the old registry or the new, never none
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


_STAGING = ".dmkg-tmp-"


def _recover(out: Path, source_id: str) -> None:
    """Repair what a killed run left: a registry set aside by an older dmkg (before the
    one-step switch) goes back if the registry is missing; staging folders go."""
    target = out / source_id
    for old in sorted(out.glob(f".{source_id}.synth-old-*")):
        if not (target.exists() or target.is_symlink()):
            old.rename(target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in out.glob(f".{source_id}.synth-tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    recover_folder(target, _STAGING)


def _check_replaceable(target: Path) -> None:
    """Refuse to replace anything but a folder an earlier synth run wrote."""
    if not target.exists() and not target.is_symlink():
        return
    reason = ""
    if target.is_symlink() or not target.is_dir():
        reason = "it is not a folder"
    else:
        extra = sorted(p.name for p in target.iterdir() if p.name not in _OWN_FILES)
        yaml_file = target / "source.yaml"
        if extra:
            reason = f"it holds files dmkg synth does not write: {', '.join(extra[:3])}"
        elif not yaml_file.is_file() or _first_line(yaml_file) != MARKER:
            reason = "its source.yaml was not written by dmkg synth"
    if reason:
        raise UsageError(
            f"{target} exists and is not the output of an earlier 'dmkg synth' "
            f"({reason}); choose another --out or --source-id"
        )


def _first_line(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.readline(512).decode("utf-8", "replace").rstrip("\r\n")
