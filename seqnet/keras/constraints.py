"""``keras.constraints``: seqnet's weight constraints (:mod:`seqnet.constraints`), which take
Keras's arguments, as ``kernel_constraint=`` / ``bias_constraint=``, applied after each update as
Keras applies them."""
from __future__ import annotations

from typing import Any

from ..constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm, get
from ._missing import missing

max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def serialize(constraint: Constraint) -> dict[str, Any]:
    """Keras's serialized form (``{"module": "keras.constraints", "class_name": "MaxNorm", ...}``)."""
    return {"module": "keras.constraints", "class_name": type(constraint).__name__,
            "config": constraint.get_config(), "registered_name": None}


def deserialize(config: Any, custom_objects: Any = None) -> Constraint | None:
    return get(config)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "max_norm", "min_max_norm", "non_neg",
           "unit_norm", "get", "serialize", "deserialize"]


__getattr__ = missing(__name__)
