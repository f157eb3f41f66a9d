"""``keras.optimizers``: seqnet's optimizers with Keras's defaults and Keras's update rules
(``convention="keras"``, :mod:`seqnet.keras_updates`)."""
from __future__ import annotations

from typing import Any

from .. import optimizers as _opt
from . import schedules  # noqa: F401  (keras.optimizers.schedules)
from ..schedulers import Scheduler
from ._missing import missing


_INERT = ("name", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps")


def _common(who: str, learning_rate: Any, weight_decay: Any, clipnorm: Any, clipvalue: Any,
            extras: dict[str, Any]) -> dict[str, Any]:
    """The seqnet arguments for Keras's; what seqnet does not apply is refused by name."""
    unknown = sorted(k for k in extras if k not in (*_INERT, "global_clipnorm", "use_ema", "amsgrad"))
    if unknown:
        raise TypeError(f"{who}: unexpected arguments {unknown}")
    unsupported = sorted(k for k in ("global_clipnorm", "use_ema", "amsgrad") if extras.get(k))
    if unsupported:
        raise ValueError(f"{who}: seqnet does not apply {', '.join(unsupported)}; leave it out")
    rate = {"lr_scheduler": learning_rate, "learning_rate": learning_rate.lr} if isinstance(learning_rate, Scheduler) \
        else {"learning_rate": learning_rate}
    return {**rate, "weight_decay": weight_decay or 0.0, "clipnorm": clipnorm, "clipvalue": clipvalue,
            "convention": "keras"}


class SGD(_opt.SGD):
    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, **kwargs: Any) -> None:
        super().__init__(momentum=momentum, nesterov=nesterov, **_common(
            "SGD", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


class Adam(_opt.Adam):
    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **_common(
            "Adam", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(amsgrad=amsgrad, global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


class AdamW(_opt.AdamW):
    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, **_common(
            "AdamW", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(amsgrad=amsgrad, global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


class RMSprop(_opt.RMSprop):
    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(rho=rho, momentum=momentum, epsilon=epsilon, centered=centered, **_common(
            "RMSprop", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


class Adagrad(_opt.Adagrad):
    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False, **kwargs: Any) -> None:
        super().__init__(initial_accumulator_value=initial_accumulator_value, epsilon=epsilon, **_common(
            "Adagrad", learning_rate, weight_decay, clipnorm, clipvalue,
            dict(global_clipnorm=global_clipnorm, use_ema=use_ema, **kwargs)))


def get(identifier: Any) -> _opt.Optimizer:
    """An optimizer from a Keras name (``"rmsprop"``: Keras's defaults and rules) or an optimizer object."""
    if isinstance(identifier, str):
        by_name = {cls.__name__.lower(): cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)}
        if identifier.lower() not in by_name:
            raise ValueError(f"Unknown optimizer {identifier!r}; Keras names seqnet has: {', '.join(sorted(by_name))}")
        return by_name[identifier.lower()]()
    return _opt.get(identifier)


__all__ = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get"]

__getattr__ = missing(__name__)
