"""``keras.callbacks``: seqnet's callbacks, which follow Keras's hook contract."""
from ..callbacks import (BackupAndRestore, Callback, CSVLogger, EarlyStopping, History, LambdaCallback,
                         LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau, TensorBoard, TerminateOnNaN)
from ._missing import missing

__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "CSVLogger", "TerminateOnNaN", "LambdaCallback",
           "LearningRateScheduler", "ReduceLROnPlateau", "BackupAndRestore", "TensorBoard"]


__getattr__ = missing(__name__)
