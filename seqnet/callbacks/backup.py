"""Resuming a ``fit`` that was interrupted, as Keras's ``BackupAndRestore``, with seqnet's exact resume."""
from __future__ import annotations

import os
import warnings
from pathlib import Path

from .. import _formats, _safety
from .base import Callback, callbacks


@callbacks.register("backup_and_restore")
class BackupAndRestore(Callback):
    """Back the whole training state up after every epoch; a ``fit`` that finds a backup resumes from it.

    Run the same ``fit`` again after a crash (or a Ctrl-C, or a killed job): it restores the
    weights, the optimizer's state, the random generator, the history and the other callbacks'
    state from ``backup_dir``, and carries on with the next epoch, ending with the weights an
    uninterrupted run would have had, bit for bit. A ``fit`` that completes deletes the backup.

    Parameters
    ----------
    backup_dir : str
        Folder for the backup file (``backup.h5``), made if missing.
    save_freq : "epoch", default "epoch"
        seqnet resumes at epoch boundaries, so backups are made at the end of each epoch.
    delete_checkpoint : bool, default True
        Delete the backup when ``fit`` completes.
    """

    path_attributes = ("backup_dir",)

    def __init__(self, backup_dir: str, save_freq: str = "epoch", delete_checkpoint: bool = True) -> None:
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: seqnet backs up and resumes at the end of epochs only; pass "
                             f"save_freq='epoch', received save_freq={save_freq!r}")
        self.backup_dir, self.save_freq, self.delete_checkpoint = str(backup_dir), save_freq, bool(delete_checkpoint)

    @property
    def path(self) -> Path:
        return Path(self.backup_dir) / "backup.h5"

    def on_train_begin(self, logs=None):
        if not self.path.is_file():
            return
        with warnings.catch_warnings():  # only the state of the saved callbacks is used, not their functions
            warnings.simplefilter("ignore", _safety.LostReferenceWarning)
            saved = _formats.load(self.path)
        state = saved.get_state()
        old_callbacks = state.pop("callbacks")
        try:  # checks every weight against the model before it changes any
            self.model.set_state(state)
        except ValueError as err:
            raise _formats.ModelFileError(f"BackupAndRestore: the backup '{self.path}' was not made by this model "
                                          f"({err}); nothing was restored. Remove it, or point backup_dir at this "
                                          f"model's own backups") from None
        mine = [cb for cb in self.model.callbacks if cb is not self]
        for cb, old in zip(mine, old_callbacks):
            if type(cb) is type(old):
                cb.set_state(old.get_state())
        self.model.resume_epoch = saved.epochs_done

    def on_epoch_end(self, epoch, logs=None):
        self.model.save(self.path)

    def on_train_end(self, logs=None):
        # a run that failed (a non-finite step ends fit through here too) keeps its backup
        completed = self.model.stop_training or self.model.epochs_done >= self.params.get("epochs", 0)
        if self.delete_checkpoint and completed and self.path.is_file():
            os.unlink(self.path)

    def get_config(self):
        return {"backup_dir": self.backup_dir, "save_freq": self.save_freq, "delete_checkpoint": self.delete_checkpoint}
