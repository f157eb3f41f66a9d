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
from .._safety import parse_json
from .._version import __version__
from ..sequential import Sequential
from .._safety import guard
from .._files import atomic_write
from .._safety.hdf5 import open_hdf5
from .objects import describe, is_entry_list, is_object_list, rebuild, registry_kind

FORMAT_VERSION = 1
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_COMPILED = ("optimizer", "loss", "metrics", "weighted_metrics")  # stored as training_config, as Keras does


class SeqnetH5(FileFormat):
    name = "seqnet-h5"
    extensions = (".h5", ".hdf5")

    def recognizes(self, head: bytes, path: Path) -> bool:
        return head.startswith(HDF5_SIGNATURE)

    # -- writing ---------------------------------------------------------------
    def save(self, model: Any, path: Path) -> None:
        def write(f: h5py.File) -> None:
            state = model.get_state()
            _write_weights(f, state["weights"])
            write_training(f, state)
        self._write(model, path, write)

    def save_weights(self, model: Any, path: Path) -> None:
        self._write(model, path, lambda f: _write_weights(f, model.get_state()["weights"]))

    def _write(self, model: Any, path: Path, write: Any) -> None:
        def write_file(tmp: str) -> None:
            with h5py.File(tmp, "w") as f:
                f.attrs["seqnet_version"] = __version__
                f.attrs["format_version"] = FORMAT_VERSION
                f.attrs["model_config"] = json.dumps(Sequential.get_config(model))  # seqnet's form, whatever the face
                write(f)
        atomic_write(path, write_file)

    # -- reading ---------------------------------------------------------------
    def load(self, path: Path) -> Any:
        where = f"'{path}'"
        with _open(path) as f:
            model = _build_checked(_json_attr(f, "model_config", where), lambda: _stored_shapes(f, where), where)
            state: dict[str, Any] = {}
            if model.built:  # a model saved before its first fit has no weights yet
                state["weights"] = _read_weights(f, where)
            state.update(read_training(f, model, path))
            try:
                model.set_state(state)
            except (KeyError, ValueError, TypeError, OverflowError) as err:
                raise ModelFileError(f"{where}: its saved state does not fit the model: {type(err).__name__}: "
                                     f"{err}") from None
        guard.warn_non_finite(model, where)
        return model

    def load_weights(self, model: Any, path: Path) -> None:
        where = f"'{path}'"
        with _open(path) as f:
            weights = _read_weights(f, where)  # read and checked whole before the model changes
            if not model.built:  # built only once every layer is known to take the file's weights
                shape = _json_attr(f, "model_config", where).get("input_shape")
                if shape is None:
                    raise ModelFileError(f"{where} does not record an input shape; build the model first")
                shape, stored = guard.input_shape(shape, where), _stored_shapes(f, where)
                names = [layer.name for layer in model.layers]
                if list(stored) != names:
                    raise ModelFileError(f"{where} holds weights for layers {list(stored)}, but the model has layers "
                                         f"{names}")
                _build_fitting(model, shape, stored, where)
            try:  # every shape is checked before any weight changes
                model.set_state({"weights": weights})
            except ValueError as err:
                raise ModelFileError(f"{where}: {err}") from None
        guard.warn_non_finite(model, where)


def _json_attr(f: h5py.File, key: str, where: str) -> dict[str, Any]:
    value = f.attrs[key]
    return parse_json(value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value),
                      f"{where} (its {key})", ModelFileError)


def _build_checked(config: dict[str, Any], stored: Any, where: str) -> Sequential:
    """The model of ``config``, built for its input shape only once every layer is known to create
    exactly the arrays the file stores for it (``stored()``: their shapes by layer and name)."""
    shape = config.get("input_shape")
    model = Sequential.from_config({**config, "input_shape": None})
    if shape is None:
        return model
    _build_fitting(model, guard.input_shape(shape, where), stored(), where)
    return model


def _build_fitting(model: Sequential, shape: tuple[int, ...], stored: dict[str, Any], where: str) -> None:
    """Build ``model`` for ``shape`` once each layer is known to create exactly the arrays ``stored``
    gives for it (shapes by layer name and array name): nothing is allocated for a file's claims
    before they are checked."""
    out = shape
    for layer in model.layers:
        out = guard.layer_fits(layer, out, stored.get(layer.name, {}), where)
    model.build(shape)


def _write_weights(f: h5py.File, weights: dict[str, dict[str, np.ndarray]]) -> None:
    group = f.create_group("model_weights")
    group.attrs["layer_names"] = list(weights)
    for layer, arrays in weights.items():
        g = group.create_group(layer)
        g.attrs["weight_names"] = list(arrays)
        for key, value in arrays.items():
            g.create_dataset(key, data=value)


def write_as_seqnet(f: h5py.File, model: Any) -> None:
    """The model's seqnet config and all its state but the weights, which another format keeps:
    in a ``.keras`` file, what Keras's layout cannot say (a torch-style optimizer, seqnet's layers)."""
    f.attrs["model_config"] = json.dumps(Sequential.get_config(model))
    write_training(f, model.get_state())


def read_as_seqnet(f: h5py.File, read: Any, path: Path) -> Any:
    """The model :func:`write_as_seqnet` wrote, its weights taken from ``read``, the model another
    format's reader built (and checked) from the same file."""
    where = f"'{path}'"
    config = _json_attr(f, "model_config", where)
    names = {layer.get("config", {}).get("name") for layer in config.get("layers", []) if isinstance(layer, dict)}
    # the other format may spell one layer as several (a padding or activation layer of its own): those hold nothing
    weights = {name: w for name, w in read.get_state()["weights"].items() if name in names or w}
    model = _build_checked(config,
                           lambda: {name: {k: np.shape(v) for k, v in w.items()} for name, w in weights.items()},
                           where)
    try:
        model.set_state({"weights": weights, **read_training(f, model, path)})
    except (KeyError, ValueError, TypeError, OverflowError) as err:
        raise ModelFileError(f"{where}: its saved state does not fit the model: {type(err).__name__}: {err}") from None
    return model


