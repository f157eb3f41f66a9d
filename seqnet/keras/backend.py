"""``keras.backend``: the few functions Sequential code calls. seqnet computes in numpy, on
NHWC (``channels_last``) images, in float32 by default."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..metrics import stateful as _metrics
from ._missing import missing
from .layers import Variable as _Variable


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


def Variable(initializer: Any = None, shape: Any = None, dtype: Any = None, trainable: bool = True,  # noqa: N802
             name: str | None = None, **kwargs: Any) -> _Variable:
    """Keras's ``keras.Variable(value, dtype=None, name=None)``: an array (float32 unless ``dtype``
    says otherwise) with Keras's ``numpy()``, ``assign()``, ``value`` and ``name``, which
    optimizers' ``apply_gradients`` update in place. ``initializer`` is the value, or an
    initializer called with ``shape``."""
    value = initializer(shape) if callable(initializer) else initializer
    variable = np.array(value, dtype=dtype or "float32").view(_Variable)
    variable.name, variable.trainable = name or "variable", bool(trainable)
    return variable


def clear_session(free_memory: bool = True) -> None:
    """Forget the names given so far (the next unnamed ``AUC()`` is ``auc`` again), as Keras's does.
    seqnet keeps no other global state: each model owns its layers, weights and generator."""
    _metrics._NAMES_TAKEN.clear()


__getattr__ = missing(__name__)

__all__ = ["backend", "floatx", "epsilon", "image_data_format", "clear_session", "Variable"]
