"""Layers: the assignment's protocol (``parameters``, ``gradients``, ``cache``, ``forward``, ``backward``)."""
from .base import Layer, layers, register
from .conv import Conv2D
from .dense import Dense, FullyConnected
from .embedding import Embedding
from .normalization import BatchNorm, BatchNormalization, LayerNormalization
from .pooling import (AveragePooling2D, AvgPool2D, GlobalAveragePooling2D, GlobalAvgPool2D, GlobalMaxPooling2D,
                      MaxPool2D, MaxPooling2D, Pool2D)
from .augmentation import RandomCrop, RandomFlip, RandomTranslation, RandomZoom
from .normalization_stats import Normalization
from .preprocessing import Rescaling
from .recurrent import GRU, LSTM, Recurrent, SimpleRNN
from .wrappers import Bidirectional, TimeDistributed
from .sequence import (AveragePooling1D, Conv1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D)
from .reshape import ELU, Activation, Dropout, Flatten, Input, LeakyReLU, ReLU, Reshape, Softmax, ZeroPadding2D


def get(identifier):
    """A layer from a registered name, a config dict or an instance."""
    return layers.get(identifier)


__all__ = ["Layer", "Dense", "FullyConnected", "Conv2D", "Pool2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D",
           "GlobalAveragePooling2D", "GlobalMaxPooling2D", "MaxPooling2D", "AveragePooling2D", "BatchNorm", "BatchNormalization", "Flatten", "Activation",
           "Dropout", "Input", "ReLU", "Softmax", "LeakyReLU", "ELU", "Reshape", "ZeroPadding2D", "Rescaling",
           "Normalization", "RandomFlip", "RandomTranslation", "RandomZoom", "RandomCrop", "Embedding", "SimpleRNN", "LSTM", "GRU", "Recurrent", "Conv1D",
           "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Bidirectional",
           "TimeDistributed", "LayerNormalization", "register",
           "get", "layers"]
