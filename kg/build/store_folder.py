"""The store folder: what marks it as a dmkg store, opening it, and replacing it only once a
build has passed (built beside it, then exchanged with the old one in one step, see
:func:`kg.fileio.replace_folder`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import UsageError
from kg.fileio import recover_folder, replace_folder

__all__ = [
    "STORE_MANIFEST",
    "STORE_SUBDIR",
    "is_store",
    "open_store",
    "read_manifest",
]

#: the file that marks a folder as a dmkg store and says what it holds
STORE_MANIFEST = "dmkg-store.json"
#: the Oxigraph (RocksDB) folder inside a store folder
STORE_SUBDIR = "oxigraph"
_TMP = ".dmkg-tmp-"


# ------------------------------------------------------------------------------------------
# the store folder
# ------------------------------------------------------------------------------------------


def is_store(path: Path) -> bool:
    """True if ``path`` is a folder a store build wrote."""
    return (path / STORE_MANIFEST).is_file() and (path / STORE_SUBDIR).is_dir()


def _prepare(target: Path) -> None:
    """Refuse to replace a folder that is not ours; repair what a killed build left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(target, _TMP)
    if target.exists() and not is_store(target) and any(target.iterdir()):
        raise UsageError(
            f"{target}: exists and is not a dmkg store (no {STORE_MANIFEST}); "
            "give an empty or new folder, or a store an earlier build wrote"
        )


def _swap_in(staging: Path, target: Path) -> None:
    """The new store in the place of the old in one step: never absent, never mixed."""
    replace_folder(staging, target)


def open_store(path: Path) -> Any:
    """Open a store folder written by ``dmkg build --store`` read-only (no reload)."""
    import pyoxigraph as ox

    if not is_store(path):
        raise UsageError(
            f"{path}: not a dmkg store (expected {STORE_MANIFEST} and "
            f"{STORE_SUBDIR}/ written by 'dmkg build --store {path}')"
        )
    try:
        return ox.Store.read_only(str(path / STORE_SUBDIR))
    except OSError as exc:
        raise UsageError(f"{path}: the store cannot be opened ({str(exc)[:200]})") from None


def read_manifest(path: Path) -> dict[str, Any]:
    """What a store folder holds, as its build recorded it."""
    data: dict[str, Any] = json.loads((path / STORE_MANIFEST).read_text(encoding="utf-8"))
    return data
