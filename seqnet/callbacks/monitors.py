"""Callbacks that watch one logged quantity: early stopping and checkpoints."""
from __future__ import annotations

import string
import warnings

import numpy as np

from ..messages import say
from ..tracking import MetricSet
from .base import Callback, callbacks


class _Monitor(Callback):
    """Shared logic of callbacks that watch one logged quantity for improvement, as Keras 3 does.

    ``mode="auto"`` minimises a loss and follows the direction of a compiled metric (up for
    accuracies, AUC, precision...; down for errors); any other quantity needs ``mode``. A new
    training run (``initial_epoch == 0``) starts from scratch, with no best value yet (``best`` is
    None); a resumed one keeps the best value and counters it had.
    """

    def __init__(self, monitor: str, mode: str, min_delta: float) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{type(self).__name__}: expected mode 'auto', 'min' or 'max', received mode={mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = abs(float(min_delta))
        self._direction: str | None = None if mode == "auto" else mode
        self._reset()

    def _reset(self) -> None:
        self.best: float | None = None
        self.wait = 0

    @property
    def monitor_op(self):
        """``np.less`` or ``np.greater``: how a better value compares (None until it is known)."""
        return {"min": np.less, "max": np.greater, None: None}[self._direction]

    def on_train_begin(self, logs=None):
        if not self.params.get("initial_epoch"):
            self._reset()

    def _direction_of_monitor(self) -> str:
        name = self.monitor.removeprefix("val_")
        if name == "loss":
            return "min"
        found = MetricSet(self.model).direction(name) if hasattr(self.model, "metrics") else None
        if found is None:
            raise ValueError(f"{type(self).__name__} callback received monitor={self.monitor}, which is neither the "
                             f"loss nor a compiled metric, so mode='auto' cannot tell whether it should be maximized "
                             f"or minimized: pass mode='max' or mode='min'")
        return "max" if found == "up" else "min"

    def _current(self, logs: dict | None) -> float | None:
        if self._direction is None:
            self._direction = self._direction_of_monitor()
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"{type(self).__name__}: `{self.monitor}` is not in the logs (available: "
                f"{', '.join(sorted(logs or {}))}); skipping", RuntimeWarning, stacklevel=3)
        return value

    def _improved(self, value: float, reference: float | None) -> bool:
        """Better than ``reference`` by more than ``min_delta`` (anything is, when there is none)."""
        if reference is None:
            return True
        if self._direction == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def _state(self, **counters: int) -> dict:
        """What a file keeps: the counters, and the best value once there is one."""
        return {**({} if self.best is None else {"best": self.best}), **counters}


@callbacks.register("early_stopping")
class EarlyStopping(_Monitor):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default "val_loss"
    min_delta : float, default 0
        Smaller changes do not count as improvement.
    patience : int, default 0
        Epochs without improvement before stopping (training stops on an epoch that does not
        improve, never on the first).
    mode : {"auto", "min", "max"}
        "auto" minimises the loss and follows a compiled metric's direction (see :class:`_Monitor`).
    restore_best_weights : bool, default False
        On stopping (or at the end of training), put back the weights of the best epoch.
    verbose : int, default 0
        1 prints a line when training stops early and when the best weights are put back.
    baseline : float, optional
        The patience counter restarts only on epochs that beat both the best so far and this
        value, so unless the baseline is beaten, training stops at the first epoch that does not
        improve once ``patience`` epochs have passed (Keras 3's meaning).
    start_from_epoch : int, default 0
        Epochs before this one (a warm-up) are not watched.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False, verbose: int = 0,
                 baseline: float | None = None, start_from_epoch: int = 0) -> None:
        self.patience = int(patience)
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = int(verbose)
        self.baseline = None if baseline is None else float(baseline)
        self.start_from_epoch = int(start_from_epoch)
        super().__init__(monitor, mode, min_delta)

    def _reset(self) -> None:
        super()._reset()
        self.best_epoch = 0
        self.stopped_epoch = 0
        self.best_weights: list[np.ndarray] | None = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.stopped_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        value = self._current(logs)
        if value is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improved(value, self.best):
            self.best, self.best_epoch = float(value), epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.verbose and self.stopped_epoch > 0:
            say(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                say(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_config(self):
        return {"monitor": self.monitor, "min_delta": self.min_delta, "patience": self.patience,
                "mode": self.mode, "restore_best_weights": self.restore_best_weights, "verbose": self.verbose,
                "baseline": self.baseline, "start_from_epoch": self.start_from_epoch}

    state_kinds = {"best": "number", "wait": "count", "best_epoch": "count", "best_weights": "arrays"}

    def get_state(self):
        state = self._state(wait=self.wait, best_epoch=self.best_epoch)
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
    save_freq : "epoch" or int, default "epoch"
        Save at the end of every epoch, or every ``save_freq`` batches (counted across epochs; the
        file name may then also hold ``{batch}``, and the batch's running logs are the ones monitored).
    """

    path_attributes = ("filepath",)

    def __init__(self, filepath: str, monitor: str = "val_loss", save_best_only: bool = False,
                 mode: str = "auto", save_weights_only: bool = False, verbose: int = 0,
                 save_freq: str | int = "epoch") -> None:
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: expected save_freq='epoch' or a positive number of batches, "
                             f"received save_freq={save_freq!r}")
        self.filepath = str(filepath)
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.verbose = int(verbose)
        self.save_freq = save_freq
        self._epoch, self._batches = 0, 0
        super().__init__(monitor, mode, 0.0)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        logged = self.params.get("metrics")
        if logged is None:
            return
        try:
            fields = {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(self.filepath)
                      if field}
        except ValueError as err:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} is not a valid format string: {err}") from None
        missing = sorted(fields - {"epoch", *logged, *(("batch",) if self.save_freq != "epoch" else ())})
        if missing:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} names {', '.join(missing)}, which this "
                             f"fit does not log; it logs epoch, {', '.join(logged)}")

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, logs or {}, batch=batch + 1)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs or {})

    def _save(self, epoch: int, logs: dict, **names: int) -> None:
        if self.save_best_only:
            value = self._current(logs)
            if value is None or not self._improved(value, self.best):
                return
            self.best = float(value)
        path = self.filepath.format(epoch=epoch + 1, **names, **logs)
        if self.verbose:
            say(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def get_config(self):
        return {"filepath": self.filepath, "monitor": self.monitor, "save_best_only": self.save_best_only,
                "mode": self.mode, "save_weights_only": self.save_weights_only, "verbose": self.verbose,
                "save_freq": self.save_freq}

    state_kinds = {"best": "number"}

    def get_state(self):
        return self._state()
