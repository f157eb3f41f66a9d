"""``keras.saving``: load and save models (``.keras`` and ``.h5``, Keras's or seqnet's)."""
from __future__ import annotations

from typing import Any

from .models import load_model


def save_model(model: Any, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
    """Keras's ``save_model``: ``model.save(filepath)``."""
    model.save(filepath)


__all__ = ["load_model", "save_model"]
