"""The update rules as Keras 3 writes them, for optimizers made with ``convention="keras"`` (what
:mod:`seqnet.keras.optimizers` makes).

They differ from torch's, which seqnet's optimizers follow by default, in small ways that show
over many steps: Keras's momentum buffer holds ``-lr * g`` sums (so a changing rate acts at once),
Adam adds epsilon to ``sqrt(v)`` before the bias correction, RMSprop and Adagrad add it under the
square root, and weight decay is decoupled for every optimizer. Each rule computes in the
parameter's dtype, powers and corrections included, as Keras does in float32.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def weight_decay(opt: Any, param: np.ndarray, lr: float) -> None:
    """Keras's decoupled weight decay: ``var -= var * wd * lr``, before the update."""
    dt = param.dtype.type
    param -= param * dt(opt.weight_decay) * dt(lr)


def _slot(state: dict[str, np.ndarray], name: str, like: np.ndarray, fill: float = 0.0) -> np.ndarray:
    if name not in state:
        state[name] = np.full_like(like, fill)
    return state[name]


def sgd(opt: Any, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray, lr: float) -> None:
    lr = param.dtype.type(lr)
    if not opt.momentum:
        param -= grad * lr
        return
    mu = param.dtype.type(opt.momentum)
    m = _slot(state, "momentum", param)
    m[...] = m * mu - grad * lr
    param += m * mu - grad * lr if opt.nesterov else m


def adam(opt: Any, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray, lr: float) -> None:
    dt = param.dtype.type
    step = dt(opt.iterations + 1)
    alpha = dt(lr) * np.sqrt(dt(1) - np.power(dt(opt.beta_2), step)) / (dt(1) - np.power(dt(opt.beta_1), step))
    m, v = _slot(state, "m", param), _slot(state, "v", param)
    m += (grad - m) * (1 - opt.beta_1)
    v += (grad * grad - v) * (1 - opt.beta_2)
    if opt.amsgrad:  # the largest v so far
        v = np.maximum(_slot(state, "v_max", param), v, out=state["v_max"])
    param -= (m * alpha) / (np.sqrt(v) + opt.eps)


def rmsprop(opt: Any, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray, lr: float) -> None:
    rho = opt.alpha
    v = _slot(state, "square_avg", param)
    v[...] = rho * v + (1 - rho) * (grad * grad)
    if opt.centered:
        g = _slot(state, "grad_avg", param)
        g[...] = rho * g + (1 - rho) * grad
        denominator = v - g * g + opt.eps
    else:
        denominator = v + opt.eps
    increment = (param.dtype.type(lr) * grad) / np.sqrt(denominator)
    if opt.momentum:
        buf = _slot(state, "momentum", param)
        buf[...] = opt.momentum * buf + increment
        param -= buf
    else:
        param -= increment


def adagrad(opt: Any, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray, lr: float) -> None:
    total = _slot(state, "sum", param, opt.initial_accumulator_value)
    total += grad * grad
    param -= (param.dtype.type(lr) * grad) / np.sqrt(total + opt.eps)
