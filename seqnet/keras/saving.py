"""``keras.saving``: load and save models (``.keras`` and ``.h5``, Keras's or seqnet's), and one
object to and from Keras's serialized form (``{"module", "class_name", "config", ...}``)."""
from __future__ import annotations

from typing import Any

from ..constraints import Constraint
from ..initializers import Initializer
from ..layers import Layer
from ..regularizers import Regularizer
from .files import compile_configs, layer_configs
from . import constraints as _constraints
from . import initializers as _initializers
from . import regularizers as _regularizers
from .layers import face_layer
from .models import load_model
from ._missing import missing


def save_model(model: Any, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
    """Keras's ``save_model``: ``model.save(filepath)``."""
    model.save(filepath)


def serialize_keras_object(obj: Any) -> Any:
    """Keras's serialized form of a layer, regularizer, initializer, constraint, optimizer, loss or
    metric (a string as it is)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, Initializer):
        return _initializers.serialize(obj)
    if isinstance(obj, Constraint):
        return _constraints.serialize(obj)
    if isinstance(obj, (Layer, Regularizer)):
        module = "keras.layers" if isinstance(obj, Layer) else "keras.regularizers"
        return {"module": module, "class_name": type(obj).__name__, "config": obj.get_config(), "registered_name": None}
    return compile_configs.object_to_keras(obj)


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None, safe_mode: bool = True,
                             **kwargs: Any) -> Any:
    """The object for Keras's serialized form of a layer, regularizer, initializer, constraint,
    optimizer, loss or metric."""
    if not isinstance(config, dict):
        return config
    module = str(config.get("module", ""))
    if module.startswith("keras.initializers"):
        return _initializers.get(config)
    if module.startswith("keras.constraints"):
        return _constraints.get(config)
    if module.startswith("keras.layers"):
        return face_layer(layer_configs.layer_from_keras(config, "the serialized layer"))
    if module.startswith("keras.regularizers"):
        cls = getattr(_regularizers, str(config.get("class_name")), None)
        if not (isinstance(cls, type) and issubclass(cls, Regularizer)):
            raise ValueError(f"unknown regularizer {config.get('class_name')!r}; seqnet has L1, L2, L1L2")
        return cls(**config.get("config", {}))
    return compile_configs.object_from_keras(config)


__all__ = ["load_model", "save_model", "serialize_keras_object", "deserialize_keras_object"]


__getattr__ = missing(__name__)
