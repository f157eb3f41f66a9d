"""Images stored one folder per class: the form users' own data comes in.

The layout is Keras's ``image_dataset_from_directory`` and torchvision's ``ImageFolder``::

    <root>/<class>/<file>              or, with subset="train":   <root>/train/<class>/<file>

``<root>`` is a folder, or a ``.tar``, ``.tar.gz``/``.tgz`` or ``.zip`` archive of one (read in a
single pass through the archive; a single top-level folder inside it is looked through). Class
names are the folder names in sorted order, and label ``i`` is ``class_names[i]``. JPEG, PNG,
BMP and GIF files are decoded with Pillow; hidden files (``.DS_Store``) are skipped, anything else
is an error naming the file, as are empty class folders and images of mixed sizes without
``image_size``. :func:`load_image_folder` reads everything into memory;
:class:`ImageFolderDataset` streams batches from a folder (or a ``.zip``/``.tar``) for ``fit``.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

import numpy as np

from .. import _safety
from .._safety import COLOR_MODES, LIMITS
from .files import DatasetError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def _is_archive(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and name.endswith((".tar", ".tar.gz", ".tgz", ".zip"))


def _members(path: Path) -> Iterator[tuple[str, Any]]:
    """``(relative posix path, read())`` of every regular file under ``path``, in one pass, and
    ``(relative posix path, None)`` of every folder. Nothing inside a folder is read through a link."""
    where = f"'{path}'"
    if path.is_dir():
        for name, is_folder in _safety.walk(path, DatasetError):
            yield name, None if is_folder else (
                lambda name=name: _safety.read_bytes(path / name, DatasetError, "image file", inside=path))
    elif path.name.lower().endswith(".zip"):
        with _safety.open_zip(path, DatasetError) as z:
            for info in z.infolist():
                yield info.filename, None if info.filename.endswith("/") else (
                    lambda info=info: _safety.zip_member(z, info, where, DatasetError))
    else:
        with _safety.open_tar(path, DatasetError) as tar:
            for member in _safety.tar_members(tar, where, DatasetError):
                if member.isdir():
                    yield member.name, None
                elif member.isfile():
                    yield member.name, (lambda member=member: _safety.tar_member(tar, member, where, DatasetError))


def _check_arguments(subset: Any, image_size: Any, color_mode: str) -> tuple[int, int] | None:
    if color_mode not in COLOR_MODES:
        raise ValueError(f"unknown color_mode {color_mode!r}; choose from {', '.join(COLOR_MODES)}")
    if subset is not None and (not isinstance(subset, str) or not subset or "/" in subset):
        raise ValueError(f"subset names a folder under the root (\"train\", \"test\"), received subset={subset!r}")
    if image_size is None:
        return None
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if len(size) != 2 or any(not isinstance(s, (int, np.integer)) or s < 1 for s in size):
        raise ValueError(f"image_size is (height, width) in pixels, received image_size={image_size!r}")
    return int(size[0]), int(size[1])


def _place(parts: tuple[str, ...], subset: str | None) -> tuple[str, str] | None:
    """``(class, file)`` of a path relative to the root, or None when it lies elsewhere."""
    if subset is not None:
        if len(parts) != 3 or parts[0] != subset:
            return None
        parts = parts[1:]
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _below_single_top(found: list[tuple[tuple[str, ...], Any]], subsets: tuple[str | None, ...],
                      folders: list[tuple[str, ...]]
                      ) -> tuple[list[tuple[tuple[str, ...], Any]], list[tuple[str, ...]]]:
    """``(parts, item)`` pairs and folders' parts with a single top-level folder looked through: when
    every path sits one level deeper than the layout and under the same folder (no subset's name)."""
    tops = {parts[0] for parts, _ in found}
    depth = 2 + any(s is not None for s in subsets)
    if len(tops) == 1 and all(len(parts) == depth + 1 for parts, _ in found) and not (tops & set(subsets)):
        top = tops.pop()
        return [(parts[1:], item) for parts, item in found], [p[1:] for p in folders if p[0] == top and len(p) > 1]
    return found, folders


def _check_no_empty_class(where: str, folders: list[tuple[str, ...]], classes: list[str], subset: str | None) -> None:
    """Labels follow the sorted class folders, so an empty one would shift every later label: refuse it."""
    empty = sorted({_place((*p, "-"), subset)[0] for p in folders if _place((*p, "-"), subset)} - set(classes))
    if empty:
        raise DatasetError(f"{where}: the class folder{'s' if len(empty) > 1 else ''} {', '.join(map(repr, empty))} "
                           f"hold{'' if len(empty) > 1 else 's'} no images; labels follow the sorted class folders, "
                           f"so add images to it or remove it")


def read_image_folders(path: str | os.PathLike, subsets: tuple[str | None, ...], image_size: Any = None,
                       color_mode: str = "rgb", take: Any = None
                       ) -> dict[str | None, tuple[np.ndarray, np.ndarray, list[str]]]:
    """Several subsets of one image folder or archive, read in a single pass: ``{subset: (X, y, names)}``.

    The files are read as they come and decoded at the end, straight into the result. ``take``
    (``{subset: take(n)}``) picks which of a subset's ``n`` images, in sorted order, to return
    and in what order (an index array); only those are decoded.
    """
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"No such image folder or archive: '{root}'")
    if not (root.is_dir() or _is_archive(root)):
        raise DatasetError(f"'{root}' is neither a folder nor a .tar, .tar.gz, .tgz or .zip archive of one")
    size = None
    for subset in subsets:
        size = _check_arguments(subset, image_size, color_mode)
    found: list[tuple[tuple[str, ...], tuple[bytes, str]]] = []  # (parts, (the file's bytes, where))
    folders: list[tuple[str, ...]] = []
    wanted = {s for s in subsets if s is not None}
    for name, read in _members(root):
        parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
        if not parts or any(p.startswith(".") for p in parts):
            continue  # hidden files and folders
        if wanted and not (parts[0] in wanted or len(parts) > 1 and parts[1] in wanted):
            continue  # another subset: not read
        if read is None:
            folders.append(parts)
            continue
        if len(parts) == 1:
            raise DatasetError(f"'{root}': the file '{name}' sits outside the class folders "
                               f"(expected <class>/<file>{' under <subset>/' if wanted else ''})")
        if not parts[-1].lower().endswith(IMAGE_SUFFIXES):
            raise DatasetError(f"'{root}': '{name}' is not an image file (seqnet reads "
                               f"{', '.join(IMAGE_SUFFIXES)})")
        found.append((parts, (read(), f"{root}/{name}" if root.is_dir() else f"{root}:{name}")))
    found, folders = _below_single_top(found, subsets, folders)
    take = take or {}
    return {subset: _assemble(root, [(p, f) for p, f in found if _place(p, subset)], subset, folders,
                              lambda data, at: _decode(data, at, color_mode, size), take.get(subset))
            for subset in subsets}


