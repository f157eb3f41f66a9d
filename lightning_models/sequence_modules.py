"""The sequence layers as torch modules for the bridge (:mod:`lightning_models.bridge`).

Sequences stay ``(n, steps, features)`` in torch, as in seqnet (``batch_first``); the modules
that need the channels first (Conv1D, the 1-D poolings) transpose inside. The recurrent layers
run on torch's own ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (cuDNN on a GPU), with the weights reordered:
Keras's LSTM gates ``i, f, c, o`` are torch's ``i, f, g, o``; Keras's GRU gates ``z, r, h`` are
torch's ``r, z, n``, and torch's GRU is Keras's ``reset_after=True``. torch keeps two biases where
Keras's LSTM and SimpleRNN keep one: the recurrent one is held at zero (not trained), so both
libraries train the same parameters.

Each module can say which seqnet layer it is (``to_seqnet()``: the layer, unbuilt, and its
weights), which is how :func:`~lightning_models.bridge.to_seqnet` brings them back.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqnet import activations as A
from seqnet import layers as L

#: seqnet's (Keras's) gate blocks in torch's order
_GATE_ORDER = {"simple_rnn": [0], "lstm": [0, 1, 2, 3], "gru": [1, 0, 2]}
_MODULES = {"simple_rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def as_numpy(t: torch.Tensor) -> np.ndarray:
    """A float64 numpy copy of ``t`` (on the CPU)."""
    return t.detach().cpu().double().numpy()


def _reorder(M: np.ndarray, units: int, order: list[int]) -> np.ndarray:
    """The gate blocks of the last axis of ``M`` put in ``order`` (its own inverse for the orders here)."""
    return M.reshape(*M.shape[:-1], -1, units)[..., order, :].reshape(M.shape)


class Recurrent(nn.Module):
    """A seqnet SimpleRNN, LSTM or GRU (Keras's semantics) on torch's recurrent module."""

    def __init__(self, layer: L.Recurrent, dtype: torch.dtype) -> None:
        super().__init__()
        kind = layer.kind
        default = (A.TanH, A.Sigmoid)
        acts = (type(layer.cell_activation), type(layer.recurrent_activation))
        if kind == "simple_rnn" and acts[0] in (A.TanH, A.ReLU):
            options: dict[str, Any] = {"nonlinearity": "tanh" if acts[0] is A.TanH else "relu"}
        elif kind != "simple_rnn" and acts == default and getattr(layer, "reset_after", True):
            options = {}
        else:
            raise ValueError(f"to_torch: {type(layer).__name__} {layer.name!r} has no torch counterpart with these "
                             f"settings (torch's recurrent modules use tanh and sigmoid, and its GRU is Keras's "
                             f"reset_after=True)")
        self.config, self.kind, self.units = layer.get_config(), kind, layer.units
        self.return_sequences, self.go_backwards = layer.return_sequences, layer.go_backwards
        self.rnn = _MODULES[kind](layer.n_in, layer.units, batch_first=True, bias=layer.use_bias, dtype=dtype,
                                  **options)
        order, p = _GATE_ORDER[kind], layer.parameters
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(_reorder(p["W"], self.units, order).T.copy()))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(_reorder(p["U"], self.units, order).T.copy()))
            if layer.use_bias:
                b = _reorder(np.atleast_2d(p["b"]), self.units, order)
                self.rnn.bias_ih_l0.copy_(torch.from_numpy(b[0].copy()))
                if len(b) == 2:
                    self.rnn.bias_hh_l0.copy_(torch.from_numpy(b[1].copy()))
                else:
                    self.rnn.bias_hh_l0.zero_()
        if layer.use_bias and kind != "gru":  # Keras's one bias: torch's recurrent one stays zero
            self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rnn(x.flip(1) if self.go_backwards else x)
        return y if self.return_sequences else y[:, -1]

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        order = _GATE_ORDER[self.kind]
        weights = {"W": _reorder(as_numpy(self.rnn.weight_ih_l0).T, self.units, order),
                   "U": _reorder(as_numpy(self.rnn.weight_hh_l0).T, self.units, order)}
        if self.config["use_bias"]:
            b_in, b_rec = (_reorder(as_numpy(b), self.units, order) for b in (self.rnn.bias_ih_l0, self.rnn.bias_hh_l0))
            weights["b"] = np.stack([b_in, b_rec]) if self.kind == "gru" else b_in + b_rec
        return L.layers.get({"class_name": self.kind, "config": self.config}), weights


class Bidirectional(nn.Module):
    """Two :class:`Recurrent` modules, the backward one's outputs put back in the input's order."""

    def __init__(self, layer: L.Bidirectional, dtype: torch.dtype) -> None:
        super().__init__()
        self.forward_layer = Recurrent(layer.forward_layer, dtype)
        self.backward_layer = Recurrent(layer.backward_layer, dtype)
        self.merge_mode, self.name = layer.merge_mode, layer.name

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f, b = self.forward_layer(x), self.backward_layer(x)
        if self.backward_layer.return_sequences:
            b = b.flip(1)
        if self.merge_mode == "concat":
            return torch.cat([f, b], dim=-1)
        return {"sum": f + b, "ave": (f + b) / 2, "mul": f * b}[self.merge_mode]

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        (forward, f), (backward, b) = self.forward_layer.to_seqnet(), self.backward_layer.to_seqnet()
        layer = L.Bidirectional(forward, self.merge_mode, backward_layer=backward, name=self.name)
        return layer, {**{f"forward_{k}": v for k, v in f.items()}, **{f"backward_{k}": v for k, v in b.items()}}


class Conv1D(nn.Module):
    """seqnet's Conv1D on ``(n, steps, c)``: Keras's "same" and "causal" paddings, dilation."""

    def __init__(self, layer: L.Conv1D, in_shape: tuple[int, ...], dtype: torch.dtype) -> None:
        super().__init__()
        self.config, self.pads = layer.get_config(), layer.pads(in_shape[0])  # (the activation follows it)
        self.conv = nn.Conv1d(layer.n_in, layer.filters, layer.kernel_size, layer.strides,
                              dilation=layer.dilation_rate, bias=layer.use_bias, dtype=dtype)
        with torch.no_grad():
            self.conv.weight.copy_(torch.from_numpy(layer.parameters["W"].transpose(2, 1, 0).copy()))
            if layer.use_bias:
                self.conv.bias.copy_(torch.from_numpy(layer.parameters["b"][0].copy()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x.transpose(1, 2), self.pads)).transpose(1, 2)

    def to_seqnet(self, activation: Any = "linear") -> tuple[L.Layer, dict[str, np.ndarray]]:
        """The Conv1D layer, with ``activation`` (that of the module after this one, fused)."""
        weights = {"W": as_numpy(self.conv.weight).transpose(2, 1, 0)}
        if self.conv.bias is not None:
            weights["b"] = as_numpy(self.conv.bias)[None]
        return L.Conv1D.from_config({**self.config, "activation": activation}), weights


class Pool1D(nn.Module):
    """MaxPooling1D or AveragePooling1D on ``(n, steps, c)`` (Keras's "same" leaves the padding
    out of an average's count)."""

    def __init__(self, layer: Any, in_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.layer_class, self.config = type(layer), layer.get_config()
        self.size, self.strides = layer.pool_size, layer.strides
        self.pads = layer.rows.pads((1, *in_shape))[1]
        self.max = isinstance(layer, L.MaxPooling1D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)
        if self.max:
            return F.max_pool1d(F.pad(x, self.pads, value=float("-inf")), self.size, self.strides).transpose(1, 2)
        sums = F.avg_pool1d(F.pad(x, self.pads), self.size, self.strides) * self.size
        counts = F.avg_pool1d(F.pad(torch.ones_like(x[:1, :1]), self.pads), self.size, self.strides) * self.size
        return (sums / counts).transpose(1, 2)

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        return self.layer_class.from_config(self.config), {}


class GlobalPool1D(nn.Module):
    """GlobalAveragePooling1D or GlobalMaxPooling1D: the mean or maximum over the steps."""

    def __init__(self, layer: Any) -> None:
        super().__init__()
        self.layer_class, self.config, self.keepdims = type(layer), layer.get_config(), layer.keepdims
        self.max = isinstance(layer, L.GlobalMaxPooling1D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=1, keepdim=self.keepdims) if self.max else x.mean(dim=1, keepdim=self.keepdims)

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        return self.layer_class.from_config(self.config), {}


class Embedding(nn.Embedding):
    """``nn.Embedding`` that remembers seqnet's settings (its initializer's name)."""

    def __init__(self, layer: L.Embedding, dtype: torch.dtype) -> None:
        if layer.mask_zero:
            raise ValueError(f"to_torch: Embedding {layer.name!r} has mask_zero=True, and the torch mirror does not "
                             f"carry masks of padded steps; use mask_zero=False")
        super().__init__(layer.input_dim, layer.output_dim, dtype=dtype)
        self.config = layer.get_config()
        with torch.no_grad():
            self.weight.copy_(torch.from_numpy(layer.parameters["W"].copy()))

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        return L.Embedding.from_config(self.config), {"W": as_numpy(self.weight)}


class LayerNormalization(nn.LayerNorm):
    """``nn.LayerNorm`` over the last axis, with seqnet's ``center`` and ``scale``."""

    def __init__(self, layer: L.LayerNormalization, in_shape: tuple[int, ...], dtype: torch.dtype) -> None:
        if layer.center and not layer.scale:
            raise ValueError(f"to_torch: LayerNormalization {layer.name!r} with center=True and scale=False has no "
                             f"torch counterpart (nn.LayerNorm learns a shift only beside a scale)")
        super().__init__(in_shape[-1], eps=layer.eps, elementwise_affine=layer.scale, bias=layer.center, dtype=dtype)
        self.config = layer.get_config()
        with torch.no_grad():
            for key, target in (("gamma", self.weight), ("beta", self.bias)):
                if key in layer.parameters:
                    target.copy_(torch.from_numpy(layer.parameters[key].copy()))

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        weights = {key: as_numpy(t) for key, t in (("gamma", self.weight), ("beta", self.bias)) if t is not None}
        return L.LayerNormalization.from_config(self.config), weights


class Reshape(nn.Module):
    """seqnet's Reshape of channels-last examples: an image comes in (and goes out) NCHW."""

    def __init__(self, target_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.target_shape = tuple(target_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1) if x.dim() == 4 else x
        x = x.reshape(len(x), *self.target_shape)
        return x.permute(0, 3, 1, 2) if x.dim() == 4 else x

    def to_seqnet(self) -> tuple[L.Layer, dict[str, np.ndarray]]:
        return L.Reshape(self.target_shape), {}


class TimeDistributed(nn.Module):
    """A module applied to every step of ``(n, steps, features)`` (what seqnet's
    ``TimeDistributed`` of a layer on feature vectors computes)."""

    def __init__(self, inner: nn.Module, layer: L.TimeDistributed) -> None:
        super().__init__()
        self.inner, self.config, self.step_shape = inner, layer.get_config(), layer.input_shape[1:]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.inner(x.reshape(-1, *x.shape[2:]))
        return y.reshape(*x.shape[:2], *y.shape[1:])


def sequence_module(layer: L.Layer, in_shape: tuple[int, ...], dtype: torch.dtype) -> nn.Module | None:
    """The torch module of a seqnet sequence layer (None for a layer that is not one)."""
    if isinstance(layer, L.Recurrent):
        return Recurrent(layer, dtype)
    if isinstance(layer, L.Bidirectional):
        return Bidirectional(layer, dtype)
    if isinstance(layer, L.Conv1D):
        return Conv1D(layer, in_shape, dtype)
    if isinstance(layer, (L.MaxPooling1D, L.AveragePooling1D)):
        return Pool1D(layer, in_shape)
    if isinstance(layer, (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D)):
        return GlobalPool1D(layer)
    if isinstance(layer, L.Embedding):
        return Embedding(layer, dtype)
    if isinstance(layer, L.LayerNormalization):
        return LayerNormalization(layer, in_shape, dtype)
    if isinstance(layer, L.Reshape):
        return Reshape(layer.target_shape)
    return None
