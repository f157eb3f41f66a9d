"""Training callbacks with Keras's hook names and meanings.

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin``,
``on_train_batch_begin`` / ``on_train_batch_end`` for each batch and
``on_epoch_end(epoch, logs)`` (``epoch`` counts from 0), and ``on_train_end``.
A callback stops training by setting ``self.model.stop_training = True``.
"""
from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any

import numpy as np

from ._registry import Configurable, Registry

callbacks = Registry("callback")


class Callback(Configurable):
    """Base class; every hook does nothing unless overridden.

    ``self.model`` is the model being trained and ``self.params`` holds ``epochs``, ``steps``
    and ``initial_epoch`` of the running ``fit``. Callbacks whose decisions depend on the past
    (best value so far, wait counters) return it from :meth:`get_state`; ``model.save`` stores
    it and :func:`seqnet.load_model` restores it, so a resumed ``fit`` carries on exactly.
    """

    model: Any = None
    params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def get_state(self) -> dict[str, Any]:
        """What must survive a save and reload (JSON values, arrays or lists of arrays)."""
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value)

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


callbacks.base = Callback


class CallbackList:
    """Calls a hook on each callback in turn."""

    def __init__(self, items: list[Callback], model: Any, params: dict[str, Any]) -> None:
        self.items = list(items)
        for cb in self.items:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str):
        def call(*args: Any, **kwargs: Any) -> None:
            for cb in self.items:
                getattr(cb, hook)(*args, **kwargs)
        return call


