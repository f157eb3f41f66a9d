"""``keras.layers`` over seqnet's layers: Keras's defaults, argument names, weight shapes and config.

The layers with weights differ from seqnet's own names at the edge only: ``Dense`` and ``Conv2D``
take Keras's arguments with Keras's defaults (``padding="valid"``, ``glorot_uniform`` kernels
without the activation's gain, zero biases); ``get_weights`` / ``set_weights``, ``weights``,
``kernel`` and ``bias`` have Keras's shapes (a bias is ``(n,)``, seqnet keeps ``(1, n)``);
``get_config`` has Keras's keys and ``build`` takes a shape with its batch axis. The forward
and backward passes are seqnet's. The layers without weights are seqnet's own Keras-named ones.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import variant_of
from ..layers import (ELU, AveragePooling2D, BatchNormalization, Dropout, Flatten, GlobalAveragePooling2D,
                      GlobalMaxPooling2D, LeakyReLU, MaxPooling2D, Normalization, RandomCrop, RandomFlip,
                      RandomTranslation, RandomZoom, ReLU, Rescaling, Reshape,
                      Softmax, ZeroPadding2D)
from ..layers import Activation as _Activation
from ..layers import Conv2D as _Conv2D
from ..layers import Dense as _Dense
from ..layers import Input as _Input
from ..layers import Layer
from ..layers.base import check_positive_int
from ._missing import missing
from ._naming import activation_name, keras_name
from ._naming import activation as keras_activation
from ._weights import KerasWeights, Variable, _bias_initializer, _initializer, _refuse_extras



@variant_of(_Dense)
class Dense(KerasWeights, _Dense):
    """Keras's ``Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    bias_initializer="zeros")`` on seqnet's dense layer."""

    name_stem = "dense"
    _ndim = 2

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, name: str | None = None,
                 input_shape: Any = None, trainable: bool = True, dtype: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Dense", dict(activity_regularizer=activity_regularizer, **kwargs))
        super().__init__(units=check_positive_int(units, "units", "Dense"), activation=keras_activation(activation),
                         weight_init=_initializer(kernel_initializer),
                         name=name, use_bias=use_bias, bias_init=_bias_initializer(bias_initializer),
                         input_shape=input_shape)
        self._keras_edge(trainable, kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, activation=keras_name(activation))

    @property
    def units(self) -> int:
        return self.n_out

    @classmethod
    def from_engine(cls, layer: _Dense) -> "Dense":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.n_out, **cls._engine_arguments(layer))

    @staticmethod
    def keras_arguments(layer: _Dense) -> dict[str, Any]:
        """Keras's arguments for the shape of seqnet's Dense ``layer`` (its config and files)."""
        return {"units": layer.n_out, "use_bias": layer.use_bias}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.keras_arguments(self),
                "activation": self._keras["activation"] or "linear", **self._initializer_config()}


@variant_of(_Conv2D)
class Conv2D(KerasWeights, _Conv2D):
    """Keras's ``Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", activation=None, ...)``
    on seqnet's convolution (NHWC, ``data_format="channels_last"``)."""

    name_stem = "conv2d"
    _ndim = 4

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, name: str | None = None,
                 input_shape: Any = None, trainable: bool = True, dtype: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Conv2D", dict(activity_regularizer=activity_regularizer, **kwargs))
        if data_format not in (None, "channels_last"):
            raise ValueError(f"Conv2D: seqnet's images are channels_last (NHWC); received data_format={data_format!r}")
        if tuple(np.broadcast_to(dilation_rate, 2)) != (1, 1) or groups != 1:
            raise ValueError(f"Conv2D: seqnet convolves with dilation_rate=1 and groups=1; received "
                             f"dilation_rate={dilation_rate!r}, groups={groups!r}")
        super().__init__(filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
                         activation=keras_activation(activation), weight_init=_initializer(kernel_initializer),
                         name=name, use_bias=use_bias, bias_init=_bias_initializer(bias_initializer),
                         input_shape=input_shape)
        self._keras_edge(trainable, kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, activation=keras_name(activation))

    @property
    def filters(self) -> int:
        return self.n_out

    @classmethod
    def from_engine(cls, layer: _Conv2D) -> "Conv2D":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        return cls(layer.n_out, layer.kernel_shape, strides=layer.stride, padding=layer.padding,
                   **cls._engine_arguments(layer))

    @staticmethod
    def keras_arguments(layer: _Conv2D, padding: str | None = None) -> dict[str, Any]:
        """Keras's arguments for the shape of seqnet's Conv2D ``layer`` (its config and files), with
        Keras's ``padding`` (the layer's own unless given)."""
        return {"filters": layer.n_out, "kernel_size": tuple(layer.kernel_shape), "strides": (layer.stride,) * 2,
                "padding": padding or layer.padding, "data_format": "channels_last", "dilation_rate": (1, 1),
                "groups": 1, "use_bias": layer.use_bias}

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **self.keras_arguments(self),
                "activation": self._keras["activation"] or "linear", **self._initializer_config()}


