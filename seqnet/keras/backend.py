"""``keras.backend``: the few functions Sequential code calls. seqnet computes in numpy, on
NHWC (``channels_last``) images, in float32 by default."""
from __future__ import annotations

from ..metrics import stateful as _metrics
from ._missing import missing


def backend() -> str:
    """The library that computes: ``"numpy"``."""
    return "numpy"


def floatx() -> str:
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor, used by its losses and optimizers."""
    return 1e-7


def image_data_format() -> str:
    return "channels_last"


def clear_session(free_memory: bool = True) -> None:
    """Forget the names given so far (the next unnamed ``AUC()`` is ``auc`` again), as Keras's does.
    seqnet keeps no other global state: each model owns its layers, weights and generator."""
    _metrics._NAMES_TAKEN.clear()


__getattr__ = missing(__name__)

__all__ = ["backend", "floatx", "epsilon", "image_data_format", "clear_session"]
