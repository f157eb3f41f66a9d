"""Opening a file to read it: a regular file only, and no link inside a folder a user named.

The link policy: a path the user passes (a model file, a data folder, an archive) may be a link,
since the user chose it. What seqnet finds *inside* a folder (a class folder's images, a run
folder's files, the batches of a CIFAR folder) is opened without following links
(``O_NOFOLLOW``) and must lie inside the folder, so that a file there cannot make seqnet read
``~/.ssh/id_rsa``. A named pipe or a device is never opened for reading: the file is opened
without blocking and checked to be a regular file before a byte is read.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .limits import LIMITS

_LINK_ERRORS = (errno.ELOOP, getattr(errno, "EMLINK", errno.ELOOP), getattr(errno, "EFTYPE", errno.ELOOP))


class ClosesStream:
    """Mixed in before an archive or HDF5 file class opened over a stream the gate opened (they
    leave a stream they were given open): closing the file closes the stream too."""

    _stream: BinaryIO | None = None

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            if self._stream is not None:
                self._stream.close()


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a link")):
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Any, error: type[Exception], what: str = "file") -> int:
    """The size of ``path`` if it is a regular file (links followed); else ``error`` naming it.

    ``FileNotFoundError`` if there is nothing at ``path``. Use :func:`open_regular` to read it:
    this check alone leaves a moment in which the file could be swapped.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such {what}: '{path}'") from None
    except OSError as err:
        raise error(f"cannot open '{path}': {err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"'{path}' is {_kind(info.st_mode)}, not a regular file; seqnet opens only regular files")
    return info.st_size


def check_inside(path: Any, folder: Any, error: type[Exception]) -> None:
    """``error`` unless the folder holding ``path`` is ``folder`` or lies below it, links resolved."""
    root, parent = os.path.realpath(folder), os.path.realpath(os.path.dirname(os.fspath(path)) or ".")
    if parent != root and not parent.startswith(root.rstrip(os.sep) + os.sep):
        raise error(f"'{path}' lies outside '{folder}' (through a link to '{parent}'); seqnet does not follow "
                    f"links inside a folder")


def member(folder: Any, name: str, error: type[Exception]) -> Path:
    """``folder / name``, for a reader that opens it by path (an HDF5 model in a run folder):
    ``error`` if it is a link or lies outside ``folder``."""
    path = Path(folder) / name
    check_inside(path, folder, error)
    if path.is_symlink():
        raise error(f"'{path}' is a link; seqnet does not follow links inside '{folder}' (copy the file there, "
                    f"or pass its own path)")
    return path


def open_regular(path: Any, error: type[Exception], what: str = "file", inside: Any = None) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file.

    ``inside``: the folder the user named, which ``path`` lies in; then ``path`` itself must not be
    a link, and the folders between must not lead out of ``inside``. ``FileNotFoundError`` if
    there is nothing at ``path``; ``error`` naming it for anything else.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if inside is not None:
        check_inside(path, inside, error)
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileNotFoundError(f"No such {what}: '{path}'") from None
    except OSError as err:
        if inside is not None and err.errno in _LINK_ERRORS:
            raise error(f"'{path}' is a link; seqnet does not follow links inside '{inside}' (copy the file there, "
                        f"or pass its own path)") from None
        raise error(f"cannot open '{path}': {err.strerror or err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"'{path}' is {_kind(mode)}, not a regular file; seqnet opens only regular files")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Any, error: type[Exception], what: str = "file", limit: int | None = None,
               inside: Any = None) -> bytes:
    """All of the regular file ``path`` (:func:`open_regular`), refused beyond ``limit`` bytes
    (the limit for one archive member, by default) before anything is read."""
    limit = LIMITS.member_bytes if limit is None else limit
    with open_regular(path, error, what, inside) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise error(f"'{path}' is {size:,} bytes, more than the {limit:,} seqnet reads for a {what}")
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise error(f"'{path}' is more than the {limit:,} bytes seqnet reads for a {what}")
    return data


def read_head(path: Any, error: type[Exception], what: str = "file", size: int = 512) -> bytes:
    """The first ``size`` bytes of the regular file ``path``: enough to tell its format."""
    with open_regular(path, error, what) as f:
        return f.read(size)


def walk(folder: Path, error: type[Exception]) -> Iterator[tuple[str, bool]]:
    """``(path relative to folder, is_folder)`` of everything under ``folder``, sorted, without
    following links: a link inside it is ``error`` naming it, whatever it points at."""
    def refuse(err: OSError) -> None:
        raise error(f"cannot read the folder '{err.filename}': {err.strerror or err}")
    for here, dirs, names in os.walk(folder, onerror=refuse):
        dirs.sort()
        for name in dirs + sorted(names):
            full = Path(here) / name
            if full.is_symlink():
                raise error(f"'{full}' is a link; seqnet does not follow links inside '{folder}' (copy what it "
                            f"points at there)")
        for name in dirs:
            yield (Path(here) / name).relative_to(folder).as_posix(), True
        for name in sorted(names):
            yield (Path(here) / name).relative_to(folder).as_posix(), False
