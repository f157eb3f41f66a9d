"""``keras.initializers``: seqnet's initializers with Keras's names, arguments, configs and call,
``init(shape, dtype=None)``. Keras's scales (no activation gain; He's scale is 2), and its normal
cut at two standard deviations for ``GlorotNormal``, ``HeNormal`` and ``LecunNormal``.

``seed`` is an integer (the same array at every call, as in Keras), a
:class:`seqnet.keras.random.SeedGenerator` (a new array at every call), or None: a seed drawn when
the initializer is made, so that it too gives the same array at every call, while a copy made from
its config draws anew. Inside a layer, an unseeded initializer draws from the layer's generator, as
every seqnet initializer does."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import initializers as _init
from .._registry import serialize as _serialize
from .._registry import saved_class, variant_of
from . import _seed
from ._missing import missing
from ._naming import snake_case
from .random import SeedGenerator


class Face:
    """Keras's call and config, mixed in before the engine initializer. ``KERAS_ARGS`` names the
    attributes Keras's ``get_config`` writes (besides the seed of a random initializer)."""

    KERAS_ARGS: tuple[str, ...] = ()

    def __call__(self, shape: Any, dtype: Any = None, rng: np.random.Generator | None = None) -> np.ndarray:
        return super().__call__(shape, rng, np.dtype(dtype or "float32"))

    def get_config(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.KERAS_ARGS}


class Random(Face):
    """Keras's ``seed``: an integer, a SeedGenerator or None (see the module)."""

    _unseeded: int | None = None  # the seed of an unseeded initializer's own calls, drawn at the first

    def _keras_seed(self, seed: Any) -> None:
        if isinstance(seed, dict):
            seed = SeedGenerator.from_config(seed.get("config") or {})
        if isinstance(seed, bool) or not (seed is None or isinstance(seed, (int, np.integer, SeedGenerator))):
            raise ValueError(f"`seed` argument should be an instance of `keras.random.SeedGenerator()` or an "
                             f"integer. Received: seed={seed!r}")
        self.seed = seed

    def _generator(self, rng: np.random.Generator | None) -> np.random.Generator:
        if isinstance(self.seed, SeedGenerator):
            return self.seed.generator
        if self.seed is None and rng is None:
            if self._unseeded is None:
                drawn = _seed.next_seed()
                self._unseeded = int(np.random.default_rng().integers(2**31)) if drawn is None else drawn
            return np.random.default_rng(self._unseeded)
        return super()._generator(rng)

    def _seed_config(self) -> dict[str, Any]:
        """For seqnet's files: the seed a SeedGenerator started from."""
        seed = self.seed.seed if isinstance(self.seed, SeedGenerator) else self.seed
        return {} if seed is None else {"seed": int(seed)}

    def get_config(self) -> dict[str, Any]:
        seed = self.seed
        if isinstance(seed, SeedGenerator):
            seed = {"module": "keras.random", "class_name": "SeedGenerator", "config": seed.get_config(),
                    "registered_name": None}
        return {"seed": seed, **super().get_config()}


@variant_of(_init.Zeros)
class Zeros(Face, _init.Zeros):
    pass


@variant_of(_init.Ones)
class Ones(Face, _init.Ones):
    pass


@variant_of(_init.Constant)
class Constant(Face, _init.Constant):
    def get_config(self) -> dict[str, Any]:
        return _init.Constant.get_config(self)


@variant_of(_init.Identity)
class Identity(Face, _init.Identity):
    KERAS_ARGS = ("gain",)


@variant_of(_init.Normal)
class RandomNormal(Random, _init.Normal):
    KERAS_ARGS = ("mean", "stddev")

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None) -> None:
        super().__init__(mean, stddev)
        self._keras_seed(seed)

    @property
    def stddev(self) -> float:
        return self.std


@variant_of(_init.TruncatedNormal)
class TruncatedNormal(RandomNormal, _init.TruncatedNormal):
    pass


@variant_of(_init.Uniform)
class RandomUniform(Random, _init.Uniform):
    KERAS_ARGS = ("minval", "maxval")

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None) -> None:
        super().__init__(minval, maxval)
        self._keras_seed(seed)

    @property
    def minval(self) -> float:
        return self.low

    @property
    def maxval(self) -> float:
        return self.high


@variant_of(_init.VarianceScaling)
class VarianceScaling(Random, _init.VarianceScaling):
    KERAS_ARGS = ("scale", "mode", "distribution", "input_axes", "output_axes")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Any = None, input_axes: Any = None, output_axes: Any = None) -> None:
        super().__init__(scale, mode, distribution, None, input_axes, output_axes)
        self._keras_seed(seed)


@variant_of(_init.Orthogonal)
class Orthogonal(Random, _init.Orthogonal):
    KERAS_ARGS = ("gain",)

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        super().__init__(gain)
        self._keras_seed(seed)


def _fixed(name: str, engine: type, doc: str, **arguments: Any) -> type:
    """Keras's ``name(seed, input_axes, output_axes)``: the engine's ``engine(**arguments)``."""

    def __init__(self, seed: Any = None, input_axes: Any = None, output_axes: Any = None) -> None:
        engine.__init__(self, **arguments, input_axes=input_axes, output_axes=output_axes)
        self._keras_seed(seed)

    cls = type(name, (Random, engine), {"__init__": __init__, "__doc__": doc, "__module__": __name__,
                                        "KERAS_ARGS": ("input_axes", "output_axes")})
    return variant_of(engine)(cls)


