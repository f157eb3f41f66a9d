"""Layers around layers: Bidirectional (a recurrent layer both ways) and TimeDistributed (a layer at every step).

A wrapper's ``parameters`` and ``gradients`` are its inner layers' own arrays (the optimizer's
in-place updates reach them), under the inner names, prefixed ``forward_``/``backward_`` for
Bidirectional, as Keras orders them.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from .._registry import serialize
from .base import Layer, layers, register

MERGE_MODES = ("concat", "sum", "mul", "ave")


def _inner(layer: Any, wrapper: str) -> Layer:
    inner = layers.get(layer)
    if not isinstance(inner, Layer):
        raise TypeError(f"{wrapper} wraps a layer, got {type(layer).__name__}")
    return inner


class _Wrapper(Layer):
    """Keeps the inner layers' mode, input gradient and dtype in step with the wrapper's."""

    def _inner_layers(self) -> list[Layer]:
        """The wrapped layers, in the order of their weights."""
        return []

    def _link(self) -> None:
        """``parameters``/``gradients``/``buffers``: the inner layers' arrays themselves."""
        prefixes = self._prefixes()
        for store in ("parameters", "gradients", "buffers"):
            setattr(self, store, OrderedDict((prefix + key, value) for prefix, inner in zip(prefixes,
                                             self._inner_layers()) for key, value in getattr(inner, store).items()))

    def _prefixes(self) -> list[str]:
        return [""]

    def build(self, input_shape, rng=None, dtype=None):
        super().build(input_shape, rng, dtype)
        self._link()

    def adopt(self, input_shape, dtype):
        super().adopt(input_shape, dtype)
        for inner in self._inner_layers():
            inner.adopt(inner.input_shape, dtype)
        self._link()

    def get_weights(self) -> list[np.ndarray]:
        """The inner layers' weights, each layer's as it hands them out (a Keras-face layer's in
        Keras's shapes)."""
        return [w for inner in self._inner_layers() for w in inner.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        weights, counts = list(weights), [len(inner.get_weights()) for inner in self._inner_layers()]
        if len(weights) != sum(counts):
            raise ValueError(f"{type(self).__name__} {self.name!r} has {sum(counts)} weight arrays, got {len(weights)}")
        for inner, count in zip(self._inner_layers(), counts):
            inner.set_weights(weights[:count])
            weights = weights[count:]

    @property
    def weights(self) -> list[np.ndarray]:
        return [w for inner in self._inner_layers() for w in inner.weights]

    def _prepare(self) -> None:
        for inner in self._inner_layers():
            inner.training, inner.need_input_gradient = self.training, self.need_input_gradient

    def clear_cache(self):
        super().clear_cache()
        for inner in self._inner_layers():
            inner.clear_cache()


@register("bidirectional")
class Bidirectional(_Wrapper):
    """A recurrent layer run forwards and a copy of it backwards, their outputs merged.

    Parameters
    ----------
    layer : Recurrent layer (SimpleRNN, LSTM, GRU), config or name
        The forward layer; the backward one is built from its config with ``go_backwards``
        flipped (or pass ``backward_layer``).
    merge_mode : {"concat", "sum", "mul", "ave"}, default "concat"
    backward_layer : layer, optional

    With ``return_sequences``, the backward layer's outputs are put back in the input's order
    before merging, as Keras does. A mask of padded steps reaches both layers; with
    ``return_sequences`` their outputs at masked steps are zeros (Keras's ``zero_output_for_mask``).
    """

    supports_masking = True

    def __init__(self, layer: Any, merge_mode: str = "concat", backward_layer: Any = None,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        forward = _inner(layer, "Bidirectional")
        if not hasattr(forward, "go_backwards"):
            raise ValueError(f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU), got "
                             f"{type(forward).__name__}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {', '.join(MERGE_MODES)}, got {merge_mode!r}")
        config = forward.get_config()
        if backward_layer is None:
            backward = type(forward).from_config({**config, "go_backwards": not forward.go_backwards,
                                                  "name": f"backward_{config['name'] or forward.default_name}"})
        else:
            backward = _inner(backward_layer, "Bidirectional")
            if backward.return_sequences != forward.return_sequences:
                raise ValueError("Bidirectional: the forward and backward layers must agree on return_sequences")
        if forward.name is None:
            forward.name = f"forward_{forward.default_name}"
        self.forward_layer, self.backward_layer, self.merge_mode = forward, backward, merge_mode
        self.return_sequences = forward.return_sequences
        for inner in (forward, backward):  # masked steps output zeros in both directions, as Keras's
            inner.zero_output_for_mask = self.return_sequences

    def _inner_layers(self):
        return [self.forward_layer, self.backward_layer]

    def _prefixes(self):
        return ["forward_", "backward_"]

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        return (*shape[:-1], 2 * shape[-1]) if self.merge_mode == "concat" else shape

    def weight_shapes(self, input_shape):
        return {f"{prefix}{key}": shape for prefix, inner in zip(self._prefixes(), self._inner_layers())
                for key, shape in inner.weight_shapes(input_shape).items()}

    def _build(self, input_shape):
        for inner in self._inner_layers():
            inner.build(input_shape, rng=self.rng, dtype=self.dtype)

    def _check_input(self, X):
        self.forward_layer._check_input(X)

    def _forward(self, X):
        self._prepare()
        ys = []
        for inner in self._inner_layers():
            inner.input_mask = self.input_mask
            ys.append(inner.forward(X))
        f, b = ys
        if self.return_sequences:
            b = b[:, ::-1]  # back in the input's order
        self.cache["outputs"] = (f, b)
        if self.merge_mode == "concat":
            return np.concatenate([f, b], axis=-1)
        if self.merge_mode == "sum":
            return f + b
        if self.merge_mode == "ave":
            return (f + b) / 2
        return f * b

    def _backward(self, dZ):
        f, b = self.cache["outputs"]
        if self.merge_mode == "concat":
            df, db = dZ[..., :f.shape[-1]], dZ[..., f.shape[-1]:]
        elif self.merge_mode == "sum":
            df = db = dZ
        elif self.merge_mode == "ave":
            df = db = dZ / 2
        else:
            df, db = dZ * b, dZ * f
        if self.return_sequences:
            db = db[:, ::-1]
        dX_f = self.forward_layer.backward(np.ascontiguousarray(df))
        dX_b = self.backward_layer.backward(np.ascontiguousarray(db))
        return None if dX_f is None else dX_f + dX_b

    def compute_mask(self, mask):
        return mask if self.return_sequences else None

    def get_config(self):
        return {"layer": serialize(self.forward_layer), "merge_mode": self.merge_mode,
                "backward_layer": serialize(self.backward_layer), **super().get_config()}


@register("time_distributed")
class TimeDistributed(_Wrapper):
    """A layer applied to every step on its own: ``(n, steps, ...)`` -> ``(n, steps, ...)``, the
    same weights at every step (a Dense, a Conv2D on each frame)."""

    supports_masking = True

    def __init__(self, layer: Any, name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.layer = _inner(layer, "TimeDistributed")

    def _inner_layers(self):
        return [self.layer]

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"TimeDistributed {self.name!r} expects input of shape (batch, steps, ...), got "
                             f"{(None, *input_shape)}")
        return (input_shape[0], *self.layer.compute_output_shape(input_shape[1:]))

    def weight_shapes(self, input_shape):
        return self.layer.weight_shapes(input_shape[1:])

    def _build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.layer.build(input_shape[1:], rng=self.rng, dtype=self.dtype)

    def _check_input(self, X):
        if X.ndim < 3:
            raise ValueError(f"TimeDistributed {self.name!r} expects input of shape (batch, steps, ...), got {X.shape}")
        self.layer._check_input(X[:1, 0])

    def _forward(self, X):
        self._prepare()
        n, T = X.shape[:2]
        Y = self.layer.forward(X.reshape(n * T, *X.shape[2:]))
        return Y.reshape(n, T, *Y.shape[1:])

    def _backward(self, dZ):
        n, T = dZ.shape[:2]
        dX = self.layer.backward(dZ.reshape(n * T, *dZ.shape[2:]))
        return None if dX is None else dX.reshape(n, T, *dX.shape[1:])

    def get_config(self):
        return {"layer": serialize(self.layer), **super().get_config()}
