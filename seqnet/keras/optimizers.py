"""``keras.optimizers``: seqnet's optimizers with Keras's arguments, defaults and update rules
(``convention="keras"``, :mod:`seqnet.keras_updates`).

Each class here is the one place that knows its Keras optimizer's arguments: its constructor
takes them (what seqnet does not apply is refused by name), and :meth:`KerasOptimizer.keras_config`
gives them back from any seqnet optimizer of its kind, for ``get_config`` and Keras's files
(:mod:`seqnet.keras.files`), which also read Keras's configs through these constructors.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import optimizers as _opt
from .._registry import variant_of
from ..schedulers import Scheduler
from . import schedules  # noqa: F401  (keras.optimizers.schedules)
from ._missing import missing
from ._naming import snake_case

# Keras's arguments that change nothing seqnet computes, and those that would, with their "off"
_INERT = ("name", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "jit_compile", "is_legacy_optimizer")
_OFF = {"global_clipnorm": None, "use_ema": False, "gradient_accumulation_steps": None}


def _common(who: str, learning_rate: Any, weight_decay: Any, clipnorm: Any, clipvalue: Any,
            extras: dict[str, Any]) -> dict[str, Any]:
    """The seqnet arguments for Keras's; what seqnet does not apply is refused by name."""
    unknown = sorted(k for k in extras if k not in (*_INERT, *_OFF))
    if unknown:
        raise TypeError(f"{who}: unexpected arguments {unknown}")
    unsupported = sorted(k for k, off in _OFF.items() if extras.get(k) not in (off, None))
    if unsupported:
        raise ValueError(f"{who}: seqnet does not apply {', '.join(f'{k}={extras[k]!r}' for k in unsupported)}; "
                         f"leave it out")
    rate = {"lr_scheduler": learning_rate, "learning_rate": learning_rate.lr} if isinstance(learning_rate, Scheduler) \
        else {"learning_rate": learning_rate}
    return {**rate, "weight_decay": weight_decay or 0.0, "clipnorm": clipnorm, "clipvalue": clipvalue,
            "convention": "keras"}


class LearningRate(float):
    """Keras's ``optimizer.learning_rate``: the rate now, a number, with a variable's ``value``,
    ``numpy()`` and ``assign(rate)`` (which sets the optimizer's rate, as Keras's does)."""

    def __new__(cls, optimizer: Any) -> "LearningRate":
        rate = super().__new__(cls, optimizer.current_lr)
        rate._optimizer = optimizer
        return rate

    @property
    def value(self) -> np.float32:
        """The rate as Keras's float32 variable holds it."""
        return np.float32(self)

    def numpy(self) -> np.ndarray:
        return np.asarray(float(self), dtype=np.float32)

    def assign(self, value: Any) -> None:
        self._optimizer.learning_rate = float(value)


