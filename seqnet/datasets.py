"""Datasets, their file formats, and data helpers.

``load_iris`` reads the 150 Iris flowers shipped with seqnet. ``load_fashion_mnist`` and
``load_cifar10`` read the original files of those datasets (IDX, and CIFAR's pickled
batches), validating them as they go; without a ``path`` they look in, in order,
``$SEQNET_DATA``, ``~/.seqnet/datasets`` and ``/usr/share/datasets`` (where Debian's
``dataset-fashion-mnist`` package puts Fashion-MNIST).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import pickle
import shutil
import struct
import tarfile
import tempfile
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ._files import ordinary_mode
from .losses import one_hot

__all__ = ["load_iris", "load_fashion_mnist", "load_cifar10", "load_kaggle_test", "write_kaggle_submission",
           "read_idx", "one_hot", "standardize", "minibatches", "DatasetError", "FASHION_MNIST_CLASSES",
           "CIFAR10_CLASSES", "IRIS_CLASSES"]

FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                         "Bag", "Ankle boot"]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_FILES = {  # official files and their MD5 checksums
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_MD5 = "c58f30108f718f92721af3b95e74349a"


class DatasetError(ValueError):
    """A data file that is missing, damaged or not in the expected format."""


def data_dirs() -> list[Path]:
    """Where loaders look for data sets when given no path, in order."""
    dirs = [Path(os.environ["SEQNET_DATA"])] if os.environ.get("SEQNET_DATA") else []
    return dirs + [Path.home() / ".seqnet" / "datasets", Path("/usr/share/datasets")]


def _download(url: str, target: Path, md5: str) -> None:
    """Fetch ``url`` into ``target`` (standard library only), keeping it only if its MD5 matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, out)
        digest = hashlib.md5(Path(tmp).read_bytes()).hexdigest()
        if digest != md5:
            raise DatasetError(f"downloaded {url} has MD5 {digest}, expected {md5}; not keeping it")
        os.chmod(tmp, ordinary_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# -- IDX (MNIST-style) files ---------------------------------------------------------------------
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (gzipped when its name ends in ``.gz``) into a new array.

    The data is read straight into the result, so it is never held twice.

    Raises
    ------
    DatasetError
        On a bad magic number, a truncated file, or extra bytes after the data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[:2] != b"\0\0" or magic[2] not in _IDX_TYPES or magic[3] == 0:
                raise DatasetError(f"'{path}' is not an IDX file: bad magic number {magic.hex() or '(empty)'}")
            ndim = magic[3]
            header = f.read(4 * ndim)
            if len(header) < 4 * ndim:
                raise DatasetError(f"'{path}' is truncated: its header ends early")
            shape = struct.unpack(f">{ndim}I", header)
            out = np.empty(shape, dtype=_IDX_TYPES[magic[2]])
            got = f.readinto(memoryview(out.reshape(-1).view(np.uint8)))
            if got < out.nbytes:
                raise DatasetError(f"'{path}' is truncated: {got} of {out.nbytes} data bytes for shape {shape}")
            if f.read(1):
                raise DatasetError(f"'{path}' has more data than its header's shape {shape} announces")
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DatasetError(f"cannot read '{path}': {err}") from None
    return out.astype(out.dtype.newbyteorder("="), copy=False)


def _find_file(folder: Path, stem: str) -> Path | None:
    for name in (stem + ".gz", stem):
        if (folder / name).is_file():
            return folder / name
    return None


def _read_idx_pair(folder: Path, images: str, labels: str) -> tuple[np.ndarray, np.ndarray]:
    ipath, lpath = _find_file(folder, images), _find_file(folder, labels)
    X, y = read_idx(ipath), read_idx(lpath)
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
        candidates = [d / "fashion-mnist" for d in data_dirs()]
    folder = next((c for c in candidates if all(_find_file(c, stem) for stem in FASHION_MNIST_FILES)), None)
    if folder is None and download:
        folder = Path.home() / ".seqnet" / "datasets" / "fashion-mnist"
        for stem, md5 in FASHION_MNIST_FILES.items():
            if not (folder / f"{stem}.gz").exists():
                _download(FASHION_MNIST_URL + stem + ".gz", folder / f"{stem}.gz", md5)
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


# -- CIFAR-10 ---------------------------------------------------------------------------------------
class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles CIFAR batches: plain containers and numpy arrays, nothing else."""

    # protocol 2 (the original files) rebuilds arrays by _reconstruct; protocol 5 (new Pythons'
    # default) by _frombuffer over the raw bytes
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")


def _read_cifar_batch(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _ArrayUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except Exception as err:  # a damaged pickle can raise nearly anything
        raise DatasetError(f"cannot unpickle CIFAR batch {where}: {type(err).__name__}: {err}") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DatasetError(f"CIFAR batch {where} is not a dict with b'data' and b'labels'")
    data, labels = np.asarray(batch[b"data"]), np.asarray(batch[b"labels"], dtype=np.int64)
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

        def read(name: str) -> bytes:
            f = folder / name
            if not f.is_file():
                raise DatasetError(f"CIFAR-10 folder '{folder}' has no file '{name}'")
            return f.read_bytes()
        return read, None
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DatasetError(f"'{path}' is not a readable tar.gz archive: {err}") from None

    def read(name: str) -> bytes:
        try:
            member = tar.extractfile(f"cifar-10-batches-py/{name}")
            return member.read()
        except KeyError:
            raise DatasetError(f"'{path}' has no member 'cifar-10-batches-py/{name}'") from None
        except (tarfile.TarError, OSError, EOFError) as err:
            raise DatasetError(f"'{path}' is damaged: {err}") from None
    return read, tar


def _find_cifar(path: Path | None, download: bool) -> Path:
    if path is not None:
        candidates = [path]
    else:
        candidates = [p for d in data_dirs() for p in (d / "cifar-10-batches-py", d / "cifar-10-python.tar.gz")]
    found = next((c for c in candidates if c.exists()), None)
    if found is None and download:
        found = Path.home() / ".seqnet" / "datasets" / "cifar-10-python.tar.gz"
        _download(CIFAR10_URL, found, CIFAR10_MD5)
    if found is None:
        looked = "\n  ".join(str(c) for c in candidates)
        raise FileNotFoundError(
            f"CIFAR-10 (cifar-10-python.tar.gz or its cifar-10-batches-py/ folder) not found. Looked in:\n  {looked}\n"
            "Get it in one of three ways:\n"
            "  1. load_cifar10(download=True) fetches it into ~/.seqnet/datasets\n"
            f"  2. download {CIFAR10_URL} yourself and pass path=FILE\n"
            "  3. put the archive or the extracted folder in $SEQNET_DATA")
    return found


def load_cifar10(path: str | os.PathLike | None = None, download: bool = False
                 ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """CIFAR-10 from the official ``cifar-10-python.tar.gz`` or its extracted ``cifar-10-batches-py/``.

    Parameters
    ----------
    path : str or Path, optional
        The archive, the extracted folder, or the folder holding it. Without it, each of
        :func:`data_dirs` is searched.
    download : bool, default False
        Fetch the archive into ``~/.seqnet/datasets`` (MD5-checked) when it is not found.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        NHWC uint8 images ``(n, 32, 32, 3)`` and int64 labels in 0..9 (see ``CIFAR10_CLASSES``).
        Each pickled batch is moved into the result as soon as it is read.
    """
    read, tar = _cifar_source(_find_cifar(None if path is None else Path(path), download))
    try:
        def batches(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
            X = y = None
            for i, name in enumerate(names):
                data, labels = _read_cifar_batch(read(name), name)
                if X is None:  # CIFAR's batches are all the same size
                    X = np.empty((len(names) * len(data), 32, 32, 3), dtype=np.uint8)
                    y = np.empty(len(names) * len(data), dtype=np.int64)
                    rows = len(data)
                if len(data) != rows:
                    raise DatasetError(f"CIFAR batch {name} has {len(data)} images, but {names[0]} has {rows}")
                X[i * rows:(i + 1) * rows] = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
                y[i * rows:(i + 1) * rows] = labels
            return X, y
        return batches([f"data_batch_{i}" for i in range(1, 6)]), batches(["test_batch"])
    finally:
        if tar is not None:
            tar.close()


def load_kaggle_test(path: str | os.PathLike) -> np.ndarray:
    """The assignment's Kaggle test images (``cifar_test_data.npy``: rows of 3072 in CHW order) as NHWC."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such Kaggle test file: '{path}'")
    try:
        rows = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as err:
        raise DatasetError(f"cannot read '{path}' as a .npy array: {err}") from None
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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["Id", "Category"])
        writer.writerows((i + 1, int(c)) for i, c in enumerate(classes))
    return path


