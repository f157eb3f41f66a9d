"""What a Keras name that ``seqnet.keras`` lacks says: where to look, not a bare AttributeError."""
from __future__ import annotations

from typing import Any, Callable


def missing(module: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``seqnet.keras...``: an unknown name is one that Keras has and
    seqnet does not (or a typo), and the error says so."""
    keras_name = module.replace("seqnet.", "", 1)

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}: {keras_name}.{name} is not in seqnet's "
                             f"Keras face. The guide 'Coming from Keras' lists every Keras name seqnet covers and "
                             f"what to use for the others")
    return __getattr__
