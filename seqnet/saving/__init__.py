"""Saving and loading models.

``model.save(path)`` and :func:`load_model` go through the file formats of
:mod:`seqnet._formats`: loading tells the format by the file's content, saving by ``format=`` or
the file name. This package has seqnet's own format and the ONNX export; Keras's formats are the
Keras face's (:mod:`seqnet.keras.files`), registered when ``seqnet`` is imported. Each format is
a walk over the state protocol (:mod:`seqnet._registry`): the model's config and state, its
layers', optimizer's and callbacks' state, with every object rebuilt by its registered name. seqnet's own format, an HDF5 file laid out like Keras's legacy
``.h5``, is :mod:`seqnet.saving.seqnet_h5`.

Every write goes to a temporary file in the destination folder that replaces the old file
only once it is complete, so a failed save leaves the previous file untouched.
"""
from __future__ import annotations

import os
from typing import Any

from .. import _formats
from .._formats import ModelFileError
from .onnx_export import Onnx
from .seqnet_h5 import FORMAT_VERSION, SeqnetH5

for _format in (SeqnetH5(), Onnx()):  # Keras's formats: seqnet.keras.files
    _formats.register_format(_format)


def save_model(model: Any, path: str | os.PathLike, format: str | None = None) -> None:
    """Write the architecture, weights, optimizer state and training state to ``path``."""
    _formats.for_saving(path, format).save(model, path)


def load_model(path: str | os.PathLike, safe_mode: bool = True, custom_objects: dict[str, Any] | None = None,
               compile: bool = True) -> Any:
    """Rebuild a model saved with :meth:`Sequential.save`, ready to predict or resume training.

    Restores the weights, the compiled loss, metrics and optimizer (with its state), the number
    of epochs done, the history, the model's random generator and the callbacks that were passed
    to ``fit`` (as ``model.callbacks``, with their state). Resume with
    ``model.fit(X, y, epochs=N, initial_epoch=model.epochs_done, callbacks=model.callbacks)``.

    A file is data: loading imports and calls nothing the file names, and reads and writes no
    other path because the file names it (see the guide "Opening files you did not make").

    Parameters
    ----------
    path : str or Path
        A seqnet ``.h5``, a Keras ``.keras`` or a Keras ``.h5`` file.
    safe_mode : bool, default True
        With ``False``, for a file you trust: a function saved by reference (a
        ``LearningRateScheduler``'s schedule) is imported by its module and name, and the paths of
        the saved ``ModelCheckpoint``, ``CSVLogger`` and ``BackupAndRestore`` are written to as
        they are. With ``True``, such a function comes back only from ``custom_objects`` (else
        the callback is left out, with a warning naming it), and a saved path is written to only
        once you give it again (``callback.filepath = ...``).
    custom_objects : dict, optional
        Saved names -> your functions and classes: ``{"my_schedule": my_schedule}`` binds a schedule
        saved as ``"mymodule:my_schedule"``; a class name binds a layer, loss or callback class.
    compile : bool, default True
        With ``False``, the model comes back uncompiled (no optimizer, loss or metrics), as Keras's.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        (a ``ValueError``) if the file is not a seqnet model, is damaged, or comes from a newer format.
    """
    model = _formats.load(path, safe_mode, custom_objects)
    if not compile:
        model.optimizer = model.loss = None
        model.metrics = []
    return model


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write only the weights (and the architecture, for checking on load)."""
    _formats.for_saving(path).save_weights(model, path)


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Copy the weights stored in ``path`` into ``model`` (layer names and shapes must match)."""
    _formats.load_weights(model, path)


__all__ = ["save_model", "load_model", "save_weights", "load_weights", "ModelFileError", "FORMAT_VERSION"]
