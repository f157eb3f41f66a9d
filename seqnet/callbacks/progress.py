"""What ``fit`` always runs: the History record and the progress output."""
from __future__ import annotations

import sys
import time
from typing import Any

from ..messages import say
from .base import Callback, callbacks


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
            self.history.setdefault(key, []).append(list(value) if isinstance(value, list) else float(value))


def format_logs(logs: dict[str, Any]) -> str:
    """``loss: 0.1234 - f1_score: [0.5000, 0.7500]``: a metric of each class logs a list."""
    def number(value: Any) -> str:
        return f"[{', '.join(f'{v:.4f}' for v in value)}]" if isinstance(value, list) else f"{value:.4f}"
    return " - ".join(f"{k}: {number(v)}" for k, v in logs.items())


@callbacks.register("progress_bar")
class ProgressBar(Callback):
    """Progress output of ``fit``.

    Every epoch ends with one full line: its time, the training loss and metrics and the
    validation ones. ``verbose=1`` also shows a tqdm bar (with the running loss) while the epoch
    runs, when the output is a terminal; the bar is cleared when the epoch's line is printed, so
    the metrics are never cut at the terminal's width and a redirected output holds only the lines.
    ``verbose=2``: the lines only; ``verbose=0``: nothing.
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
                            file=self.stream, leave=False, dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            if "loss" in (logs or {}):  # the loss alone: the bar must fit an 80-column terminal
                self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)
            self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self.start
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.verbose:
            say(f"Epoch {epoch + 1}/{self.epochs} - {elapsed:.1f}s - {format_logs(logs or {})}", self.stream)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def get_config(self):
        return {"verbose": self.verbose, "epochs": self.epochs, "steps": self.steps}
