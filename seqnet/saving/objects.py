"""Configurable objects as JSON and arrays, and back: the part of the state walk that every format shares.

An object is stored as ``{kind: {"class_name": ..., "config": ...}, "state": {...}}`` (``kind`` is
its registry's, e.g. ``"callback"``) with the arrays of its state kept apart under their names;
it comes back by its registered name through :data:`seqnet._registry.REGISTRIES`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._registry import REGISTRIES, Configurable, saved_class, serialize


def registry_kind(obj: Any) -> str | None:
    """The kind of the registry that can rebuild ``obj``, or None (a class nobody registered)."""
    for kind, registry in REGISTRIES.items():
        if registry.base is not None and isinstance(obj, registry.base):
            name = saved_class(obj).registered_name
            if name in registry.names() and registry.lookup(name) is saved_class(obj):
                return kind
    return None


def is_array_value(value: Any) -> bool:
    """An array, or a non-empty list of arrays: stored as data, not as JSON."""
    return isinstance(value, np.ndarray) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, np.ndarray) for v in value))


def is_object_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Configurable) for v in value)


def describe(obj: Any, kind: str, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(entry, arrays)``: the JSON entry of ``obj`` and the array-valued part of its state."""
    plain, arrays = {}, {}
    for key, value in obj.get_state().items():
        (arrays if is_array_value(value) else plain)[key] = value
    return {"index": index, kind: serialize(obj), "state": plain}, arrays


def is_entry_list(value: Any) -> bool:
    """Whether a JSON value read back is a list written by :func:`describe`."""
    return isinstance(value, list) and all(isinstance(v, dict) and "index" in v and "state" in v for v in value)


def rebuild(entry: dict[str, Any], arrays: dict[str, Any]) -> Any:
    """The object of a :func:`describe` entry, its state set from the entry and ``arrays``.

    Raises ``ValueError``, ``TypeError``, ``AttributeError`` or ``ImportError`` when it cannot be
    rebuilt (an unknown name, a schedule that was a lambda).
    """
    kind = next(k for k in entry if k not in ("index", "state"))
    obj = REGISTRIES[kind].get(entry[kind])
    obj.set_state({**entry["state"], **arrays})
    return obj
