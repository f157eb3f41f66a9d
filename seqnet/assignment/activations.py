"""The assignment's ``neural_networks.activations``: seqnet's activation classes under the
assignment's names (``forward(Z)``, ``backward(Z, dY)``, called as ``activation(Z)``)."""
from __future__ import annotations

from ..activations import ELU, Activation, ArcTan, LeakyReLU, Linear, ReLU, Sigmoid, SoftMax, TanH
from ..activations import get as _get


def initialize_activation(name: str) -> Activation:
    """The activation called ``name``: "linear", "sigmoid", "tanh", "arctan", "relu", "softmax"."""
    return _get(name)


__all__ = ["Activation", "Linear", "Sigmoid", "TanH", "ArcTan", "ReLU", "SoftMax", "LeakyReLU", "ELU",
           "initialize_activation"]
