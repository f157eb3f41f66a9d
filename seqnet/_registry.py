"""Name -> class registries, one per kind of object (layers, losses, ...), and the state protocol.

Every registered class can be named by an exact snake_case string, created from
a config dict ``{"class_name": ..., "config": {...}}`` or passed as an instance.
Unknown names raise a ``ValueError`` that lists the known ones.

The state protocol: every object that is saved with a model (the model, its layers, optimizer,
loss, callbacks, schedulers) is :class:`Configurable`. ``get_config()`` returns its constructor
arguments as plain JSON values, and ``from_config`` rebuilds it; ``get_state()`` returns what
changes as it is used, by stable names: JSON values, arrays, lists of arrays, other configurable
objects (stored by registered name, config and state), and dicts of these; ``set_state`` puts it
back. Saving is a walk over these two; a new stateful class needs no change in saving.
"""
from __future__ import annotations

import difflib
from typing import Any, Callable

import numpy as np

from . import _safety


REGISTRIES: dict[str, "Registry"] = {}  # by kind: how saved objects are rebuilt by registered name


class Registry:
    """A table of named classes of one kind.

    Parameters
    ----------
    kind : str
        What the registry holds ("layer", "loss", ...), used in error messages.
    """

    def __init__(self, kind: str) -> None:
        if kind in REGISTRIES:
            raise ValueError(f"a registry of {kind} names exists already")
        REGISTRIES[kind] = self
        self.kind = kind
        self.base: type | None = None  # set by the module that defines the base class
        self._classes: dict[str, type] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, aliases: tuple[str, ...] = ()) -> Callable[[type], type]:
        """Class decorator that registers ``cls`` under ``name`` (and ``aliases``)."""

        def decorator(cls: type) -> type:
            for key in (name, *aliases):
                if key in self._classes or key in self._aliases:
                    if self.lookup(key) is not cls:
                        raise ValueError(f"{self.kind} name {key!r} is already registered")
            self._classes[name] = cls
            for alias in aliases:
                self._aliases[alias] = name
            cls.registered_name = name
            return cls

        return decorator

    def names(self) -> list[str]:
        """The registered names, aliases included, sorted."""
        return sorted([*self._classes, *self._aliases])

    def lookup(self, name: str) -> type:
        """The class registered under ``name``, matched regardless of case and underscores ("ReLU",
        "CrossEntropy"), or bound to it by the ``custom_objects`` of the file being loaded;
        ``ValueError`` suggesting the closest name and listing the known ones if none."""
        custom = _safety.current().custom_objects.get(name)  # a class the caller binds to a saved name
        if isinstance(custom, type) and (self.base is None or issubclass(custom, self.base)):
            return custom
        key = find_name(name, self.names(), self._aliases)
        if key is None:
            raise ValueError(f"Unknown {self.kind} {name!r}.{did_you_mean(name, self.names())} "
                             f"Known {self.kind} names: {', '.join(self.names())}")
        return self._classes[key]

    def get(self, identifier: Any, **defaults: Any) -> Any:
        """Resolve a name, a config dict or an instance to an instance.

        ``defaults`` are constructor arguments used only when ``identifier`` is a
        name (a config dict carries its own arguments).
        """
        if isinstance(identifier, str):
            return self.lookup(identifier)(**defaults)
        if isinstance(identifier, dict):
            if "class_name" not in identifier:
                raise ValueError(
                    f"A {self.kind} config must have a 'class_name' key, got keys {sorted(identifier)}"
                )
            cls = self.lookup(identifier["class_name"])
            return cls.from_config(dict(identifier.get("config", {})))
        if isinstance(identifier, type):
            raise TypeError(
                f"Expected a {self.kind} instance or name, got the class {identifier.__name__}; "
                f"instantiate it first"
            )
        if self.base is not None and not isinstance(identifier, self.base):
            raise TypeError(
                f"Expected a {self.kind} name, config dict or instance, got {type(identifier).__name__}"
            )
        return identifier


def _plain(name: str) -> str:
    return str(name).lower().replace("_", "").replace("-", "").replace(" ", "")


