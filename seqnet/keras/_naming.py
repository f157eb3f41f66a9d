"""Keras's names: for classes (how it names a layer or an optimizer it was not given a name for,
and the paths in its files) and for the weights of layers."""
from __future__ import annotations

import re
from typing import Any


def snake_case(class_name: str) -> str:
    """Keras's name for a class: ``Conv2D`` -> ``conv2d``, ``ReLU`` -> ``re_lu``, ``AdamW`` -> ``adam_w``."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def weight_paths(class_names: list[str]) -> list[str]:
    """Keras 3's path, in a ``.keras`` or ``.weights.h5`` file, of the arrays of each layer of a
    model with layers of these classes: ``layers/<class in snake case>[_<i>]``, numbered per class."""
    seen: dict[str, int] = {}
    paths = []
    for class_name in class_names:
        base = snake_case(class_name)
        count = seen.get(base, 0)
        seen[base] = count + 1
        paths.append(f"layers/{base}" + (f"_{count}" if count else ""))
    return paths


#: seqnet's name of a layer's weight -> Keras's (Dense and Conv2D, BatchNormalization, Normalization)
WEIGHT_NAMES = {"W": "kernel", "U": "recurrent_kernel", "b": "bias", "gamma": "gamma", "beta": "beta", "running_mean": "moving_mean",
                "running_var": "moving_variance", "mean": "mean", "variance": "variance", "count": "count"}
#: Keras's name of a layer's weight -> seqnet's
SEQNET_NAMES = {**{keras: ours for ours, keras in WEIGHT_NAMES.items()}, "embeddings": "W"}

#: Keras's activation names -> the seqnet activation that computes exactly what Keras's does (Keras's
#: "leaky_relu" function has slope 0.2, seqnet's default 0.01)
ACTIVATIONS: dict[str, Any] = {
    "linear": "linear", "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax",
    "elu": "elu", "leaky_relu": {"class_name": "leaky_relu", "config": {"alpha": 0.2}}, "gelu": "gelu",
    "selu": "selu", "softplus": "softplus", "silu": "silu", "swish": "silu",
}


def keras_name(identifier: Any) -> Any:
    """A layer's ``activation`` argument as Keras's config writes it: the name of one of
    ``keras.activations``' functions, anything else as it is."""
    from .activations import name_of
    return name_of(identifier) or identifier


def activation(identifier: Any) -> Any:
    """The seqnet activation for a Keras activation (``None`` is ``"linear"``; a name, or one of
    ``keras.activations``' functions, as Keras computes it); anything else (a seqnet activation
    object or config) as it is."""
    identifier = keras_name(identifier)
    if identifier is None:
        return "linear"
    if isinstance(identifier, str) and identifier.lower() in ACTIVATIONS:
        return ACTIVATIONS[identifier.lower()]
    return identifier


def activation_name(spec: Any) -> Any:
    """Keras's name for a seqnet activation spec where it is one of :data:`ACTIVATIONS`, else the spec."""
    return next((name for name, ours in ACTIVATIONS.items() if ours == spec), spec)
