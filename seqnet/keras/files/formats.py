"""Keras's model files: Keras 3's native ``.keras`` (read and write) and the legacy HDF5 ``.h5`` (read).

``.keras`` is a zip of ``config.json`` (the model's config, with its compile config),
``metadata.json`` and ``model.weights.h5``, where each layer's arrays sit at
``layers/<class name in snake case>[_<i>]/vars/<j>``, numbered per class in layer order.

The legacy ``.h5`` keeps the config as the root attribute ``model_config`` and each layer's
arrays under ``model_weights/<layer>/``, at the paths its ``weight_names`` attribute lists:
``<layer>/kernel:0`` in Keras 2 and tf.keras, ``<model>/<layer>/kernel`` in Keras 3. The order of
layers and arrays is taken from the ``layer_names`` / ``weight_names`` attributes, never from
HDF5's alphabetical order.
"""
from __future__ import annotations

import datetime
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ..._formats import FileFormat, ModelFileError
from ..._safety import LIMITS, open_zip, parse_json, zip_member
from ..._version import __version__
from ..._files import atomic_write
from ..._safety.hdf5 import open_hdf5
from ...saving.seqnet_h5 import read_as_seqnet, write_as_seqnet
from . import optimizer_state
from .._naming import snake_case, weight_paths
from .sequence_configs import weight_groups
from .layer_configs import weight_names
from .model_config import model_from_keras
from .writer import model_to_keras

ZIP_SIGNATURE = b"PK\x03\x04"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
KERAS_VERSION = "3.0.0"  # the oldest Keras 3 that reads what this module writes


def _text(value: Any) -> str:
    """An HDF5 attribute as str: old files store bytes, new ones str."""
    return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else str(value)


SEQNET_STATE = "seqnet.h5"  # the member of a .keras file with seqnet's training state (Keras reads past it)


class KerasNative(FileFormat):
    name = "keras"
    extensions = (".keras",)

    def recognizes(self, head: bytes, path: Path) -> bool:
        if not head.startswith(ZIP_SIGNATURE):
            return False
        try:
            with open_zip(path, ModelFileError) as z:
                return "config.json" in z.namelist()
        except ModelFileError:
            return False

    def save(self, model: Any, path: Path) -> None:
        config, arrays = model_to_keras(model)
        metadata = {"keras_version": KERAS_VERSION, "seqnet_version": __version__,
                    "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
        weights = io.BytesIO()
        with h5py.File(weights, "w") as f:
            _write_weights(f, model, arrays)
            variables = optimizer_state.keras_variables(model) if config.get("compile_config") else None
            if variables is not None:  # the optimizer's state, where Keras keeps it
                group = f.create_group("optimizer").create_group("vars")
                group.attrs["name"] = snake_case(type(model.optimizer).__name__)
                for j, value in enumerate(variables):
                    group.create_dataset(str(j), data=value)
        ours = io.BytesIO()  # seqnet's own config and state, which Keras reads past: an exact resume
        with h5py.File(ours, "w") as f:
            write_as_seqnet(f, model)

        def write(tmp: str) -> None:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("metadata.json", json.dumps(metadata))
                z.writestr("config.json", json.dumps(config))
                z.writestr("model.weights.h5", weights.getvalue())
                z.writestr(SEQNET_STATE, ours.getvalue())
        atomic_write(path, write)

    def load(self, path: Path) -> Any:
        where = f"'{path}'"
        try:
            with open_zip(path, ModelFileError) as z:
                config = parse_json(zip_member(z, "config.json", where, ModelFileError, LIMITS.json_bytes),
                                    f"{where} (config.json)", ModelFileError)
                weights = (zip_member(z, "model.weights.h5", where, ModelFileError, LIMITS.array_bytes)
                           if "model.weights.h5" in z.namelist() else None)
                metadata = (parse_json(zip_member(z, "metadata.json", where, ModelFileError, LIMITS.json_bytes),
                                       f"{where} (metadata.json)", ModelFileError)
                            if "metadata.json" in z.namelist() else {})
                ours = (zip_member(z, SEQNET_STATE, where, ModelFileError, LIMITS.array_bytes)
                        if SEQNET_STATE in z.namelist() else None)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError) as err:
            raise ModelFileError(f"{where} is not a readable Keras file (damaged or truncated: {err})") from None
        if weights is None:
            raise ModelFileError(f"{where} is a Keras file without weights (no model.weights.h5 in it); seqnet "
                                 f"reads .keras files with their weights in model.weights.h5")
        with open_hdf5(weights, f"{where} (model.weights.h5)") as f:
            model = _model_with_weights(config, f, where, config.get("compile_config"), " in model.weights.h5")
            keras_state = model.optimizer is not None and isinstance(f.get("optimizer/vars"), h5py.Group)
            if keras_state:
                group = f["optimizer/vars"]
                names = [str(j) for j in range(len(group))]
                if sorted(group) != sorted(names):
                    raise ModelFileError(f"{where}: optimizer/vars in model.weights.h5 is not numbered 0, 1, ...")
                optimizer_state.set_from_keras(model, [group[n] for n in names], where)  # read once checked
        model.epochs_done = _count(metadata, "epochs_done", where)  # what files of seqnet 0.1's first releases kept
        if model.optimizer is not None and not keras_state:
            model.optimizer.iterations = _count(metadata, "iterations", where)
        if ours is not None:  # written by seqnet: its own layers and state, exact, with the weights read above
            with open_hdf5(ours, f"{where} ({SEQNET_STATE})") as f:
                model = read_as_seqnet(f, model, Path(f"{path} ({SEQNET_STATE})"))
        return model

    def load_weights(self, model: Any, path: Path) -> None:
        """The weights of a whole-model ``.keras`` file, as Keras's ``load_weights`` takes them."""
        copy_weights(model, self.load(path), f"'{path}'")