@variant_of(_Activation)
class Activation(_Activation):
    """Keras's ``Activation(activation)``: Keras's names computed as Keras computes them (its
    ``"leaky_relu"`` has slope 0.2)."""

    def __init__(self, activation: Any, name: str | None = None, input_shape: Any = None, **kwargs: Any) -> None:
        _refuse_extras("Activation", {k: v for k, v in kwargs.items() if k not in ("trainable", "dtype")})
        super().__init__(keras_activation(activation), name, input_shape=input_shape)
        self._keras_activation = keras_name(activation)

    @classmethod
    def from_engine(cls, layer: _Activation) -> "Activation":
        """The Keras-face layer (not built) of seqnet's ``layer``, as a file gives it."""
        face = cls(activation_name(layer._activation_config()), name=layer.name)
        face.trainable = layer.trainable
        return face

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, "activation": self._keras_activation}


def face_layer(layer: Layer) -> Layer:
    """The Keras-face layer for seqnet's ``layer`` (as loaded from a file), not built: a new layer
    of this face's variant of its class (:data:`FACES`), a wrapper with its inner layers converted;
    other layers, which both faces share, as they are."""
    engine = type(layer)
    if engine is _Conv2D and layer.padding not in ("valid", "same"):
        return layer  # seqnet's own pad= has no Keras spelling
    if engine in FACES:
        return FACES[engine].from_engine(layer)
    if engine in (Bidirectional, TimeDistributed):
        wrapped = (Bidirectional(face_layer(layer.forward_layer), layer.merge_mode,
                                 backward_layer=face_layer(layer.backward_layer), name=layer.name)
                   if engine is Bidirectional else TimeDistributed(face_layer(layer.layer), name=layer.name))
        wrapped.trainable = layer.trainable
        return wrapped
    return layer


class Input(_Input):
    """Keras's ``Input(shape, batch_size=None, name=None, dtype=None)``: first in a Sequential, it
    builds the model for examples of ``shape``."""

    def __init__(self, shape: Any = None, batch_size: int | None = None, name: str | None = None, dtype: Any = None,
                 batch_shape: Any = None, **kwargs: Any) -> None:
        if shape is None and batch_shape is not None:
            shape = tuple(batch_shape)[1:]
        if shape is None:
            raise TypeError("Input: pass shape= (one example's shape, without the batch axis)")
        super().__init__(shape)
        self.batch_size, self.name, self.dtype = batch_size, name, dtype


InputLayer = Input

from ..layers import (AveragePooling1D, Bidirectional, GlobalAveragePooling1D, GlobalMaxPooling1D,  # noqa: E402
                      MaxPooling1D, TimeDistributed)
from .sequence_layers import GRU, LSTM, Conv1D, Embedding, LayerNormalization, SimpleRNN  # noqa: E402

__all__ = ["Input", "InputLayer", "Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "GlobalMaxPooling2D", "Flatten", "Reshape", "Dropout", "BatchNormalization", "Activation", "ReLU",
           "LeakyReLU", "Softmax", "ELU", "ZeroPadding2D", "Rescaling", "Normalization", "RandomFlip", "RandomTranslation",
           "RandomZoom", "RandomCrop", "Variable", "Embedding", "SimpleRNN", "LSTM", "GRU", "Conv1D",
           "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Bidirectional",
           "TimeDistributed", "LayerNormalization"]

#: the engine's layer class -> this face's variant of it, for every variant exported here
FACES = {cls.engine_class: cls for cls in (globals()[name] for name in __all__)
         if isinstance(cls, type) and "engine_class" in vars(cls)}


__getattr__ = missing(__name__)