def _decode(data: bytes, where: str, color_mode: str, image_size: tuple[int, int] | None) -> np.ndarray:
    return _safety.decode_image(data, where, DatasetError, color_mode, image_size)


def _assemble(root: Path, found: list[tuple[tuple[str, ...], tuple[bytes, str]]], subset: str | None,
              folders: list[tuple[str, ...]], decode: Any, take: Any
              ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    where = f"'{root}'" + (f" (subset {subset!r})" if subset else "")
    if not found:
        layout = f"{subset}/<class>/<file>" if subset else "<class>/<file>"
        raise DatasetError(f"{where} holds no images at {layout}")
    found.sort(key=lambda item: item[0])
    names = sorted({_place(parts, subset)[0] for parts, _ in found})
    _check_no_empty_class(where, folders, names, subset)
    order = np.arange(len(found)) if take is None else np.asarray(take(len(found)))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[_place(found[i][0], subset)[0]] for i in order], dtype=np.int64)
    X = None
    for row, i in enumerate(order):
        image = decode(*found[i][1])
        if X is None:
            first = found[i][0]
            if len(order) * image.nbytes > LIMITS.decoded_bytes:
                raise DatasetError(f"{where} decodes to more than {LIMITS.decoded_bytes:,} bytes of images; read it "
                                   f"in batches with ImageFolderDataset, pass a smaller image_size, or raise "
                                   f"seqnet.limits.decoded_bytes")
            X = np.empty((len(order), *image.shape), dtype=image.dtype)
        elif image.shape != X.shape[1:]:
            raise DatasetError(f"{where} holds images of different sizes: '{'/'.join(first)}' is {X.shape[1:]}, "
                               f"'{'/'.join(found[i][0])}' is {image.shape}; pass image_size=(height, width) to "
                               f"resize")
        X[row] = image
    if X is None:  # none taken: the shape of the first
        X = np.empty((0, *decode(*found[0][1]).shape), dtype=np.uint8)
    return X, y, names


