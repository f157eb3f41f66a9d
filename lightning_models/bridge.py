"""seqnet <-> PyTorch: equivalent modules with the weights copied exactly.

seqnet works on NHWC images and stores weights as ``(kh, kw, c_in, c_out)`` and ``(n_in, n_out)``;
PyTorch works on NCHW images with ``(c_out, c_in, kh, kw)`` and ``(out, in)``. The modules built
here take NCHW images. seqnet's ``Flatten`` flattens in ``(h, w, c)`` order, so it becomes
:class:`FlattenNHWC`; a plain ``nn.Flatten`` met by :func:`to_seqnet` instead has the next
``nn.Linear``'s input features reordered from ``(c, h, w)`` to ``(h, w, c)``. Sequences are
``(n, steps, features)`` on both sides; their layers' modules are
:mod:`lightning_models.sequence_modules`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

import seqnet
from seqnet import activations as A
from seqnet.layers import (Activation, BatchNorm, Conv2D, Dense, Dropout, Embedding, Flatten, GlobalAvgPool2D,
                           Layer, LayerNormalization, Pool2D, TimeDistributed)

from . import sequence_modules as S
from .sequence_modules import as_numpy, sequence_module


class FlattenNHWC(nn.Module):
    """Flatten NCHW feature maps in seqnet's (h, w, c) order."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x.flatten(1)


