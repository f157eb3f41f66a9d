"""The CS189 assignment's ``neural_networks`` package, as a face over seqnet.

Its module layout (``layers``, ``activations``, ``losses``, ``optimizers``, ``models``,
``datasets``, ``logs``, ``utils.grad_check``, ``utils.data_structures``), names, signatures and
defaults, over seqnet's engine: the layers, activations, losses and update rules are seqnet's own,
converted at the edge (the assignment's factories, a global ``np.random.seed`` for the weights,
an optimizer that returns the step it takes). Code written against the assignment runs with
``neural_networks`` importable:

    python -m seqnet.assignment train_ffnn.py             # a script
    python -m seqnet.assignment -m unittest discover tests  # a module, as python -m does

or, in a notebook, ``import seqnet.assignment; seqnet.assignment.install()`` before
``import neural_networks``.
"""
from __future__ import annotations

import importlib
import sys

MODULES = ("activations", "layers", "losses", "optimizers", "models", "datasets", "logs", "utils",
           "utils.grad_check", "utils.data_structures")
ALIAS = "neural_networks"


def install(alias: str = ALIAS) -> None:
    """Make ``import neural_networks`` (and each of its modules) import this package's."""
    sys.modules[alias] = sys.modules[__name__]
    for name in MODULES:
        sys.modules[f"{alias}.{name}"] = importlib.import_module(f"{__name__}.{name}")


__all__ = ["install", "MODULES"]