def load_iris() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fisher's Iris data, split 120/30 with 10 test flowers per species (always the same split).

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X`` float32 of shape ``(n, 4)`` (sepal length, sepal width, petal length, petal width
        in cm, as measured); ``y`` int64 class ids 0 (setosa), 1 (versicolor), 2 (virginica).

    Examples
    --------
    >>> from seqnet.datasets import load_iris
    >>> (X_train, y_train), (X_test, y_test) = load_iris()
    >>> X_train.shape, X_test.shape, sorted(set(y_test.tolist()))
    ((120, 4), (30, 4), [0, 1, 2])
    """
    text = resources.files("seqnet").joinpath("data/iris.csv").read_text()
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=2)
    X, y = data[:, :4].astype(np.float32), data[:, 4].astype(np.int64)
    # a fixed stratified split: a seeded permutation inside each class, first 10 of each to test
    rng = np.random.default_rng(189)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:10] for c in range(3)])
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    # each set in a fixed shuffled order, not sorted by class: fit's validation_split holds out
    # the last examples (as Keras does), which must not all be of one class
    train, test = rng.permutation(np.flatnonzero(~is_test)), rng.permutation(np.flatnonzero(is_test))
    return (X[train], y[train]), (X[test], y[test])


def standardize(X_train: Any, *others: Any) -> tuple[np.ndarray, ...]:
    """Scale features to zero mean and unit variance, with the statistics of ``X_train``.

    Returns the standardized ``X_train`` followed by each of ``others`` transformed the same way.
    Constant features are centred and left unscaled.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    dtype = np.result_type(np.asarray(X_train).dtype, np.float32)
    return tuple(((np.asarray(X, dtype=np.float64) - mean) / std).astype(dtype)
                 for X in (X_train, *others))


def minibatches(X: np.ndarray, y: np.ndarray | None = None, batch_size: int = 32, shuffle: bool = True,
                rng: np.random.Generator | None = None) -> Iterator[Any]:
    """Yield ``(X_batch, y_batch)`` (or ``X_batch`` when ``y`` is None) covering the data once.

    The last batch may be smaller. Shuffling draws from ``rng`` (a new unseeded generator if None).
    """
    if batch_size < 1:
        raise ValueError(f"minibatches: expected a positive batch_size, received batch_size={batch_size}")
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(f"minibatches: X and y have different lengths: {n} and {len(y)}")
    order = (rng or np.random.default_rng()).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx] if y is None else (X[idx], y[idx])
