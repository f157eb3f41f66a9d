"""The ONNX graph being built by :mod:`seqnet.saving.onnx_export`: its nodes, its constants, and
the layout of the tensor that flows from layer to layer.

seqnet's tensors are channels-last (``(n, h, w, c)`` images, ``(n, steps, c)`` sequences); ONNX's
convolutions and poolings want the channels first. The graph transposes lazily: a layer that needs
channels first calls :meth:`Graph.channels_first`, one that needs seqnet's order
:meth:`Graph.channels_last`, and a run of convolutions pays for one transpose each way.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations as A
from .._formats import ModelFileError

_ELEMENTWISE = {A.ReLU: "Relu", A.Sigmoid: "Sigmoid", A.TanH: "Tanh", A.ArcTan: "Atan"}
#: the activations ONNX's RNN, LSTM and GRU operators take by name
RECURRENT_ACTIVATIONS = {act: name for act, name in _ELEMENTWISE.items() if act is not A.ArcTan}
_TO_FIRST = {3: [0, 2, 1], 4: [0, 3, 1, 2]}
_TO_LAST = {3: [0, 2, 1], 4: [0, 2, 3, 1]}


class Graph:
    """The nodes and constants of the graph being built; ``tensor`` is the current layer's input,
    of rank ``rank`` (with the batch axis), channels first where ``first``."""

    def __init__(self, onnx: Any, rank: int) -> None:
        self.onnx, self.helper = onnx, onnx.helper
        self.nodes: list[Any] = []
        self.constants: list[Any] = []
        self.tensor, self.first, self.rank = "input", False, rank
        self.count = 0

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, hint: str, value: Any, dtype: Any = np.float32) -> str:
        name = self.fresh(hint)
        self.constants.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(value, dtype=dtype), name))
        return name

    def ints(self, hint: str, values: list[int]) -> str:
        """A constant int64 vector (the shapes, axes and slices operators take as inputs)."""
        return self.constant(hint, np.array(values), np.int64)

    def op(self, op: str, inputs: list[str], hint: str, outputs: int = 1, **attrs: Any) -> list[str]:
        """A node on named inputs, leaving ``tensor`` as it is; the names of its ``outputs`` outputs."""
        names = [self.fresh(f"{hint}_{i}") if outputs > 1 else self.fresh(hint) for i in range(outputs)]
        self.nodes.append(self.helper.make_node(op, inputs, names, name=names[0], **attrs))
        return names

    def node(self, op: str, inputs: list[str], hint: str, **attrs: Any) -> str:
        """A node on the current tensor (and ``inputs``), whose output becomes the current tensor."""
        self.tensor = self.op(op, [self.tensor, *inputs], hint, **attrs)[0]
        return self.tensor

    def channels_first(self, hint: str) -> None:
        if self.rank in _TO_FIRST and not self.first:
            self.node("Transpose", [], f"{hint}_channels_first", perm=_TO_FIRST[self.rank])
            self.first = True

    def channels_last(self, hint: str) -> None:
        if self.rank in _TO_LAST and self.first:
            self.node("Transpose", [], f"{hint}_channels_last", perm=_TO_LAST[self.rank])
            self.first = False

    def reverse_steps(self, hint: str) -> None:
        """The current ``(n, steps, ...)`` tensor with its steps last to first."""
        self.node("Slice", [self.ints(f"{hint}_start", [-1]), self.ints(f"{hint}_end", [-2 ** 63]),
                            self.ints(f"{hint}_axis", [1]), self.ints(f"{hint}_step", [-1])], f"{hint}_reversed")

    def activation(self, act: A.Activation, hint: str) -> None:
        if isinstance(act, A.Linear):
            return
        if type(act) in _ELEMENTWISE:
            self.node(_ELEMENTWISE[type(act)], [], hint)
        elif isinstance(act, A.LeakyReLU):
            self.node("LeakyRelu", [], hint, alpha=act.alpha)
        elif isinstance(act, A.ELU):
            self.node("Elu", [], hint, alpha=act.alpha)
        elif isinstance(act, A.SoftMax):  # over the channels: axis 1 when they come first, the last axis otherwise
            self.node("Softmax", [], hint, axis=1 if self.first else -1)
        else:
            raise ModelFileError(f"ONNX export: no ONNX counterpart for the activation {type(act).__name__} "
                                 f"({hint})")

    def recurrent_activation(self, act: A.Activation, layer: str) -> str:
        """The name ONNX's recurrent operators know ``act`` by."""
        if type(act) not in RECURRENT_ACTIVATIONS:
            raise ModelFileError(f"ONNX export: {layer!r} uses the activation {type(act).__name__}, which ONNX's "
                                 f"recurrent operators do not take (they take {', '.join(RECURRENT_ACTIVATIONS.values())})")
        return RECURRENT_ACTIVATIONS[type(act)]
