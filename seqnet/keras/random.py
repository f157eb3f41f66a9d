"""``keras.random``: seeded draws as numpy arrays. ``seed`` is an integer (the same draws at every
call), a :class:`SeedGenerator` (new draws at every call, reproducible from its seed) or None (a
seed from :func:`seqnet.keras.utils.set_random_seed`'s stream, else a random one)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers as _init
from . import _seed
from ._missing import missing


class SeedGenerator:
    """Keras's ``SeedGenerator(seed)``: a source of draws that moves on after each one; two made
    with the same seed give the same sequence."""

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if seed is None:
            seed = _seed.next_seed()
            seed = int(np.random.default_rng().integers(2**31)) if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.seed, self.name = int(seed), name
        self.generator = np.random.default_rng(self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "SeedGenerator":
        return cls(**config)


def generator(seed: Any) -> np.random.Generator:
    """The numpy generator a ``seed`` argument stands for."""
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if seed is None:
        seed = _seed.next_seed()
    if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer))):
        raise ValueError(f"`seed` should be an integer or a keras.random.SeedGenerator. Received: seed={seed!r}")
    return np.random.default_rng(seed)


def _dtype(dtype: Any) -> np.dtype:
    return np.dtype(dtype or "float32")


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> np.ndarray:
    return generator(seed).normal(mean, stddev, size=tuple(shape)).astype(_dtype(dtype))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> np.ndarray:
    return generator(seed).uniform(minval, maxval, size=tuple(shape)).astype(_dtype(dtype))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> np.ndarray:
    """Normal draws cut at two standard deviations (``stddev`` is before the cut, as in Keras)."""
    return (mean + stddev * _init.truncated_normal(generator(seed), tuple(shape))).astype(_dtype(dtype))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None) -> np.ndarray:
    return generator(seed).integers(minval, maxval, size=tuple(shape)).astype(np.dtype(dtype))


__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint"]


__getattr__ = missing(__name__)
