"""Opening files that someone else made: what a file may make seqnet do, and the limits applied.

A file is data. Loading one never imports or calls anything the file names (a function saved by
reference comes back only from the caller's ``custom_objects``, or by import when the caller
says ``safe_mode=False`` for a file they trust), never reads or writes another path because the
file names it, opens only regular files, and checks every size a file declares before
allocating for it. :func:`loading` holds the caller's choice while a model file is read, so
that the objects rebuilt from it (a callback, a schedule) can ask :func:`current`.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
import stat
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

# Limits on what a file may declare (far above any genuine file, far below a machine's memory).
MAX_JSON_BYTES = 64 * 2**20          # a model config, a run folder's JSON
MAX_MEMBER_BYTES = 256 * 2**20       # one image in an archive, one batch of CIFAR
MAX_ARRAY_BYTES = 16 * 2**30         # one array a header declares (IDX), before the file is checked
MAX_IMAGE_PIXELS = 8192 * 8192       # one decoded image
MAX_EXAMPLE_ELEMENTS = 2**28         # one example of a model's input, or one layer's weight array


class LostReferenceWarning(RuntimeWarning):
    """A function a file saved by reference was not bound: the object that held it loads without it."""


@dataclass
class Trust:
    """How far the caller trusts the file being loaded."""

    source: str
    safe_mode: bool = True
    custom_objects: dict[str, Any] = field(default_factory=dict)


_CURRENT: contextvars.ContextVar[Trust | None] = contextvars.ContextVar("seqnet_loading", default=None)


@contextlib.contextmanager
def loading(source: Any, safe_mode: bool = True, custom_objects: dict[str, Any] | None = None) -> Iterator[Trust]:
    """While a model file ``source`` is read: what :func:`current` returns."""
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"custom_objects maps saved names to functions or classes, received "
                        f"{type(custom_objects).__name__}")
    trust = Trust(str(source), bool(safe_mode), dict(custom_objects or {}))
    token = _CURRENT.set(trust)
    try:
        yield trust
    finally:
        _CURRENT.reset(token)


def current() -> Trust:
    """The trust of the file being loaded; outside :func:`loading`, a config is trusted no more than a file."""
    return _CURRENT.get() or Trust("the config being read")


def custom_object(reference: str) -> Any:
    """What ``custom_objects`` gives for a saved reference ``"module:qualname"`` (by the whole
    reference, its qualified name or its last name), or None."""
    objects = current().custom_objects
    qualname = reference.partition(":")[2] or reference
    for key in (reference, qualname, qualname.rsplit(".", 1)[-1]):
        if key in objects:
            return objects[key]
    return None


# -- files -----------------------------------------------------------------------------------------
def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_regular(path: Any, error: type[Exception], what: str = "file") -> int:
    """The size of ``path`` if it is a regular file (links followed); else ``error`` naming it.

    A named pipe would block a read forever and a device (``/dev/zero``) never ends, so nothing
    but a regular file is opened. ``FileNotFoundError`` if there is nothing at ``path``.
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


def read_capped(stream: BinaryIO, limit: int, where: str, error: type[Exception]) -> bytes:
    """All of ``stream``, or ``error`` once it passes ``limit`` bytes (a decompression bomb)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise error(f"{where} is larger than {limit:,} bytes once decompressed; refusing to read it whole")
    return data


def zip_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, where: str, error: type[Exception],
               limit: int = MAX_MEMBER_BYTES) -> bytes:
    """One member of a zip archive, read through a cap: the smaller of ``limit`` and 100 times its
    compressed size (weights and images compress far less; a bomb far more)."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    limit = min(limit, 100 * info.compress_size + 2**20)
    name = f"{where} (its {info.filename})"
    if info.file_size > limit:
        raise error(f"{name} declares {info.file_size:,} bytes from {info.compress_size:,} compressed; refusing to "
                    f"decompress more than {limit:,}")
    with archive.open(info) as stream:
        return read_capped(stream, limit, name, error)


def parse_json(data: bytes | str, where: str, error: type[Exception], expect: type = dict) -> Any:
    """``data`` parsed as JSON of type ``expect``; ``error`` naming ``where`` for anything else."""
    if len(data) > MAX_JSON_BYTES:
        raise error(f"{where} is {len(data) // 2**20} MiB of JSON, more than the {MAX_JSON_BYTES // 2**20} MiB "
                    f"limit for a config")
    try:
        value = json.loads(data)
    except RecursionError:
        raise error(f"{where} nests its JSON too deeply to read") from None
    except ValueError as err:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not text
        raise error(f"{where} is not valid JSON ({err})") from None
    if not isinstance(value, expect):
        raise error(f"{where} holds a JSON {type(value).__name__}, expected a JSON "
                    f"{'object' if expect is dict else expect.__name__}")
    return value
