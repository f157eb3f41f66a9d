"""Checks every reader of a model makes before it builds anything: a file's claims are checked
against the file itself, so that a model is built only once the stored weights are known to fit,
and a config (from a file or from JSON) is built only once each layer's arrays are of a sane size.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._formats import ModelFileError
from .limits import LIMITS


def input_shape(shape: Any, where: str) -> tuple[int, ...]:
    """One example's shape from a file: positive integers, of a sane size."""
    if not isinstance(shape, (list, tuple)) or not shape or len(shape) > 8 or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in shape):
        raise ModelFileError(f"{where}: the input shape {shape!r} is not a list of positive integers")
    if math.prod(shape) > LIMITS.example_elements:
        raise ModelFileError(f"{where}: the input shape {tuple(shape)} has {math.prod(shape):,} values per example, "
                             f"more than the {LIMITS.example_elements:,} seqnet accepts from a file")
    return tuple(shape)


def layer_fits(layer: Any, in_shape: tuple[int, ...], stored: dict[str, tuple[int, ...]] | None, where: str,
               exact: bool = True) -> tuple[int, ...]:
    """Check, before ``layer`` is built, that it would create what the file stores for it and return
    its output shape. ``stored``: the file's arrays' shapes by name, the same names and shapes as
    the layer's (``exact``), or as many values in all (another library's names and layout)."""
    try:
        shapes = layer.weight_shapes(in_shape)
        out_shape = tuple(layer.compute_output_shape(in_shape))
    except (ValueError, TypeError, IndexError) as err:
        raise ModelFileError(f"{where}: layer {layer.name!r} ({type(layer).__name__}) does not take its input of "
                             f"shape {(None, *in_shape)}: {err}") from None
    if shapes is not None and stored is not None:
        wanted = {k: tuple(int(d) for d in v) for k, v in shapes.items()}
        size = sum(math.prod(s) for s in wanted.values())
        stored = {k: tuple(v) for k, v in stored.items()}
        fits = wanted == stored if exact else size == sum(math.prod(s) for s in stored.values())
        if not fits:
            found = ", ".join(f"{k} of shape {v}" for k, v in stored.items()) or "nothing"
            raise ModelFileError(f"{where}: layer {layer.name!r} ({type(layer).__name__}) as configured would hold "
                                 f"{wanted} ({size:,} values), but the file stores {found} for it")
    for name, shape in (shapes or {}).items():
        if math.prod(shape) > LIMITS.example_elements:
            raise ModelFileError(f"{where}: layer {layer.name!r} ({type(layer).__name__}) would hold a {name} of shape "
                                 f"{tuple(shape)}, more than the {LIMITS.example_elements:,} values seqnet accepts "
                                 f"from a file")
    if math.prod(out_shape) > LIMITS.example_elements:
        raise ModelFileError(f"{where}: layer {layer.name!r} would output {out_shape} per example, more than the "
                             f"{LIMITS.example_elements:,} values seqnet accepts from a file")
    return out_shape


def optimizer_slots(model: Any, state: dict[str, Any], where: str) -> None:
    """Every optimizer slot ``"<layer>/<param>/<slot>"`` names a parameter of the model and has its shape."""
    iterations = state.get("iterations", 0)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 0:
        raise ModelFileError(f"{where}: the optimizer's iteration count {iterations!r} is not a count")
    layers = {layer.name: layer for layer in model.layers}
    for key, value in state.items():
        if key == "iterations":
            continue
        layer_name, _, rest = key.partition("/")
        param, _, slot = rest.rpartition("/")
        target = layers[layer_name].parameters.get(param) if layer_name in layers else None
        if target is None:
            raise ModelFileError(f"{where}: the optimizer holds state {key!r} for a parameter the model does not have")
        if np.shape(value) != target.shape:
            raise ModelFileError(f"{where}: the optimizer's {slot!r} for {layer_name}/{param} has shape "
                                 f"{np.shape(value)}, but the parameter has shape {target.shape}")


def warn_non_finite(model: Any, where: str) -> None:
    """Warn, naming the layer and array, about weights that are NaN or infinite."""
    for layer in model.layers:
        for name, value in layer.get_state().items():
            if not np.isfinite(value).all():
                warnings.warn(f"{where}: weight {layer.name}/{name} holds {int((~np.isfinite(value)).sum())} NaN or "
                              f"infinite values; the model's outputs will not be numbers", RuntimeWarning,
                              stacklevel=4)
