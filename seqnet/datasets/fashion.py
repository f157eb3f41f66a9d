"""Fashion-MNIST, in the IDX files of the original distribution (MNIST's format)."""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .._safety import LIMITS, open_regular
from . import files
from .files import DatasetError

FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot"]

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_FILES = {  # official files and their MD5 checksums
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}
FASHION_MNIST_SIZES = {"train-images-idx3-ubyte": 26_421_880, "train-labels-idx1-ubyte": 29_515,  # the .gz files
                       "t10k-images-idx3-ubyte": 4_422_102, "t10k-labels-idx1-ubyte": 5_148}


# -- IDX (MNIST-style) files ---------------------------------------------------------------------
_IDX_MAX_DIMS = 8
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzipped when its name ends in ``.gz``) into a new array.

    The data is read straight into the result, so it is never held twice.

    Raises
    ------
    DatasetError
        On a bad magic number, a truncated file, or extra bytes after the data.
    """
    return _read_idx(Path(path))


def _read_idx(path: Path, inside: Path | None = None) -> np.ndarray:
    """:func:`read_idx` of a file the user named, or of one found ``inside`` a folder (not through a link)."""
    compressed = path.suffix == ".gz"
    try:
        with open_regular(path, DatasetError, "IDX file", inside) as raw, (
                gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw) as f:
            size = os.fstat(raw.fileno()).st_size
            magic = f.read(4)
            if len(magic) < 4 or magic[:2] != b"\0\0" or magic[2] not in _IDX_TYPES or magic[3] == 0:
                raise DatasetError(f"'{path}' is not an IDX file: bad magic number {magic.hex() or '(empty)'}")
            ndim = magic[3]
            if ndim > _IDX_MAX_DIMS:
                raise DatasetError(f"'{path}' declares {ndim} dimensions; IDX data sets have at most {_IDX_MAX_DIMS}")
            header = f.read(4 * ndim)
            if len(header) < 4 * ndim:
                raise DatasetError(f"'{path}' is truncated: its header ends early")
            shape = struct.unpack(f">{ndim}I", header)
            dtype = np.dtype(_IDX_TYPES[magic[2]])
            declared = math.prod(shape) * dtype.itemsize
            # a gzip stream inflates at most about 1032 times; a plain file holds exactly its data
            room = min(1032 * size, LIMITS.array_bytes) if compressed else size - 4 - 4 * ndim
            if declared > room and not compressed:
                raise DatasetError(f"'{path}' is truncated: {max(room, 0)} of {declared} data bytes for shape {shape}")
            if declared > room:
                raise DatasetError(f"'{path}' declares shape {shape} ({declared:,} bytes), more than its "
                                   f"{size:,} compressed bytes can hold")
            out = np.empty(shape, dtype=dtype)
            got = f.readinto(memoryview(out.reshape(-1).view(np.uint8)))
            if got < out.nbytes:
                raise DatasetError(f"'{path}' is truncated: {got} of {out.nbytes} data bytes for shape {shape}")
            if f.read(1):
                raise DatasetError(f"'{path}' has more data than its header's shape {shape} announces")
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DatasetError(f"cannot read '{path}': {err}") from None
    return out.astype(out.dtype.newbyteorder("="), copy=False)


def _find_file(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file() or (folder / name).is_symlink():
            return folder / name
    return None


def _read_idx_pair(folder: Path, images: str, labels: str) -> tuple[np.ndarray, np.ndarray]:
    ipath, lpath = _find_file(folder, images), _find_file(folder, labels)
    X, y = _read_idx(ipath, folder), _read_idx(lpath, folder)
    if X.ndim != 3:
        raise DatasetError(f"'{ipath}' holds an array of shape {X.shape}, expected (n, rows, cols) images")
    if y.ndim != 1:
        raise DatasetError(f"'{lpath}' holds an array of shape {y.shape}, expected (n,) labels")
    if len(X) != len(y):
        raise DatasetError(f"'{ipath}' has {len(X)} images but '{lpath}' has {len(y)} labels")
    return X[..., None], y.astype(np.int64)


def load_fashion_mnist(path: str | os.PathLike | None = None, normalize: bool = False, download: bool = False
                       ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST from its four original IDX files (gzipped or not).

    Parameters
    ----------
    path : str or Path, optional
        Folder holding ``train-images-idx3-ubyte(.gz)`` and the three other files. Without it,
        ``fashion-mnist/`` is looked for in each of :func:`data_dirs`.
    normalize : bool, default False
        Return float32 images scaled to [0, 1] instead of uint8.
    download : bool, default False
        When the files are nowhere to be found, fetch them into ``~/.seqnet/datasets/fashion-mnist``
        and check their MD5 checksums.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        Images ``(n, 28, 28, 1)``, labels int64 in 0..9 (see ``FASHION_MNIST_CLASSES``).

    Raises
    ------
    FileNotFoundError
        If the files are not found; the message says where it looked and how to get them.
    DatasetError
        If a file is damaged or not in the IDX format.
    """
    if path is not None:
        candidates = [Path(path)]
    else:
        candidates = [d / "fashion-mnist" for d in files.data_dirs()]
    folder = next((c for c in candidates if all(_find_file(c, stem) for stem in FASHION_MNIST_FILES)), None)
    if folder is None and download:
        folder = Path.home() / ".seqnet" / "datasets" / "fashion-mnist"
        for stem, md5 in FASHION_MNIST_FILES.items():
            if not (folder / f"{stem}.gz").exists():
                files.download(FASHION_MNIST_URL + stem + ".gz", folder / f"{stem}.gz", md5,
                               size=FASHION_MNIST_SIZES[stem])
    if folder is None:
        looked = "\n  ".join(str(c) for c in candidates)
        raise FileNotFoundError(
            f"Fashion-MNIST files (train-images-idx3-ubyte.gz and three others) not found. Looked in:\n  {looked}\n"
            "Get them in one of three ways:\n"
            "  1. on Debian/Ubuntu: apt-get install dataset-fashion-mnist\n"
            "  2. load_fashion_mnist(download=True) fetches them into ~/.seqnet/datasets/fashion-mnist\n"
            "  3. copy the four files into a folder and pass path=FOLDER (or set $SEQNET_DATA)")
    train = _read_idx_pair(folder, "train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    test = _read_idx_pair(folder, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    for (_, labels), stem in ((train, "train-labels-idx1-ubyte"), (test, "t10k-labels-idx1-ubyte")):
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise DatasetError(f"'{_find_file(folder, stem)}' has labels from {labels.min()} to {labels.max()}; "
                               f"Fashion-MNIST's are 0..9 (the file is damaged or not Fashion-MNIST)")
    if normalize:
        train = (train[0].astype(np.float32) / 255.0, train[1])
        test = (test[0].astype(np.float32) / 255.0, test[1])
    return train, test


