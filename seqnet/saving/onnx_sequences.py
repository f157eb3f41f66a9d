"""ONNX export of the sequence layers: Embedding (``Gather``), Conv1D and 1-D pooling (ONNX's
convolution and pooling on one spatial axis), SimpleRNN/LSTM/GRU (ONNX's ``RNN``, ``LSTM`` and
``GRU``), Bidirectional (two of those, merged) and LayerNormalization (its arithmetic; ONNX's own
operator needs opset 17).

Recurrent weights: seqnet keeps Keras's ``W (features, G*units)``, gates ``i, f, c, o`` (LSTM) or
``z, r, h`` (GRU); ONNX wants ``(G*units, features)``, gates ``i, o, f, c`` or ``z, r, h``, and
separate input and recurrent biases. A GRU with ``reset_after`` is ONNX's
``linear_before_reset=1``. ``go_backwards`` reverses the steps before the operator (the outputs
then come last to first, as in Keras). A mask of padded steps has no ONNX counterpart (ONNX's
operators take sequence lengths, not masks), so a model with ``Embedding(mask_zero=True)`` is
refused.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import layers as L
from .._formats import ModelFileError
from .onnx_graph import Graph

#: seqnet's (Keras's) gate blocks in ONNX's order
_GATE_ORDER = {"simple_rnn": [0], "lstm": [0, 3, 1, 2], "gru": [0, 1, 2]}
_OPS = {"simple_rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def embedding(g: Graph, layer: L.Embedding) -> None:
    if layer.mask_zero:
        raise ModelFileError(f"ONNX export: Embedding {layer.name!r} has mask_zero=True, and ONNX's recurrent "
                             f"operators take sequence lengths, not masks of padded steps; export a model "
                             f"trained with mask_zero=False")
    g.tensor = g.op("Gather", [g.constant(f"{layer.name}_W", layer.parameters["W"]), g.tensor], layer.name,
                    axis=0)[0]


def conv1d(g: Graph, layer: L.Conv1D, in_shape: tuple[int, ...]) -> None:
    g.channels_first(layer.name)
    p = layer.parameters
    W = g.constant(f"{layer.name}_W", p["W"].transpose(2, 1, 0))  # (filters, c_in, k)
    bias = [g.constant(f"{layer.name}_b", p["b"][0])] if layer.use_bias else []
    g.node("Conv", [W, *bias], layer.name, kernel_shape=[layer.kernel_size], strides=[layer.strides],
           dilations=[layer.dilation_rate], pads=list(layer.pads(in_shape[0])))


def pool1d(g: Graph, layer: Any, in_shape: tuple[int, ...]) -> None:
    g.channels_first(layer.name)
    _, (before, after) = layer.rows.pads((1, *in_shape))
    window = {"kernel_shape": [layer.pool_size], "strides": [layer.strides], "pads": [before, after]}
    if isinstance(layer, L.MaxPooling1D):
        g.node("MaxPool", [], layer.name, **window)
    else:  # Keras's "same" leaves the padding out of each window's count
        g.node("AveragePool", [], layer.name, count_include_pad=0, **window)


def global_pool1d(g: Graph, layer: Any) -> None:
    g.channels_last(layer.name)
    op = "ReduceMean" if isinstance(layer, L.GlobalAveragePooling1D) else "ReduceMax"
    g.node(op, [], layer.name, axes=[1], keepdims=int(layer.keepdims))


def layer_normalization(g: Graph, layer: L.LayerNormalization) -> None:
    g.channels_last(layer.name)
    name, x = layer.name, g.tensor
    mean = g.op("ReduceMean", [x], f"{name}_mean", axes=[-1], keepdims=1)[0]
    centred = g.op("Sub", [x, mean], f"{name}_centred")[0]
    variance = g.op("ReduceMean", [g.op("Mul", [centred, centred], f"{name}_squares")[0]], f"{name}_variance",
                    axes=[-1], keepdims=1)[0]
    std = g.op("Sqrt", [g.op("Add", [variance, g.constant(f"{name}_eps", layer.eps)], f"{name}_plus_eps")[0]],
               f"{name}_std")[0]
    g.tensor = g.op("Div", [centred, std], f"{name}_normalized")[0]
    if layer.scale:
        g.node("Mul", [g.constant(f"{name}_gamma", layer.parameters["gamma"])], f"{name}_scaled")
    if layer.center:
        g.node("Add", [g.constant(f"{name}_beta", layer.parameters["beta"])], f"{name}_shifted")


def _onnx_weights(layer: L.Recurrent) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``W``, ``R`` and ``B`` in ONNX's layout, each with the leading direction axis."""
    units, order = layer.units, _GATE_ORDER[layer.kind]

    def gates(M: np.ndarray) -> np.ndarray:  # (rows, G*units) -> (G*units, rows) in ONNX's gate order
        return M.reshape(len(M), -1, units)[:, order].reshape(len(M), -1).T

    b = np.asarray(layer.bias_array, dtype=np.float64)
    if b.ndim == 2:  # a GRU with reset_after: the input bias and the recurrent bias
        b_in, b_rec = b[0], b[1]
    else:
        b_in, b_rec = b.reshape(-1), np.zeros(b.size)
    B = np.concatenate([gates(b_in[None]).T[0], gates(b_rec[None]).T[0]])
    return gates(layer.parameters["W"])[None], gates(layer.parameters["U"])[None], B[None]


