"""Callbacks that set the learning rate."""
from __future__ import annotations

import importlib
import inspect
import warnings
from typing import Any

import numpy as np

from .. import _safety, schedulers
from .._registry import serialize
from ..messages import say
from ..schedulers import Scheduler
from .base import Callback, callbacks
from .monitors import _Monitor


def _require_plain_rate(callback: Callback) -> None:
    scheduler = callback.model.optimizer.lr_scheduler
    if scheduler is not None:
        raise TypeError(f"This optimizer was created with a `LearningRateSchedule` (lr_scheduler={scheduler!r}), "
                        f"so its learning rate is not settable, and {type(callback).__name__} sets the learning "
                        f"rate itself: use one or the other")


@callbacks.register("reduce_lr_on_plateau")
class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default "val_loss"
    factor : float, default 0.1
        In (0, 1).
    patience : int, default 10
    min_delta : float, default 1e-4
    cooldown : int, default 0
        Epochs to wait after a reduction before counting again.
    min_lr : float, default 0
    mode : {"auto", "min", "max"}
    verbose : int, default 0

    Notes
    -----
    Each epoch's logs (and so the history) get ``learning_rate``, the rate the epoch trained with,
    as in Keras.
    """

    logs_learning_rate = True

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, mode: str = "auto",
                 verbose: int = 0) -> None:
        if not 0.0 < float(factor) < 1.0:
            raise ValueError(f"ReduceLROnPlateau: expected `factor` in (0, 1), received factor={factor}")
        self.factor, self.patience, self.cooldown = float(factor), int(patience), int(cooldown)
        self.min_lr, self.verbose = float(min_lr), int(verbose)
        super().__init__(monitor, mode, min_delta)

    def _reset(self) -> None:
        super()._reset()
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        _require_plain_rate(self)

    def on_epoch_end(self, epoch, logs=None):
        value = self._current(logs)
        if value is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(value, self.best):
            self.best, self.wait = float(value), 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            optimizer = self.model.optimizer
            if optimizer.lr > np.float32(self.min_lr):
                new_lr = max(optimizer.lr * self.factor, self.min_lr)
                optimizer.lr = new_lr
                if self.verbose:
                    say(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {_rate(new_lr)}.")
                self.cooldown_counter, self.wait = self.cooldown, 0

    def get_config(self):
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "min_delta": self.min_delta, "cooldown": self.cooldown, "min_lr": self.min_lr,
                "mode": self.mode, "verbose": self.verbose}

    state_kinds = {"best": "number", "wait": "count", "cooldown_counter": "count"}

    def get_state(self):
        return self._state(wait=self.wait, cooldown_counter=self.cooldown_counter)


@callbacks.register("learning_rate_scheduler")
class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch.

    Parameters
    ----------
    schedule : callable, Scheduler or dict
        ``schedule(epoch, lr) -> new_lr`` or ``schedule(epoch) -> new_lr`` (``epoch`` from 0;
        told apart by the function's arguments, as Keras does), or a seqnet scheduler (or its
        config) evaluated at the epoch index. A callable is saved by its import path, so it
        must be a module-level function to reload.
    verbose : int, default 0

    Notes
    -----
    Each epoch's logs (and so the history) get ``learning_rate``, as in Keras.
    """

    logs_learning_rate = True

    def __init__(self, schedule: Any, verbose: int = 0) -> None:
        if isinstance(schedule, dict):
            schedule = schedulers.get(schedule)
        elif not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected a callable or a scheduler, got {type(schedule).__name__}")
        self.schedule = schedule
        self.verbose = int(verbose)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "schedule":
            self.__dict__.pop("_lost", None)
        super().__setattr__(name, value)

    def check_ready(self) -> None:
        super().check_ready()
        if "_lost" in self.__dict__:
            reference, source = self._lost
            raise ValueError(f"LearningRateScheduler: its schedule {reference!r} was saved by reference and not "
                             f"restored from {source}; load the file with custom_objects={{{_short(reference)!r}: "
                             f"{_short(reference)}}}, or give the callback its function (callback.schedule = ...)")

    def on_train_begin(self, logs=None):
        _require_plain_rate(self)

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = self.schedule(epoch) if _takes_epoch_only(self.schedule) else self.schedule(epoch, optimizer.lr)
        optimizer.lr = float(lr)
        if self.verbose:
            say(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {_rate(lr)}.")

    def get_config(self):
        if "_lost" in self.__dict__:
            return {"schedule": self._lost[0], "verbose": self.verbose}
        if isinstance(self.schedule, Scheduler):
            return {"schedule": serialize(self.schedule), "verbose": self.verbose}
        return {"schedule": f"{self.schedule.__module__}:{self.schedule.__qualname__}", "verbose": self.verbose}

    @classmethod
    def from_config(cls, config):
        """A schedule saved by reference (``"module:qualname"``) is bound from the loader's
        ``custom_objects``, or imported only under ``safe_mode=False``; else the callback comes back
        without it (a :class:`~seqnet._safety.LostReferenceWarning` names it) and ``fit`` refuses it."""
        schedule = config["schedule"]
        if not (isinstance(schedule, str) and ":" in schedule):
            return cls(schedule, config.get("verbose", 0))
        trust = _safety.current()
        target = _safety.custom_object(schedule)
        if target is None and not trust.safe_mode:
            target = _import(schedule)  # None for what cannot be imported (a lambda, a nested function)
        if target is not None:
            return cls(target, config.get("verbose", 0))
        callback = cls(lambda epoch, lr: lr, config.get("verbose", 0))
        callback._lost = (schedule, trust.source)
        short = _short(schedule)
        warnings.warn(f"{trust.source}: the LearningRateScheduler's schedule {schedule!r} is a function saved by "
                      f"reference, which seqnet does not import from a file; the callback loads without it, and fit "
                      f"refuses it until it has one. Pass load_model(..., custom_objects={{{short!r}: {short}}}), "
                      f"or safe_mode=False for a file you trust", _safety.LostReferenceWarning, stacklevel=2)
        return callback


def _rate(lr: float) -> float:
    """A learning rate as the verbose lines print it, as Keras does (``1.0``), to 6 digits."""
    return float(f"{lr:.6g}")


def _takes_epoch_only(schedule: Any) -> bool:
    """Whether ``schedule`` is called ``schedule(epoch)`` (a seqnet scheduler, or a function of one
    argument, as Keras allows) rather than ``schedule(epoch, lr)``."""
    if isinstance(schedule, Scheduler):
        return True
    try:
        positional = [p for p in inspect.signature(schedule).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):  # a callable without a signature: Keras's current form
        return False
    return len(positional) == 1 and positional[0].kind != positional[0].VAR_POSITIONAL


def _short(reference: str) -> str:
    """``"f"`` of ``"module:Class.f"``: the name a user's custom_objects would use."""
    return reference.partition(":")[2].rsplit(".", 1)[-1]


def _import(reference: str) -> Any:
    """The module-level function ``"module:qualname"``, imported (only for files the caller trusts);
    None if there is no such function."""
    module, _, qualname = reference.partition(":")
    try:
        target: Any = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        return None
    return target if callable(target) else None
