"""Weight initializers.

Each initializer is called as ``init(shape, rng, dtype)`` and draws from the
given :class:`numpy.random.Generator`. Fans follow PyTorch: for a dense weight
``(n_in, n_out)`` they are ``n_in`` and ``n_out``; for a convolution weight
``(kh, kw, c_in, c_out)`` they are ``kh*kw*c_in`` and ``kh*kw*c_out``.

The ``he_*`` and ``xavier_*`` initializers scale by a gain that layers pick from
their activation, as the assignment does: :math:`\\sqrt 2` for ReLU, 5/3 for tanh, 1 otherwise.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ._registry import Configurable, Registry, serialize

initializers = Registry("initializer")

GAINS = {"relu": float(np.sqrt(2.0)), "tanh": 5.0 / 3.0}


def gain_for(activation: Any) -> float:
    """The assignment's gain for an activation name or instance (1 for anything but relu/tanh)."""
    name = activation if isinstance(activation, str) else getattr(activation, "registered_name", "")
    return GAINS.get(name, 1.0)


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of this shape."""
    if len(shape) < 2:
        raise ValueError(f"fan-based initializers need a weight of 2 or more dimensions, got shape {shape}")
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer(Configurable, ABC):
    """Base class: ``init(shape, rng, dtype)`` returns a new array.

    A random initializer given ``seed`` draws from its own generator of that seed, so it gives the
    same array at every call (as a seeded Keras initializer does); without one it draws from ``rng``.
    """

    seed: int | None = None

    def _generator(self, rng: np.random.Generator) -> np.random.Generator:
        return rng if self.seed is None else np.random.default_rng(self.seed)

    def _seed_config(self) -> dict[str, Any]:
        return {} if self.seed is None else {"seed": self.seed}

    @abstractmethod
    def __call__(self, shape: tuple[int, ...], rng: np.random.Generator,
                 dtype: Any = np.float64) -> np.ndarray:
        """Draw an array of ``shape``."""


initializers.base = Initializer


@initializers.register("zeros")
class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, rng, dtype=np.float64):
        return np.zeros(shape, dtype=dtype)


@initializers.register("ones")
class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, rng, dtype=np.float64):
        return np.ones(shape, dtype=dtype)


@initializers.register("constant")
class Constant(Initializer):
    """Every entry equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape, rng, dtype=np.float64):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


@initializers.register("identity")
class Identity(Initializer):
    """``gain`` times the identity matrix (2-D weights only; rectangular allowed)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def __call__(self, shape, rng, dtype=np.float64):
        if len(shape) != 2:
            raise ValueError(f"identity initializer needs a 2-D weight, got shape {tuple(shape)}")
        return self.gain * np.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


@initializers.register("uniform")
class Uniform(Initializer):
    """Uniform on ``[low, high)``."""

    def __init__(self, low: float = -0.05, high: float = 0.05, seed: int | None = None) -> None:
        self.low, self.high, self.seed = float(low), float(high), seed

    def __call__(self, shape, rng, dtype=np.float64):
        return self._generator(rng).uniform(self.low, self.high, size=shape).astype(dtype, copy=False)

    def get_config(self):
        return {"low": self.low, "high": self.high, **self._seed_config()}


@initializers.register("normal")
class Normal(Initializer):
    """Normal with mean ``mean`` and standard deviation ``std``."""

    def __init__(self, mean: float = 0.0, std: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.std, self.seed = float(mean), float(std), seed

    def __call__(self, shape, rng, dtype=np.float64):
        return self._generator(rng).normal(self.mean, self.std, size=shape).astype(dtype, copy=False)

    def get_config(self):
        return {"mean": self.mean, "std": self.std, **self._seed_config()}


class _Scaled(Initializer):
    """Fan-scaled initializer with a gain."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = float(gain), seed

    def get_config(self):
        return {"gain": self.gain, **self._seed_config()}


@initializers.register("he_uniform", aliases=("kaiming_uniform",))
class HeUniform(_Scaled):
    r"""Uniform on :math:`[-a, a]`, :math:`a = \mathrm{gain}\sqrt{3/\mathrm{fan_{in}}}`."""

    def __call__(self, shape, rng, dtype=np.float64):
        a = self.gain * np.sqrt(3.0 / fans(shape)[0])
        return self._generator(rng).uniform(-a, a, size=shape).astype(dtype, copy=False)


# the standard deviation of a unit normal truncated at two standard deviations
TRUNCATED_STD = 0.87962566103423978


class _ScaledNormal(_Scaled):
    """A fan-scaled normal; ``truncated=True`` draws, as Keras does, from a normal cut at two
    standard deviations and widened so that the draws keep the standard deviation asked for.
    Subclasses give ``std(shape)``."""

    def __init__(self, gain: float = 1.0, truncated: bool = False, seed: int | None = None) -> None:
        super().__init__(gain, seed)
        self.truncated = bool(truncated)

    def __call__(self, shape, rng, dtype=np.float64):
        std, rng = self.std(shape), self._generator(rng)
        if not self.truncated:
            return rng.normal(0.0, std, size=shape).astype(dtype, copy=False)
        draws = rng.standard_normal(size=shape)
        outside = np.abs(draws) > 2.0
        while outside.any():  # redraw what falls outside (about 5% each round)
            draws[outside] = rng.standard_normal(size=int(outside.sum()))
            outside = np.abs(draws) > 2.0
        return (draws * (std / TRUNCATED_STD)).astype(dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), **({"truncated": True} if self.truncated else {})}


@initializers.register("he_normal", aliases=("kaiming_normal",))
class HeNormal(_ScaledNormal):
    r"""Normal with :math:`\mathrm{std} = \mathrm{gain}/\sqrt{\mathrm{fan_{in}}}`."""

    def std(self, shape):
        return self.gain / np.sqrt(fans(shape)[0])


@initializers.register("xavier_uniform", aliases=("glorot_uniform",))
class XavierUniform(_Scaled):
    r"""Uniform on :math:`[-a, a]`, :math:`a = \mathrm{gain}\sqrt{6/(\mathrm{fan_{in}}+\mathrm{fan_{out}})}`."""

    def __call__(self, shape, rng, dtype=np.float64):
        fan_in, fan_out = fans(shape)
        a = self.gain * np.sqrt(6.0 / (fan_in + fan_out))
        return self._generator(rng).uniform(-a, a, size=shape).astype(dtype, copy=False)


@initializers.register("xavier_normal", aliases=("glorot_normal",))
class XavierNormal(_ScaledNormal):
    r"""Normal with :math:`\mathrm{std} = \mathrm{gain}\sqrt{2/(\mathrm{fan_{in}}+\mathrm{fan_{out}})}`."""

    def std(self, shape):
        fan_in, fan_out = fans(shape)
        return self.gain * np.sqrt(2.0 / (fan_in + fan_out))


def get(identifier: Any, activation: Any = None) -> Initializer:
    """An initializer from a name, config dict or instance.

    A bare name of a gain-scaled initializer takes the gain of ``activation``.
    """
    if isinstance(identifier, str) and issubclass(initializers.lookup(identifier), _Scaled):
        return initializers.get(identifier, gain=gain_for(activation))
    return initializers.get(identifier)


__all__ = ["Initializer", "Zeros", "Ones", "Constant", "Identity", "Uniform", "Normal",
           "HeUniform", "HeNormal", "XavierUniform", "XavierNormal", "gain_for", "fans", "get",
           "serialize"]
