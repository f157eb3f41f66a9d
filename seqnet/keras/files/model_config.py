"""A Keras model config (Keras 3, Keras 2 or tf.keras) as a seqnet ``Sequential``.

Both file formats (:mod:`seqnet.keras.files.formats`) parse their file into the model's config
and a way to fetch each layer's arrays, and hand them here: :func:`model_from_keras` walks the
layers in order, builds each for the shape the previous one gives, copies its weights and
carries the compile config over (:mod:`seqnet.keras.files.compile_configs`).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..._formats import ModelFileError
from ...layers import Input
from ...sequential import Sequential
from ..._safety import guard
from . import compile_configs, layer_configs

# fetch(index in the Keras layer list, the layer's spec) -> its arrays in Keras's order, as anything with a
# shape that np.asarray reads (HDF5 datasets: read only once their shapes are known to fit the layer)
Fetch = Callable[[int, dict[str, Any]], list[Any]]


def layer_specs(model_config: dict[str, Any], where: str) -> tuple[list[dict[str, Any]], tuple[int, ...] | None]:
    """All the model's layer specs in order (InputLayers too) and one example's input shape.

    Sequential models are read as they are; a functional model only when its layers form a chain
    from one input to one output (which is what a Sequential is).
    """
    class_name = model_config.get("class_name")
    config = model_config.get("config", {})
    if not isinstance(config, (dict, list)):
        raise ModelFileError(f"{where}: the model's config is a {type(config).__name__}, not a JSON object")
    if class_name == "Sequential":
        specs = config if isinstance(config, list) else config.get("layers", [])  # very old files: a bare list
    elif class_name in ("Functional", "Model"):
        specs = _functional_chain(config, where)
    else:
        raise ModelFileError(f"{where}: holds a Keras {class_name!r} model; seqnet reads Sequential models and "
                             f"functional models that are a chain of layers")
    if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
        raise ModelFileError(f"{where}: the model's layers are not a list of layer configs")
    shape = None
    for spec in specs:
        c = spec.get("config", {})
        batch_shape = c.get("batch_shape") or c.get("batch_input_shape") if isinstance(c, dict) else None
        if shape is None and batch_shape is not None:
            if isinstance(batch_shape, list) and any(d is None for d in batch_shape[1:]):
                raise ModelFileError(f"{where}: the model takes inputs of shape {tuple(batch_shape)}; seqnet needs "
                                     f"every size but the batch fixed")
            shape = guard.input_shape(batch_shape[1:] if isinstance(batch_shape, list) else batch_shape, where)
    if shape is None:
        build = (model_config.get("build_config") or {}).get("input_shape") or (
            config.get("build_input_shape") if isinstance(config, dict) else None)
        shape = guard.input_shape(build[1:] if isinstance(build, list) else build, where) if build else None
    return specs, shape


def _functional_chain(config: dict[str, Any], where: str) -> list[dict[str, Any]]:
    inputs, outputs = config.get("input_layers", []), config.get("output_layers", [])
    if _count(inputs) != 1 or _count(outputs) != 1:
        raise ModelFileError(f"{where}: the functional model has {_count(inputs)} inputs and {_count(outputs)} "
                             f"outputs; seqnet reads models with one input and one output")
    previous = None
    for spec in config.get("layers", []):
        sources = sorted(set(_sources(spec.get("inbound_nodes", []))))
        if spec.get("class_name") != "InputLayer" and (sources != [previous] or previous is None):
            raise ModelFileError(f"{where}: layer {spec.get('name')!r} of the functional model takes its input "
                                 f"from {sources or 'nowhere'}, not from the layer before it; seqnet reads only "
                                 f"functional models that are a chain of layers")
        previous = spec.get("name") or spec.get("config", {}).get("name")
    return config.get("layers", [])


def _count(refs: Any) -> int:
    """How many tensors ``input_layers`` names: ``[name, 0, 0]`` or a list of them."""
    if not refs:
        return 0
    return 1 if isinstance(refs[0], str) else len(refs)


def _sources(node: Any) -> list[str]:
    """The names of the layers a layer's inbound nodes read from (Keras 3's and Keras 2's forms)."""
    if isinstance(node, dict):
        history = node.get("keras_history") or node.get("config", {}).get("keras_history")
        if history:
            return [history[0]]
        return [name for value in node.values() for name in _sources(value)]
    if isinstance(node, list):
        if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):  # [name, node, tensor, ...]
            return [node[0]]
        return [name for item in node for name in _sources(item)]
    return []


def model_from_keras(model_config: dict[str, Any], fetch: Fetch, where: str,
                     training_config: dict[str, Any] | None = None) -> Sequential:
    """The seqnet model for a Keras model config, with the weights ``fetch`` gives for each layer."""
    specs, shape = layer_specs(model_config, where)
    if shape is None:
        raise ModelFileError(f"{where}: the model was saved before it was built, so it has no weights and no "
                             f"input shape; build it in Keras (or give it an Input) and save it again")
    config = model_config.get("config")
    model = Sequential([Input(shape)], name=(config.get("name") if isinstance(config, dict) else None))
    for index, spec in enumerate(specs):
        if spec.get("class_name") == "InputLayer":
            continue
        layer = layer_configs.layer_from_keras(spec, where)
        in_shape = model.output_shapes[-1][1:] if model.layers else shape
        arrays = fetch(index, spec)  # the file's own arrays: read, and the layer built, only if they fit
        names = layer_configs.weight_names(spec["class_name"], spec.get("config", {}))
        stored = {(names[i] if i < len(names) and names.count(names[i]) == 1 else  # (a wrapper's repeat)
                   f"array {i}" if i >= len(names) else f"{names[i]} {i}"): tuple(a.shape) for i, a in enumerate(arrays)}
        guard.layer_fits(layer, in_shape, stored, where, exact=False)
        arrays = [np.asarray(a) for a in arrays]
        try:
            model.add(layer)
        except (ValueError, TypeError) as err:
            raise ModelFileError(f"{where}: layer {layer.name!r} ({spec['class_name']}) does not take its input "
                                 f"of shape {(None, *in_shape)}: {err}") from err
        layer_configs.set_weights(layer, spec["class_name"], spec.get("config", {}), arrays, where)
    if not model.layers:
        raise ModelFileError(f"{where}: the Keras model has no layers")
    if training_config:
        if not isinstance(training_config, dict):
            raise ModelFileError(f"{where}: its compile config is a {type(training_config).__name__}, not a JSON "
                                 f"object")
        compile_configs.compile_from_keras(model, training_config, where)
    guard.warn_non_finite(model, where)
    return model
