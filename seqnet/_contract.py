"""What the training loop, ``evaluate``, ``predict`` and the checks at their boundary need of a
model: the contract :class:`seqnet.Sequential` fulfils, written down once. The loop's modules
(:mod:`seqnet.training`, :mod:`seqnet.inference`, :mod:`seqnet.checks`, :mod:`seqnet.tracking`,
:mod:`seqnet.batches`) take a :class:`TrainedModel` and use nothing else of it.
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np


class TrainedModel(Protocol):
    """A stack of layers with a compiled loss, optimizer and metrics, trained in place."""

    name: str
    layers: list[Any]  # seqnet.layers.Layer
    dtype: np.dtype
    rng: np.random.Generator
    input_shape: tuple[int, ...] | None  # one example's, None before build
    output_shapes: list[tuple[int | None, ...]]
    optimizer: Any  # seqnet.optimizers.Optimizer, None before compile
    loss: Any  # seqnet.losses.Loss, None before compile
    metrics: list[Any]  # names and seqnet.metrics.Metric objects
    weighted_metrics: list[Any]
    history: Any  # seqnet.callbacks.History: every epoch of the run
    callbacks: list[Any]  # those of the last fit
    epochs_done: int
    input_range: list[float] | None  # [min, max] of the inputs seen in training
    stop_training: bool  # a callback sets it to end fit after the epoch
    resume_epoch: int | None  # set by a callback that restored an interrupted run

    @property
    def built(self) -> bool: ...

    @property
    def output_shape(self) -> tuple[int | None, ...]: ...

    def build(self, input_shape: tuple[int, ...]) -> None: ...

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray: ...

    def backward(self, dY: np.ndarray, from_logits: bool = False) -> np.ndarray | None: ...

    def predict(self, X: Any, batch_size: int | None = None, verbose: int = 0, callbacks: Any = None,
                steps: int | None = None) -> np.ndarray: ...