def _count(metadata: Any, key: str, where: str) -> int:
    """A count seqnet keeps in ``metadata.json`` (``epochs_done``, ``iterations``); 0 in Keras's files."""
    ours = metadata.get("seqnet") if isinstance(metadata, dict) else None
    if ours is None or (isinstance(ours, dict) and key not in ours):
        return 0
    value = ours.get(key) if isinstance(ours, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ModelFileError(f"{where}: metadata.json gives {key}={value!r}, not a count")
    return value


def _write_weights(f: h5py.File, model: Any, arrays: list[tuple[str, list[np.ndarray]]]) -> None:
    """Each layer's arrays at Keras 3's paths (``layers/<name>/vars/<j>``)."""
    f.create_group("vars").attrs["name"] = model.name
    for layer_path, values in arrays:
        group = f.create_group(layer_path).create_group("vars")
        group.attrs["name"] = layer_path.rsplit("/", 1)[-1]
        for j, value in enumerate(values):
            group.create_dataset(str(j), data=value)


def _model_with_weights(config: dict[str, Any], f: h5py.File, where: str, compile_config: Any, inside: str = "") -> Any:
    """The model of Keras's ``config``, with the arrays of the weights file ``f`` (Keras 3's layout;
    ``inside`` names it within ``where``, as " in model.weights.h5")."""
    paths = _native_paths(config)

    def fetch(index: int, spec: dict[str, Any]) -> list[np.ndarray]:
        found = []
        for sub, inner in weight_groups(str(spec["class_name"]), spec.get("config", {})):
            owner = inner if isinstance(inner, dict) else spec
            at = f"{paths[index]}/{sub}vars"
            group = f.get(at)
            count = len(weight_names(owner.get("class_name"), owner.get("config", {})))
            if group is None:
                if count:
                    raise ModelFileError(f"{where}: no weights for layer {spec['config'].get('name')!r} at "
                                         f"{at}{inside}")
                continue
            if not isinstance(group, h5py.Group):
                raise ModelFileError(f"{where}: {at}{inside} is not a group of arrays")
            names = sorted(group, key=lambda n: (len(n), n))
            if names != [str(j) for j in range(len(names))]:
                raise ModelFileError(f"{where}: {at}{inside} holds {names}, not arrays numbered 0, 1, ...")
            found += [group[name] for name in names]  # datasets, read once their shapes are checked
        return found
    return model_from_keras(config, fetch, where, compile_config)


class KerasWeights(FileFormat):
    """Keras 3's weights file (``model.save_weights("m.weights.h5")``): the arrays alone, at the
    paths of ``model.weights.h5`` inside a ``.keras`` file, read into a model of the same layers."""

    name = "keras-weights"
    extensions = (".weights.h5",)

    def recognizes(self, head: bytes, path: Path) -> bool:
        if not head.startswith(HDF5_SIGNATURE):
            return False
        try:
            with open_hdf5(path, f"'{path}'", check=False) as f:
                return "layers" in f and "seqnet_version" not in f.attrs and "model_config" not in f.attrs
        except Exception:  # a damaged HDF5 file can make h5py raise nearly anything: not this format
            return False

    def save(self, model: Any, path: Path) -> None:
        raise ModelFileError(f"'{path}': a name ending in .weights.h5 holds weights alone (save_weights); save the "
                             f"whole model as .keras or .h5")

    def load(self, path: Path) -> Any:
        raise ModelFileError(f"'{path}' holds weights alone, with no architecture: build the model and call "
                             f"model.load_weights('{path}')")

    def save_weights(self, model: Any, path: Path) -> None:
        _, arrays = model_to_keras(model)

        def write(tmp: str) -> None:
            with h5py.File(tmp, "w") as f:
                _write_weights(f, model, arrays)
        atomic_write(path, write)

    def load_weights(self, model: Any, path: Path) -> None:
        where = f"'{path}'"
        config, _ = model_to_keras(model)
        with open_hdf5(path, where) as f:
            stored = _model_with_weights(config, f, where, None)
        copy_weights(model, stored, where)


def copy_weights(model: Any, stored: Any, where: str) -> None:
    """Put the weights of the model read from ``where`` into ``model``, layer by layer, once every
    shape is checked (nothing changes when one does not match)."""
    mine = [layer for layer in model.layers if layer.get_state()]
    theirs = [layer for layer in stored.layers if layer.get_state()]
    if len(mine) != len(theirs):
        raise ModelFileError(f"{where} holds weights for {len(theirs)} layers; the model has {len(mine)}")
    states = [layer.get_state() for layer in theirs]
    for layer, state in zip(mine, states):
        layer.check_state(state)
    for layer, state in zip(mine, states):
        layer.set_state(state)


def _native_paths(config: dict[str, Any]) -> list[str]:
    """The weight path of each layer in the config's list ("" for a Sequential's InputLayer, which
    is not one of its layers and holds nothing)."""
    specs = config.get("config", {}).get("layers", [])
    sequential = config.get("class_name") == "Sequential"
    counted = [spec for spec in specs if not (sequential and spec.get("class_name") == "InputLayer")]
    paths = iter(weight_paths([str(spec.get("class_name", "")) for spec in counted]))
    return ["" if (sequential and spec.get("class_name") == "InputLayer") else next(paths) for spec in specs]


class KerasH5(FileFormat):
    """Keras's legacy HDF5 files. Reading only: seqnet's own ``.h5`` is written in this layout already."""

    name = "keras-h5"
    extensions = ()

    def recognizes(self, head: bytes, path: Path) -> bool:
        if not head.startswith(HDF5_SIGNATURE):
            return False
        try:
            with open_hdf5(path, f"'{path}'", check=False) as f:
                return "model_config" in f.attrs and "seqnet_version" not in f.attrs
        except Exception:  # a damaged HDF5 file can make h5py raise nearly anything: not this format
            return False

    def save(self, model: Any, path: Path) -> None:
        raise ModelFileError("seqnet writes Keras models as .keras files; a path ending in .h5 gets seqnet's own "
                             "HDF5 format")

    def load(self, path: Path) -> Any:
        where = f"'{path}'"
        with open_hdf5(path, where) as f:
            config = parse_json(_text(f.attrs["model_config"]), f"{where} (its model_config)", ModelFileError)
            training = (parse_json(_text(f.attrs["training_config"]), f"{where} (its training_config)", ModelFileError)
                        if "training_config" in f.attrs else None)
            if "model_weights" not in f:
                raise ModelFileError(f"{where} is a Keras HDF5 file without weights (no model_weights group)")
            weights = f["model_weights"]
            stored = [_text(n) for n in weights.attrs.get("layer_names", [])]
            missing = [n for n in stored if not isinstance(weights.get(n), h5py.Group)]
            if missing:
                raise ModelFileError(f"{where}: model_weights/layer_names names {', '.join(map(repr, missing))}, "
                                     f"which model_weights does not hold")

            def fetch(index: int, spec: dict[str, Any]) -> list[np.ndarray]:
                name = spec.get("config", {}).get("name") or spec.get("name")
                expected = weight_names(spec["class_name"], spec.get("config", {}))
                if name not in stored:
                    if expected:
                        raise ModelFileError(f"{where}: no weights for layer {name!r} in model_weights")
                    return []
                group = weights.get(name)
                if not isinstance(group, h5py.Group):
                    raise ModelFileError(f"{where}: model_weights/layer_names names {name!r}, which model_weights "
                                         f"does not hold")
                names = [_text(n) for n in group.attrs.get("weight_names", [])]
                found = [n.rsplit("/", 1)[-1].split(":")[0] for n in names]
                if found != expected:
                    raise ModelFileError(f"{where}: layer {name!r} stores {found}, seqnet expected {expected}")
                missing = [n for n in names if not isinstance(group.get(n), h5py.Dataset)]
                if missing:
                    raise ModelFileError(f"{where}: layer {name!r} lists weights {missing}, which it does not hold")
                return [group[n] for n in names]  # datasets, read once their shapes are checked
            return model_from_keras(config, fetch, where, training)
