"""Keras's names: for classes (how it names a layer or an optimizer it was not given a name for,
and the paths in its files) and for the weights of layers."""
from __future__ import annotations

import re


def snake_case(class_name: str) -> str:
    """Keras's name for a class: ``Conv2D`` -> ``conv2d``, ``ReLU`` -> ``re_lu``, ``AdamW`` -> ``adam_w``."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


#: seqnet's name of a layer's weight -> Keras's (Dense and Conv2D, BatchNormalization, Normalization)
WEIGHT_NAMES = {"W": "kernel", "b": "bias", "gamma": "gamma", "beta": "beta", "running_mean": "moving_mean",
                "running_var": "moving_variance", "mean": "mean", "variance": "variance", "count": "count"}
#: Keras's name of a layer's weight -> seqnet's
SEQNET_NAMES = {keras: ours for ours, keras in WEIGHT_NAMES.items()}
