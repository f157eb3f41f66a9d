"""Training callbacks with Keras's hook names and meanings.

``fit`` calls, in order: ``on_train_begin``, then per epoch ``on_epoch_begin``,
``on_train_batch_begin`` / ``on_train_batch_end`` for each batch and
``on_epoch_end(epoch, logs)`` (``epoch`` counts from 0), and ``on_train_end``.
A callback stops training by setting ``self.model.stop_training = True``.
"""
from __future__ import annotations

from typing import Any

from .averaging import Lookahead
from .backup import BackupAndRestore
from .base import Callback, CallbackList, callbacks
from .logs import CSVLogger, LambdaCallback, TerminateOnNaN
from .monitors import EarlyStopping, ModelCheckpoint
from .progress import History, ProgressBar, format_logs
from .rates import LearningRateScheduler, ReduceLROnPlateau
from .tensorboard import TensorBoard


def get(identifier: Any) -> Callback:
    """A callback from a registered name, a config dict or an instance."""
    return callbacks.get(identifier)


__all__ = ["Callback", "CallbackList", "History", "ProgressBar", "EarlyStopping", "ModelCheckpoint",
           "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN", "LambdaCallback", "BackupAndRestore", "Lookahead",
           "TensorBoard", "format_logs", "get", "callbacks"]
