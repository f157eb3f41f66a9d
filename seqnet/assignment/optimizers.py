"""The assignment's ``neural_networks.optimizers``: ``initialize_optimizer(name, lr, lr_scheduler,
...)`` and an ``SGD`` whose ``update(param_name, param, param_grad, epoch)`` returns the step the
model subtracts. The step is seqnet's SGD (Keras's momentum rule, which is the assignment's:
``delta = momentum * delta + lr * grad``), with the gradient clipped to ``clip_norm``; the rate
follows the schedule by epoch, as the assignment's does (seqnet's ``Constant`` or ``Exponential``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import optimizers as _optimizers
from .. import schedulers as _schedulers


def initialize_scheduler(name: str, lr: float, decay: float = 0.99, stage_length: int | None = None,
                         staircase: bool | None = None) -> _schedulers.Scheduler:
    """The rate by epoch: "constant", or "exponential" (``lr * decay ** (epoch / stage_length)``,
    the exponent rounded down with ``staircase``)."""
    if name == "constant":
        return _schedulers.Constant(lr)
    if name == "exponential":
        return _schedulers.Exponential(lr, decay=decay, stage_length=stage_length or 1000,
                                       staircase=bool(staircase))
    raise ValueError(f"unknown lr_scheduler {name!r}; the assignment's are constant and exponential")


class SGD:
    """Stochastic gradient descent with momentum and gradient clipping, the assignment's way."""

    def __init__(self, lr: float, lr_scheduler: str = "constant", momentum: float = 0.0,
                 clip_norm: float | None = None, lr_decay: float = 0.99, stage_length: int | None = None,
                 staircase: bool | None = None) -> None:
        self.lr = initialize_scheduler(lr_scheduler, lr=lr, decay=lr_decay, stage_length=stage_length,
                                       staircase=staircase)
        self.momentum, self.clip_norm = momentum or 0.0, clip_norm
        self.engine = _optimizers.SGD(lr=lr, momentum=self.momentum, clip_norm=clip_norm, convention="keras")

    def update(self, param_name: str, param: np.ndarray, param_grad: np.ndarray, epoch: int) -> np.ndarray:
        """The step for ``param`` (the caller subtracts it), at the rate of ``epoch``."""
        stepped = np.array(param, dtype=np.float64 if param.dtype.kind != "f" else param.dtype)
        self.engine.step_parameter(param_name, stepped, np.asarray(param_grad, dtype=stepped.dtype),
                                   self.lr(epoch))
        return param - stepped


def initialize_optimizer(name: str, lr: float, lr_scheduler: str = "constant", momentum: float | None = None,
                         clip_norm: float | None = None, lr_decay: float | None = None,
                         stage_length: int | None = None, staircase: bool | None = None) -> Any:
    """The optimizer ``name`` ("SGD") with the assignment's arguments."""
    if str(name).lower() != "sgd":
        raise ValueError(f"unknown optimizer {name!r}; the assignment's optimizer is SGD")
    return SGD(lr=lr, lr_scheduler=lr_scheduler, momentum=momentum or 0.0, clip_norm=clip_norm,
               lr_decay=0.99 if lr_decay is None else lr_decay, stage_length=stage_length, staircase=staircase)


__all__ = ["SGD", "initialize_optimizer", "initialize_scheduler"]
