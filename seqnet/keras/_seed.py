"""The seed behind Keras-face models made without one (:func:`seqnet.keras.utils.set_random_seed`)."""
from __future__ import annotations

import numpy as np

_source: np.random.Generator | None = None


def set_seed(seed: int) -> None:
    global _source
    _source = np.random.default_rng(seed)


def next_seed() -> int | None:
    """A seed for the next model, drawn from the set seed; None (a random one) when none was set."""
    return None if _source is None else int(_source.integers(2**31))
