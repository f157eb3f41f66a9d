"""numpy's ``.npy`` and ``.npz`` files: the header checked against the bytes behind it first.

A 200-byte ``.npy`` can declare 32 GB, and ``np.load`` allocates what the header says before it
finds the data missing. Here the header is parsed, the dtype must hold numbers (never Python
objects, which ``.npy`` pickles), and the declared size must be what the file holds.
"""
from __future__ import annotations

import io
import math
import os
from typing import Any, BinaryIO

import numpy as np

from .archives import open_zip, zip_member
from .pickles import unpickle_arrays
from .files import open_regular
from .limits import LIMITS


def _header(stream: BinaryIO, where: str, error: type[Exception], objects: bool = False
            ) -> tuple[tuple[int, ...], bool, np.dtype]:
    """The ``.npy`` header's shape, order and dtype; Python objects refused unless ``objects``."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = read(stream, max_header_size=10_000)
    except Exception as err:  # numpy parses the header as Python literals: nearly anything can go wrong
        raise error(f"{where} is not a .npy array ({type(err).__name__}: {err})") from None
    if objects and dtype.hasobject:
        return shape, fortran, dtype
    if dtype.hasobject or dtype.kind not in "biuf":
        what = "Python objects" if dtype.hasobject else f"{dtype} data"
        raise error(f"{where} holds {what}, not a plain numeric array; seqnet reads .npy files of numbers only (save "
                    f"yours with np.save(path, np.asarray(X, dtype=np.float32)))")
    return shape, fortran, dtype


def _check_size(shape: tuple[int, ...], dtype: np.dtype, stored: int, where: str, error: type[Exception]) -> int:
    declared = math.prod(shape) * dtype.itemsize
    if declared != stored:
        raise error(f"{where} declares an array of shape {shape} ({declared:,} bytes) but holds {stored:,} bytes "
                    f"of data: it is truncated or damaged")
    if declared > LIMITS.array_bytes:
        raise error(f"{where} declares an array of shape {shape} ({declared:,} bytes), more than the "
                    f"{LIMITS.array_bytes:,} seqnet reads")
    return declared


def load_npy(path: Any, error: type[Exception], what: str = ".npy file", mmap: bool = False) -> np.ndarray:
    """The array in the ``.npy`` file ``path`` (a read-only memory map if ``mmap``)."""
    where = f"'{path}'"
    with open_regular(path, error, what) as f:
        shape, fortran, dtype = _header(f, where, error)
        offset = f.tell()
        _check_size(shape, dtype, os.fstat(f.fileno()).st_size - offset, where, error)
        if mmap and math.prod(shape):
            return np.memmap(f, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")
        data = np.empty(shape, dtype=dtype, order="F" if fortran else "C")
        got = f.readinto(memoryview(data.reshape(-1, order="A").view(np.uint8)))
    if got != data.nbytes:
        raise error(f"{where} changed while it was read")
    return data


def load_npz(path: Any, keys: tuple[str, ...], error: type[Exception], what: str = ".npz file") -> dict[str, np.ndarray]:
    """The arrays ``keys`` of the ``.npz`` archive ``path``, each member checked as :func:`load_npy`."""
    where = f"'{path}'"
    arrays = {}
    with open_zip(path, error, what) as archive:
        names = set(archive.namelist())
        for key in keys:
            if f"{key}.npy" not in names:
                raise error(f"{where} holds no array {key!r} (it holds {sorted(n[:-4] for n in names)})")
            raw = zip_member(archive, f"{key}.npy", where, error, LIMITS.array_bytes)
            stream = io.BytesIO(raw)
            shape, fortran, dtype = _header(stream, f"{where} ({key})", error)
            _check_size(shape, dtype, len(raw) - stream.tell(), f"{where} ({key})", error)
            arrays[key] = np.frombuffer(raw, dtype=dtype, offset=stream.tell()).reshape(
                shape, order="F" if fortran else "C").copy()
    return arrays


def load_ragged_npz(path: Any, keys: tuple[str, ...], error: type[Exception], what: str = ".npz file"
                    ) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of an ``.npz`` whose members may be ragged: an object array of lists of
    non-negative ints (Keras's ``imdb.npz`` pickles its reviews so inside ``.npy``), rebuilt by
    :func:`~seqnet._safety.pickles.unpickle_arrays` (arrays, lists and numbers only) and checked to
    be that; other members must be integer arrays, checked as :func:`load_npy`."""
    where = f"'{path}'"
    arrays = {}
    with open_zip(path, error, what) as archive:
        names = set(archive.namelist())
        for key in keys:
            if f"{key}.npy" not in names:
                raise error(f"{where} holds no array {key!r} (it holds {sorted(n[:-4] for n in names)})")
            raw = zip_member(archive, f"{key}.npy", where, error, LIMITS.array_bytes)
            stream, at = io.BytesIO(raw), f"{where} ({key})"
            shape, _, dtype = _header(stream, at, error, objects=True)
            if dtype.hasobject:
                value = unpickle_arrays(raw[stream.tell():], at, error)
                if not (isinstance(value, np.ndarray) and value.shape == tuple(shape) and value.ndim == 1 and all(
                        isinstance(s, list) and all(type(t) is int and t >= 0 for t in s) for s in value)):
                    raise error(f"{at} is not a list of sequences of non-negative ints")
            elif dtype.kind in "iu":
                _check_size(shape, dtype, len(raw) - stream.tell(), at, error)
                value = np.frombuffer(raw, dtype=dtype, offset=stream.tell()).reshape(shape).copy()
            else:
                raise error(f"{at} holds {dtype} data, not integers or sequences of them")
            arrays[key] = value
    return arrays
