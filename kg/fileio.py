"""Files the safe way: read only regular files of bounded size, switch whole folders
atomically, and let one writer at a time work on an output.

* :func:`read_regular_file` opens without blocking and checks with ``fstat`` before reading,
  so a FIFO or a link to ``/dev/zero`` is refused at once, and a file over its cap unread.
* :func:`replace_folder` puts a finished folder in the place of the old one with one
  ``renameat2(RENAME_EXCHANGE)`` on Linux: a reader (or a ``kill -9``) sees the old folder or
  the new one, whole, and the place is never empty. Where the kernel or file system lacks
  the exchange, two renames are used and :func:`recover_folder` repairs what a kill between
  them left.
* :func:`writer_lock` holds an advisory lock beside an output, so two builds into one place
  fail at once instead of mixing their files.

>>> read_regular_file(Path("/dev/zero"), 10)
Traceback (most recent call last):
kg.fileio.UnreadableFile: not a regular file (a character device); expected a regular file
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from kg.errors import UsageError

__all__ = [
    "UnreadableFile",
    "exchange",
    "read_regular_file",
    "recover_folder",
    "replace_folder",
    "sync_folder",
    "writer_lock",
]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_OLD = ".dmkg-old-"


class UnreadableFile(Exception):
    """A file that is not read: not a regular file, too large, or an OS error (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    A FIFO, a device (``/dev/zero``, also behind a symbolic link), a socket or a folder is
    refused without waiting on it, and so is a larger file: nothing hangs, and nothing
    fills the memory.
    """
    if "\0" in str(path):
        raise UnreadableFile("the file name contains a NUL character")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UnreadableFile("file not found") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                f"not a regular file ({_kind(info.st_mode)}); expected a regular file"
            )
        if info.st_size > limit:
            raise UnreadableFile(f"file of {info.st_size:,} bytes; at most {limit:,} are read")
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise UnreadableFile(f"cannot read file ({exc.strerror})") from None
    if len(data) > limit:  # it grew while we read it
        raise UnreadableFile(f"file of more than {limit:,} bytes; at most {limit:,} are read")
    return data


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a plain file"


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(second))


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames into it) to disk, where the system allows."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_folder(staging: Path, target: Path) -> None:
    """Put the finished folder ``staging`` in the place of ``target`` (which may be absent),
    atomically where the system can; the old folder is removed afterwards."""
    if target.exists() or target.is_symlink():
        if exchange(staging, target):
            sync_folder(target.parent)
            shutil.rmtree(staging, ignore_errors=True)  # the old folder, now at staging
            return
        old = target.parent / f"{_OLD}{target.name}.{os.getpid()}"
        os.replace(target, old)  # a kill here: recover_folder puts the old one back
        os.replace(staging, target)
        sync_folder(target.parent)
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(staging, target)
    sync_folder(target.parent)


def recover_folder(target: Path, staging_prefix: str) -> None:
    """Repair what a killed :func:`replace_folder` or build left next to ``target``: put an
    old folder set aside back if ``target`` is missing, and delete stale staging folders
    (call it while holding :func:`writer_lock`)."""
    parent = target.parent
    old = sorted(parent.glob(f"{_OLD}{target.name}.*"))
    if old and not (target.exists() or target.is_symlink()):
        os.replace(old[-1], target)
        old = old[:-1]
    for stale in [*old, *parent.glob(f"{staging_prefix}{target.name}.*")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


@contextlib.contextmanager
def writer_lock(target: Path, what: str) -> Iterator[None]:
    """Hold the lock of ``target`` (a file beside it, removed on release) for one writer;
    another process asking for it gets a :class:`~kg.errors.UsageError` at once. The kernel
    drops the lock when the holder dies, even by ``kill -9`` (the file then stays, and the
    next writer takes it over)."""
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = (target.parent / f".{target.name}.dmkg-lock").resolve()
    if lock in _HELD:  # this process holds it already (a build around its write)
        yield
        return
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino  # not a file its holder
            # removed on release while we opened it
        except (BlockingIOError, FileNotFoundError):
            same = False
        if not same:
            raise UsageError(
                f"{target}: another {what} is writing here now; wait for it to finish "
                "or choose another folder"
            )
        _HELD.add(lock)
        try:
            yield
        finally:
            _HELD.discard(lock)
            lock.unlink(missing_ok=True)  # while still holding it: no lock file stays
    finally:
        os.close(fd)


_HELD: set[Path] = set()
