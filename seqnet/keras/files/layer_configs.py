"""Keras layer configs as seqnet layers, for reading Keras files.

One function per Keras layer class turns its config into the seqnet layer that computes the
same thing, and :func:`weight_names` says which arrays Keras stores for it, in Keras's order.
What seqnet cannot compute exactly is refused with a :class:`~seqnet._formats.ModelFileError`
naming the layer, the argument and the file; never approximated.
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

import numpy as np

from ... import layers as L
from ..._formats import ModelFileError
from ..._registry import saved_class
from .. import initializers as _face_initializers
from .. import layers as _face_layers
from .._naming import ACTIVATIONS, SEQNET_NAMES
from . import sequence_configs

# arguments that change training but not predictions: carried over as a warning, not refused
_TRAINING_ONLY = ("activity_regularizer",)
#: Keras's weight penalties and the parameter each applies to
_PENALTIES = {"kernel_regularizer": "W", "bias_regularizer": "b", "gamma_regularizer": "gamma",
              "beta_regularizer": "beta"}
#: Keras's weight constraints and the parameter each applies to
_CONSTRAINTS = {"kernel_constraint": "W", "bias_constraint": "b", "gamma_constraint": "gamma",
                "beta_constraint": "beta"}


class Refusal:
    """Builds the error for one layer of one file."""

    def __init__(self, where: str, name: str, class_name: str) -> None:
        self.where, self.name, self.class_name = where, name, class_name

    def __call__(self, what: str) -> ModelFileError:
        return ModelFileError(f"{self.where}: layer {self.name!r} ({self.class_name}) {what}; seqnet loads only "
                              f"what it computes exactly (see the guide 'Moving models between libraries')")

    def need(self, config: dict[str, Any], key: str, allowed: Any, default: Any = None) -> None:
        """Refuse unless ``config[key]`` (``default`` when absent) is among ``allowed``."""
        value = config.get(key, default)
        value = tuple(value) if isinstance(value, list) else value
        if value not in allowed:
            raise self(f"has {key}={value!r}, which seqnet does not compute (it needs {key} in {list(allowed)})")


def activation_name(value: Any, refuse: Refusal) -> str:
    """The Keras activation a config names (a name, or its serialized form in some files), refused
    unless seqnet computes it exactly (:data:`seqnet.keras._naming.ACTIVATIONS`)."""
    if isinstance(value, dict):  # {"class_name": "relu", ...} in some files
        value = value.get("config", {}).get("name", value.get("class_name"))
    name = str(value).lower() if value is not None else "linear"
    if name not in ACTIVATIONS:
        raise refuse(f"uses the activation {value!r}; seqnet computes exactly: {', '.join(ACTIVATIONS)}")
    return name


def _pair(value: Any, refuse: Refusal, what: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2:
        raise refuse(f"has {what}={value!r}; expected two sizes")
    return int(pair[0]), int(pair[1])


def _square_stride(value: Any, refuse: Refusal) -> int:
    sh, sw = _pair(value, refuse, "strides")
    if sh != sw:
        raise refuse(f"has strides={[sh, sw]}; seqnet's windows move by the same stride along both axes")
    return sh


def _channels_last(config: dict[str, Any], refuse: Refusal) -> None:
    refuse.need(config, "data_format", ("channels_last", None))


def _count(c: dict[str, Any], key: str, refuse: Refusal) -> int:
    """``c[key]`` as a positive integer (``units``, ``filters``), or the refusal naming it."""
    value = c[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise refuse(f"has {key}={value!r}, which is not a positive integer")
    return value


def _initializer(c: dict[str, Any], key: str, default: str) -> Any:
    """The layer's ``key`` initializer as its Keras config names it (Keras's scales), for weights drawn
    anew (``clone_model``); Keras's default where seqnet has no such initializer, since the trained
    weights come from the file."""
    try:
        return _face_initializers.get(c.get(key) or default)
    except (ValueError, TypeError):
        return _face_initializers.get(default)


#: Keras's default of each initializer argument
_DEFAULT_INITIALIZERS = {"kernel_initializer": "glorot_uniform", "bias_initializer": "zeros",
                         "recurrent_initializer": "orthogonal", "embeddings_initializer": "uniform"}


def _through_face(face: type, *keys: str) -> Callable[[dict[str, Any], Refusal], L.Layer]:
    """A reader for a layer the Keras face has a class of its own for (``Dense``, ``Conv2D``,
    ``Activation``): the face's constructor, which takes Keras's arguments with Keras's defaults and
    refuses what seqnet does not compute, reads the config; the layer is the engine's of the same
    config, as every face loads it."""
    parameters = list(inspect.signature(face.__init__).parameters.values())[1:]
    required = [p.name for p in parameters if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    takes_activation = any(p.name == "activation" for p in parameters)

    def read(c: dict[str, Any], refuse: Refusal) -> L.Layer:
        missing = [key for key in required if key not in c]
        if missing:
            raise refuse(f"has no {missing[0]!r} in its config")
        arguments = {k: c[k] for k in (*required, *keys) if k in c}
        if takes_activation:
            arguments["activation"] = activation_name(c.get("activation"), refuse)
        if "recurrent_activation" in arguments:
            arguments["recurrent_activation"] = activation_name(c["recurrent_activation"], refuse)
        for key in keys:
            if key in _DEFAULT_INITIALIZERS:
                arguments[key] = _initializer(c, key, _DEFAULT_INITIALIZERS[key])
        try:
            made = face(**arguments)
        except (TypeError, ValueError) as err:
            raise refuse(f"cannot be read: {err}") from None
        engine = saved_class(made)
        return engine.from_config(engine.get_config(made))
    return read


_dense = _through_face(_face_layers.Dense, "use_bias", "kernel_initializer", "bias_initializer")
_conv2d = _through_face(_face_layers.Conv2D, "strides", "padding", "data_format", "dilation_rate", "groups",
                        "use_bias", "kernel_initializer", "bias_initializer")


def _spec(spec: Any) -> Any:
    """A penalty or constraint as Keras serializes it (``{"class_name": "L2", "config": {"l2": 0.01},
    ...}``) or names it, as seqnet's registries read it."""
    return {"class_name": spec["class_name"], "config": dict(spec.get("config") or {})} if isinstance(spec, dict) \
        else spec


