"""Exporting a model to ONNX, for inference in onnxruntime and the rest of the deployed world.

The graph takes ``input``, float32 NHWC images (or feature rows) with a dynamic batch size, and
gives ``output``. ONNX's convolutions and poolings work on NCHW, so the graph transposes once
before the first of them and back only where seqnet's channels-last order matters: before a
Flatten or Reshape (so that features come out in seqnet's order) and at the end. Padding is ONNX's
``[top, left, bottom, right]``; average pooling counts the padding as seqnet does
(``count_include_pad``); BatchNorm is its inference form, Dropout the identity. Needs the optional
``onnx`` package (``pip install "seqnet[onnx]"``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import activations as A
from .. import layers as L
from .._formats import FileFormat, ModelFileError
from .._version import __version__
from .._files import atomic_write

OPSET = 13
_ELEMENTWISE = {A.ReLU: "Relu", A.Sigmoid: "Sigmoid", A.TanH: "Tanh", A.ArcTan: "Atan"}


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ModelFileError('exporting to ONNX needs the onnx package: pip install "seqnet[onnx]" '
                             '(or pip install onnx)') from None
    return onnx


class _Graph:
    """The nodes and constants of the graph being built, and the layout of the current tensor."""

    def __init__(self, onnx: Any, rank: int) -> None:
        self.onnx, self.helper = onnx, onnx.helper
        self.nodes: list[Any] = []
        self.constants: list[Any] = []
        self.tensor, self.nchw, self.rank = "input", False, rank
        self.count = 0

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, hint: str, value: np.ndarray, dtype: Any = np.float32) -> str:
        name = self.fresh(hint)
        self.constants.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), name))
        return name

    def node(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        out = self.fresh(hint)
        self.nodes.append(self.helper.make_node(op, [self.tensor, *inputs], [out], name=out, **attrs))
        self.tensor = out
        return out

    def to_nchw(self, hint: str) -> None:
        if self.rank == 4 and not self.nchw:
            self.node("Transpose", [], f"{hint}_to_nchw", perm=[0, 3, 1, 2])
            self.nchw = True

    def to_nhwc(self, hint: str) -> None:
        if self.rank == 4 and self.nchw:
            self.node("Transpose", [], f"{hint}_to_nhwc", perm=[0, 2, 3, 1])
            self.nchw = False

    def activation(self, act: A.Activation, hint: str) -> None:
        if isinstance(act, A.Linear):
            return
        if type(act) in _ELEMENTWISE:
            self.node(_ELEMENTWISE[type(act)], [], hint)
        elif isinstance(act, A.LeakyReLU):
            self.node("LeakyRelu", [], hint, alpha=act.alpha)
        elif isinstance(act, A.ELU):
            self.node("Elu", [], hint, alpha=act.alpha)
        elif isinstance(act, A.SoftMax):  # over the channels: axis 1 in NCHW, the last axis otherwise
            self.node("Softmax", [], hint, axis=1 if self.nchw else -1)
        else:
            raise ModelFileError(f"ONNX export: no ONNX counterpart for the activation {type(act).__name__} "
                                 f"({hint})")


def _layer(g: _Graph, layer: L.Layer, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
    p, name = layer.parameters, layer.name
    if isinstance(layer, L.Dense):
        W = g.constant(f"{name}_W", p["W"])
        if layer.use_bias:
            g.node("Gemm", [W, g.constant(f"{name}_b", p["b"][0])], name)
        else:
            g.node("MatMul", [W], name)
    elif isinstance(layer, (L.Conv2D, L.Pool2D)):
        g.to_nchw(name)
        (t, b), (l, r) = layer.pads(in_shape)
        window = {"kernel_shape": list(layer.kernel_shape), "strides": [layer.stride] * 2, "pads": [t, l, b, r]}
        if isinstance(layer, L.Conv2D):
            W = g.constant(f"{name}_W", p["W"].transpose(3, 2, 0, 1))
            bias = [g.constant(f"{name}_b", p["b"][0])] if layer.use_bias else []
            g.node("Conv", [W, *bias], name, **window)
        elif layer.mode == "max":
            g.node("MaxPool", [], name, **window)
        else:  # seqnet's pad= counts the zeros in each window; Keras's padding="same" does not
            g.node("AveragePool", [], name, count_include_pad=int(layer.padding != "same"), **window)
    elif isinstance(layer, (L.GlobalAvgPool2D, L.GlobalMaxPooling2D)):
        g.to_nchw(name)
        g.node("GlobalAveragePool" if isinstance(layer, L.GlobalAvgPool2D) else "GlobalMaxPool", [], name)
        g.node("Flatten", [], f"{name}_flatten", axis=1)
    elif isinstance(layer, L.BatchNorm):
        g.to_nchw(name)
        gamma, beta = layer._scale_shift()
        g.node("BatchNormalization", [g.constant(f"{name}_gamma", gamma), g.constant(f"{name}_beta", beta),
                                      g.constant(f"{name}_mean", layer.buffers["running_mean"]),
                                      g.constant(f"{name}_var", layer.buffers["running_var"])], name,
               epsilon=layer.eps)
    elif isinstance(layer, L.Flatten):
        g.to_nhwc(name)
        g.node("Flatten", [], name, axis=1)
    elif isinstance(layer, L.Reshape):
        g.to_nhwc(name)
        g.node("Reshape", [g.constant(f"{name}_shape", np.array([0, *layer.target_shape]), np.int64)], name)
    elif isinstance(layer, L.ZeroPadding2D):
        g.to_nchw(name)
        (t, b), (l, r) = layer.padding
        g.node("Pad", [g.constant(f"{name}_pads", np.array([0, 0, t, l, 0, 0, b, r]), np.int64)], name,
               mode="constant")
    elif isinstance(layer, L.Dropout):
        pass  # the identity at inference
    elif not isinstance(layer, L.Activation):
        raise ModelFileError(f"ONNX export: no ONNX counterpart for layer {name!r} ({type(layer).__name__})")
    g.rank = 1 + len(out_shape)
    g.nchw = g.nchw and g.rank == 4  # a flattened tensor has no channel axis to put first
    g.activation(layer.activation, f"{name}_{layer.activation.registered_name}")


def to_onnx(model: Any) -> Any:
    """The ``onnx.ModelProto`` of a built model (float32, NHWC input, dynamic batch)."""
    onnx = _onnx()
    if not model.built:
        raise ModelFileError(f"ONNX export: build {model.name!r} first (model.build(input_shape), fit, or an Input)")
    helper = onnx.helper
    g = _Graph(onnx, 1 + len(model.input_shape))
    shape = tuple(model.input_shape)
    for layer, out in zip(model.layers, model.output_shapes):
        _layer(g, layer, shape, tuple(out[1:]))
        shape = tuple(out[1:])
    g.to_nhwc("output")
    g.nodes.append(helper.make_node("Identity", [g.tensor], ["output"], name="output"))
    float32 = onnx.TensorProto.FLOAT
    graph = helper.make_graph(g.nodes, model.name, [helper.make_tensor_value_info("input", float32,
                                                                                  ["batch", *model.input_shape])],
                              [helper.make_tensor_value_info("output", float32, ["batch", *shape])],
                              initializer=g.constants)
    proto = helper.make_model(graph, producer_name="seqnet", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = 8  # what onnxruntime 1.10 and later read
    onnx.checker.check_model(proto, full_check=True)
    return proto


class Onnx(FileFormat):
    """ONNX, for export: seqnet does not read ONNX files back (keep the ``.h5`` or ``.keras`` beside it)."""

    name = "onnx"
    extensions = (".onnx",)

    def recognizes(self, head: bytes, path: Path) -> bool:
        return Path(path).suffix.lower() == ".onnx"  # a protobuf has no signature to tell it by

    def save(self, model: Any, path: Path) -> None:
        proto = to_onnx(model)
        atomic_write(path, lambda tmp: Path(tmp).write_bytes(proto.SerializeToString()))

    def load(self, path: Path) -> Any:
        raise ModelFileError(f"'{path}' is an ONNX file: seqnet exports ONNX for inference elsewhere but does not "
                             f"read it back; load the model's .h5 or .keras file instead")