def write_training(f: h5py.File, state: dict[str, Any]) -> None:
    """Everything of the model's ``state`` but its weights: the compiled objects, the optimizer's
    state and the training state (epochs done, history, random generator, callbacks)."""
    if state["optimizer"] is not None:
        f.attrs["training_config"] = json.dumps({
            "loss": serialize(state["loss"]), "metrics": state["metrics"],
            "weighted_metrics": state["weighted_metrics"], "optimizer": serialize(state["optimizer"])})
        _write_optimizer(f.create_group("optimizer_weights"), state["optimizer"].get_state())
    rest = {k: v for k, v in state.items() if k != "weights" and k not in _COMPILED}
    _write_training_state(f.create_group("training_state"), rest)


def read_training(f: h5py.File, model: Any, path: Path) -> dict[str, Any]:
    """What :func:`write_training` wrote, as state for ``model.set_state`` (objects rebuilt, the
    optimizer's slots checked against the model's weights)."""
    where, state = f"'{path}'", {}
    if "training_config" in f.attrs:
        config = _json_attr(f, "training_config", where)
        optimizer = REGISTRIES["optimizer"].get(config["optimizer"])
        if "optimizer_weights" in f:
            slots = _optimizer_slots(f["optimizer_weights"])
            if not model.built and len(slots) > 1:
                raise ModelFileError(f"{where} holds optimizer state for a model that has no weights")
            guard.optimizer_slots(model, slots, where)  # the datasets' shapes, before any is read
            optimizer.set_state({k: v[()] if isinstance(v, h5py.Dataset) else v for k, v in slots.items()})
        state.update(optimizer=optimizer, loss=REGISTRIES["loss"].get(config["loss"]),
                     metrics=config["metrics"], weighted_metrics=config.get("weighted_metrics", []))
    if "training_state" in f:
        _check_state_sizes(f["training_state"], model, f"'{path}'")
        state.update(_read_training_state(f["training_state"], path))
    return state


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
    f = open_hdf5(path, f"'{path}'")
    if "seqnet_version" not in f.attrs or "model_config" not in f.attrs:
        f.close()
        raise ModelFileError(f"'{path}' is an HDF5 file but holds no seqnet model")
    version, writer = int(f.attrs.get("format_version", 0)), f.attrs["seqnet_version"]
    if version > FORMAT_VERSION:
        f.close()
        raise ModelFileError(f"'{path}' was written by seqnet {writer} in file format "
                             f"{version}; this seqnet ({__version__}) reads formats up to {FORMAT_VERSION}")
    return f


def _weight_groups(f: h5py.File, where: str) -> dict[str, h5py.Group]:
    """Each layer's group of ``model_weights``, in the order of its ``layer_names``."""
    if "model_weights" not in f:
        raise ModelFileError(f"{where} holds no model weights")
    group = f["model_weights"]
    names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n)
             for n in group.attrs.get("layer_names", list(group))]
    missing = [n for n in names if not isinstance(group.get(n), h5py.Group)]
    if missing:
        raise ModelFileError(f"{where}: model_weights/layer_names names {missing}, which it does not hold")
    return {name: group[name] for name in names}


def _stored_shapes(f: h5py.File, where: str) -> dict[str, dict[str, tuple[int, ...]]]:
    return {name: {key: node.shape for key, node in g.items() if isinstance(node, h5py.Dataset)}
            for name, g in _weight_groups(f, where).items()}


def _read_weights(f: h5py.File, where: str) -> dict[str, dict[str, np.ndarray]]:
    return {name: {key: g[key][()] for key in g} for name, g in _weight_groups(f, where).items()}


def _optimizer_slots(group: h5py.Group) -> dict[str, Any]:
    """The optimizer's counters, and its slots as HDF5 datasets (not read yet)."""
    state: dict[str, Any] = {key: value.item() if isinstance(value, np.generic) else value
                             for key, value in group.attrs.items()}
    group.visititems(lambda key, node: state.__setitem__(key, node) if isinstance(node, h5py.Dataset) else None)
    return state


def _check_state_sizes(group: h5py.Group, model: Any, where: str) -> None:
    """Before any is read: each array of the training state (a callback's copy of the weights, the
    random generator's state) is at most the size of all the model's weights, plus 1 MiB."""
    bound = 8 * sum(np.size(v) for layer in model.layers for v in layer.get_state().values()) + 2**20
    found: list[tuple[str, h5py.Dataset]] = []
    group.visititems(lambda name, node: found.append((name, node)) if isinstance(node, h5py.Dataset) else None)
    for name, node in found:
        if node.size * node.dtype.itemsize > bound:
            raise ModelFileError(f"{where}: training_state/{name} declares shape {node.shape}, larger than all the "
                                 f"model's weights together ({bound:,} bytes)")


def _read_arrays(node: Any) -> Any:
    if isinstance(node, h5py.Dataset):
        return node[()]
    return [node[str(i)][()] for i in range(len(node))]


def _read_training_state(group: h5py.Group, path: Path) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for key, value in group.attrs.items():
        if isinstance(value, str):
            value = parse_json(value, f"'{path}' (training_state/{key})", ModelFileError, expect=object)
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
