"""``AttrDict``: a dict whose keys are also attributes, as the assignment's scripts write their settings."""
from __future__ import annotations

from typing import Any


class AttrDict(dict):
    """``AttrDict({"lr": 0.01}).lr == 0.01``; setting an attribute sets the key."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None