GlorotUniform = _fixed("GlorotUniform", _init.XavierUniform, "Uniform, variance 1/fan_avg.", gain=1.0)
GlorotNormal = _fixed("GlorotNormal", _init.XavierNormal, "Cut normal, variance 1/fan_avg.", gain=1.0, truncated=True)
HeUniform = _fixed("HeUniform", _init.HeUniform, "Uniform, variance 2/fan_in.", gain=math.sqrt(2.0))
HeNormal = _fixed("HeNormal", _init.HeNormal, "Cut normal, variance 2/fan_in.", gain=math.sqrt(2.0), truncated=True)
LecunUniform = _fixed("LecunUniform", _init.VarianceScaling, "Uniform, variance 1/fan_in.", distribution="uniform")
LecunNormal = _fixed("LecunNormal", _init.VarianceScaling, "Cut normal, variance 1/fan_in.")

CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, TruncatedNormal, RandomUniform, Orthogonal, GlorotUniform,
           GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, VarianceScaling)
#: Keras's names for its initializers: the class names, their snake_case, and Keras's aliases
_BY_NAME: dict[str, type] = {
    **{cls.__name__: cls for cls in CLASSES}, **{snake_case(cls.__name__): cls for cls in CLASSES},
    "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal, "normal": RandomNormal,
    "uniform": RandomUniform, "one": Ones, "zero": Zeros}


def to_keras(initializer: Any) -> Face | None:
    """This face's equal of seqnet's ``initializer`` (the same distribution and seed), or None where
    Keras has none: seqnet's He and Xavier initializers with a gain are Keras's ``VarianceScaling``
    with the gain's square as scale."""
    if isinstance(initializer, Face) or not isinstance(initializer, _init.Initializer):
        return initializer if isinstance(initializer, Face) else None
    config = _serialize(initializer)["config"]
    seed = config.pop("seed", None)
    same = {_init.Zeros: Zeros, _init.Ones: Ones, _init.Constant: Constant, _init.Identity: Identity}
    engine = saved_class(initializer)
    if engine in same:
        return same[engine](**config)
    if engine is _init.Orthogonal:
        return Orthogonal(config["gain"], seed)
    if engine is _init.VarianceScaling:
        return VarianceScaling(**config, seed=seed)
    if engine in (_init.Normal, _init.TruncatedNormal):
        return (RandomNormal if engine is _init.Normal else TruncatedNormal)(config["mean"], config["std"], seed)
    if engine is _init.Uniform:
        return RandomUniform(config["low"], config["high"], seed)
    if isinstance(initializer, _init._Scaled):
        axes = {"input_axes": initializer.input_axes, "output_axes": initializer.output_axes}
        named = (made for made in (cls(seed, **axes) for cls in (GlorotUniform, GlorotNormal, HeUniform, HeNormal))
                 if _serialize(made) == _serialize(initializer))
        mode = "fan_in" if isinstance(initializer, (_init.HeUniform, _init.HeNormal)) else "fan_avg"
        distribution = ("uniform" if isinstance(initializer, (_init.HeUniform, _init.XavierUniform)) else
                        "truncated_normal" if initializer.truncated else "untruncated_normal")
        return next(named, None) or VarianceScaling(round(config["gain"] ** 2, 12), mode, distribution, seed, **axes)
    return None


def keras_form(initializer: Any) -> Any:
    """How a Keras config names seqnet's ``initializer``: Keras's name where it is one of Keras's
    with its defaults (``"glorot_uniform"``), else Keras's serialized form; None where Keras has no
    equal (a function)."""
    face = to_keras(initializer)
    if face is None:
        return None
    config = _serialize(face)
    named = next((cls for cls in CLASSES if _serialize(cls()) == config), None)
    return snake_case(named.__name__) if named is not None else serialize(face)


def _given(array: np.ndarray) -> Callable[..., np.ndarray]:
    """Keras's initializer of a given array: that array, for that shape only."""

    def initialize(shape: Any, dtype: Any = None, rng: Any = None) -> np.ndarray:
        if tuple(shape) != array.shape:
            raise ValueError(f"Expected `shape` to be {array.shape} for the provided array. Received shape={shape}")
        return array.astype(dtype or array.dtype)
    return initialize


def get(identifier: Any) -> Any:
    """An initializer from a Keras name (``"he_normal"``, ``"HeNormal"``), Keras's serialized form of
    one (``{"class_name": "HeNormal", "config": {"seed": None}}``, as in its files and configs), an
    array to start from, an initializer or a function (as it is), or seqnet's config of one."""
    if isinstance(identifier, type) and issubclass(identifier, Face):
        return identifier()
    if identifier is None or (callable(identifier) and not isinstance(identifier, type)):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Could not interpret initializer identifier: {identifier!r}. Keras names seqnet has: "
                             f"{', '.join(sorted(name for name in _BY_NAME if name.islower()))}")
        return _BY_NAME[identifier]()
    if isinstance(identifier, dict):
        name = str(identifier.get("class_name", ""))
        if name in _BY_NAME and ("module" in identifier or name not in _init.initializers.names()):
            return _BY_NAME[name].from_config(dict(identifier.get("config") or {}))
        return _init.get(identifier)
    if isinstance(identifier, (np.ndarray, np.generic)) or hasattr(identifier, "__array__"):
        return _given(np.array(identifier))
    return _init.get(identifier)


def serialize(initializer: Any) -> dict[str, Any]:
    """Keras's serialized form of an initializer of this face, or of seqnet's where Keras has it."""
    face = to_keras(initializer)
    if face is None:
        raise ValueError(f"{initializer!r} has no equal among Keras's initializers")
    initializer = face
    return {"module": "keras.initializers", "class_name": type(initializer).__name__,
            "config": initializer.get_config(), "registered_name": None}


def deserialize(config: Any, custom_objects: Any = None) -> Any:
    return get(config)


Initializer = _init.Initializer

__all__ = [cls.__name__ for cls in CLASSES] + ["Initializer", "get", "serialize", "deserialize"]


__getattr__ = missing(__name__)
