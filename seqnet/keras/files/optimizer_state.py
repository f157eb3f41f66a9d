"""The optimizer's state in a ``.keras`` file, in Keras's layout, both ways.

Keras keeps it in ``model.weights.h5`` under ``optimizer/vars/<i>``: ``0`` the iteration count,
``1`` the learning rate (when it is a number, not a schedule), then the slot variables of the
trainable weights in the model's order: Adam's (and AdamW's) momentum and velocity interleaved
weight by weight (with AMSGrad, the largest velocities after them); SGD's momentum; Adagrad's
accumulator; RMSprop's velocities, then its momentums (with ``momentum > 0``), then its average
gradients (``centered``). A bias slot is ``(n,)`` in
Keras and ``(1, n)`` in seqnet. Only optimizers that follow Keras's update rule
(``convention="keras"``, what models read from Keras files and the Keras face get) are written
with their state, since torch's momentum buffer is not Keras's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ... import optimizers as _optimizers
from ..._formats import ModelFileError


def slot_groups(opt: _optimizers.Optimizer) -> tuple[list[str], bool]:
    """``(slot names, interleaved)``: each weight's slots in Keras's order."""
    if isinstance(opt, _optimizers.Adam):
        return ["m", "v"], True
    if isinstance(opt, _optimizers.SGD):
        return (["momentum"] if opt.momentum else []), True
    if isinstance(opt, _optimizers.Adagrad):
        return ["sum"], True
    if isinstance(opt, _optimizers.RMSprop):
        return ["square_avg", *(["momentum"] if opt.momentum else []), *(["grad_avg"] if opt.centered else [])], False
    raise ModelFileError(f"Keras keeps no state for {type(opt).__name__} here")


def _targets(model: Any) -> list[tuple[str, str, np.ndarray]]:
    """``(layer, parameter, array)`` of every trainable weight, in the model's order."""
    return [(layer.name, name, value) for layer in model.layers if layer.trainable
            for name, value in layer.parameters.items()]


def trailing_slots(opt: _optimizers.Optimizer) -> list[str]:
    """The slots Keras keeps after the others, weight by weight: AMSGrad's largest velocities."""
    return ["v_max"] if isinstance(opt, _optimizers.Adam) and opt.amsgrad else []


def _order(model: Any, opt: _optimizers.Optimizer) -> list[tuple[str, str, str, np.ndarray]]:
    slots, interleaved = slot_groups(opt)
    targets = _targets(model)
    if interleaved:
        order = [(layer, param, slot, value) for layer, param, value in targets for slot in slots]
    else:
        order = [(layer, param, slot, value) for slot in slots for layer, param, value in targets]
    return order + [(layer, param, slot, value) for slot in trailing_slots(opt) for layer, param, value in targets]


def keras_variables(model: Any) -> list[np.ndarray] | None:
    """The optimizer's variables in Keras's order, or None when they would not mean Keras's state."""
    opt = model.optimizer
    if opt is None or opt.convention != "keras" or opt.lr_scheduler is not None:
        return None
    try:
        order = _order(model, opt)
    except ModelFileError:
        return None
    arrays = [np.array(opt.iterations, dtype=np.int64), np.array(opt.lr, dtype=np.float32)]
    for layer, param, slot, value in order:
        stored = opt.state.get((layer, param), {}).get(slot)
        if stored is None:  # a slot before the first step: as Keras creates it
            stored = np.full_like(value, opt.initial_accumulator_value if slot == "sum" else 0.0)
        arrays.append(np.asarray(stored).reshape(-1) if param == "b" else np.asarray(stored))
    return arrays


def set_from_keras(model: Any, arrays: list[np.ndarray], where: str) -> None:
    """Put Keras's optimizer variables into the compiled ``model``'s optimizer, checking all first."""
    opt = model.optimizer
    if opt is None or not arrays:
        return
    order = _order(model, opt)
    iterations = _step_count(arrays[0], where)
    if len(arrays) <= 2:  # saved before the first step: Keras had made no slots yet
        opt.iterations = iterations
        return
    schedule = len(arrays) == 1 + len(order)  # a schedule's rate is no variable
    if len(arrays) != 2 + len(order) and not schedule:
        raise ModelFileError(f"{where}: model.weights.h5 holds {len(arrays)} optimizer variables; the model's "
                             f"{type(opt).__name__} has {2 + len(order)} (iterations, learning rate, "
                             f"{len(order)} slots)")
    slots = arrays[1 if schedule else 2:]
    for (layer, param, slot, value), array in zip(order, slots):  # HDF5 datasets: checked before any is read
        if np.size(array) != value.size:
            raise ModelFileError(f"{where}: the optimizer's {slot} for {layer}/{param} has shape {np.shape(array)}, "
                                 f"but the weight has shape {value.shape}")
    opt.iterations = iterations
    opt.state = {}
    for (layer, param, slot, value), array in zip(order, slots):
        opt.state.setdefault((layer, param), {})[slot] = np.asarray(array, dtype=value.dtype).reshape(value.shape)


def _step_count(value: np.ndarray, where: str) -> int:
    """Keras's ``iterations`` variable: one whole non-negative number (a schedule and Adam's bias
    correction divide by what it implies, so -3 would turn the weights into NaN)."""
    if np.size(value) != 1:  # an HDF5 dataset: its size known before it is read
        raise ModelFileError(f"{where}: the optimizer's step count has shape {np.shape(value)}, not one number")
    array = np.asarray(value)
    if array.size != 1 or array.dtype.kind not in "iuf" or not np.isfinite(array).all():
        raise ModelFileError(f"{where}: the optimizer's step count is {array.dtype} {array.shape}, not one number")
    count = float(array.reshape(-1)[0])
    if count < 0 or count != int(count) or count > 2 ** 53:
        raise ModelFileError(f"{where}: the optimizer's step count is {count:g}, not a count of steps")
    return int(count)
