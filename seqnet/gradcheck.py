"""Numerical gradient checks by central differences in float64.

Use them on any layer, activation, loss or whole model, in particular on a layer
you wrote yourself::

    errors = check_gradients(MyLayer(...), X)
    assert max(errors.values()) < 1e-6
"""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from .activations import Activation
from .layers import Layer
from .losses import Loss
from .checks import check_y


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``, and 0 when both are zero."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6,
                       indices: np.ndarray | None = None) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``x`` (changed in place and restored).

    Only the flat ``indices`` are probed when given; the result has the shape of ``x`` (0 elsewhere).
    """
    if not x.flags.c_contiguous:
        raise ValueError("numerical_gradient: x must be C-contiguous (it is changed through a flat view)")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in (range(x.size) if indices is None else indices):
        old = flat[i]
        flat[i] = old + eps
        plus = f()
        flat[i] = old - eps
        minus = f()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def _sample(size: int, max_checks: int | None, rng: np.random.Generator) -> np.ndarray:
    if max_checks is None or size <= max_checks:
        return np.arange(size)
    return rng.choice(size, max_checks, replace=False)


def _float64_copy(obj: Any) -> Any:
    obj = copy.deepcopy(obj)
    layers = obj.layers if hasattr(obj, "layers") else [obj]
    for layer in layers:
        for store in (layer.parameters, layer.buffers):
            for k in store:
                store[k] = store[k].astype(np.float64)
        layer.gradients = type(layer.gradients)((k, np.zeros_like(v)) for k, v in layer.parameters.items())
        if layer.dtype is not None:
            layer.dtype = np.dtype(np.float64)
    if hasattr(obj, "dtype") and hasattr(obj, "layers"):
        obj.dtype = np.dtype(np.float64)
    return obj


def _frozen_rng(layers: list[Any]) -> Callable[[], None]:
    """A function that puts every layer's generator back to its present state (same dropout masks)."""
    states = [(l, l.rng.bit_generator.state) for l in layers if getattr(l, "rng", None) is not None]

    def reset() -> None:
        for layer, state in states:
            layer.rng.bit_generator.state = state
    return reset


def check_gradients(obj: Any, X: Any, Y: Any = None, eps: float = 1e-6, max_checks: int | None = 200,
                    seed: int = 0) -> dict[str, float]:
    """Relative error between analytic and central-difference gradients.

    Parameters
    ----------
    obj : seqnet.layers.Layer, seqnet.activations.Activation, seqnet.losses.Loss or seqnet.Sequential
        What to check. Layers and models are copied and converted to float64 first.
        For a layer or activation the scalar checked is ``sum(R * output)`` with a fixed random
        ``R``; for a loss it is ``loss(Y, X)``; for a compiled model it is its loss on ``(X, Y)``
        in training mode.
    X : array
        Input (for a loss: the prediction ``Y_hat``). Integer input (an Embedding's token ids)
        is kept as it is and gets no ``"X"`` entry.
    Y : array, optional
        Targets, for a loss or a model.
    eps : float, default 1e-6
        Step of the central differences.
    max_checks : int or None, default 200
        Probe at most this many random entries of each array (None: all of them).
    seed : int
        Seeds ``R`` and the choice of probed entries.

    Returns
    -------
    dict
        ``{"X": err, ...}`` plus ``"<param>"`` for a layer or ``"<layer>/<param>"`` for a model.

    Examples
    --------
    >>> import numpy as np
    >>> from seqnet.layers import Dense
    >>> from seqnet.gradcheck import check_gradients
    >>> errors = check_gradients(Dense(4, activation="tanh"), np.random.default_rng(0).normal(size=(5, 3)))
    >>> sorted(errors), max(errors.values()) < 1e-6
    (['W', 'X', 'b'], True)
    """
    rng = np.random.default_rng(seed)
    ids = np.asarray(X).dtype.kind in "iu" and not isinstance(obj, (Loss, Activation))  # token ids: no dX
    X = np.array(X, dtype=np.int64 if ids else np.float64, order="C")  # perturbed through a flat view: C order

    if isinstance(obj, Loss):
        f = lambda: obj.forward(Y, X)
        idx = _sample(X.size, max_checks, rng)
        num = numerical_gradient(f, X, eps, idx)
        return {"X": relative_error(obj.backward(Y, X).reshape(-1)[idx], num.reshape(-1)[idx])}

    if isinstance(obj, Activation):
        R = rng.normal(size=X.shape)
        f = lambda: float(np.sum(R * obj.forward(X)))
        idx = _sample(X.size, max_checks, rng)
        num = numerical_gradient(f, X, eps, idx)
        return {"X": relative_error(obj.backward(X, R).reshape(-1)[idx], num.reshape(-1)[idx])}

    if isinstance(obj, Layer):
        if not obj.built:
            obj.build(X.shape[1:], rng=rng, dtype=np.float64)
        layer = _float64_copy(obj)
        layer.need_input_gradient = True
        reset = _frozen_rng([layer])
        R = rng.normal(size=layer.forward(X).shape)

        def f() -> float:
            reset()
            return float(np.sum(R * layer.forward(X)))
        f()
        analytic = {"X": layer.backward(R), **layer.gradients}
        arrays = {**({} if ids else {"X": X}), **layer.parameters}
    elif hasattr(obj, "layers") and hasattr(obj, "backward_loss"):
        model = _float64_copy(obj)
        if not model.built:
            model.build(X.shape[1:])
        for layer in model.layers:
            layer.need_input_gradient = True
        Yt = check_y(model, Y, len(X))
        reset = _frozen_rng(model.layers)

        def f() -> float:
            reset()
            return model.loss.forward(Yt, model.forward(X, training=True))
        reset()
        dX = model.backward_loss(Yt, model.forward(X, training=True))
        analytic = {"X": dX, **{f"{l.name}/{k}": g for l in model.layers for k, g in l.gradients.items()}}
        arrays = {**({} if ids else {"X": X}),
                  **{f"{l.name}/{k}": p for l in model.layers for k, p in l.parameters.items()}}
    else:
        raise TypeError(f"check_gradients expects a Layer, Activation, Loss or Sequential, got {type(obj).__name__}")

    errors = {}
    for key, arr in arrays.items():
        idx = _sample(arr.size, max_checks, rng)
        num = numerical_gradient(f, arr, eps, idx)
        errors[key] = relative_error(analytic[key].reshape(-1)[idx], num.reshape(-1)[idx])
    return errors
