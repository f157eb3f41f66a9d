"""CIFAR-10, in the pickled batches of the original distribution, and the assignment's Kaggle files."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import _safety
from .._files import write_text
from . import files
from .files import DatasetError
from .images import is_image_folder, read_image_folders

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR10_SIZE = 170_498_071  # bytes


# -- CIFAR-10 ---------------------------------------------------------------------------------------
def _read_cifar_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    batch = _safety.unpickle_arrays(raw, f"CIFAR batch {where}", DatasetError)  # where: the file, and the member
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DatasetError(f"CIFAR batch {where} is not a dict with b'data' and b'labels'")
    try:
        data, labels = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"])
    except (ValueError, TypeError) as err:  # ragged lists, or values numpy cannot hold in one array
        raise DatasetError(f"CIFAR batch {where} holds data or labels that are not one array: {err}") from None
    if labels.dtype.kind not in "iu" and labels.size:
        raise DatasetError(f"CIFAR batch {where} has labels of type {labels.dtype}; CIFAR's labels are integers 0..9")
    labels = labels.astype(np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise DatasetError(f"CIFAR batch {where} has data {data.dtype} {data.shape}, expected uint8 (n, 3072)")
    if labels.shape != (len(data),):
        raise DatasetError(f"CIFAR batch {where} has {len(data)} images but {labels.size} labels")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"CIFAR batch {where} has labels outside 0..9")
    return data, labels


def _cifar_source(path: Path) -> Any:
    """A function name -> bytes reading batches from a tar.gz or an extracted folder."""
    if path.is_dir():
        folder = path / "cifar-10-batches-py" if (path / "cifar-10-batches-py").is_dir() else path

        def read(name: str) -> tuple[bytes, str]:
            f = folder / name
            if not f.exists() and not f.is_symlink():
                raise DatasetError(f"CIFAR-10 folder '{folder}' has no file '{name}'")
            return _safety.read_bytes(f, DatasetError, "CIFAR-10 batch", inside=folder), f"'{f}'"
        return read, None
    tar = _safety.open_tar(path, DatasetError, "r:gz", "CIFAR-10 archive")
    members = {m.name: m for m in _safety.tar_members(tar, f"'{path}'", DatasetError)}

    def read(name: str) -> tuple[bytes, str]:
        member = members.get(f"cifar-10-batches-py/{name}")
        if member is None:
            raise DatasetError(f"'{path}' has no member 'cifar-10-batches-py/{name}'")
        return _safety.tar_member(tar, member, f"'{path}'", DatasetError), f"'{path}' ({member.name})"
    return read, tar


def _find_cifar(path: Path | None, download: bool) -> Path:
    if path is not None:
        candidates = [path]
    else:
        candidates = [p for d in files.data_dirs() for p in (d / "cifar-10-batches-py", d / "cifar-10-python.tar.gz")]
    found = next((c for c in candidates if c.exists()), None)
    if found is None and download:
        found = Path.home() / ".seqnet" / "datasets" / "cifar-10-python.tar.gz"
        files.download(CIFAR10_URL, found, CIFAR10_MD5, size=CIFAR10_SIZE)
    if found is None:
        looked = "\n  ".join(str(c) for c in candidates)
        raise FileNotFoundError(
            f"CIFAR-10 (cifar-10-python.tar.gz or its cifar-10-batches-py/ folder) not found. Looked in:\n  {looked}\n"
            "Get it in one of three ways:\n"
            "  1. load_cifar10(download=True) fetches it into ~/.seqnet/datasets\n"
            f"  2. download {CIFAR10_URL} yourself and pass path=FILE\n"
            "  3. put the archive or the extracted folder in $SEQNET_DATA")
    return found


def load_cifar10(path: str | os.PathLike | None = None, download: bool = False, limit: int | None = None
                 ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """CIFAR-10 from the official ``cifar-10-python.tar.gz`` or its extracted ``cifar-10-batches-py/``,
    or from image folders ``train/<class>/`` and ``test/<class>/`` (a folder or an archive of one,
    such as ``cifar10-jpeg.tar.gz``; see :func:`~seqnet.datasets.load_image_folder`), whose
    images come in a fixed shuffled order, the classes mixed as in the official batches.

    Parameters
    ----------
    path : str or Path, optional
        The archive, the extracted folder, or the folder holding it; or the image folders. Without
        it, each of :func:`data_dirs` is searched for the official files.
    download : bool, default False
        Fetch the archive into ``~/.seqnet/datasets`` (MD5-checked) when it is not found.
    limit : int, optional
        Only the first ``limit`` training and ``limit`` test images (of the order described
        above); only those are decoded, so a quick run on a few images starts in seconds.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        NHWC uint8 images ``(n, 32, 32, 3)`` and int64 labels in 0..9 (see ``CIFAR10_CLASSES``).
        Each pickled batch is moved into the result as soon as it is read.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ValueError(f"load_cifar10: limit must be a positive int or None, got {limit!r}")
    if path is not None and is_image_folder(path, "train"):
        return _cifar_image_folders(Path(path), limit)
    read, tar = _cifar_source(_find_cifar(None if path is None else Path(path), download))
    try:
        def batches(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
            X = y = None
            rows = 0
            for i, name in enumerate(names):
                if X is not None and i * rows >= len(X):
                    break  # the first `limit` images are in
                raw, where = read(name)
                data, labels = _read_cifar_batch(raw, where)
                if X is None:  # CIFAR's batches are all the same size
                    rows = len(data)
                    kept = min(len(names) * rows, limit or len(names) * rows)
                    X, y = np.empty((kept, 32, 32, 3), dtype=np.uint8), np.empty(kept, dtype=np.int64)
                if len(data) != rows:
                    raise DatasetError(f"CIFAR batch {where} has {len(data)} images, but {names[0]} has {rows}")
                here = slice(i * rows, min((i + 1) * rows, len(X)))
                X[here] = data[:here.stop - here.start].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
                y[here] = labels[:here.stop - here.start]
            return X, y
        return batches([f"data_batch_{i}" for i in range(1, 6)]), batches(["test_batch"])
    finally:
        if tar is not None:
            tar.close()


def _cifar_image_folders(path: Path, limit: int | None
                         ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """CIFAR-10 as train/ and test/ image folders, read in one pass; the class folders must be CIFAR's.

    The folders hold the images class by class; the official batches mix them, and so does this
    fixed order (so that a validation split of the last images, or ``limit``, sees every class).
    """
    def order(seed: int):
        return lambda n: np.random.default_rng(seed).permutation(n)[:limit]
    subsets = read_image_folders(path, ("train", "test"), take={"train": order(10), "test": order(11)})
    for subset, (X, _, names) in subsets.items():
        if names != CIFAR10_CLASSES:
            raise DatasetError(f"'{path}': the {subset} classes are {names}, not CIFAR-10's {CIFAR10_CLASSES}")
        if X.shape[1:] != (32, 32, 3):
            raise DatasetError(f"'{path}': the {subset} images are {X.shape[1:]}, CIFAR-10's are (32, 32, 3)")
    return tuple(subsets[name][:2] for name in ("train", "test"))


def load_kaggle_test(path: str | os.PathLike) -> np.ndarray:
    """The assignment's Kaggle test images (``cifar_test_data.npy``: rows of 3072 in CHW order) as NHWC."""
    rows = _safety.load_npy(Path(path), DatasetError, "Kaggle test file", mmap=True)
    if rows.ndim != 2 or rows.shape[1] != 3072:
        raise DatasetError(f"'{path}' holds an array of shape {rows.shape}, expected (n, 3072) CHW rows")
    return np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


def write_kaggle_submission(classes: Any, path: str | os.PathLike) -> Path:
    """Write predictions in the assignment's Kaggle format: ``Id,Category``, Id from 1, integer classes.

    ``classes`` is class ids ``(n,)`` or scores ``(n, k)`` (their argmax is written).
    """
    classes = np.asarray(classes)
    if classes.ndim == 2:
        classes = classes.argmax(axis=1)
    if classes.ndim != 1 or (classes.size and not np.all(np.mod(classes, 1) == 0)):
        raise ValueError(f"expected integer class ids of shape (n,) or scores (n, k), got {classes.dtype} "
                         f"{classes.shape}")
    path, text = Path(path), io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["Id", "Category"])
    writer.writerows((i + 1, int(c)) for i, c in enumerate(classes))
    write_text(path, text.getvalue())
    return path


