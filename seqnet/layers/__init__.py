"""Layers: the assignment's protocol (``parameters``, ``gradients``, ``cache``, ``forward``, ``backward``)."""
from .base import Layer, layers, register
from .dense import Dense, FullyConnected
from .reshape import Activation, Dropout, Flatten


def get(identifier):
    """A layer from a registered name, a config dict or an instance."""
    return layers.get(identifier)


__all__ = ["Layer", "Dense", "FullyConnected", "Flatten", "Activation", "Dropout", "register", "get",
           "layers"]