def _data_format(config: dict[str, Any], refuse: Refusal) -> str:
    refuse.need(config, "data_format", ("channels_last", "channels_first", None))
    return config.get("data_format") or "channels_last"


def _pooling(cls: type) -> Callable[[dict[str, Any], Refusal], L.Layer]:
    def make(c: dict[str, Any], refuse: Refusal) -> L.Layer:
        refuse.need(c, "padding", ("valid", "same"))
        size = _pair(c.get("pool_size", 2), refuse, "pool_size")
        strides = size if c.get("strides") is None else c["strides"]
        return cls(pool_size=size, strides=_square_stride(strides, refuse), padding=c.get("padding", "valid"),
                   data_format=_data_format(c, refuse))
    return make


def _global(cls: type) -> Callable[[dict[str, Any], Refusal], L.Layer]:
    def make(c: dict[str, Any], refuse: Refusal) -> L.Layer:
        refuse.need(c, "keepdims", (False, True), False)
        return cls(data_format=_data_format(c, refuse), keepdims=bool(c.get("keepdims", False)))
    return make


def _flatten(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    return L.Flatten(data_format=_data_format(c, refuse))


def _dropout(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    try:
        return L.Dropout(float(c["rate"]), noise_shape=c.get("noise_shape"), seed=c.get("seed"))
    except (TypeError, ValueError) as err:
        raise refuse(f"cannot be read: {err}") from None


def _batch_normalization(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    for flag in ("renorm",):
        refuse.need(c, flag, (False,), False)
    try:
        return L.BatchNormalization(axis=c.get("axis", -1), momentum=float(c.get("momentum", 0.99)),
                                    epsilon=float(c.get("epsilon", 1e-3)), center=c.get("center", True),
                                    scale=c.get("scale", True))
    except (TypeError, ValueError) as err:
        raise refuse(f"cannot be read: {err}") from None


def _relu(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    try:
        return L.ReLU(max_value=c.get("max_value"), negative_slope=float(c.get("negative_slope") or 0.0),
                      threshold=float(c.get("threshold") or 0.0))
    except (TypeError, ValueError) as err:
        raise refuse(f"cannot be read: {err}") from None


def _softmax(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    try:
        return L.Softmax(axis=c.get("axis", -1))
    except ValueError as err:
        raise refuse(f"cannot be read: {err}") from None


def _leaky_relu(c: dict[str, Any], refuse: Refusal) -> L.Layer:  # Keras 3 says negative_slope, Keras 2 alpha
    return L.LeakyReLU(negative_slope=float(c.get("negative_slope", c.get("alpha", 0.3))))


def _elu(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    return L.ELU(alpha=float(c.get("alpha", 1.0)))


def _zero_padding(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    return L.ZeroPadding2D(c.get("padding", 1), data_format=_data_format(c, refuse))


def _reshape(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    return L.Reshape(tuple(c["target_shape"]))


def _rescaling(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    return L.Rescaling(float(c["scale"]), float(c.get("offset", 0.0)))


def _normalization(c: dict[str, Any], refuse: Refusal) -> L.Layer:
    try:
        return L.Normalization(axis=c.get("axis", -1), mean=c.get("mean"), variance=c.get("variance"),
                               invert=bool(c.get("invert", False)))
    except (TypeError, ValueError) as err:
        raise refuse(f"cannot be read: {err}") from None


def _augmentation(cls: type, *keys: str) -> Callable[[dict[str, Any], Refusal], L.Layer]:
    """A reader for a random image layer: its Keras arguments (``keys``) as they are in the config."""
    def read(c: dict[str, Any], refuse: Refusal) -> L.Layer:
        _channels_last(c, refuse)
        return cls(**{k: c[k] for k in keys if k in c}, seed=c.get("seed"))
    return read


_RESAMPLING = ("height_factor", "width_factor", "fill_mode", "interpolation", "fill_value")
LAYERS: dict[str, Callable[[dict[str, Any], Refusal], L.Layer]] = {
    "Dense": _dense, "Conv2D": _conv2d, "Convolution2D": _conv2d,
    "MaxPooling2D": _pooling(L.MaxPooling2D), "MaxPool2D": _pooling(L.MaxPooling2D),
    "AveragePooling2D": _pooling(L.AveragePooling2D), "AvgPool2D": _pooling(L.AveragePooling2D),
    "GlobalAveragePooling2D": _global(L.GlobalAveragePooling2D), "GlobalAvgPool2D": _global(L.GlobalAveragePooling2D),
    "GlobalMaxPooling2D": _global(L.GlobalMaxPooling2D), "GlobalMaxPool2D": _global(L.GlobalMaxPooling2D),
    "Flatten": _flatten, "Dropout": _dropout, "BatchNormalization": _batch_normalization,
    "Activation": _through_face(_face_layers.Activation), "ReLU": _relu, "Softmax": _softmax,
    "LeakyReLU": _leaky_relu, "ELU": _elu,
    "ZeroPadding2D": _zero_padding, "Reshape": _reshape, "Rescaling": _rescaling, "Normalization": _normalization,
    "RandomFlip": _augmentation(L.RandomFlip, "mode"), "RandomTranslation": _augmentation(L.RandomTranslation, *_RESAMPLING),
    "RandomZoom": _augmentation(L.RandomZoom, *_RESAMPLING), "RandomCrop": _augmentation(L.RandomCrop, "height", "width"),
}


def weight_names(class_name: str, config: dict[str, Any]) -> list[str]:
    """The arrays Keras stores for a layer, in the order it stores them."""
    sequence = sequence_configs.weight_names(class_name, config, weight_names)
    if sequence is not None:
        return sequence
    if class_name in ("Dense", "Conv2D", "Convolution2D"):
        return ["kernel", "bias"] if config.get("use_bias", True) else ["kernel"]
    if class_name == "BatchNormalization":
        return ([n for n, on in (("gamma", config.get("scale", True)), ("beta", config.get("center", True))) if on]
                + ["moving_mean", "moving_variance"])
    if class_name == "Normalization" and config.get("mean") is None:  # learnt by adapt
        return ["mean", "variance", "count"]
    return []



def layer_from_keras(spec: dict[str, Any], where: str) -> L.Layer:
    """The seqnet layer for one Keras layer spec (``{"class_name", "config"}``), not yet built."""
    if not isinstance(spec, dict) or not isinstance(spec.get("config", {}), dict):
        raise ModelFileError(f"{where}: a layer of the model config is {type(spec).__name__} {str(spec)[:80]!r}, "
                             f"not a layer's class name and config")
    class_name, config = spec.get("class_name"), spec.get("config", {})
    refuse = Refusal(where, config.get("name", "?"), class_name)
    if not isinstance(class_name, str) or class_name not in LAYERS:
        raise refuse(f"has no seqnet counterpart (seqnet reads: InputLayer, {', '.join(sorted(LAYERS))})")
    ignored = [k for k in _TRAINING_ONLY if config.get(k) is not None]
    if ignored:
        warnings.warn(f"{where}: layer {config.get('name')!r} has {', '.join(ignored)}, which seqnet does not "
                      f"carry over; predictions are the same, training in seqnet goes without them", stacklevel=4)
    try:
        layer = LAYERS[class_name](config, refuse)
    except ModelFileError:
        raise
    except KeyError as err:
        raise refuse(f"has no {err} in its config") from None
    except (ValueError, TypeError) as err:
        raise refuse(f"has a config seqnet cannot use: {err}") from None
    layer.name = config.get("name")
    layer.trainable = bool(config.get("trainable", True))
    penalties = {key: config[keras] for keras, key in _PENALTIES.items() if config.get(keras) is not None}
    constraints = {key: config[keras] for keras, key in _CONSTRAINTS.items() if config.get(keras) is not None}
    try:
        if penalties:
            layer.set_regularizers({key: _spec(spec) for key, spec in penalties.items()})
        if constraints:
            layer.set_constraints({key: _spec(spec) for key, spec in constraints.items()})
    except (ValueError, TypeError, KeyError) as err:
        raise refuse(f"has a weight penalty or constraint seqnet cannot use: {err}") from None
    return layer


def set_weights(layer: L.Layer, class_name: str, config: dict[str, Any], arrays: list[np.ndarray],
                where: str) -> None:
    """Copy Keras's arrays (in :func:`weight_names` order) into the built ``layer``."""
    names = weight_names(class_name, config)
    if len(arrays) != len(names):
        raise ModelFileError(f"{where}: layer {layer.name!r} ({class_name}) should store {len(names)} arrays "
                             f"({', '.join(names) or 'none'}), the file holds {len(arrays)}")
    # a wrapper's arrays are its inner layers', in order; a layer's own go by their Keras names
    keys = list(layer.get_state()) if isinstance(layer, (L.Bidirectional, L.TimeDistributed)) else \
        [SEQNET_NAMES[name] for name in names]
    for name, key, value in zip(names, keys, arrays):
        store = layer.parameters if key in layer.parameters else layer.buffers
        value = np.asarray(value)
        if name == "bias" and value.shape == store[key].shape[1:]:  # Keras keeps (n,), seqnet (1, n)
            value = value[None]
        if value.shape != store[key].shape:
            raise ModelFileError(f"{where}: layer {layer.name!r} ({class_name}) stores {name} of shape "
                                 f"{value.shape}, but the layer needs {store[key].shape}")
        store[key][...] = value


LAYERS.update(sequence_configs.readers(_through_face, layer_from_keras))
