"""Callbacks that record or guard the run: a CSV log, a stop on a NaN loss."""
from __future__ import annotations

import math
import os
from typing import Any

from .._files import write_text
from .._safety import read_text
from ..messages import say
from .base import Callback, callbacks


@callbacks.register("csv_logger")
class CSVLogger(Callback):
    """Write one CSV row of logs per epoch: ``epoch`` then the logged values (``NA`` for a value an
    epoch does not log, as the validation values of an epoch that does not validate).

    Parameters
    ----------
    filename : str
    separator : str, default ","
    append : bool, default False
        Append to an existing file (no second header) instead of overwriting it.
    first_epoch : int, default 0
        The number of the first epoch in the ``epoch`` column: 0 as Keras counts, 1 as the progress
        output and the run folders (:class:`seqnet.experiment.Run`) count.
    """

    path_attributes = ("filename",)

    def __init__(self, filename: str, separator: str = ",", append: bool = False, first_epoch: int = 0) -> None:
        self.filename, self.separator, self.append = str(filename), separator, bool(append)
        self.first_epoch = int(first_epoch)
        self.keys: list[str] | None = None
        self._text = ""  # the log as written so far

    def on_train_begin(self, logs=None):
        resume = self.append or bool(self.params.get("initial_epoch"))
        self.keys, self._text = None, ""
        if resume and os.path.lexists(self.filename):  # the log so far, read as data (never through a link)
            self._text = read_text(self.filename, ValueError, "CSV log", inside=os.path.dirname(self.filename) or ".")
            if self._text and not self._text.endswith("\n"):
                self._text += "\n"
            if self._text:
                self.keys = [_from_cell(k) for k in self._text.split("\n", 1)[0].split(self.separator)[1:]]
        write_text(self.filename, self._text)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:  # what this epoch logs, and what later ones will (validation every n epochs)
            self.keys = [*logs, *(k for k in self.params.get("metrics", ()) if k not in logs)]
            self._text += self.separator.join(["epoch", *map(_cell, self.keys)]) + "\n"
        values = (_value_cell(logs[k]) if k in logs else "NA" for k in self.keys)
        self._text += self.separator.join([str(epoch + self.first_epoch), *values]) + "\n"
        write_text(self.filename, self._text)  # whole, each epoch: a crash leaves the log of the epochs done

    def get_config(self):
        return {"filename": self.filename, "separator": self.separator, "append": self.append,
                "first_epoch": self.first_epoch}


_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def _cell(name: str) -> str:
    """A logged name as a CSV cell a spreadsheet shows as text: a metric's name can come from a model
    file, and one starting like a formula (``=HYPERLINK(...)``) would run when the log is opened."""
    return "'" + name if name.startswith(_FORMULA) else name


def _value_cell(value: Any) -> str:
    """A logged value as Keras writes it: ``0.25``, or a quoted list for a metric of each class."""
    return f'"[{", ".join(map(repr, value))}]"' if isinstance(value, list) else repr(float(value))


def _from_cell(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA) else cell


@callbacks.register("terminate_on_nan")
class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite: after that batch (the model and
    its history kept), or with ``raise_error=True`` by raising a ``RuntimeError`` at once."""

    def __init__(self, raise_error: bool = False) -> None:
        self.raise_error = bool(raise_error)

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                                   f"Terminating training immediately.")
            say(f"Batch {batch + 1}: invalid loss {loss}, terminating training")
            self.model.stop_training = True

    def get_config(self):
        return {"raise_error": self.raise_error}


class LambdaCallback(Callback):
    """A callback made of plain functions, as Keras's ``LambdaCallback``.

    Each argument is called at its hook: ``on_train_begin(logs)``, ``on_train_end(logs)``,
    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``, ``on_train_batch_begin(batch,
    logs)``, ``on_train_batch_end(batch, logs)``, and as keywords the test and predict hooks
    (``on_test_begin``, ``on_predict_batch_end``, ...); any other keyword becomes an attribute, as
    in Keras. Functions cannot be saved: ``model.save`` leaves it out.

    Examples
    --------
    >>> from seqnet.callbacks import LambdaCallback
    >>> losses = []
    >>> record = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_epoch_begin: Any = None, on_epoch_end: Any = None, on_train_begin: Any = None,
                 on_train_end: Any = None, on_train_batch_begin: Any = None, on_train_batch_end: Any = None,
                 **kwargs: Any) -> None:
        given = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)  # the test and predict hooks, or any other
        for hook, fn in given.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: `{hook}` must be a function, received {type(fn).__name__}")
            counted = hook.startswith("on_") and hook.endswith(("_batch_begin", "_batch_end", "epoch_begin",
                                                                  "epoch_end"))
            setattr(self, hook, _with_logs(fn, counted=counted) if hook.startswith("on_") else fn)


def _with_logs(fn: Any, counted: bool) -> Any:
    """``fn`` called as Keras calls it: with the epoch or batch index where the hook has one, and a logs dict."""
    if counted:
        return lambda index, logs=None: fn(index, logs or {})
    return lambda logs=None: fn(logs or {})
