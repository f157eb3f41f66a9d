"""Model file formats, and the one place that picks the format of a file.

A format registers itself (:func:`register_format`) from the module that implements it
(:mod:`seqnet.saving` registers seqnet's own HDF5 format). Saving picks the format by the
``format`` argument, else by the file name's extension; loading picks it by the file's content.
``Sequential.save`` reaches the formats through this module, so the model never imports the
code that writes files.
"""
from __future__ import annotations

import contextlib
import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Iterator

from . import _safety


class ModelFileError(ValueError):
    """A file that is not a readable seqnet model, or that does not fit the model."""


class FileFormat(ABC):
    """A way of storing a model in a file.

    Attributes
    ----------
    name : str
        What ``format=`` names it by.
    extensions : tuple of str
        File name endings it claims when saving without ``format=`` (lower case, with the dot).
    """

    name = ""
    extensions: tuple[str, ...] = ()

    @abstractmethod
    def recognizes(self, head: bytes, path: Path) -> bool:
        """Whether the file ``path``, which starts with the bytes ``head``, is in this format.

        Formats that share a container (HDF5, zip) may look inside ``path``; seqnet's own format,
        the default, is asked last."""

    @abstractmethod
    def save(self, model: Any, path: Path) -> None:
        """Write everything needed to predict with ``model`` or to resume its training."""

    @abstractmethod
    def load(self, path: Path) -> Any:
        """The model stored in ``path``."""

    def save_weights(self, model: Any, path: Path) -> None:
        raise ModelFileError(f"the {self.name} format cannot store weights alone; save the whole model")

    def load_weights(self, model: Any, path: Path) -> None:
        raise ModelFileError(f"'{path}' is a {self.name} file, which holds no weights to load alone")


_formats: dict[str, FileFormat] = {}
DEFAULT = "seqnet-h5"  # the format of a file name that no format claims


def register_format(fmt: FileFormat) -> FileFormat:
    _formats[fmt.name] = fmt
    return fmt


def formats() -> list[str]:
    return sorted(_formats)


def for_saving(path: str | os.PathLike, format: str | None = None) -> FileFormat:
    """The format to write ``path`` in: ``format`` if given, else the one claiming its extension."""
    if not str(path) or Path(path).is_dir():
        raise ValueError(f"save: expected the path of a file to write, received {str(path)!r}"
                         + (" (an existing folder)" if str(path) else ""))
    if format is not None:
        if format not in _formats:
            raise ValueError(f"Unknown model file format {format!r}. Known formats: {', '.join(formats())}")
        return _formats[format]
    name = Path(path).name.lower()
    claims = [(len(ext), fmt) for fmt in _formats.values() for ext in fmt.extensions if name.endswith(ext)]
    return max(claims, key=lambda claim: claim[0])[1] if claims else _formats[DEFAULT]  # ".weights.h5" over ".h5"


def for_loading(path: str | os.PathLike) -> FileFormat:
    """The format of the existing file ``path``, told by its first bytes.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        If it is a folder, or in no format seqnet reads.
    """
    path = Path(path)
    head = _safety.read_head(path, ModelFileError, "seqnet model file")
    for fmt in sorted(_formats.values(), key=lambda fmt: fmt.name == DEFAULT):
        if fmt.recognizes(head, path):
            return fmt
    raise ModelFileError(f"'{path}' is not a readable HDF5 file (not a model, or truncated), nor in any "
                         f"other model file format seqnet reads ({', '.join(formats())})")


def load(path: str | os.PathLike, safe_mode: bool = True, custom_objects: dict[str, Any] | None = None) -> Any:
    """The model in the file ``path``, whatever its format, loaded under :func:`seqnet._safety.loading`.

    Whatever goes wrong in reading a file comes out as one :class:`ModelFileError` naming it.
    """
    fmt = for_loading(path)
    with _safety.loading(path, safe_mode, custom_objects), _one_error(path, fmt):
        return fmt.load(Path(path))


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Copy the weights stored in ``path`` into ``model``, with :func:`load`'s guarantees."""
    fmt = for_loading(path)
    with _safety.loading(path), _one_error(path, fmt):
        fmt.load_weights(model, Path(path))


@contextlib.contextmanager
def _one_error(path: Any, fmt: FileFormat) -> Iterator[None]:
    try:
        yield
    except (ModelFileError, FileNotFoundError):
        raise
    except Exception as err:  # a crafted file can make a reader raise nearly anything
        raise ModelFileError(f"'{path}' is not a valid {fmt.name} model file: {type(err).__name__}: {err}") from None