class GlobalAvgPool(nn.Module):
    """Mean over the spatial axes: ``(n, c, h, w)`` -> ``(n, c)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class ArcTan(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.atan(x)


def _activation_module(act: A.Activation, out_shape: tuple[int, ...] = ()) -> nn.Module | None:
    """The module of ``act`` on outputs of ``out_shape`` (a softmax is over the channels: axis 1 of
    an NCHW image, the last axis otherwise)."""
    if isinstance(act, A.Linear):
        return None
    table = {A.ReLU: lambda a: nn.ReLU(), A.Sigmoid: lambda a: nn.Sigmoid(), A.TanH: lambda a: nn.Tanh(),
             A.ArcTan: lambda a: ArcTan(), A.SoftMax: lambda a: nn.Softmax(dim=1 if len(out_shape) == 3 else -1),
             A.LeakyReLU: lambda a: nn.LeakyReLU(a.alpha), A.ELU: lambda a: nn.ELU(a.alpha)}
    return table[type(act)](act)


def _tensor(array: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype)


def to_torch(model: seqnet.Sequential) -> nn.Sequential:
    """An ``nn.Sequential`` computing what ``model`` computes, on NCHW input, with its weights.

    The module is float64 for a float64 model and float32 otherwise; its output equals
    ``model.predict`` (probabilities when the model ends in softmax).

    Raises
    ------
    ValueError
        If the model is not built or holds a layer with no PyTorch counterpart here.
    """
    if not model.built:
        raise ValueError("to_torch: build the model first (model.build(input_shape) or fit)")
    dtype = torch.float64 if model.dtype == np.float64 else torch.float32
    modules: list[nn.Module] = []
    shape = model.input_shape
    for layer, out_shape in zip(model.layers, model.output_shapes):
        modules += _layer_to_torch(layer, shape, out_shape[1:], dtype)
        shape = out_shape[1:]
    return nn.Sequential(*modules).to(dtype)


def _layer_to_torch(layer: Layer, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
                    dtype: torch.dtype) -> list[nn.Module]:
    p = {k: _tensor(v, dtype) for k, v in {**layer.parameters, **layer.buffers}.items()}
    pre: list[nn.Module] = []
    if isinstance(layer, (Conv2D, Pool2D)):  # Keras's "same" may pad one more at the bottom or right
        (t, b), (l, r) = layer.pads(in_shape)
        even = (t, l)
        if (b, r) != (t, l):
            fill = float("-inf") if isinstance(layer, Pool2D) and layer.mode == "max" else 0.0
            pre, even = [nn.ConstantPad2d((l, r, t, b), fill)], (0, 0)
            if isinstance(layer, Pool2D) and layer.mode == "average" and layer.padding == "same":
                raise ValueError(f"to_torch: average pooling {layer.name!r} with Keras's uneven 'same' padding "
                                 f"has no PyTorch counterpart (AvgPool2d pads evenly)")
    sequence = sequence_module(layer, in_shape, dtype)
    if sequence is not None:
        m: nn.Module = sequence
    elif isinstance(layer, TimeDistributed):
        if len(in_shape) != 2:
            raise ValueError(f"to_torch: TimeDistributed {layer.name!r} wraps a layer of images; the torch mirror "
                             f"takes TimeDistributed of layers on feature vectors (Dense)")
        m = S.TimeDistributed(nn.Sequential(*_layer_to_torch(layer.layer, in_shape[1:], out_shape[1:], dtype)), layer)
    elif isinstance(layer, Dense):
        m = nn.Linear(layer.n_in, layer.n_out, bias=layer.use_bias, dtype=dtype)  # no rounding
        with torch.no_grad():
            m.weight.copy_(p["W"].T)
            if layer.use_bias:
                m.bias.copy_(p["b"][0])
    elif isinstance(layer, Conv2D):
        kh, kw = layer.kernel_shape
        m = nn.Conv2d(layer.n_in, layer.n_out, (kh, kw), stride=layer.stride, padding=even, bias=layer.use_bias,
                      dtype=dtype)
        with torch.no_grad():
            m.weight.copy_(p["W"].permute(3, 2, 0, 1))
            if layer.use_bias:
                m.bias.copy_(p["b"][0])
    elif isinstance(layer, Pool2D):
        if layer.mode == "max":
            m = nn.MaxPool2d(layer.kernel_shape, layer.stride, even)
        else:
            m = nn.AvgPool2d(layer.kernel_shape, layer.stride, even, count_include_pad=layer.padding != "same")
    elif isinstance(layer, GlobalAvgPool2D):
        m = GlobalAvgPool()
    elif isinstance(layer, Flatten):
        m = FlattenNHWC()
    elif isinstance(layer, Dropout):
        m = nn.Dropout(layer.rate)
    elif isinstance(layer, BatchNorm):
        c = in_shape[-1]
        # (BatchNormalization's Keras momentum is how much the statistics keep: torch's is the rest)
        m = (nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d)(c, eps=layer.eps, dtype=dtype,
                                                                        momentum=layer._update_fraction())
        with torch.no_grad():
            m.weight.copy_(p.get("gamma", torch.ones(c)))
            m.bias.copy_(p.get("beta", torch.zeros(c)))
            m.running_mean.copy_(p["running_mean"])
            m.running_var.copy_(p["running_var"])
    elif isinstance(layer, Activation):
        m = _activation_module(layer.activation, out_shape) or nn.Identity()
        return [m]
    else:
        raise ValueError(f"to_torch: no PyTorch counterpart for layer {layer.name!r} ({type(layer).__name__})")
    if not layer.trainable:
        m.requires_grad_(False)
    act = _activation_module(layer.activation, out_shape)
    return pre + [m] + ([act] if act is not None else [])


_ACTIVATIONS = {nn.ReLU: lambda m: "relu", nn.Sigmoid: lambda m: "sigmoid", nn.Tanh: lambda m: "tanh",
                ArcTan: lambda m: "arctan", nn.Softmax: lambda m: "softmax",
                nn.LeakyReLU: lambda m: {"class_name": "leaky_relu", "config": {"alpha": m.negative_slope}},
                nn.ELU: lambda m: {"class_name": "elu", "config": {"alpha": m.alpha}}}


def to_seqnet(module: nn.Module, input_shape: tuple[int, ...], dtype: str = "float32",
              seed: int | None = None) -> seqnet.Sequential:
    """A seqnet ``Sequential`` equivalent to an ``nn.Sequential`` (weights copied).

    Parameters
    ----------
    module : nn.Sequential
        Made of Linear, Conv2d, MaxPool2d, AvgPool2d, BatchNorm1d/2d, Dropout, Flatten (or this
        module's FlattenNHWC / GlobalAvgPool), nn.Embedding, nn.LayerNorm, the modules of
        :mod:`lightning_models.sequence_modules` (what :func:`to_torch` makes of the sequence layers)
        and ReLU, Sigmoid, Tanh, LeakyReLU, ELU, Softmax activations. An activation right after a
        Linear, Conv2d or Conv1D is fused into that layer.
    input_shape : tuple of int
        One example's shape as seqnet sees it: ``(h, w, c)`` for images, ``(features,)`` otherwise.

    Raises
    ------
    ValueError
        Naming the first module that has no seqnet counterpart.
    """
    children = list(module.children()) if isinstance(module, nn.Sequential) else [module]
    layers: list[Layer] = []
    copies: list[Any] = []  # (seqnet layer, function filling its weights) once built
    shape = tuple(input_shape)
    pending_chw: tuple[int, int, int] | None = None  # set after an nn.Flatten of image features
    i = 0
    while i < len(children):
        m = children[i]
        nxt = children[i + 1] if i + 1 < len(children) else None
        act = _ACTIVATIONS[type(nxt)](nxt) if type(nxt) in _ACTIVATIONS else "linear"
        fused = act != "linear"
        if isinstance(m, nn.Linear):
            layer: Layer = Dense(m.out_features, activation=act, use_bias=m.bias is not None)
            W = as_numpy(m.weight).T
            if pending_chw is not None:  # torch flattened (c, h, w); seqnet flattens (h, w, c)
                c, h, w = pending_chw
                W = W.reshape(c, h, w, -1).transpose(1, 2, 0, 3).reshape(c * h * w, -1)
                pending_chw = None
            copies.append((layer, {"W": W, **({"b": as_numpy(m.bias)[None]} if m.bias is not None else {})}))
        elif isinstance(m, nn.Conv2d):
            if m.groups != 1 or m.dilation != (1, 1) or isinstance(m.padding, str) or m.stride[0] != m.stride[1]:
                raise ValueError(f"to_seqnet: unsupported Conv2d settings in {m} (groups, dilation, string "
                                 f"padding or unequal strides)")
            layer = Conv2D(m.out_channels, m.kernel_size, activation=act, stride=m.stride[0], pad=tuple(m.padding),
                           use_bias=m.bias is not None)
            copies.append((layer, {"W": as_numpy(m.weight).transpose(2, 3, 1, 0),
                                   **({"b": as_numpy(m.bias)[None]} if m.bias is not None else {})}))
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
            stride = m.stride if isinstance(m.stride, int) else m.stride[0]
            pad = m.padding if isinstance(m.padding, int) else tuple(m.padding)
            if isinstance(m, nn.AvgPool2d) and not m.count_include_pad and pad not in (0, (0, 0)):
                raise ValueError("to_seqnet: AvgPool2d with count_include_pad=False has no seqnet counterpart")
            if getattr(m, "ceil_mode", False) or getattr(m, "dilation", 1) not in (1, (1, 1)):
                raise ValueError(f"to_seqnet: unsupported pooling settings in {m} (ceil_mode or dilation)")
            layer, fused = Pool2D(k, "max" if isinstance(m, nn.MaxPool2d) else "average", stride, pad), False
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layer, fused = BatchNorm(momentum=m.momentum, eps=m.eps), False
            copies.append((layer, {"gamma": as_numpy(m.weight), "beta": as_numpy(m.bias),
                                   "running_mean": as_numpy(m.running_mean), "running_var": as_numpy(m.running_var)}))
        elif isinstance(m, nn.Dropout):
            layer, fused = Dropout(m.p), False
        elif isinstance(m, FlattenNHWC):
            layer, fused = Flatten(), False
        elif isinstance(m, nn.Flatten):
            layer, fused = Flatten(), False
            if len(shape) == 3:
                pending_chw = (shape[2], shape[0], shape[1])
        elif isinstance(m, GlobalAvgPool):
            layer, fused = GlobalAvgPool2D(), False
        elif type(m) in _ACTIVATIONS:
            layer, fused = Activation(_ACTIVATIONS[type(m)](m)), False
        elif isinstance(m, S.Conv1D):
            layer, weights = m.to_seqnet(act)
            copies.append((layer, weights))
        elif isinstance(m, S.TimeDistributed):
            inner = to_seqnet(m.inner, m.step_shape, dtype).layers
            if len(inner) != 1:
                raise ValueError(f"to_seqnet: TimeDistributed of {len(inner)} seqnet layers; it wraps one")
            layer, fused = TimeDistributed(type(inner[0]).from_config(inner[0].get_config())), False
            copies.append((layer, dict(inner[0].parameters)))
        elif hasattr(m, "to_seqnet"):  # the other modules of lightning_models.sequence_modules
            (layer, weights), fused = m.to_seqnet(), False
            copies.append((layer, weights))
        elif isinstance(m, nn.Embedding):
            layer, fused = Embedding(m.num_embeddings, m.embedding_dim), False
            copies.append((layer, {"W": as_numpy(m.weight)}))
        elif isinstance(m, nn.LayerNorm) and len(m.normalized_shape) == 1:
            scale, center = m.weight is not None, m.bias is not None
            layer, fused = LayerNormalization(m.eps, center, scale), False
            copies.append((layer, {**({"gamma": as_numpy(m.weight)} if scale else {}),
                                   **({"beta": as_numpy(m.bias)} if center else {})}))
        elif isinstance(m, nn.Identity):
            i += 1
            continue
        else:
            raise ValueError(f"to_seqnet: no seqnet counterpart for torch layer {type(m).__name__} ({m})")
        layers.append(layer)
        shape = layer.compute_output_shape(shape)
        i += 2 if fused else 1
    model = seqnet.Sequential(layers, seed=seed, dtype=dtype)
    model.build(tuple(input_shape))
    for layer, weights in copies:
        for key, value in weights.items():
            target = layer.parameters[key] if key in layer.parameters else layer.buffers[key]
            target[...] = value
    return model


def copy_to_seqnet(module: nn.Module, model: seqnet.Sequential) -> seqnet.Sequential:
    """Copy the weights of ``module`` (as made by :func:`to_torch` from ``model``) back into ``model``."""
    model.set_weights(to_seqnet(module, model.input_shape, dtype=np.dtype(model.dtype).name).get_weights())
    return model
