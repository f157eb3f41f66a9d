"""Exporting a model to ONNX, for inference in onnxruntime and the rest of the deployed world.

The graph takes ``input``, float32 NHWC images, sequences or feature rows (int64 token ids for a
model that starts with an Embedding) with a dynamic batch size, and gives ``output``. ONNX's
convolutions and poolings want the channels first, so the graph transposes once before the first
of them and back only where seqnet's channels-last order matters (:mod:`.onnx_graph`). Padding is
ONNX's ``[top, left, bottom, right]``; average pooling counts the padding as seqnet does
(``count_include_pad``); BatchNorm is its inference form; Dropout and the random augmentations are
the identity, RandomCrop its centred window. The sequence layers are :mod:`.onnx_sequences`.
Needs the optional ``onnx`` package (``pip install "seqnet[onnx]"``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import layers as L
from .._files import atomic_write
from .._formats import FileFormat, ModelFileError
from .._version import __version__
from ..layers.augmentation import ImageAugmentation, sampling_matrices
from . import onnx_sequences as S
from .onnx_graph import Graph

OPSET = 13


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ModelFileError('exporting to ONNX needs the onnx package: pip install "seqnet[onnx]" '
                             '(or pip install onnx)') from None
    return onnx


def _centre_crop(g: Graph, layer: L.RandomCrop, in_shape: tuple[int, ...]) -> None:
    """RandomCrop in inference: the centred window resized, as two products with the layer's own
    sampling matrices (rows ``(h, rows)``, columns ``(w, cols)``) on the channels-first image."""
    g.channels_first(layer.name)
    rows, cols = in_shape[:2]
    ys, xs = layer._centre(rows, cols)
    Ry = sampling_matrices(ys, rows, layer.fill_mode, layer.interpolation)[0][0]
    Rx = sampling_matrices(xs, cols, layer.fill_mode, layer.interpolation)[0][0]
    g.node("MatMul", [g.constant(f"{layer.name}_columns", Rx.T)], f"{layer.name}_columns")
    g.tensor = g.op("MatMul", [g.constant(f"{layer.name}_rows", Ry), g.tensor], f"{layer.name}_rows")[0]


def _image_layer(g: Graph, layer: L.Layer, in_shape: tuple[int, ...]) -> bool:
    """The image layers (channels first in ONNX); False for a layer that is not one."""
    p, name = layer.parameters, layer.name
    if isinstance(layer, (L.Conv2D, L.Pool2D)):
        g.channels_first(name)
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
        g.channels_first(name)
        g.node("GlobalAveragePool" if isinstance(layer, L.GlobalAvgPool2D) else "GlobalMaxPool", [], name)
        if not layer.keepdims:
            g.node("Flatten", [], f"{name}_flatten", axis=1)
    elif isinstance(layer, L.BatchNorm):
        g.channels_first(name)
        gamma, beta = layer._scale_shift()
        g.node("BatchNormalization", [g.constant(f"{name}_gamma", gamma), g.constant(f"{name}_beta", beta),
                                      g.constant(f"{name}_mean", layer.buffers["running_mean"]),
                                      g.constant(f"{name}_var", layer.buffers["running_var"])], name,
               epsilon=layer.eps)
    elif isinstance(layer, L.ZeroPadding2D):
        g.channels_first(name)
        (t, b), (l, r) = layer.padding
        g.node("Pad", [g.ints(f"{name}_pads", [0, 0, t, l, 0, 0, b, r])], name, mode="constant")
    elif isinstance(layer, L.RandomCrop):
        _centre_crop(g, layer, in_shape)
    else:
        return False
    return True


def _sequence_layer(g: Graph, layer: L.Layer, in_shape: tuple[int, ...]) -> bool:
    """The sequence layers (:mod:`seqnet.saving.onnx_sequences`); False for a layer that is not one."""
    if isinstance(layer, L.Embedding):
        S.embedding(g, layer)
    elif isinstance(layer, L.Conv1D):
        S.conv1d(g, layer, in_shape)
    elif isinstance(layer, (L.MaxPooling1D, L.AveragePooling1D)):
        S.pool1d(g, layer, in_shape)
    elif isinstance(layer, (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D)):
        S.global_pool1d(g, layer)
    elif isinstance(layer, L.Recurrent):
        S.recurrent(g, layer)
    elif isinstance(layer, L.Bidirectional):
        S.bidirectional(g, layer)
    elif isinstance(layer, L.LayerNormalization):
        S.layer_normalization(g, layer)
    else:
        return False
    return True


def _layer(g: Graph, layer: L.Layer, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> None:
    p, name = layer.parameters, layer.name
    if _image_layer(g, layer, in_shape) or _sequence_layer(g, layer, in_shape):
        pass
    elif isinstance(layer, L.Dense):
        g.channels_last(name)
        W = g.constant(f"{name}_W", p["W"])
        if layer.use_bias and len(in_shape) == 1:
            g.node("Gemm", [W, g.constant(f"{name}_b", p["b"][0])], name)
        else:  # on every position of a (n, ..., features) tensor
            g.node("MatMul", [W], name)
            if layer.use_bias:
                g.node("Add", [g.constant(f"{name}_b", p["b"][0])], f"{name}_bias")
    elif isinstance(layer, L.TimeDistributed):  # the layer on (n * steps, ...), then back to (n, steps, ...)
        g.channels_last(name)
        g.node("Reshape", [g.ints(f"{name}_merge_steps", [-1, *in_shape[1:]])], f"{name}_merge_steps")
        g.rank, g.first = len(in_shape), False
        _layer(g, layer.layer, in_shape[1:], out_shape[1:])
        g.channels_last(name)
        g.node("Reshape", [g.ints(f"{name}_split_steps", [-1, *out_shape])], f"{name}_split_steps")
    elif isinstance(layer, L.Flatten):
        g.channels_last(name)
        g.node("Flatten", [], name, axis=1)
    elif isinstance(layer, L.Reshape):
        g.channels_last(name)
        g.node("Reshape", [g.ints(f"{name}_shape", [0, *layer.target_shape])], name)
    elif isinstance(layer, L.Rescaling):
        g.node("Mul", [g.constant(f"{name}_scale", layer.scale)], name)
        g.node("Add", [g.constant(f"{name}_offset", layer.offset)], f"{name}_offset")
    elif isinstance(layer, L.Normalization):
        g.channels_last(name)
        rank = 1 + len(in_shape)
        mean, std = layer._statistics(rank)[0], layer._std(rank)
        if layer.invert:
            g.node("Mul", [g.constant(f"{name}_std", std)], name)
            g.node("Add", [g.constant(f"{name}_mean", mean)], f"{name}_mean")
        else:
            g.node("Sub", [g.constant(f"{name}_mean", mean)], name)
            g.node("Div", [g.constant(f"{name}_std", std)], f"{name}_std")
    elif isinstance(layer, (L.Dropout, ImageAugmentation)):
        pass  # the identity at inference
    elif not isinstance(layer, L.Activation):
        raise ModelFileError(f"ONNX export: no ONNX counterpart for layer {name!r} ({type(layer).__name__})")
    g.rank = 1 + len(out_shape)
    g.first = g.first and g.rank in (3, 4)  # a flattened tensor has no channel axis to put first
    g.activation(layer.activation, f"{name}_{layer.activation.registered_name}")


def to_onnx(model: Any) -> Any:
    """The ``onnx.ModelProto`` of a built model (float32, NHWC input, dynamic batch)."""
    onnx = _onnx()
    if not model.built:
        raise ModelFileError(f"ONNX export: build {model.name!r} first (model.build(input_shape), fit, or an Input)")
    helper = onnx.helper
    g = Graph(onnx, 1 + len(model.input_shape))
    shape = tuple(model.input_shape)
    for layer, out in zip(model.layers, model.output_shapes):
        _layer(g, layer, shape, tuple(out[1:]))
        shape = tuple(out[1:])
    g.channels_last("output")
    g.nodes.append(helper.make_node("Identity", [g.tensor], ["output"], name="output"))
    float32 = onnx.TensorProto.FLOAT
    takes_ids = getattr(model.layers[0], "takes_ids", False)  # token ids: int64, as Gather wants
    graph = helper.make_graph(g.nodes, model.name,
                              [helper.make_tensor_value_info("input", onnx.TensorProto.INT64 if takes_ids else float32,
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
