"""The gate every byte from a file passes through: what a file may make seqnet do, and the limits.

A file is data. Loading one never imports or calls anything the file names (a function saved by
reference comes back only from the caller's ``custom_objects``, or by import when the caller
says ``safe_mode=False`` for a file they trust), never reads or writes another path because the
file names it, opens only regular files and no link inside a folder, and checks every size a
file declares before allocating for it (:data:`LIMITS`). :func:`loading` holds the caller's
choice while a model file is read, so that the objects rebuilt from it (a callback, a schedule)
can ask :func:`current`.

The gate's parts, one per kind of bytes: :mod:`.files` (opening, links, folders),
:mod:`.jsontext`, :mod:`.archives` (zip, tar), :mod:`.images` (Pillow), :mod:`.arrays`
(``.npy``, ``.npz``), :mod:`.pickles` (CIFAR's batches), :mod:`.hdf5` (imported by the
model readers, as it needs h5py) and :mod:`.guard` (a model's claims checked before it is built). No other module of seqnet calls ``open``, ``json.loads``,
``np.load``, ``Image.open``, ``tarfile``, ``zipfile`` or ``h5py.File`` to read.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Any, Iterator

from .archives import open_tar, open_zip, read_capped, tar_member, tar_members, zip_member
from .arrays import load_npy, load_npz
from .files import check_inside, check_regular, member, open_regular, read_bytes, read_head, walk
from .images import COLOR_MODES, IMAGE_FORMATS, decode_image
from .jsontext import parse_json
from .limits import LIMITS
from .pickles import unpickle_arrays

__all__ = ["COLOR_MODES", "IMAGE_FORMATS", "LIMITS", "LostReferenceWarning", "Trust", "check_inside",
           "check_regular", "current", "custom_object", "decode_image", "load_npy", "load_npz", "loading",
           "member", "open_regular", "open_tar", "open_zip", "parse_json", "read_bytes", "read_capped", "read_head",
           "read_json", "read_text", "tar_member", "tar_members", "unpickle_arrays", "walk", "zip_member"]


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


# -- whole files ------------------------------------------------------------------------------------
def read_json(path: Any, error: type[Exception], expect: type = dict, what: str = "JSON file",
              inside: Any = None) -> Any:
    """The JSON file ``path`` (:func:`read_bytes` within the JSON limit, then :func:`parse_json`)."""
    return parse_json(read_bytes(path, error, what, LIMITS.json_bytes, inside), f"'{path}'", error, expect)


def read_text(path: Any, error: type[Exception], what: str = "file", limit: int | None = None,
              inside: Any = None) -> str:
    """The UTF-8 text file ``path`` (:func:`read_bytes`), with universal newlines."""
    data = read_bytes(path, error, what, limit, inside)
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as err:
        raise error(f"'{path}' is not UTF-8 text ({err})") from None
