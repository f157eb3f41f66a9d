"""``keras.optimizers.schedules``: learning-rate schedules by update step, passed as
``learning_rate=``; each is one of seqnet's schedulers with Keras's argument names."""
from __future__ import annotations

from typing import Any

from .. import schedulers as _s
from ._missing import missing


def ExponentialDecay(initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                     name: Any = None) -> _s.Scheduler:
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``."""
    return _s.Exponential(initial_learning_rate, decay=decay_rate, stage_length=decay_steps, staircase=staircase)


def CosineDecay(initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: Any = None,
                warmup_target: Any = None, warmup_steps: int = 0) -> _s.Scheduler:
    """Cosine from ``initial_learning_rate`` down to ``alpha * initial_learning_rate`` over ``decay_steps``."""
    if warmup_target is not None or warmup_steps:
        raise ValueError("CosineDecay: seqnet's cosine has no warmup; for a warm-up then annealing, use "
                         "seqnet.schedulers.OneCycle")
    return _s.Cosine(initial_learning_rate, decay_steps=decay_steps, min_lr=alpha * initial_learning_rate)


def PiecewiseConstantDecay(boundaries: Any, values: Any, name: Any = None) -> _s.Scheduler:
    return _s.PiecewiseConstant(boundaries, values)


def InverseTimeDecay(initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                     name: Any = None) -> _s.Scheduler:
    return _s.InverseTime(initial_learning_rate, decay_steps, decay_rate, staircase)


def PolynomialDecay(initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                    power: float = 1.0, cycle: bool = False, name: Any = None) -> _s.Scheduler:
    return _s.Polynomial(initial_learning_rate, decay_steps, end_learning_rate, power, cycle)


LearningRateSchedule = _s.Scheduler

__all__ = ["ExponentialDecay", "CosineDecay", "PiecewiseConstantDecay", "InverseTimeDecay", "PolynomialDecay",
           "LearningRateSchedule"]


__getattr__ = missing(__name__)
