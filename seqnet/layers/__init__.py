"""Layers: the assignment's protocol (``parameters``, ``gradients``, ``cache``, ``forward``, ``backward``)."""
from .base import Layer, layers, register
from .conv import Conv2D
from .dense import Dense, FullyConnected
from .normalization import BatchNorm
from .pooling import AvgPool2D, GlobalAvgPool2D, MaxPool2D, Pool2D
from .reshape import Activation, Dropout, Flatten, Input


def get(identifier):
    """A layer from a registered name, a config dict or an instance."""
    return layers.get(identifier)


__all__ = ["Layer", "Dense", "FullyConnected", "Conv2D", "Pool2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D",
           "BatchNorm", "Flatten", "Activation", "Dropout", "Input", "register", "get", "layers"]
