"""Saving and loading models in one HDF5 file, laid out like Keras's legacy ``.h5``.

Layout::

    /                          attrs: seqnet_version, format_version, model_config (JSON),
                                      training_config (JSON: loss, metrics, optimizer with its scheduler)
    /model_weights/<layer>/<w>  one dataset per parameter and buffer (attrs: layer_names, weight_names)
    /optimizer_weights/<layer>/<param>/<slot>
                                momentum or Adam moments (attrs: iterations)
    /training_state             attrs: epochs_done, history (JSON), rng_state (JSON),
                                       callbacks (JSON: class, config, state)
    /training_state/callbacks/<i>/<name>
                                array-valued callback state (EarlyStopping's best weights)

Every write goes to a temporary file in the destination folder that replaces the old file
only once it is complete, so a failed save leaves the previous file untouched.
"""
from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from . import callbacks as _callbacks
from ._registry import serialize

FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A file that is not a readable seqnet model, or that does not fit the model."""


def _version() -> str:
    from . import __version__
    return __version__


def _atomic_write(path: str | os.PathLike, write: Any) -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["seqnet_version"] = _version()
            f.attrs["format_version"] = FORMAT_VERSION
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write_weights(f: h5py.File, model: Any) -> None:
    group = f.create_group("model_weights")
    group.attrs["layer_names"] = [layer.name for layer in model.layers]
    for layer in model.layers:
        g = group.create_group(layer.name)
        weights = {**layer.parameters, **layer.buffers}
        g.attrs["weight_names"] = list(weights)
        for key, value in weights.items():
            g.create_dataset(key, data=value)


def _write_arrays(group: h5py.Group, name: str, value: Any) -> bool:
    """Store an array or a list of arrays under ``name``; False if ``value`` is neither."""
    if isinstance(value, np.ndarray):
        group.create_dataset(name, data=value)
        return True
    if isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
        sub = group.create_group(name)
        for i, v in enumerate(value):
            sub.create_dataset(str(i), data=v)
        return True
    return False


def save_model(model: Any, path: str | os.PathLike) -> None:
    """Write the architecture, weights, optimizer state and training state to ``path``."""
    def write(f: h5py.File) -> None:
        f.attrs["model_config"] = json.dumps(model.get_config())
        _write_weights(f, model)
        if model.optimizer is not None:
            f.attrs["training_config"] = json.dumps({
                "loss": serialize(model.loss), "metrics": model.metrics,
                "optimizer": serialize(model.optimizer)})
            opt = f.create_group("optimizer_weights")
            opt.attrs["iterations"] = model.optimizer.iterations
            for (layer, param), slots in model.optimizer.state.items():
                for slot, value in slots.items():
                    opt.create_dataset(f"{layer}/{param}/{slot}", data=value)
        state = f.create_group("training_state")
        state.attrs["epochs_done"] = model.epochs_done
        state.attrs["history"] = json.dumps({"epoch": model.history.epoch, "history": model.history.history})
        state.attrs["rng_state"] = json.dumps(model.rng.bit_generator.state)
        saved = []
        for i, cb in enumerate(model.callbacks):
            if type(cb).registered_name not in _callbacks.callbacks.names():
                continue  # an unregistered user callback cannot be rebuilt
            plain = {}
            for key, value in cb.get_state().items():
                if not _write_arrays(state, f"callbacks/{i}/{key}", value):
                    plain[key] = value
            saved.append({"index": i, "callback": serialize(cb), "state": plain})
        state.attrs["callbacks"] = json.dumps(saved)
    _atomic_write(path, write)


def save_weights(model: Any, path: str | os.PathLike) -> None:
    """Write only the weights (and the architecture, for checking on load)."""
    def write(f: h5py.File) -> None:
        f.attrs["model_config"] = json.dumps(model.get_config())
        _write_weights(f, model)
    _atomic_write(path, write)


def _open(path: str | os.PathLike) -> h5py.File:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such seqnet model file: '{path}'")
    if path.is_dir():
        raise ModelFileError(f"'{path}' is a folder, not a seqnet model file")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ModelFileError(f"'{path}' is not a readable HDF5 file (not a model, or truncated): {err}") from None
    if "seqnet_version" not in f.attrs or "model_config" not in f.attrs:
        f.close()
        raise ModelFileError(f"'{path}' is an HDF5 file but holds no seqnet model")
    version, writer = int(f.attrs.get("format_version", 0)), f.attrs["seqnet_version"]
    if version > FORMAT_VERSION:
        f.close()
        raise ModelFileError(f"'{path}' was written by seqnet {writer} in file format "
                             f"{version}; this seqnet ({_version()}) reads formats up to {FORMAT_VERSION}")
    return f


def _read_weights(f: h5py.File, model: Any, path: Any) -> None:
    if "model_weights" not in f:
        raise ModelFileError(f"'{path}' holds no model weights")
    group = f["model_weights"]
    names = [str(n) for n in group.attrs.get("layer_names", list(group))]
    mine = [layer.name for layer in model.layers]
    if names != mine:
        raise ModelFileError(f"'{path}' holds weights for layers {names}, but the model has layers {mine}")
    for layer in model.layers:
        g = group[layer.name]
        targets = {**layer.parameters, **layer.buffers}
        if sorted(g) != sorted(targets):
            raise ModelFileError(f"'{path}': layer {layer.name!r} has weights {sorted(g)} in the file, "
                                 f"but the model's layer has {sorted(targets)}")
        for key, target in targets.items():
            if g[key].shape != target.shape:
                raise ModelFileError(f"'{path}': weight {layer.name}/{key} has shape {g[key].shape} in the file, "
                                     f"but the model expects {target.shape}")
        for key, target in targets.items():
            target[...] = g[key][()]


def _read_arrays(node: Any) -> Any:
    if isinstance(node, h5py.Dataset):
        return node[()]
    return [node[str(i)][()] for i in range(len(node))]


def load_model(path: str | os.PathLike) -> Any:
    """Rebuild a model saved with :meth:`Sequential.save`, ready to predict or resume training.

    Restores the weights, the compiled loss, metrics and optimizer (with its state), the number
    of epochs done, the history, the model's random generator and the callbacks that were passed
    to ``fit`` (as ``model.callbacks``, with their state). Resume with
    ``model.fit(X, y, epochs=N, initial_epoch=model.epochs_done, callbacks=model.callbacks)``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFileError
        (a ``ValueError``) if the file is not a seqnet model, is damaged, or comes from a newer format.
    """
    from .sequential import Sequential

    with _open(path) as f:
        try:
            model = Sequential.from_config(json.loads(f.attrs["model_config"]))
            if model.built:  # a model saved before its first fit has no weights yet
                _read_weights(f, model, path)
            if "training_config" in f.attrs:
                config = json.loads(f.attrs["training_config"])
                model.compile(optimizer=config["optimizer"], loss=config["loss"], metrics=config["metrics"])
                if "optimizer_weights" in f:
                    opt = f["optimizer_weights"]
                    model.optimizer.iterations = int(opt.attrs["iterations"])
                    for layer in opt:
                        for param in opt[layer]:
                            model.optimizer.state[(layer, param)] = {
                                slot: opt[layer][param][slot][()] for slot in opt[layer][param]}
            if "training_state" in f:
                state = f["training_state"]
                model.epochs_done = int(state.attrs["epochs_done"])
                history = json.loads(state.attrs["history"])
                model.history.epoch, model.history.history = history["epoch"], history["history"]
                model.rng.bit_generator.state = json.loads(state.attrs["rng_state"])
                for item in json.loads(state.attrs.get("callbacks", "[]")):
                    try:
                        cb = _callbacks.get(item["callback"])
                    except (ValueError, TypeError, AttributeError, ImportError) as err:
                        # the model is intact; only this callback (a lambda schedule, say) cannot be rebuilt
                        warnings.warn(f"'{path}': callback {item['callback'].get('class_name')!r} could not be "
                                      f"restored ({err}); loading the model without it", RuntimeWarning, stacklevel=2)
                        continue
                    arrays = state.get(f"callbacks/{item['index']}")
                    cb.set_state({**item["state"], **({k: _read_arrays(v) for k, v in arrays.items()} if arrays else {})})
                    model.callbacks.append(cb)
        except ModelFileError:
            raise
        except (KeyError, ValueError, TypeError, OSError, json.JSONDecodeError) as err:
            raise ModelFileError(f"'{path}' is not a valid seqnet model file: {type(err).__name__}: {err}") from None
    return model


def load_weights(model: Any, path: str | os.PathLike) -> None:
    """Copy the weights stored in ``path`` into ``model`` (layer names and shapes must match)."""
    with _open(path) as f:
        if not model.built:
            config = json.loads(f.attrs["model_config"])
            if config.get("input_shape") is None:
                raise ModelFileError(f"'{path}' does not record an input shape; build the model first")
            model.build(tuple(config["input_shape"]))
        try:
            _read_weights(f, model, path)
        except ModelFileError:
            raise
        except (KeyError, OSError) as err:
            raise ModelFileError(f"'{path}' has damaged weights: {type(err).__name__}: {err}") from None