@callbacks.register("history")
class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` is the list of epoch losses.

    ``history.epoch`` lists the (0-based) epochs recorded.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))


def format_logs(logs: dict[str, float]) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


@callbacks.register("progress_bar")
class ProgressBar(Callback):
    """Progress output of ``fit``.

    ``verbose=1``: a tqdm bar per epoch with the running loss and metrics when the output is a
    terminal, one line per epoch otherwise; ``verbose=2``: one line per epoch; ``verbose=0``: nothing.
    """

    def __init__(self, verbose: int = 1, epochs: int = 1, steps: int = 1, stream: Any = None) -> None:
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self.stream = stream if stream is not None else sys.stdout
        self.bar = None

    def _use_bar(self) -> bool:
        return self.verbose == 1 and hasattr(self.stream, "isatty") and self.stream.isatty()

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        if self._use_bar():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}", unit="batch",
                            file=self.stream, leave=True, dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in (logs or {}).items()}, refresh=False)
            self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self.start
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in (logs or {}).items()}, refresh=False)
            self.bar.close()
            self.bar = None
        elif self.verbose:
            print(f"Epoch {epoch + 1}/{self.epochs} - {elapsed:.1f}s - {format_logs(logs or {})}",
                  file=self.stream, flush=True)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def get_config(self):
        return {"verbose": self.verbose, "epochs": self.epochs, "steps": self.steps}


def _mode_op(mode: str, monitor: str, who: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: expected mode 'auto', 'min' or 'max', received mode={mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
    return mode


class _Monitor(Callback):
    """Shared logic of callbacks that watch one logged quantity for improvement.

    A new training run (``initial_epoch == 0``) starts from scratch; a resumed one keeps the
    best value and counters it had.
    """

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(float(min_delta))
        self._direction = _mode_op(mode, monitor, type(self).__name__)
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self._direction == "min" else -math.inf
        self.wait = 0

    def on_train_begin(self, logs=None):
        if not self.params.get("initial_epoch"):
            self._reset()

    def _current(self, logs: dict | None) -> float | None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{type(self).__name__}: `{self.monitor}` is not in the logs (available: "
                f"{', '.join(sorted(logs or {}))}); skipping", RuntimeWarning, stacklevel=3)
        return value

    def _improved(self, value: float) -> bool:
        if self._direction == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


@callbacks.register("early_stopping")
class EarlyStopping(_Monitor):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default "val_loss"
    min_delta : float, default 0
        Smaller changes do not count as improvement.
    patience : int, default 0
        Epochs without improvement before stopping.
    mode : {"auto", "min", "max"}
        "auto" maximises quantities named like accuracy and minimises the rest.
    restore_best_weights : bool, default False
        On stopping (or at the end of training), put back the weights of the best epoch.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False) -> None:
        self.patience = int(patience)
        self.restore_best_weights = bool(restore_best_weights)
        super().__init__(monitor, mode, min_delta)

    def _reset(self) -> None:
        super()._reset()
        self.best_epoch = -1
        self.stopped_epoch = -1
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.stopped_epoch = -1

    def on_epoch_end(self, epoch, logs=None):
        value = self._current(logs)
        if value is None:
            return
        if self._improved(value):
            self.best, self.best_epoch, self.wait = float(value), epoch, 0
            if self.restore_best_weights:
                self.best_weights = [w.copy() for w in self.model.get_weights()]
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)

    def get_config(self):
        return {"monitor": self.monitor, "min_delta": self.min_delta, "patience": self.patience,
                "mode": self.mode, "restore_best_weights": self.restore_best_weights}

    def get_state(self):
        state = {"best": self.best, "wait": self.wait, "best_epoch": self.best_epoch}
        if self.best_weights is not None:
            state["best_weights"] = self.best_weights
        return state


@callbacks.register("model_checkpoint")
class ModelCheckpoint(_Monitor):
    """Save the model (or only its weights) after every epoch, or only when ``monitor`` improves.

    Parameters
    ----------
    filepath : str
        May hold ``{epoch}`` (1-based) and any logged value, e.g. ``"ckpt-{epoch:02d}-{val_loss:.3f}.h5"``.
    monitor : str, default "val_loss"
    save_best_only : bool, default False
        Save only when ``monitor`` is better than every earlier value (the file is overwritten
        unless the path changes with the epoch).
    mode : {"auto", "min", "max"}
    save_weights_only : bool, default False
    verbose : int, default 0
        1 prints a line for each save.
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto", save_weights_only: bool = False, verbose: int = 0) -> None:
        self.filepath = str(filepath)
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.verbose = int(verbose)
        super().__init__(monitor, mode, 0.0)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = self._current(logs)
            if value is None or not self._improved(value):
                return
            self.best = float(value)
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def get_config(self):
        return {"filepath": self.filepath, "monitor": self.monitor, "save_best_only": self.save_best_only,
                "mode": self.mode, "save_weights_only": self.save_weights_only, "verbose": self.verbose}

    def get_state(self):
        return {"best": self.best}


def _require_plain_rate(callback: Callback) -> None:
    scheduler = callback.model.optimizer.lr_scheduler
    if scheduler is not None:
        raise ValueError(f"{type(callback).__name__} sets the learning rate itself, but the optimizer already "
                         f"follows lr_scheduler={scheduler!r}; use one or the other")


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
    """

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
        if self._improved(value):
            self.best, self.wait = float(value), 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            optimizer = self.model.optimizer
            new_lr = max(optimizer.learning_rate * self.factor, self.min_lr)
            if new_lr < optimizer.learning_rate:
                optimizer.learning_rate = new_lr
                if self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr:g}")
            self.cooldown_counter, self.wait = self.cooldown, 0

    def get_config(self):
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "min_delta": self.min_delta, "cooldown": self.cooldown, "min_lr": self.min_lr,
                "mode": self.mode, "verbose": self.verbose}

    def get_state(self):
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}


@callbacks.register("learning_rate_scheduler")
class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch.

    Parameters
    ----------
    schedule : callable, Scheduler or dict
        ``schedule(epoch, lr) -> new_lr`` (``epoch`` from 0), or a seqnet scheduler (or its
        config) evaluated at the epoch index. A callable is saved by its import path, so it
        must be a module-level function to reload.
    verbose : int, default 0
    """

    def __init__(self, schedule: Any, verbose: int = 0) -> None:
        from . import schedulers
        if isinstance(schedule, dict):
            schedule = schedulers.get(schedule)
        elif not callable(schedule):
            raise TypeError(f"LearningRateScheduler: expected a callable or a scheduler, got {type(schedule).__name__}")
        self.schedule = schedule
        self.verbose = int(verbose)

    def on_train_begin(self, logs=None):
        _require_plain_rate(self)

    def on_epoch_begin(self, epoch, logs=None):
        from .schedulers import Scheduler
        optimizer = self.model.optimizer
        lr = self.schedule(epoch) if isinstance(self.schedule, Scheduler) else self.schedule(epoch, optimizer.learning_rate)
        optimizer.learning_rate = float(lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:g}")

    def get_config(self):
        from ._registry import serialize
        from .schedulers import Scheduler
        if isinstance(self.schedule, Scheduler):
            return {"schedule": serialize(self.schedule), "verbose": self.verbose}
        return {"schedule": f"{self.schedule.__module__}:{self.schedule.__qualname__}", "verbose": self.verbose}

    @classmethod
    def from_config(cls, config):
        schedule = config["schedule"]
        if isinstance(schedule, str) and ":" in schedule:
            import importlib
            module, _, qualname = schedule.partition(":")
            try:
                target: Any = importlib.import_module(module)
                for part in qualname.split("."):
                    target = getattr(target, part)
            except (ImportError, AttributeError):
                raise ValueError(f"LearningRateScheduler: cannot import the schedule {schedule!r}; only "
                                 f"module-level functions can be saved and loaded") from None
            schedule = target
        return cls(schedule, config.get("verbose", 0))


@callbacks.register("csv_logger")
class CSVLogger(Callback):
    """Write one CSV row of logs per epoch: ``epoch`` (from 0) then the logged values.

    Parameters
    ----------
    filename : str
    separator : str, default ","
    append : bool, default False
        Append to an existing file (no second header) instead of overwriting it.
    """

    def __init__(self, filename: str, separator: str = ",", append: bool = False) -> None:
        self.filename, self.separator, self.append = str(filename), separator, bool(append)
        self.keys: list[str] | None = None

    def on_train_begin(self, logs=None):
        import os
        resume = self.append or bool(self.params.get("initial_epoch"))
        self.keys = None
        if resume and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
            with open(self.filename) as f:
                self.keys = f.readline().strip().split(self.separator)[1:]
        else:
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        with open(self.filename, "a") as f:
            if self.keys is None:
                self.keys = list(logs)
                f.write(self.separator.join(["epoch", *self.keys]) + "\n")
            f.write(self.separator.join([str(epoch), *(repr(float(logs.get(k, float("nan")))) for k in self.keys)]) + "\n")

    def get_config(self):
        return {"filename": self.filename, "separator": self.separator, "append": self.append}


@callbacks.register("terminate_on_nan")
class TerminateOnNaN(Callback):
    """Stop training (without raising) as soon as a batch loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch + 1}: invalid loss {loss}, terminating training")
            self.model.stop_training = True


def get(identifier: Any) -> Callback:
    """A callback from a registered name, a config dict or an instance."""
    return callbacks.get(identifier)
