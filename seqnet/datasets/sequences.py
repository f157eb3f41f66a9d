"""Sequences of token ids padded into one array."""
from __future__ import annotations

from typing import Any

import numpy as np


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32", padding: str = "pre",
                  truncating: str = "pre", value: float = 0.0) -> np.ndarray:
    """Sequences of different lengths as one array ``(n, maxlen)`` (Keras's ``pad_sequences``).

    Shorter sequences are filled with ``value`` before (``padding="pre"``) or after ("post") their
    steps; longer ones lose their first (``truncating="pre"``) or last ("post") steps. ``maxlen``
    defaults to the longest sequence. A sequence's steps may be numbers or arrays of one shape.
    """
    for name, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f'pad_sequences: {name} must be "pre" or "post", got {given!r}')
    sequences = [np.asarray(s) for s in sequences]
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    elif isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be None or a non-negative int, got {maxlen!r}")
    steps = next((s.shape[1:] for s in sequences if len(s)), ())
    out = np.full((len(sequences), maxlen, *steps), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        if s.shape[1:] != steps:
            raise ValueError(f"pad_sequences: sequence {i} has steps of shape {s.shape[1:]}, the others {steps}")
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