def recurrent(g: Graph, layer: L.Recurrent) -> None:
    """A SimpleRNN, LSTM or GRU on the current ``(n, steps, features)`` tensor."""
    g.channels_last(layer.name)
    name = layer.name
    if layer.go_backwards:
        g.reverse_steps(name)
    g.node("Transpose", [], f"{name}_time_major", perm=[1, 0, 2])  # ONNX's (steps, n, features)
    W, R, B = _onnx_weights(layer)
    act = g.recurrent_activation(layer.cell_activation, name)
    activations = {"simple_rnn": [act], "gru": [g.recurrent_activation(layer.recurrent_activation, name), act],
                   "lstm": [g.recurrent_activation(layer.recurrent_activation, name), act, act]}[layer.kind]
    attrs: dict[str, Any] = {"hidden_size": layer.units, "activations": activations}
    if layer.kind == "gru":
        attrs["linear_before_reset"] = int(layer.reset_after)
    ys = g.op(_OPS[layer.kind], [g.tensor, g.constant(f"{name}_W", W), g.constant(f"{name}_R", R),
                                 g.constant(f"{name}_B", B)], name, outputs=2, **attrs)
    if layer.return_sequences:  # Y (steps, 1, n, units) -> (n, steps, units)
        g.tensor = ys[0]
        g.node("Squeeze", [g.ints(f"{name}_direction_axis", [1])], f"{name}_steps")
        g.node("Transpose", [], f"{name}_batch_major", perm=[1, 0, 2])
    else:  # Y_h (1, n, units) -> (n, units)
        g.tensor = ys[1]
        g.node("Squeeze", [g.ints(f"{name}_direction_axis", [0])], f"{name}_last")


def bidirectional(g: Graph, layer: L.Bidirectional) -> None:
    g.channels_last(layer.name)
    x, outputs = g.tensor, []
    for inner in (layer.forward_layer, layer.backward_layer):
        g.tensor = x
        recurrent(g, inner)
        if inner is layer.backward_layer and layer.return_sequences:
            g.reverse_steps(f"{inner.name}_in_input_order")  # back in the input's order, as the layer does
        outputs.append(g.tensor)
    name, (f, b) = layer.name, outputs
    if layer.merge_mode == "concat":
        g.tensor = g.op("Concat", [f, b], name, axis=-1)[0]
    else:
        g.tensor = g.op({"sum": "Add", "ave": "Add", "mul": "Mul"}[layer.merge_mode], [f, b], name)[0]
        if layer.merge_mode == "ave":
            g.node("Mul", [g.constant(f"{name}_half", 0.5)], f"{name}_mean")
