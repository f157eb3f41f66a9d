"""Flushing subnormal numbers to zero, for state that decays geometrically (optimizers' slots)."""
from __future__ import annotations

import numpy as np


def flush_subnormals(arr: np.ndarray) -> None:
    """Set entries smaller in magnitude than the dtype's smallest normal number to zero, in place.

    Momentum and Adam's moments decay geometrically wherever the gradient is always zero (the
    weights of an image's blank border pixels, dead ReLU units) and pass through the subnormal
    range, where x86 arithmetic is some 30 times slower. Flushing them keeps every update fast.
    """
    np.copyto(arr, 0, where=np.abs(arr) < np.finfo(arr.dtype).tiny)