class KerasOptimizer:
    """Keras's config of a seqnet optimizer (mixed in before the seqnet optimizer class)."""

    #: Keras's own arguments of the optimizer -> the seqnet attribute that holds each
    keras_arguments: dict[str, str] = {}
    #: Keras's arguments that seqnet takes only at one value (refused otherwise), with it
    keras_constants: dict[str, Any] = {}

    @property
    def learning_rate(self) -> LearningRate:
        """The rate now (:class:`LearningRate`); set it as a number, or with ``learning_rate.assign``."""
        return LearningRate(self)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self.lr = float(value)

    def _clip_gradients(self, grads: list[Any]) -> list[np.ndarray]:
        """Keras's: each gradient clipped as a step clips it (``clipnorm``, then ``clipvalue``)."""
        return [self.clip(np.asarray(g, dtype=np.float64)) for g in grads]

    @property
    def variables(self) -> list[np.ndarray]:
        """Keras's ``optimizer.variables``: the step count, the rate, then each slot array."""
        return [np.asarray(self.iterations), np.asarray(self.current_lr, dtype=np.float32),
                *(slot for slots in self.state.values() for slot in slots.values())]

    @classmethod
    def keras_config(cls, opt: _opt.Optimizer) -> dict[str, Any]:
        """Keras's config of ``opt``, a seqnet optimizer of this kind (Keras's names and defaults;
        a schedule as Keras's serialized one, where Keras has it)."""
        from .files.schedules import schedule_to_keras  # the files read these classes: imported when used
        rate: Any = opt.lr if opt.lr_scheduler is None else schedule_to_keras(opt.lr_scheduler)
        if rate is None:
            raise ValueError(f"the learning-rate schedule {type(opt.lr_scheduler).__name__} has no Keras counterpart")
        return {"name": snake_case(cls.__name__), "learning_rate": rate, "weight_decay": opt.weight_decay or None,
                "clipnorm": opt.clip_norm, "global_clipnorm": None, "clipvalue": opt.clip_value, "use_ema": False,
                "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
                "gradient_accumulation_steps": None,
                **{key: getattr(opt, attribute) for key, attribute in cls.keras_arguments.items()},
                **cls.keras_constants}

    def get_config(self) -> dict[str, Any]:
        """Keras's config: ``type(optimizer).from_config(config)`` here and in Keras rebuild it."""
        return type(self).keras_config(self)


@variant_of(_opt.SGD)
class SGD(KerasOptimizer, _opt.SGD):
    keras_arguments = {"momentum": "momentum", "nesterov": "nesterov"}

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, **kwargs: Any) -> None:
        if not isinstance(momentum, (int, float)) or not 0 <= momentum <= 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        super().__init__(momentum=momentum, nesterov=nesterov, **_common(
            "SGD", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


@variant_of(_opt.Adam)
class Adam(KerasOptimizer, _opt.Adam):
    keras_arguments = {"beta_1": "beta_1", "beta_2": "beta_2", "epsilon": "eps", "amsgrad": "amsgrad"}

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, **_common(
            "Adam", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


@variant_of(_opt.AdamW)
class AdamW(KerasOptimizer, _opt.AdamW):
    keras_arguments, keras_constants = Adam.keras_arguments, Adam.keras_constants

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad, **_common(
            "AdamW", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


@variant_of(_opt.RMSprop)
class RMSprop(KerasOptimizer, _opt.RMSprop):
    keras_arguments = {"rho": "alpha", "momentum": "momentum", "epsilon": "eps", "centered": "centered"}

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(rho=rho, momentum=momentum, epsilon=epsilon, centered=centered, **_common(
            "RMSprop", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


@variant_of(_opt.Adagrad)
class Adagrad(KerasOptimizer, _opt.Adagrad):
    keras_arguments = {"initial_accumulator_value": "initial_accumulator_value", "epsilon": "eps"}

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, **kwargs: Any) -> None:
        super().__init__(initial_accumulator_value=initial_accumulator_value, epsilon=epsilon, **_common(
            "Adagrad", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


#: Keras's optimizer names (lower case, as in ``compile("adam")`` and its files) -> the class
BY_NAME: dict[str, type] = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)}


def face_class(opt: _opt.Optimizer) -> type | None:
    """The class here for a seqnet optimizer's kind (the nearest in its class's ancestry), or None."""
    ours = {**{cls.engine_class: cls for cls in BY_NAME.values()}, **{cls: cls for cls in BY_NAME.values()}}
    return next((ours[k] for k in type(opt).__mro__ if k in ours), None)


def get(identifier: Any) -> _opt.Optimizer:
    """An optimizer from a Keras name (``"rmsprop"``: Keras's defaults and rules) or an optimizer object."""
    if isinstance(identifier, str):
        if identifier.lower() not in BY_NAME:
            raise ValueError(f"Unknown optimizer {identifier!r}; Keras names seqnet has: {', '.join(sorted(BY_NAME))}")
        return BY_NAME[identifier.lower()]()
    return _opt.get(identifier)


__getattr__ = missing(__name__)

__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get"]
