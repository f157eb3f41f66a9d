"""Weight initializers.

Each initializer is called as ``init(shape, rng=None, dtype=float64)`` and draws from the given
:class:`numpy.random.Generator` (a new one when none is given). Fans follow PyTorch and Keras: for
a dense weight ``(n_in, n_out)`` they are ``n_in`` and ``n_out``; for a convolution weight
``(kh, kw, c_in, c_out)`` they are ``kh*kw*c_in`` and ``kh*kw*c_out``.

The ``he_*`` and ``xavier_*`` initializers scale by a gain that layers pick from
their activation, as the assignment does: :math:`\\sqrt 2` for ReLU, 5/3 for tanh, 1 otherwise.
:class:`VarianceScaling` is the general form (Keras's and TensorFlow's), with Keras's scale and
modes, which the Keras face's Glorot, He and LeCun initializers use.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np

from ._registry import Configurable, Registry, serialize

initializers = Registry("initializer")

GAINS = {"relu": float(np.sqrt(2.0)), "tanh": 5.0 / 3.0}


def gain_for(activation: Any) -> float:
    """The assignment's gain for an activation name or instance (1 for anything but relu/tanh)."""
    name = activation if isinstance(activation, str) else getattr(activation, "registered_name", "")
    return GAINS.get(name, 1.0)


