"""Averaging the weights along the run: the lookahead of the speed-record CIFAR-10 networks."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Callback, callbacks


@callbacks.register("lookahead")
class Lookahead(Callback):
    r"""Pull the weights back toward their running average every few steps, and end on the average.

    Every ``every`` updates, with :math:`d = \text{decay}\,(t/T)^{\text{ramp}}` at update
    :math:`t` of the run's :math:`T`: the average moves to :math:`a \leftarrow d\,a + (1-d)\,w`
    and the weights are set to it, :math:`w \leftarrow a` (Zhang et al.'s lookahead, with the
    decay that Keller Jordan's *airbench* ramps up from 0 over the run). At the end of ``fit`` the
    weights are the average (the updates since the last pull are left out, as in *airbench*). The
    average covers the parameters and BatchNorm's running statistics alike. :math:`t` and
    :math:`T` count the whole run's updates from epoch 0, as a learning-rate schedule does; a
    ``fit`` from ``initial_epoch`` starts a new average from the weights it resumes with.

    Parameters
    ----------
    every : int, default 5
        Updates between two pulls.
    decay : float, default 0.95 ** 5
        The average's decay at the end of the run (per pull).
    ramp : float, default 3
        The power of the decay's rise over the run; 0 keeps it at ``decay`` throughout.
    """

    def __init__(self, every: int = 5, decay: float = 0.95 ** 5, ramp: float = 3.0) -> None:
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"Lookahead: every is a positive number of updates, received every={every!r}")
        if not 0.0 <= float(decay) <= 1.0 or not float(ramp) >= 0.0:
            raise ValueError(f"Lookahead: expected decay in [0, 1] and ramp >= 0, received decay={decay}, ramp={ramp}")
        self.every, self.decay, self.ramp = int(every), float(decay), float(ramp)
        self._average: list[np.ndarray] = []
        self._step, self._total = 0, 1

    def get_config(self) -> dict[str, Any]:
        return {"every": self.every, "decay": self.decay, "ramp": self.ramp}

    def _weights(self) -> list[np.ndarray]:
        return [w for layer in self.model.layers for w in layer.get_state().values()  # the arrays themselves
                if np.issubdtype(w.dtype, np.floating)]

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._average = [w.copy() for w in self._weights()]
        steps = self.params.get("steps") or 1
        self._step, self._total = self.params.get("initial_epoch", 0) * steps, max(1, self.params.get("epochs", 1) * steps)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        if self._step % self.every == 0:
            self._pull(self.decay * min(1.0, self._step / self._total) ** self.ramp)

    def on_train_end(self, logs: dict | None = None) -> None:
        self._pull(1.0)

    def _pull(self, decay: float) -> None:
        for average, weight in zip(self._average, self._weights()):
            average *= decay
            average += (1.0 - decay) * weight
            weight[...] = average
