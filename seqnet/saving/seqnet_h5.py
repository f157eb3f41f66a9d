"""seqnet's own file format: one HDF5 file, laid out like Keras's legacy ``.h5``.

Layout::

    /                          attrs: seqnet_version, format_version, model_config (JSON),
                                      training_config (JSON: loss, metrics, optimizer with its scheduler)
    /model_weights/<layer>/<w>  one dataset per parameter and buffer (attrs: layer_names, weight_names)
    /optimizer_weights/<layer>/<param>/<slot>
                                momentum or Adam moments (attrs: iterations)
    /training_state             attrs: the rest of the model's state (``Sequential.get_state``):
                                epochs_done, history (JSON), rng_state (JSON), callbacks (JSON:
                                class, config, state)
    /training_state/callbacks/<i>/<name>
                                array-valued callback state (EarlyStopping's best weights)

It maps the model's state protocol onto these groups: ``"weights"`` onto ``model_weights``, the
optimizer's state onto ``optimizer_weights``, every other key of the model's state onto
``training_state`` (integers as integers, arrays as datasets, lists of objects as class, config
and state, anything else as JSON), so that new state needs no change here.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from .._formats import FileFormat, ModelFileError
from .._registry import REGISTRIES, serialize
from .._version import __version__
from ..sequential import Sequential
from .files import atomic_write
from .objects import describe, is_entry_list, is_object_list, rebuild, registry_kind

FORMAT_VERSION = 1
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_COMPILED = ("optimizer", "loss", "metrics")  # stored as training_config, as Keras does


class SeqnetH5(FileFormat):
    name = "seqnet-h5"
    extensions = (".h5", ".hdf5")

    def recognizes(self, head: bytes, path: Path) -> bool:
        return head.startswith(HDF5_SIGNATURE)

    # -- writing ---------------------------------------------------------------
    def save(self, model: Any, path: Path) -> None:
        state = model.get_state()

        def write(f: h5py.File) -> None:
            _write_weights(f, state["weights"])
            if state["optimizer"] is not None:
                f.attrs["training_config"] = json.dumps({
                    "loss": serialize(state["loss"]), "metrics": state["metrics"],
                    "optimizer": serialize(state["optimizer"])})
                _write_optimizer(f.create_group("optimizer_weights"), state["optimizer"].get_state())
            rest = {k: v for k, v in state.items() if k != "weights" and k not in _COMPILED}
            _write_training_state(f.create_group("training_state"), rest)
        self._write(model, path, write)

    def save_weights(self, model: Any, path: Path) -> None:
        self._write(model, path, lambda f: _write_weights(f, model.get_state()["weights"]))

    def _write(self, model: Any, path: Path, write: Any) -> None:
        def write_file(tmp: str) -> None:
            with h5py.File(tmp, "w") as f:
                f.attrs["seqnet_version"] = __version__
                f.attrs["format_version"] = FORMAT_VERSION
                f.attrs["model_config"] = json.dumps(model.get_config())
                write(f)
        atomic_write(path, write_file)

    # -- reading ---------------------------------------------------------------
    def load(self, path: Path) -> Any:
        with _open(path) as f:
            try:
                model = Sequential.from_config(json.loads(f.attrs["model_config"]))
                state: dict[str, Any] = {}
                if model.built:  # a model saved before its first fit has no weights yet
                    state["weights"] = _read_weights(f, path)
                if "training_config" in f.attrs:
                    config = json.loads(f.attrs["training_config"])
                    optimizer = REGISTRIES["optimizer"].get(config["optimizer"])
                    if "optimizer_weights" in f:
                        optimizer.set_state(_read_optimizer(f["optimizer_weights"]))
                    state.update(optimizer=optimizer, loss=REGISTRIES["loss"].get(config["loss"]),
                                 metrics=config["metrics"])
                if "training_state" in f:
                    state.update(_read_training_state(f["training_state"], path))
                model.set_state(state)
            except ModelFileError:
                raise
            except (KeyError, ValueError, TypeError, OSError, json.JSONDecodeError) as err:
                raise ModelFileError(f"'{path}' is not a valid seqnet model file: {type(err).__name__}: "
                                     f"{err}") from None
        return model

    def load_weights(self, model: Any, path: Path) -> None:
        with _open(path) as f:
            if not model.built:
                config = json.loads(f.attrs["model_config"])
                if config.get("input_shape") is None:
                    raise ModelFileError(f"'{path}' does not record an input shape; build the model first")
                model.build(tuple(config["input_shape"]))
            try:
                model.set_state({"weights": _read_weights(f, path)})
            except ValueError as err:
                raise ModelFileError(f"'{path}': {err}") from None
            except (KeyError, OSError) as err:
                raise ModelFileError(f"'{path}' has damaged weights: {type(err).__name__}: {err}") from None


def _write_weights(f: h5py.File, weights: dict[str, dict[str, np.ndarray]]) -> None:
    group = f.create_group("model_weights")
    group.attrs["layer_names"] = list(weights)
    for layer, arrays in weights.items():
        g = group.create_group(layer)
        g.attrs["weight_names"] = list(arrays)
        for key, value in arrays.items():
            g.create_dataset(key, data=value)


def _write_optimizer(group: h5py.Group, state: dict[str, Any]) -> None:
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            group.create_dataset(key, data=value)  # "<layer>/<param>/<slot>": a group per level
        else:
            group.attrs[key] = value


def _write_arrays(group: h5py.Group, name: str, value: Any) -> None:
    """An array, or a list of arrays as a group of datasets ``0``, ``1``, ..."""
    if isinstance(value, np.ndarray):
        group.create_dataset(name, data=value)
        return
    sub = group.create_group(name)
    for i, v in enumerate(value):
        sub.create_dataset(str(i), data=v)


def _write_training_state(group: h5py.Group, state: dict[str, Any]) -> None:
    for key, value in state.items():
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            group.attrs[key] = int(value)
        elif isinstance(value, np.ndarray):
            group.create_dataset(key, data=value)
        elif is_object_list(value):
            entries = []
            for i, obj in enumerate(value):
                kind = registry_kind(obj)
                if kind is None:
                    continue  # an unregistered user class cannot be rebuilt
                entry, arrays = describe(obj, kind, i)
                for name, array in arrays.items():
                    _write_arrays(group, f"{key}/{i}/{name}", array)
                entries.append(entry)
            group.attrs[key] = json.dumps(entries)
        else:
            group.attrs[key] = json.dumps(value)


def _open(path: Path) -> h5py.File:
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
                             f"{version}; this seqnet ({__version__}) reads formats up to {FORMAT_VERSION}")
    return f


def _read_weights(f: h5py.File, path: Path) -> dict[str, dict[str, np.ndarray]]:
    if "model_weights" not in f:
        raise ModelFileError(f"'{path}' holds no model weights")
    group = f["model_weights"]
    names = [str(n) for n in group.attrs.get("layer_names", list(group))]
    return {name: {key: group[name][key][()] for key in group[name]} for name in names}


def _read_optimizer(group: h5py.Group) -> dict[str, Any]:
    state: dict[str, Any] = {key: value.item() if isinstance(value, np.generic) else value
                             for key, value in group.attrs.items()}
    group.visititems(lambda key, node: state.__setitem__(key, node[()]) if isinstance(node, h5py.Dataset) else None)
    return state


def _read_arrays(node: Any) -> Any:
    if isinstance(node, h5py.Dataset):
        return node[()]
    return [node[str(i)][()] for i in range(len(node))]


def _read_training_state(group: h5py.Group, path: Path) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for key, value in group.attrs.items():
        if isinstance(value, str):
            value = json.loads(value)
            if is_entry_list(value):
                value = _rebuild_all(group, key, value, path)
        elif isinstance(value, np.generic):
            value = value.item()
        state[key] = value
    for key, node in group.items():
        if isinstance(node, h5py.Dataset):
            state[key] = node[()]
    return state


def _rebuild_all(group: h5py.Group, key: str, entries: list[dict[str, Any]], path: Path) -> list[Any]:
    objects = []
    for entry in entries:
        arrays = group.get(f"{key}/{entry['index']}")
        try:
            objects.append(rebuild(entry, {k: _read_arrays(v) for k, v in arrays.items()} if arrays else {}))
        except (ValueError, TypeError, AttributeError, ImportError, KeyError) as err:
            # the model is intact; only this object (a lambda schedule, say) cannot be rebuilt
            kind = next(k for k in entry if k not in ("index", "state"))
            warnings.warn(f"'{path}': {kind} {entry[kind].get('class_name')!r} could not be restored "
                          f"({err}); loading the model without it", RuntimeWarning, stacklevel=4)
    return objects
