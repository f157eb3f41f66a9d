"""A seqnet ``Sequential`` as a Keras 3 model config and the arrays of its layers.

Each seqnet layer becomes the Keras layers that compute exactly the same thing. Where seqnet's
meaning differs from Keras's, an equivalent is spelled out: seqnet's symmetric padding becomes a
``ZeroPadding2D`` before a ``"valid"`` window, average pooling that counts the padding likewise,
an activation Keras's strings do not name exactly (a LeakyReLU slope other than 0.2, an ELU
alpha other than 1) becomes its own layer. What Keras cannot compute exactly is a
:class:`~seqnet._formats.ModelFileError` naming the layer.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import activations as A
from ... import layers as L
from ..._formats import ModelFileError
from ..._registry import serialize
from ...layers.augmentation import ImageAugmentation
from ...ops.conv import keras_same_padding
from .. import layers as _face
from .._naming import ACTIVATIONS, weight_paths
from .compile_configs import compile_to_keras
from .layer_configs import weight_names
from .sequence_configs import weight_groups

_POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def _spec(class_name: str, name: str, in_shape: tuple[int, ...], **config: Any) -> dict[str, Any]:
    return {"module": "keras.layers", "class_name": class_name,
            "config": {"name": name, "trainable": True, "dtype": _POLICY, **config},
            "registered_name": None, "build_config": {"input_shape": [None, *in_shape]}}


class _Writer:
    """Collects the Keras layers (spec and arrays) of one model."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.layers: list[tuple[dict[str, Any], list[np.ndarray]]] = []

    def add(self, class_name: str, name: str, in_shape: tuple[int, ...], arrays: list[np.ndarray] | None = None,
            **config: Any) -> None:
        self.layers.append((_spec(class_name, name, in_shape, **config), list(arrays or [])))

    def refuse(self, layer: L.Layer, what: str) -> ModelFileError:
        return ModelFileError(f"cannot write {self.model.name!r} as a Keras file: layer {layer.name!r} "
                              f"({type(layer).__name__}) {what}; save it in seqnet's own format (.h5) instead")

    # -- activations ---------------------------------------------------------------
    def activation(self, layer: L.Layer, act: A.Activation, in_shape: tuple[int, ...], fused: bool) -> str:
        """The Keras string for ``act``; "linear" after adding a layer for it if no string says it exactly."""
        for keras_name, ours in ACTIVATIONS.items():  # the names Keras computes as seqnet does
            if serialize(A.get(ours)) == serialize(act):
                return keras_name
        name = f"{layer.name}_activation" if fused else layer.name
        if isinstance(act, A.LeakyReLU):
            self.add("LeakyReLU", name, in_shape, negative_slope=act.alpha)
        elif isinstance(act, A.ELU):
            self.add("ELU", name, in_shape, alpha=act.alpha)
        else:
            raise self.refuse(layer, f"uses the activation {type(act).__name__}, which Keras has no exact "
                                     f"counterpart of")
        return "linear"

    def fuse_activation(self, layer: L.Layer) -> None:
        """Give the Keras layer just written for ``layer`` its activation (``activation=``, or a layer after)."""
        main = self.layers[-1][0]["config"]
        main["activation"] = self.activation(layer, layer.activation, layer.compute_output_shape(layer.input_shape),
                                             fused=True)

    # -- windows -------------------------------------------------------------------
    def padding(self, layer: L.Layer, in_shape: tuple[int, ...], zeros_ok: bool) -> tuple[str, tuple[int, ...]]:
        """Keras's ``padding=`` for a window layer, adding a ZeroPadding2D when seqnet's pads need it."""
        if layer.padding is not None:
            return layer.padding, in_shape
        pads = layer.pads(in_shape)
        if pads == ((0, 0), (0, 0)):
            return "valid", in_shape
        same = tuple(keras_same_padding(in_shape[i], layer.kernel_shape[i], layer.stride) for i in (0, 1))
        counts_zeros = isinstance(layer, L.Pool2D) and layer.mode == "average"  # Keras's "same" leaves them out
        if pads == same and not counts_zeros:
            return "same", in_shape
        if not zeros_ok:
            raise self.refuse(layer, f"pads with -inf by {pads}, where Keras's 'same' would pad {same}; Keras "
                                     f"has no layer that pads with -inf")
        self.add("ZeroPadding2D", f"{layer.name}_padding", in_shape, padding=[list(p) for p in pads],
                 data_format="channels_last")
        (t, b), (l, r) = pads
        return "valid", (in_shape[0] + t + b, in_shape[1] + l + r, in_shape[2])

    def layer(self, layer: L.Layer, in_shape: tuple[int, ...]) -> None:
        p, start = layer.parameters, len(self.layers)
        if isinstance(layer, (L.Dense, L.Conv2D)):
            kernel = [p["W"]] + ([p["b"][0]] if layer.use_bias else [])  # Keras keeps the bias as (n,)
            if isinstance(layer, L.Dense):
                self.add("Dense", layer.name, in_shape, kernel, **_face.Dense.keras_arguments(layer),
                         **_face.Dense.keras_extras(layer))
            else:
                padding, shape = self.padding(layer, in_shape, zeros_ok=True)
                self.add("Conv2D", layer.name, shape, kernel, **_face.Conv2D.keras_arguments(layer, padding),
                         **_face.Conv2D.keras_extras(layer))
            self.fuse_activation(layer)
        elif isinstance(layer, L.Pool2D):
            average = layer.mode == "average"
            padding, shape = self.padding(layer, in_shape, zeros_ok=average)
            self.add("AveragePooling2D" if average else "MaxPooling2D", layer.name, shape,
                     pool_size=list(layer.kernel_shape), strides=[layer.stride] * 2, padding=padding,
                     data_format=_data_format(layer))
        elif isinstance(layer, (L.GlobalAvgPool2D, L.GlobalMaxPooling2D)):
            kind = "GlobalAveragePooling2D" if isinstance(layer, L.GlobalAvgPool2D) else "GlobalMaxPooling2D"
            self.add(kind, layer.name, in_shape, data_format=layer.data_format, keepdims=layer.keepdims)
        elif isinstance(layer, L.BatchNorm):
            arrays = [p[k] for k in ("gamma", "beta") if k in p] + [layer.buffers["running_mean"],
                                                                    layer.buffers["running_var"]]
            self.add("BatchNormalization", layer.name, in_shape, arrays, axis=-1,
                     momentum=1.0 - layer._update_fraction(), epsilon=layer.eps, center="beta" in layer.learns,
                     scale="gamma" in layer.learns)
        elif isinstance(layer, L.Flatten):
            self.add("Flatten", layer.name, in_shape, data_format=layer.data_format)
        elif isinstance(layer, L.Dropout):
            self.add("Dropout", layer.name, in_shape, rate=layer.rate,
                     noise_shape=None if layer.noise_shape is None else list(layer.noise_shape), seed=layer.seed)
        elif isinstance(layer, L.Reshape):
            self.add("Reshape", layer.name, in_shape, target_shape=list(layer.target_shape))
        elif isinstance(layer, L.ZeroPadding2D):
            self.add("ZeroPadding2D", layer.name, in_shape, padding=[list(q) for q in layer.padding],
                     data_format=layer.data_format)
        elif isinstance(layer, L.Activation):
            if isinstance(layer.activation, A.SoftMax) and isinstance(layer, L.Softmax):
                self.add("Softmax", layer.name, in_shape, axis=layer.axis)
            elif type(layer.activation) is A.ReLU:
                relu = layer.activation
                self.add("ReLU", layer.name, in_shape, max_value=relu.max_value, negative_slope=relu.negative_slope,
                         threshold=relu.threshold)
            else:
                name = self.activation(layer, layer.activation, in_shape, fused=False)
                if len(self.layers) == start:  # a string says it
                    self.add("Activation", layer.name, in_shape, activation=name)
        elif isinstance(layer, L.Rescaling):
            self.add("Rescaling", layer.name, in_shape, scale=layer.scale, offset=layer.offset)
        elif isinstance(layer, L.Normalization):
            config = layer.get_config()
            adapted = "mean" not in config  # learnt by adapt: the statistics are weights, as in Keras
            self.add("Normalization", layer.name, in_shape, list(layer.buffers.values()) if adapted else [],
                     axis=config["axis"], invert=layer.invert, mean=config.get("mean"),
                     variance=config.get("variance"))
        elif self.sequence_layer(layer, in_shape):
            pass
        elif isinstance(layer, ImageAugmentation):  # their configs have Keras's keys
            config = {k: v for k, v in layer.get_config().items() if k not in ("name", "trainable")}
            self.add(type(layer).__name__, layer.name, in_shape, **config)
        else:
            raise self.refuse(layer, "has no Keras counterpart in seqnet's writer")
        for spec, _ in self.layers[start:]:
            spec["config"]["trainable"] = layer.trainable


    def sequence_layer(self, layer: L.Layer, in_shape: tuple[int, ...]) -> bool:
        """Write one of the sequence layers; False for any other layer."""
        p = layer.parameters
        if isinstance(layer, L.Embedding):
            self.add("Embedding", layer.name, in_shape, [p["W"]], input_dim=layer.input_dim,
                     output_dim=layer.output_dim, mask_zero=layer.mask_zero)
        elif isinstance(layer, L.Recurrent):
            self.add(type(layer).__name__, layer.name, in_shape, list(p.values()), **_recurrent_config(self, layer))
        elif isinstance(layer, L.Conv1D):
            self.add("Conv1D", layer.name, in_shape, [p["W"]] + ([p["b"][0]] if layer.use_bias else []),
                     filters=layer.filters, kernel_size=[layer.kernel_size], strides=[layer.strides],
                     padding=layer.padding, dilation_rate=[layer.dilation_rate], use_bias=layer.use_bias,
                     data_format="channels_last")
            self.fuse_activation(layer)
        elif isinstance(layer, (L.MaxPooling1D, L.AveragePooling1D)):
            self.add(type(layer).__name__, layer.name, in_shape, pool_size=[layer.pool_size],
                     strides=[layer.strides], padding=layer.padding, data_format="channels_last")
        elif isinstance(layer, (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D)):
            self.add(type(layer).__name__, layer.name, in_shape, data_format="channels_last", keepdims=layer.keepdims)
        elif isinstance(layer, L.LayerNormalization):
            self.add("LayerNormalization", layer.name, in_shape, list(p.values()), axis=[-1], epsilon=layer.eps,
                     center=layer.center, scale=layer.scale)
        elif isinstance(layer, (L.Bidirectional, L.TimeDistributed)):
            inner = [self.inner(layer, wrapped, in_shape) for wrapped in layer._inner_layers()]
            arrays = [a for _, values in inner for a in values]
            if isinstance(layer, L.Bidirectional):
                self.add("Bidirectional", layer.name, in_shape, arrays, layer=inner[0][0],
                         backward_layer=inner[1][0], merge_mode=layer.merge_mode)
            else:
                self.add("TimeDistributed", layer.name, in_shape, arrays, layer=inner[0][0])
        else:
            return False
        return True

    def inner(self, wrapper: L.Layer, layer: L.Layer, in_shape: tuple[int, ...]
              ) -> tuple[dict[str, Any], list[np.ndarray]]:
        """The spec and arrays of a wrapped layer, which must be one Keras layer."""
        writer = _Writer(self.model)
        writer.layer(layer, in_shape if isinstance(wrapper, L.Bidirectional) else in_shape[1:])
        if len(writer.layers) != 1:
            raise self.refuse(wrapper, f"wraps {type(layer).__name__} {layer.name!r}, which Keras writes as "
                                       f"{len(writer.layers)} layers")
        spec, arrays = writer.layers[0]
        spec.pop("build_config", None)
        return spec, arrays