def fans(shape: Sequence[int], input_axes: Sequence[int] | None = None,
         output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of this shape: the product of ``input_axes`` and of
    ``output_axes`` where both are given; else the last two axes, each times the product of the
    others (a convolution's receptive field). A vector's fans are its length; a scalar's are 1."""
    shape = tuple(int(n) for n in shape)
    if input_axes is not None and output_axes is not None:
        return int(np.prod([shape[a] for a in input_axes])), int(np.prod([shape[a] for a in output_axes]))
    if len(shape) < 2:
        return (shape[0], shape[0]) if shape else (1, 1)
    receptive = int(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


# the standard deviation of a unit normal truncated at two standard deviations
TRUNCATED_STD = 0.87962566103423978


def truncated_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Unit normal draws cut at two standard deviations (each draw outside is drawn again)."""
    draws = rng.standard_normal(size=shape)
    outside = np.abs(draws) > 2.0
    while outside.any():  # redraw what falls outside (about 5% each round)
        draws[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(draws) > 2.0
    return draws


class Initializer(Configurable, ABC):
    """Base class: ``init(shape, rng=None, dtype=float64)`` returns a new array drawn by
    :meth:`draw`.

    A random initializer given ``seed`` draws from its own generator of that seed, so it gives the
    same array at every call (as a seeded Keras initializer does); without one it draws from ``rng``.
    """

    seed: int | None = None

    def __call__(self, shape: Sequence[int], rng: np.random.Generator | None = None,
                 dtype: Any = np.float64) -> np.ndarray:
        shape = tuple(int(n) for n in shape)
        return np.ascontiguousarray(np.asarray(self.draw(shape, self._generator(rng))).astype(dtype, copy=False))

    def _generator(self, rng: np.random.Generator | None) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng(self.seed)
        return rng if rng is not None else np.random.default_rng()

    def _seed_config(self) -> dict[str, Any]:
        return {} if self.seed is None else {"seed": self.seed}

    @abstractmethod
    def draw(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        """An array of ``shape`` (float64, or anything it casts from)."""


initializers.base = Initializer


@initializers.register("zeros")
class Zeros(Initializer):
    """All zeros."""

    def draw(self, shape, rng):
        return np.zeros(shape)


@initializers.register("ones")
class Ones(Initializer):
    """All ones."""

    def draw(self, shape, rng):
        return np.ones(shape)


@initializers.register("constant")
class Constant(Initializer):
    """Every entry equal to ``value``, or ``value`` (an array) broadcast to the shape."""

    def __init__(self, value: Any = 0.0) -> None:
        self.value = float(value) if np.ndim(value) == 0 else np.array(value, dtype=np.float64)

    def draw(self, shape, rng):
        return np.broadcast_to(self.value, shape).copy()

    def get_config(self):
        return {"value": self.value.tolist() if isinstance(self.value, np.ndarray) else self.value}


@initializers.register("identity")
class Identity(Initializer):
    """``gain`` times the identity matrix (2-D weights only; rectangular allowed)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = float(gain)

    def draw(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"identity initializer needs a 2-D weight, got shape {tuple(shape)}")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


@initializers.register("uniform")
class Uniform(Initializer):
    """Uniform on ``[low, high)``."""

    def __init__(self, low: float = -0.05, high: float = 0.05, seed: int | None = None) -> None:
        self.low, self.high, self.seed = float(low), float(high), seed

    def draw(self, shape, rng):
        return rng.uniform(self.low, self.high, size=shape)

    def get_config(self):
        return {"low": self.low, "high": self.high, **self._seed_config()}


@initializers.register("normal")
class Normal(Initializer):
    """Normal with mean ``mean`` and standard deviation ``std``."""

    def __init__(self, mean: float = 0.0, std: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.std, self.seed = float(mean), float(std), seed

    def draw(self, shape, rng):
        return rng.normal(self.mean, self.std, size=shape)

    def get_config(self):
        return {"mean": self.mean, "std": self.std, **self._seed_config()}


@initializers.register("truncated_normal")
class TruncatedNormal(Normal):
    """Normal with mean ``mean`` and standard deviation ``std`` before it is cut at two standard
    deviations (Keras's ``TruncatedNormal``: what falls outside is drawn again)."""

    def draw(self, shape, rng):
        return self.mean + self.std * truncated_normal(rng, shape)


@initializers.register("orthogonal")
class Orthogonal(Initializer):
    """``gain`` times an orthogonal matrix: the Q of a QR decomposition of normal draws, its signs
    fixed by R's diagonal. A weight of more than two axes is a matrix of its last axis's columns,
    reshaped (as in Keras and PyTorch); orthonormal rows where there are fewer rows than columns."""

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain, self.seed = float(gain), seed

    def draw(self, shape, rng):
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape} "
                             f"of rank {len(shape)}.")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
        q = q * np.sign(np.diag(r))
        return self.gain * (q.T if rows < cols else q).reshape(shape)

    def get_config(self):
        return {"gain": self.gain, **self._seed_config()}


DISTRIBUTIONS = ("uniform", "truncated_normal", "untruncated_normal")
MODES = ("fan_in", "fan_out", "fan_avg")


@initializers.register("variance_scaling")
class VarianceScaling(Initializer):
    r"""Draws of variance :math:`\mathrm{scale}/n`, where :math:`n` is the weight's fan in, fan out or
    their mean (``mode``), from a uniform distribution, a normal, or a normal cut at two standard
    deviations (the default, widened to keep the variance), as in Keras. ``input_axes`` and
    ``output_axes`` choose the axes the fans count (see :func:`fans`)."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        if not scale > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in MODES:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {MODES}")
        distribution = "truncated_normal" if str(distribution).lower() == "normal" else str(distribution).lower()
        if distribution not in DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: {distribution}. Please use one of {DISTRIBUTIONS}")
        self.scale, self.mode, self.distribution, self.seed = float(scale), mode, distribution, seed
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]

    def draw(self, shape, rng):
        fan_in, fan_out = fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(variance), size=shape)
        return truncated_normal(rng, shape) * (np.sqrt(variance) / TRUNCATED_STD)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, **self._seed_config(),
                **_axes_config(self)}


class _Scaled(Initializer):
    """Fan-scaled initializer with a gain; ``input_axes`` and ``output_axes`` as in :func:`fans`."""

    def __init__(self, gain: float = 1.0, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> None:
        self.gain, self.seed = float(gain), seed
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]

    def fans(self, shape: tuple[int, ...]) -> tuple[int, int]:
        return fans(shape, self.input_axes, self.output_axes)

    def get_config(self):
        return {"gain": self.gain, **self._seed_config(), **_axes_config(self)}


def _axes_config(initializer: Any) -> dict[str, Any]:
    return {k: getattr(initializer, k) for k in ("input_axes", "output_axes") if getattr(initializer, k) is not None}


@initializers.register("he_uniform", aliases=("kaiming_uniform",))
class HeUniform(_Scaled):
    r"""Uniform on :math:`[-a, a]`, :math:`a = \mathrm{gain}\sqrt{3/\mathrm{fan_{in}}}`."""

    def draw(self, shape, rng):
        a = self.gain * np.sqrt(3.0 / self.fans(shape)[0])
        return rng.uniform(-a, a, size=shape)


class _ScaledNormal(_Scaled):
    """A fan-scaled normal; ``truncated=True`` draws, as Keras does, from a normal cut at two
    standard deviations and widened so that the draws keep the standard deviation asked for.
    Subclasses give ``std(shape)``."""

    def __init__(self, gain: float = 1.0, truncated: bool = False, seed: int | None = None,
                 input_axes: Sequence[int] | None = None, output_axes: Sequence[int] | None = None) -> None:
        super().__init__(gain, seed, input_axes, output_axes)
        self.truncated = bool(truncated)

    def draw(self, shape, rng):
        std = self.std(shape)
        return truncated_normal(rng, shape) * (std / TRUNCATED_STD) if self.truncated else rng.normal(0.0, std, shape)

    def get_config(self):
        return {**super().get_config(), **({"truncated": True} if self.truncated else {})}


@initializers.register("he_normal", aliases=("kaiming_normal",))
class HeNormal(_ScaledNormal):
    r"""Normal with :math:`\mathrm{std} = \mathrm{gain}/\sqrt{\mathrm{fan_{in}}}`."""

    def std(self, shape):
        return self.gain / np.sqrt(self.fans(shape)[0])


@initializers.register("xavier_uniform", aliases=("glorot_uniform",))
class XavierUniform(_Scaled):
    r"""Uniform on :math:`[-a, a]`, :math:`a = \mathrm{gain}\sqrt{6/(\mathrm{fan_{in}}+\mathrm{fan_{out}})}`."""

    def draw(self, shape, rng):
        fan_in, fan_out = self.fans(shape)
        a = self.gain * np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)


@initializers.register("xavier_normal", aliases=("glorot_normal",))
class XavierNormal(_ScaledNormal):
    r"""Normal with :math:`\mathrm{std} = \mathrm{gain}\sqrt{2/(\mathrm{fan_{in}}+\mathrm{fan_{out}})}`."""

    def std(self, shape):
        fan_in, fan_out = self.fans(shape)
        return self.gain * np.sqrt(2.0 / (fan_in + fan_out))


def get(identifier: Any, activation: Any = None) -> Initializer:
    """An initializer from a name, config dict or instance.

    A bare name of a gain-scaled initializer takes the gain of ``activation``.
    """
    if isinstance(identifier, str) and issubclass(initializers.lookup(identifier), _Scaled):
        return initializers.get(identifier, gain=gain_for(activation))
    return initializers.get(identifier)


__all__ = ["Initializer", "Zeros", "Ones", "Constant", "Identity", "Uniform", "Normal", "TruncatedNormal",
           "Orthogonal", "VarianceScaling", "HeUniform", "HeNormal", "XavierUniform", "XavierNormal", "gain_for",
           "fans", "truncated_normal", "get", "serialize"]
