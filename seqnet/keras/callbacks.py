"""``keras.callbacks``: seqnet's callbacks, which follow Keras's hook contract."""
from ..callbacks import (BackupAndRestore, Callback, CSVLogger, EarlyStopping, History, LambdaCallback,
                         LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau, TensorBoard, TerminateOnNaN)

__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "CSVLogger", "TerminateOnNaN", "LambdaCallback",
           "LearningRateScheduler", "ReduceLROnPlateau", "BackupAndRestore", "TensorBoard"]
