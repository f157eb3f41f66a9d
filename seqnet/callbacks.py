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
    """Base class; every hook does nothing unless overridden."""

    model: Any = None

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...


callbacks.base = Callback


class CallbackList:
    """Calls a hook on each callback in turn."""

    def __init__(self, items: list[Callback], model: Any) -> None:
        self.items = list(items)
        for cb in self.items:
            cb.set_model(model)

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


def _mode_op(mode: str, monitor: str, who: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: expected mode 'auto', 'min' or 'max', received mode={mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
    return mode


class _Monitor(Callback):
    """Shared logic of callbacks that watch one logged quantity for improvement."""

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(float(min_delta))
        self._direction = _mode_op(mode, monitor, type(self).__name__)
        self.best = math.inf if self._direction == "min" else -math.inf

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
        super().__init__(monitor, mode, min_delta)
        self.patience = int(patience)
        self.restore_best_weights = bool(restore_best_weights)
        self.wait = 0
        self.best_epoch = -1
        self.stopped_epoch = -1
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs=None):
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
