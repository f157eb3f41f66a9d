"""The assignment's gradient check: a two-sided finite difference of ``fn`` at every entry of ``x``,
compared with an analytic gradient (the differences are seqnet's :func:`~seqnet.gradcheck.numerical_gradient`)."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...gradcheck import numerical_gradient


def check_gradients(fn: Callable[[np.ndarray], np.ndarray], grad: np.ndarray, x: np.ndarray, dLdf: np.ndarray,
                    h: float = 1e-6) -> float:
    """``||numgrad - grad|| / ||numgrad + grad||``, where ``numgrad`` is the derivative of
    ``sum(fn(x) * dLdf)`` with respect to ``x`` by central differences of step ``h``.

    Parameters
    ----------
    fn : function of ``x``, whose gradient is checked
    grad : the analytic gradient of the loss with respect to ``x``
    x : float array, the point (changed in place while probing, restored after)
    dLdf : the derivative of the loss with respect to ``fn(x)``
    h : step of the differences
    """
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"check_gradients works on float arrays, received dtype {x.dtype}")
    numgrad = numerical_gradient(lambda: float(np.sum(fn(x) * dLdf)), x, eps=h)
    return float(np.linalg.norm(numgrad - grad) / np.linalg.norm(numgrad + grad))
