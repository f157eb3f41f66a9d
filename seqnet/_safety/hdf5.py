"""Opening an HDF5 file that someone else made: only its own arrays, of sizes it really holds.

HDF5 can make a file read another file's bytes (external links, datasets stored in external
raw files, virtual datasets), point a name elsewhere or at itself (soft links), and declare a
dataset far larger than the bytes behind it (read back as its fill value). :func:`open_hdf5`
walks every object of the file once before anything is read and refuses all of these, naming
the object, so that what is read afterwards is known to be the file's own data.
"""
from __future__ import annotations

import io
from typing import Any

import h5py

from .._formats import ModelFileError
from .files import ClosesStream, open_regular
from .limits import LIMITS


class _File(ClosesStream, h5py.File):
    """An HDF5 file read from a stream the gate opened (h5py leaves a given stream open): closed with it."""


def open_hdf5(source: Any, where: str, check: bool = True) -> h5py.File:
    """``source`` (a path or bytes) opened for reading, checked by :func:`check_contained` (without
    ``check``, only its root's attributes and names may be read: enough to tell what it holds)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else open_regular(source, ModelFileError, "model file")
    try:
        f = _File(stream, "r")
    except (OSError, RuntimeError, ValueError) as err:
        stream.close()
        raise ModelFileError(f"{where} is not a readable HDF5 file (not a model, or truncated): {err}") from None
    f._stream = stream
    if not check:
        return f
    try:
        check_contained(f, where)
    except BaseException:
        f.close()
        raise
    return f


def check_contained(f: h5py.File, where: str) -> None:
    """Refuse links, external or virtual storage, data declared beyond what the file stores, and
    arrays of anything but real numbers; each refusal names the object."""
    links: list[tuple[bytes, int]] = []  # (name, link type): h5py reuses one info object for every link
    most = LIMITS.hdf5_objects
    f.id.links.visit(lambda name, info: links.append((name, info.type)) if len(links) <= most else 1, info=True)
    if len(links) > most:
        raise ModelFileError(f"{where} holds more than {most:,} objects; not a model file")
    for raw, kind in links:
        if kind == h5py.h5l.TYPE_HARD:
            continue
        name = raw.decode("utf-8", "replace")
        link = f.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            raise ModelFileError(f"{where}: '/{name}' is an external link to '{link.filename}' (object "
                                 f"'{link.path}'); a model file must hold its own data")
        target = f" to '{link.path}'" if isinstance(link, h5py.SoftLink) else ""
        raise ModelFileError(f"{where}: '/{name}' is a soft link{target}; seqnet reads model files without links")
    datasets: list[tuple[str, h5py.Dataset]] = []
    f.visititems(lambda name, obj: datasets.append((name, obj)) if isinstance(obj, h5py.Dataset) else None)
    for name, ds in datasets:
        _check_dataset(ds, f"/{name}", where)


def _check_dataset(ds: h5py.Dataset, name: str, where: str) -> None:
    if ds.external:
        raise ModelFileError(f"{where}: dataset '{name}' keeps its data in the external file(s) "
                             f"{[str(e[0]) for e in ds.external]}; a model file must hold its own data")
    if ds.is_virtual:
        raise ModelFileError(f"{where}: dataset '{name}' is a virtual dataset made of other datasets; a model "
                             f"file must hold its own data")
    kind = ds.dtype.kind
    if kind == "c":
        raise ModelFileError(f"{where}: dataset '{name}' holds complex numbers ({ds.dtype}); seqnet's arrays are "
                             f"real, and dropping the imaginary part would change them")
    if kind not in "biuf":
        raise ModelFileError(f"{where}: dataset '{name}' holds {ds.dtype} data, not numbers")
    declared = ds.size * ds.dtype.itemsize
    stored = ds.id.get_storage_size()
    if declared > LIMITS.array_bytes or declared > LIMITS.hdf5_ratio * stored + 2**16:
        raise ModelFileError(f"{where}: dataset '{name}' declares shape {ds.shape} ({declared:,} bytes) but the "
                             f"file stores {stored:,} bytes for it")