def load_image_folder(path: str | os.PathLike, subset: str | None = None, image_size: Any = None,
                      color_mode: str = "rgb") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images stored one folder per class, as ``(X, y, class_names)``.

    Parameters
    ----------
    path : str or Path
        A folder, or a ``.tar``, ``.tar.gz``, ``.tgz`` or ``.zip`` archive of one (read in one pass).
    subset : str, optional
        Read ``<path>/<subset>/<class>/<file>`` ("train", "test") instead of ``<path>/<class>/<file>``.
    image_size : int or (int, int), optional
        ``(height, width)`` to resize every image to (bilinear); needed when sizes differ.
    color_mode : {"rgb", "grayscale", "rgba"}, default "rgb"
        Grayscale, palette and RGBA images become RGB (3 channels), or one channel, or RGBA.

    Returns
    -------
    X : uint8 ndarray of shape (n, height, width, channels)
        NHWC images, sorted by class then file name.
    y : int64 ndarray of shape (n,)
        ``class_names[y[i]]`` is the folder of image ``i``.
    class_names : list of str
        The class folders in sorted order.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DatasetError
        (a ``ValueError``) naming the file or folder: no images, a file that is not an image,
        images of different sizes without ``image_size``, a damaged archive.

    Examples
    --------
    >>> X, y, names = seqnet.datasets.load_image_folder("cifar10-jpeg.tar.gz", subset="test")  # doctest: +SKIP
    >>> X.shape, names[:2]  # doctest: +SKIP
    ((10000, 32, 32, 3), ['airplane', 'automobile'])
    """
    return read_image_folders(path, (subset,), image_size, color_mode)[subset]


def is_image_folder(path: str | os.PathLike, subset: str) -> bool:
    """Whether ``path`` is a folder with ``<subset>/<class>/`` inside (or a single folder that has it),
    or an archive whose first image lies under a subset folder, ``[<top>/]<some subset>/<class>/<file>``."""
    root = Path(path)
    if root.is_dir():
        tops = [root] + [p for p in root.iterdir() if p.is_dir()]
        return any((t / subset).is_dir() and any(c.is_dir() for c in (t / subset).iterdir()) for t in tops)
    if not _is_archive(root):
        return False
    try:
        for name, read in _members(root):
            parts = PurePosixPath(name).parts
            if read is not None and parts[-1].lower().endswith(IMAGE_SUFFIXES):
                return len(parts) >= 3
            if parts[-1].startswith("data_batch") or parts[-1] == "test_batch":
                return False
    except DatasetError:
        return False
    return False


class ImageFolderDataset:
    """Batches of an image folder read from disk as ``fit`` asks for them, for data larger than memory.

    A dataset as :mod:`seqnet.batches` takes (Keras's ``PyDataset``): ``len()`` batches,
    ``dataset[i]`` the ``i``-th ``(X, y)``, reshuffled after every epoch. ``X`` is float32 with
    ``transform`` applied (``X / 255`` by default), ``y`` the class indices.

    Parameters
    ----------
    path : str or Path
        A folder or a ``.zip`` / uncompressed ``.tar`` archive (these can be read at any member;
        a compressed ``.tar.gz`` cannot without decompressing it from the start, so extract it,
        or load it whole with :func:`load_image_folder`).
    batch_size : int, default 32
    subset, image_size, color_mode
        As :func:`load_image_folder`.
    shuffle : bool, default True
    seed : int, optional
    transform : callable, optional
        ``transform(X_uint8) -> X`` applied to each batch.
    """

    def __init__(self, path: str | os.PathLike, batch_size: int = 32, subset: str | None = None,
                 image_size: Any = None, color_mode: str = "rgb", shuffle: bool = True, seed: int | None = None,
                 transform: Any = None) -> None:
        self.root = Path(path)
        if self.root.name.lower().endswith((".tar.gz", ".tgz")):
            raise DatasetError(f"'{self.root}' is a compressed tar, which cannot be read at any image without "
                               f"decompressing it from the start: extract it (tar -xzf) and pass the folder, or "
                               f"load it whole with load_image_folder")
        if not self.root.exists():
            raise FileNotFoundError(f"No such image folder or archive: '{self.root}'")
        self.size, self.color_mode = _check_arguments(subset, image_size, color_mode), color_mode
        self.batch_size, self.shuffle = int(batch_size), bool(shuffle)
        self.transform = transform if transform is not None else (lambda X: X.astype(np.float32) / 255.0)
        self.rng = np.random.default_rng(seed)
        self._archive = None
        entries, folders = [], []
        for name, read in _members(self.root):
            parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
            if not parts or any(p.startswith(".") for p in parts):
                continue
            if read is None:
                folders.append(parts)
            elif parts[-1].lower().endswith(IMAGE_SUFFIXES):
                entries.append((parts, name))
        entries, folders = _below_single_top(entries, (subset,), folders)
        entries = sorted((p, n) for p, n in entries if _place(p, subset))
        if not entries:
            raise DatasetError(f"'{self.root}' holds no images at {subset + '/' if subset else ''}<class>/<file>")
        self.class_names = sorted({_place(p, subset)[0] for p, _ in entries})
        _check_no_empty_class(f"'{self.root}'", folders, self.class_names, subset)
        index = {c: i for i, c in enumerate(self.class_names)}
        self.names = [n for _, n in entries]
        self.labels = np.array([index[_place(p, subset)[0]] for p, _ in entries], dtype=np.int64)
        self.order = self.rng.permutation(len(self.names)) if self.shuffle else np.arange(len(self.names))

    def __len__(self) -> int:
        return -(-len(self.names) // self.batch_size)

    def _read(self, name: str) -> bytes:
        where = f"'{self.root}'"
        if self.root.is_dir():
            return _safety.read_bytes(self.root / name, DatasetError, "image file", inside=self.root)
        if self._archive is None:
            if self.root.name.lower().endswith(".zip"):
                self._archive = _safety.open_zip(self.root, DatasetError)
            else:  # by member, not by name: a later link of the same name must not stand in for the file
                self._archive = _safety.open_tar(self.root, DatasetError, "r:")
                self._tar_files = {m.name: m for m in _safety.tar_members(self._archive, where, DatasetError)
                                   if m.isfile()}
        if self.root.name.lower().endswith(".zip"):
            return _safety.zip_member(self._archive, name, where, DatasetError)
        return _safety.tar_member(self._archive, self._tar_files[name], where, DatasetError)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} of a dataset of {len(self)} batches")
        idx = self.order[i * self.batch_size:(i + 1) * self.batch_size]
        images = [_decode(self._read(self.names[j]), f"{self.root}/{self.names[j]}", self.color_mode, self.size)
                  for j in idx]
        shapes = {im.shape for im in images}
        if len(shapes) > 1:
            raise DatasetError(f"'{self.root}' holds images of different sizes ({sorted(shapes)}); pass image_size")
        return self.transform(np.stack(images)), self.labels[idx]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.order = self.rng.permutation(len(self.names))
