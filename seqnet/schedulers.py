"""Learning-rate schedules: ``schedule(step) -> lr``, where ``step`` counts optimizer updates from 0."""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

from ._registry import Configurable, Registry, serialize

schedulers = Registry("scheduler")


def _check_positive(name: str, value: float, cls: str, allow_zero: bool = False) -> float:
    value = float(value)
    if not (value >= 0 if allow_zero else value > 0) or math.isinf(value):
        bound = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{cls}: expected {bound} finite `{name}`, received {name}={value}")
    return value


class Scheduler(Configurable, ABC):
    """Base class. ``lr`` is the initial learning rate."""

    def __init__(self, lr: float) -> None:
        self.lr = _check_positive("lr", lr, type(self).__name__, allow_zero=True)

    @abstractmethod
    def __call__(self, step: int) -> float:
        """The learning rate for update number ``step`` (0-based)."""

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr}


schedulers.base = Scheduler


@schedulers.register("constant")
class Constant(Scheduler):
    """The same learning rate at every step."""

    def __call__(self, step: int) -> float:
        return self.lr


@schedulers.register("exponential")
class Exponential(Scheduler):
    r"""The assignment's decay: :math:`\mathrm{lr}\cdot\mathrm{decay}^{\,t/\mathrm{stage\_length}}`.

    With ``staircase=True`` the exponent is rounded down, so the rate drops once per stage.
    """

    def __init__(self, lr: float, decay: float = 0.99, stage_length: int = 1000,
                 staircase: bool = False) -> None:
        super().__init__(lr)
        self.decay = _check_positive("decay", decay, "Exponential")
        self.stage_length = int(_check_positive("stage_length", stage_length, "Exponential"))
        self.staircase = bool(staircase)

    def __call__(self, step: int) -> float:
        exponent = step / self.stage_length
        if self.staircase:
            exponent = math.floor(exponent)
        return self.lr * self.decay ** exponent

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay": self.decay, "stage_length": self.stage_length,
                "staircase": self.staircase}


@schedulers.register("step", aliases=("step_decay",))
class StepDecay(Scheduler):
    r""":math:`\mathrm{lr}\cdot\mathrm{drop}^{\lfloor t/\mathrm{step\_size}\rfloor}`."""

    def __init__(self, lr: float, drop: float = 0.5, step_size: int = 1000) -> None:
        super().__init__(lr)
        self.drop = _check_positive("drop", drop, "StepDecay")
        self.step_size = int(_check_positive("step_size", step_size, "StepDecay"))

    def __call__(self, step: int) -> float:
        return self.lr * self.drop ** (step // self.step_size)

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "drop": self.drop, "step_size": self.step_size}


@schedulers.register("cosine")
class Cosine(Scheduler):
    r"""Cosine annealing from ``lr`` to ``min_lr`` over ``decay_steps``, then constant at ``min_lr``.

    :math:`\mathrm{min\_lr} + \tfrac12(\mathrm{lr}-\mathrm{min\_lr})(1+\cos(\pi \min(t, T)/T))`.
    """

    def __init__(self, lr: float, decay_steps: int = 1000, min_lr: float = 0.0) -> None:
        super().__init__(lr)
        self.decay_steps = int(_check_positive("decay_steps", decay_steps, "Cosine"))
        self.min_lr = _check_positive("min_lr", min_lr, "Cosine", allow_zero=True)

    def __call__(self, step: int) -> float:
        progress = min(step, self.decay_steps) / self.decay_steps
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + math.cos(math.pi * progress))

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay_steps": self.decay_steps, "min_lr": self.min_lr}


def get(identifier: Any, lr: float | None = None) -> Scheduler:
    """A scheduler from a name (built with initial rate ``lr``), a config dict or an instance."""
    if isinstance(identifier, str):
        return schedulers.get(identifier, lr=lr)
    return schedulers.get(identifier)


__all__ = ["Scheduler", "Constant", "Exponential", "StepDecay", "Cosine", "get", "serialize"]