def _recurrent_config(writer: _Writer, layer: L.Layer) -> dict[str, Any]:
    """Keras's config of seqnet's SimpleRNN, LSTM or GRU ``layer``."""
    def name(act: A.Activation) -> str:
        for keras_name, ours in ACTIVATIONS.items():
            if serialize(A.get(ours)) == serialize(act):
                return keras_name
        raise writer.refuse(layer, f"computes its steps with {type(act).__name__}, which Keras has no name for")

    config = {"units": layer.units, "return_sequences": layer.return_sequences, "go_backwards": layer.go_backwards,
              "use_bias": layer.use_bias, "zero_output_for_mask": layer.zero_output_for_mask,
              "activation": name(layer.cell_activation)}
    if not isinstance(layer, L.SimpleRNN):
        config["recurrent_activation"] = name(layer.recurrent_activation)
    if isinstance(layer, L.LSTM):
        config["unit_forget_bias"] = layer.unit_forget_bias
    if isinstance(layer, L.GRU):
        config["reset_after"] = layer.reset_after
    return config


def model_to_keras(model: Any) -> tuple[dict[str, Any], list[tuple[str, list[np.ndarray]]]]:
    """Keras 3's ``config.json`` for ``model``, and each layer's path in ``model.weights.h5`` with its arrays."""
    if not model.built:
        raise ModelFileError(f"cannot write {model.name!r} as a Keras file before it is built: call "
                             f"model.build(input_shape), fit it, or start it with an Input")
    writer = _Writer(model)
    shape = tuple(model.input_shape)
    for layer, out_shape in zip(model.layers, model.output_shapes):
        writer.layer(layer, shape)
        shape = tuple(out_shape[1:])
    batch_shape = [None, *model.input_shape]
    specs = [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
              "config": {"batch_shape": batch_shape, "dtype": "float32", "sparse": False, "name": "input_layer"}}]
    specs += [spec for spec, _ in writer.layers]
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": model.name, "trainable": True, "dtype": _POLICY, "layers": specs,
                         "build_input_shape": batch_shape},
              "build_config": {"input_shape": batch_shape}}
    compile_config = compile_to_keras(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config, _with_paths([spec for spec, _ in writer.layers], [a for _, a in writer.layers])


def _with_paths(specs: list[dict[str, Any]], arrays: list[list[np.ndarray]]) -> list[tuple[str, list[np.ndarray]]]:
    """Each layer's arrays (float32, as Keras keeps them) at Keras 3's paths for them (a recurrent
    layer's in its ``cell``, a wrapper's in its inner layers')."""
    paths = weight_paths([spec["class_name"] for spec in specs])
    found = []
    for path, spec, values in zip(paths, specs, arrays):
        values = [np.asarray(v, dtype=np.float32) for v in values]
        for sub, inner in weight_groups(spec["class_name"], spec["config"]):
            owner = inner or spec
            count = len(weight_names(owner["class_name"], owner.get("config", {})))
            found.append((f"{path}/{sub}".rstrip("/"), values[:count]))
            values = values[count:]
    return found


def _data_format(layer: L.Layer) -> str:
    """The layer's ``data_format`` (seqnet's own ``Pool2D`` is channels-last)."""
    return getattr(layer, "data_format", "channels_last")
