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


def _check_lr_scales(scales: Any, who: str) -> dict[str, float]:
    """An optimizer's ``lr_scales``: names to non-negative finite multipliers ({} for None)."""
    if scales is None:
        return {}
    if not isinstance(scales, dict) or not all(isinstance(k, str) and k for k in scales):
        raise ValueError(f"{who}: lr_scales maps '<layer>/<parameter>' or '<parameter>' names to multipliers, "
                         f"received {scales!r}")
    return {k: _check_positive(f"lr_scales[{k!r}]", v, who, allow_zero=True) for k, v in scales.items()}


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


@schedulers.register("one_cycle", aliases=("onecycle",))
class OneCycle(Scheduler):
    r"""The one-cycle policy (Smith & Topping), as ``torch.optim.lr_scheduler.OneCycleLR``: the rate
    rises from ``lr / div_factor`` to ``lr`` over the first ``pct_start`` of ``total_steps``, then
    falls to ``lr / (div_factor * final_div_factor)`` at the last step, both along a half cosine
    (``anneal="cos"``) or a straight line (``"linear"``). Past ``total_steps`` it stays at the last rate.

    Parameters
    ----------
    lr : float
        The peak rate (torch's ``max_lr``).
    total_steps : int
    pct_start : float, default 0.3
    div_factor : float, default 25
    final_div_factor : float, default 1e4
    anneal : {"cos", "linear"}, default "cos"
    """

    def __init__(self, lr: float, total_steps: int = 1000, pct_start: float = 0.3, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, anneal: str = "cos") -> None:
        super().__init__(lr)
        self.total_steps = int(_check_positive("total_steps", total_steps, "OneCycle"))
        if not 0.0 < float(pct_start) < 1.0:
            raise ValueError(f"OneCycle: expected `pct_start` in (0, 1), received pct_start={pct_start}")
        if anneal not in ("cos", "linear"):
            raise ValueError(f"OneCycle: expected anneal='cos' or 'linear', received anneal={anneal!r}")
        self.pct_start, self.anneal = float(pct_start), anneal
        self.div_factor = _check_positive("div_factor", div_factor, "OneCycle")
        self.final_div_factor = _check_positive("final_div_factor", final_div_factor, "OneCycle")

    def _between(self, start: float, end: float, fraction: float) -> float:
        if self.anneal == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * fraction) + 1.0)
        return start + (end - start) * fraction

    def __call__(self, step: int) -> float:
        first = self.lr / self.div_factor
        peak_step = self.pct_start * self.total_steps - 1.0  # torch's phase boundary
        step = min(step, self.total_steps - 1)
        if step <= peak_step:
            return self._between(first, self.lr, step / peak_step if peak_step > 0 else 1.0)
        last = first / self.final_div_factor
        return self._between(self.lr, last, (step - peak_step) / (self.total_steps - 1 - peak_step))

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "total_steps": self.total_steps, "pct_start": self.pct_start,
                "div_factor": self.div_factor, "final_div_factor": self.final_div_factor, "anneal": self.anneal}


@schedulers.register("piecewise_constant")
class PiecewiseConstant(Scheduler):
    """``values[0]`` up to step ``boundaries[0]``, ``values[1]`` up to ``boundaries[1]``, ... and
    ``values[-1]`` after the last boundary (Keras's ``PiecewiseConstantDecay``)."""

    def __init__(self, boundaries: Any, values: Any) -> None:
        self.boundaries, self.values = [int(b) for b in boundaries], [float(v) for v in values]
        if len(self.values) != len(self.boundaries) + 1 or self.boundaries != sorted(self.boundaries):
            raise ValueError(f"PiecewiseConstant: expected increasing boundaries and one more value than boundaries, "
                             f"received boundaries={boundaries!r}, values={values!r}")
        super().__init__(self.values[0])

    def __call__(self, step: int) -> float:
        return self.values[sum(step > b for b in self.boundaries)]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values}


