"""The TensorBoard callback: training curves and weight histograms as TensorBoard event files.

It writes what Keras 3's ``keras.callbacks.TensorBoard`` writes, under the same names, so a
TensorBoard page reads a seqnet run as it reads a Keras one: ``log_dir/train`` holds
``epoch_loss``, ``epoch_<metric>`` and ``epoch_learning_rate`` at each epoch (and ``batch_<name>``
every ``update_freq`` batches), ``log_dir/validation`` the validation values under the same
names (without ``val_``) and ``evaluation_<name>_vs_iterations`` by optimizer step; histograms of
the weights go to ``train`` as ``<layer>/<weight>/histogram``, each weight named as the layer's
face names it (Keras's ``kernel``, seqnet's ``W``). The files are written with the
``tensorboard`` package's own event writer (``pip install tensorboard``).
"""
from __future__ import annotations

import os
import time
import warnings
from typing import Any

import numpy as np

from .base import Callback, callbacks

_INSTALL = ("TensorBoard: seqnet writes TensorBoard's event files with the tensorboard package, which is not "
            "installed; install it with `pip install tensorboard` (or `pip install -e \".[tensorboard]\"` in a "
            "checkout of seqnet)")


def _summaries() -> Any:
    """The tensorboard package's event writer and record types, or the one error saying how to get them."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
        raise ImportError(_INSTALL) from None
    return EventFileWriter, event_pb2, summary_pb2


def _weight_names(layer: Any) -> list[tuple[str, np.ndarray]]:
    """``(name, array)`` of each of the layer's weights, named as its face names them: ``kernel``,
    ``bias`` for a layer of the Keras face (its weights carry names), ``W``, ``b`` for seqnet's."""
    return [(getattr(shown, "name", "") or key, array)
            for (key, array), shown in zip(layer.get_state().items(), layer.weights)]


@callbacks.register("tensorboard")
class TensorBoard(Callback):
    """Log the run for TensorBoard (``tensorboard --logdir LOG_DIR``), as Keras's callback does.

    Parameters
    ----------
    log_dir : str, default "logs"
        The run's folder: event files go to ``log_dir/train`` and ``log_dir/validation``.
    histogram_freq : int, default 0
        Every this many epochs, a histogram of every weight (0: none).
    write_graph : bool, default False
        Keras draws the model's graph; seqnet has none to draw and writes none (``True`` warns).
    update_freq : "epoch", "batch" or int, default "epoch"
        Also log each batch's values (``batch_loss``, ...) every batch, or every N batches.

    Examples
    --------
    >>> from seqnet.callbacks import TensorBoard
    >>> board = TensorBoard("runs/logs", update_freq=10)  # model.fit(X, y, callbacks=[board])
    """

    path_attributes = ("log_dir",)

    def __init__(self, log_dir: str = "logs", histogram_freq: int = 0, write_graph: bool = False,
                 update_freq: str | int = "epoch") -> None:
        _summaries()  # say at once how to install it, not at the end of the first epoch
        if update_freq not in ("epoch", "batch") and (isinstance(update_freq, bool) or not isinstance(update_freq, int)
                                                      or update_freq < 1):
            raise ValueError(f"TensorBoard: expected update_freq='epoch', 'batch' or a positive number of batches, "
                             f"received update_freq={update_freq!r}")
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: expected histogram_freq to be a count of epochs (0 for none), "
                             f"received histogram_freq={histogram_freq!r}")
        if write_graph:
            warnings.warn("TensorBoard: seqnet's models have no computation graph to draw; write_graph is ignored",
                          UserWarning, stacklevel=2)
        self.log_dir, self.histogram_freq = str(log_dir), histogram_freq
        self.write_graph, self.update_freq = bool(write_graph), update_freq
        self._writers: dict[str, Any] = {}
        self._step = 0

    def get_config(self) -> dict[str, Any]:
        return {"log_dir": self.log_dir, "histogram_freq": self.histogram_freq, "write_graph": self.write_graph,
                "update_freq": self.update_freq}

    # -- writing ---------------------------------------------------------------
    def _writer(self, run: str) -> Any:
        if run not in self._writers:
            folder = os.path.join(self.log_dir, run)
            os.makedirs(folder, exist_ok=True)
            self._writers[run] = _summaries()[0](folder)
        return self._writers[run]

    def _write(self, run: str, step: int, values: list[Any]) -> None:
        _, event_pb2, summary_pb2 = _summaries()
        event = event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary_pb2.Summary(value=values))
        self._writer(run).add_event(event)

    def _scalars(self, run: str, step: int, logs: dict[str, Any], prefix: str, suffix: str = "") -> None:
        summary_pb2 = _summaries()[2]
        values = [summary_pb2.Summary.Value(tag=f"{prefix}{name}{suffix}", simple_value=float(value))
                  for name, value in logs.items() if np.ndim(value) == 0]
        if values:
            self._write(run, step, values)

    def _histograms(self, epoch: int) -> None:
        summary_pb2 = _summaries()[2]
        values = []
        for layer in self.model.layers:
            for name, weight in _weight_names(layer):
                w = np.asarray(weight, dtype=np.float64).ravel()
                counts, edges = np.histogram(w, bins=30)
                histo = summary_pb2.HistogramProto(min=float(w.min()), max=float(w.max()), num=float(w.size),
                                                   sum=float(w.sum()), sum_squares=float(w @ w),
                                                   bucket_limit=[float(e) for e in edges[1:]],
                                                   bucket=[float(c) for c in counts])
                values.append(summary_pb2.Summary.Value(tag=f"{layer.name}/{name}/histogram", histo=histo))
        if values:
            self._write("train", epoch, values)

    # -- the hooks -------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._step = 0

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        every = 1 if self.update_freq == "batch" else self.update_freq
        if every != "epoch" and self._step % every == 0:
            self._scalars("train", self._step, logs or {}, "batch_")

    def on_test_end(self, logs=None):
        if self.model.optimizer is not None:
            self._scalars("validation", self.model.optimizer.iterations, logs or {}, "evaluation_", "_vs_iterations")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        if self.model.optimizer is not None:
            train["learning_rate"] = self.model.optimizer.current_lr
        self._scalars("train", epoch, train, "epoch_")
        self._scalars("validation", epoch, {k[4:]: v for k, v in logs.items() if k.startswith("val_")}, "epoch_")
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