def find_name(name: str, names: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The entry of ``names`` that ``name`` means, exactly or regardless of case and underscores
    (resolved through ``aliases``); None if none, or if several different ones match."""
    aliases = aliases or {}
    if name in names:
        return aliases.get(name, name)
    hits = {aliases.get(n, n) for n in names if _plain(n) == _plain(name)}
    return hits.pop() if len(hits) == 1 else None


def did_you_mean(name: str, names: list[str]) -> str:
    """`` Did you mean 'relu'?`` for the closest of ``names``, or "" when none is close."""
    plain = {_plain(n): n for n in names}
    close = difflib.get_close_matches(_plain(name), list(plain), n=1, cutoff=0.6)
    return f" Did you mean {plain[close[0]]!r}?" if close else ""


def either(who: str, ours: str, value: Any, keras: str, keras_value: Any, default: Any) -> Any:
    """An argument that has seqnet's name and Keras's (``lr`` / ``learning_rate``): at most one may be given."""
    if value is not None and keras_value is not None:
        raise TypeError(f"{who}: `{ours}` and `{keras}` are the same argument (seqnet's and Keras's names); "
                        f"pass one of them, received {ours}={value!r} and {keras}={keras_value!r}")
    return default if value is None and keras_value is None else (value if keras_value is None else keras_value)


def variant_of(engine: type) -> Callable[[type], type]:
    """Class decorator for a face's variant of the registered engine class ``engine`` (Keras's
    ``Dense`` over seqnet's): the variant converts its arguments at its edge and is saved as
    ``engine``, under the engine's name and config, so a file never names a face's class; each
    face rebuilds its own class from the engine's when it loads. The variant is not registered."""

    def decorator(cls: type) -> type:
        if not issubclass(cls, engine) or "registered_name" not in vars(engine):
            raise TypeError(f"{cls.__name__} must subclass the registered class {engine.__name__}")
        cls.engine_class = engine
        return cls

    return decorator


def saved_class(obj: Any) -> type:
    """The class a file names for ``obj``: its own, or the engine class a face's variant stands for."""
    return vars(type(obj)).get("engine_class", type(obj))


def serialize(obj: Any) -> dict[str, Any]:
    """``{"class_name": registered name, "config": its config}``, as the engine class (a face's
    variant is saved as the engine class it stands for)."""
    cls = saved_class(obj)
    return {"class_name": cls.registered_name, "config": cls.get_config(obj)}


def _of_kind(value: Any, kind: str) -> bool:
    """Whether a state value read from a file is what its key holds: a real number (an int or a
    float, infinities included), a count (an int, -1 for "none yet"), an array, or arrays (a list of
    them, or None)."""
    if kind == "number":
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if kind == "count":
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value >= -1
    if kind == "array":
        return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"
    if kind == "arrays":
        return value is None or (isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value))
    raise ValueError(f"unknown state kind {kind!r}")


class Configurable:
    """Mixin for objects rebuilt from their constructor arguments, with the state protocol.

    Subclasses return their constructor arguments as plain JSON values from
    ``get_config``; ``from_config(config)`` is ``cls(**config)``. ``get_state`` / ``set_state``
    carry what changes with use (nothing by default).
    """

    registered_name: str = ""
    #: what a file may restore with the default :meth:`set_state`: each state key and the kind of value
    #: it holds ("number", "count", "array" or "arrays"); nothing else, so no path and no private attribute
    state_kinds: dict[str, str] = {}

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Configurable":
        return cls(**config)

    def get_state(self) -> dict[str, Any]:
        """What changes as the object is used and must survive a save, by stable names."""
        return {}

    def set_state(self, state: dict[str, Any]) -> None:
        """Put back what :meth:`get_state` returned, into attributes of the same names: only the keys
        :attr:`state_kinds` declares, each checked to be of its kind first, so that a file sets
        nothing but the object's own counters and arrays. ``ValueError`` names what is refused."""
        who = type(self).__name__
        for key, value in state.items():
            kind = self.state_kinds.get(key)
            if kind is None or key.startswith("_"):
                raise ValueError(f"{who}: a saved state may not set {key!r} (it restores only "
                                 f"{', '.join(sorted(self.state_kinds)) or 'nothing'})")
            if not _of_kind(value, kind):
                raise ValueError(f"{who}: the saved {key!r} is {type(value).__name__} {str(value)[:40]!r}, not a {kind}")
        for key, value in state.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
