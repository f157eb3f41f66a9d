"""``keras.initializers``: Keras's names with Keras's scales (no activation gain; He's scale is 2),
and Keras's normal cut at two standard deviations for ``GlorotNormal`` and ``HeNormal``. A
``seed`` makes the initializer draw the same array at every call, as in Keras."""
from __future__ import annotations

import math
from typing import Any

from .. import initializers as _init
from .._registry import serialize
from ..initializers import Constant, Ones, Zeros
from ._naming import snake_case
from ._missing import missing


def _default_axes(who: str, input_axes: Any, output_axes: Any) -> None:
    """Keras 3 can count a weight's fans over chosen axes; seqnet counts them as Keras does by default."""
    if input_axes is not None or output_axes is not None:
        raise ValueError(f"{who}: seqnet counts fans over the default axes; received input_axes={input_axes!r}, "
                         f"output_axes={output_axes!r}")


def GlorotUniform(seed: int | None = None, input_axes: Any = None, output_axes: Any = None) -> _init.Initializer:
    _default_axes("GlorotUniform", input_axes, output_axes)
    return _init.XavierUniform(gain=1.0, seed=seed)


def GlorotNormal(seed: int | None = None, input_axes: Any = None, output_axes: Any = None) -> _init.Initializer:
    _default_axes("GlorotNormal", input_axes, output_axes)
    return _init.XavierNormal(gain=1.0, truncated=True, seed=seed)


def HeUniform(seed: int | None = None, input_axes: Any = None, output_axes: Any = None) -> _init.Initializer:
    _default_axes("HeUniform", input_axes, output_axes)
    return _init.HeUniform(gain=math.sqrt(2.0), seed=seed)


def HeNormal(seed: int | None = None, input_axes: Any = None, output_axes: Any = None) -> _init.Initializer:
    _default_axes("HeNormal", input_axes, output_axes)
    return _init.HeNormal(gain=math.sqrt(2.0), truncated=True, seed=seed)


def RandomUniform(minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> _init.Initializer:
    return _init.Uniform(low=minval, high=maxval, seed=seed)


def RandomNormal(mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> _init.Initializer:
    return _init.Normal(mean=mean, std=stddev, seed=seed)


_BY_NAME = {"glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal, "he_uniform": HeUniform,
            "he_normal": HeNormal, "random_uniform": RandomUniform, "random_normal": RandomNormal,
            "zeros": Zeros, "ones": Ones, "constant": Constant}


def name_of(initializer: _init.Initializer) -> Any:
    """Keras's name for seqnet's ``initializer`` where it is one of Keras's (``"glorot_uniform"``),
    else seqnet's config of it."""
    config = serialize(initializer)
    return next((name for name, make in _BY_NAME.items() if serialize(make()) == config), config)


def get(identifier: Any) -> _init.Initializer:
    """An initializer from a Keras name (``"he_normal"``), Keras's serialized form of one
    (``{"class_name": "HeNormal", "config": {"seed": None}}``, as in its files and configs), or an
    initializer object (seqnet's config dicts too)."""
    if isinstance(identifier, dict) and snake_case(str(identifier.get("class_name", ""))) in _BY_NAME:
        return _BY_NAME[snake_case(identifier["class_name"])](**(identifier.get("config") or {}))
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown initializer {identifier!r}; Keras names seqnet has: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return _BY_NAME[key]()
    return _init.get(identifier)


__all__ = ["GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "RandomUniform", "RandomNormal", "Zeros", "Ones",
           "Constant", "get"]


__getattr__ = missing(__name__)