@schedulers.register("inverse_time")
class InverseTime(Scheduler):
    r""":math:`\mathrm{lr} / (1 + \mathrm{decay\_rate}\cdot t/\mathrm{decay\_steps})`, the ratio rounded
    down with ``staircase`` (Keras's ``InverseTimeDecay``)."""

    def __init__(self, lr: float, decay_steps: int, decay_rate: float, staircase: bool = False) -> None:
        super().__init__(lr)
        self.decay_steps = int(_check_positive("decay_steps", decay_steps, "InverseTime"))
        self.decay_rate = _check_positive("decay_rate", decay_rate, "InverseTime", allow_zero=True)
        self.staircase = bool(staircase)

    def __call__(self, step: int) -> float:
        ratio = step / self.decay_steps
        return self.lr / (1.0 + self.decay_rate * (math.floor(ratio) if self.staircase else ratio))

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase}


@schedulers.register("polynomial")
class Polynomial(Scheduler):
    r""":math:`(\mathrm{lr} - \mathrm{end})(1 - t/T)^{p} + \mathrm{end}` over ``decay_steps`` :math:`T`,
    then ``end_lr``; with ``cycle`` :math:`T` grows to the next multiple of ``decay_steps`` above
    :math:`t` (Keras's ``PolynomialDecay``)."""

    def __init__(self, lr: float, decay_steps: int, end_lr: float = 1e-4, power: float = 1.0,
                 cycle: bool = False) -> None:
        super().__init__(lr)
        self.decay_steps = int(_check_positive("decay_steps", decay_steps, "Polynomial"))
        self.end_lr, self.power, self.cycle = float(end_lr), float(power), bool(cycle)

    def __call__(self, step: int) -> float:
        if self.cycle:
            horizon = self.decay_steps * max(math.ceil(step / self.decay_steps), 1)
        else:
            horizon, step = self.decay_steps, min(step, self.decay_steps)
        return (self.lr - self.end_lr) * (1.0 - step / horizon) ** self.power + self.end_lr

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay_steps": self.decay_steps, "end_lr": self.end_lr, "power": self.power,
                "cycle": self.cycle}


#: what the trainers' ``--scheduler NAME`` means over a run of ``total_steps`` updates
RUN_SCHEDULES = {
    "constant": "the same rate throughout",
    "cosine": "Cosine(lr, decay_steps=total_steps): down to 0 at the end",
    "exponential": "Exponential(lr, decay=0.01, stage_length=total_steps): 100 times lower at the end",
    "step": "StepDecay(lr, drop=0.5, step_size=total_steps // 3): halved after each third",
    "onecycle": "OneCycle(lr, total_steps, pct_start=0.25): a quarter warming up, then annealing",
}


def for_run(name: str, lr: float, total_steps: int) -> Scheduler:
    """The schedule ``--scheduler name`` means in the examples and the Lightning trainer (see
    :data:`RUN_SCHEDULES`): one name, one meaning, in both trainers."""
    total_steps = max(int(total_steps), 1)
    makers = {"constant": lambda: Constant(lr), "cosine": lambda: Cosine(lr, decay_steps=total_steps),
              "exponential": lambda: Exponential(lr, decay=0.01, stage_length=total_steps),
              "step": lambda: StepDecay(lr, drop=0.5, step_size=max(total_steps // 3, 1)),
              "onecycle": lambda: OneCycle(lr, total_steps, pct_start=0.25)}
    if name not in makers:
        raise ValueError(f"Unknown schedule {name!r}; known: {', '.join(makers)}")
    return makers[name]()


def get(identifier: Any, lr: float | None = None) -> Scheduler:
    """A scheduler from a name (built with initial rate ``lr``), a config dict or an instance."""
    if isinstance(identifier, str):
        return schedulers.get(identifier, lr=lr)
    return schedulers.get(identifier)


__all__ = ["Scheduler", "Constant", "Exponential", "StepDecay", "Cosine", "OneCycle", "PiecewiseConstant",
           "InverseTime", "Polynomial", "RUN_SCHEDULES", "for_run", "get", "serialize"]
