"""Keras's names over seqnet: ``import seqnet.keras as keras`` runs Keras code that builds, trains,
saves and loads Sequential models.

A face over seqnet's engine, not a second library: the layers, losses, metrics, optimizers,
callbacks and training loop are seqnet's, with Keras's defaults, shapes and names set at the edge
(``padding="valid"``, biases of shape ``(n,)``, Keras's update rules). seqnet's own names keep
their meanings, and a model built through either face saves to the same files and loads through
both. See the guide "Coming from Keras".
"""
from . import (activations, backend, callbacks, config, constraints, datasets, initializers, layers, losses, metrics,
               models, ops, optimizers, random, regularizers, saving, utils)
from ._missing import missing
from .layers import Input
from .models import Model, Sequential, load_model

__all__ = ["Sequential", "Model", "Input", "load_model", "layers", "losses", "metrics", "optimizers", "callbacks",
           "utils", "models", "saving", "initializers", "ops", "datasets", "regularizers", "backend", "random", "config",
           "activations", "constraints"]


__getattr__ = missing(__name__)
