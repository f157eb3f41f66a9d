"""Embedding: integer token ids to learned vectors."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers
from .base import Layer, check_positive_int, identifier_config, register


@register("embedding")
class Embedding(Layer):
    """Row ``W[i]`` for every token id ``i``: ``(batch, steps)`` integers to ``(batch, steps, output_dim)``.

    Parameters
    ----------
    input_dim : int
        Size of the vocabulary: ids run from 0 to ``input_dim - 1``.
    output_dim : int
        Length of each vector.
    weight_init : default "uniform" (on [-0.05, 0.05), as Keras's ``embeddings_initializer``)
    mask_zero : bool, default False
        Id 0 is padding: the layer hands the next ones a mask of the other steps, so that
        recurrent layers skip the padded steps and 1-D global pooling leaves them out (as in Keras).
    name : str, optional

    Notes
    -----
    The gradient is sparse: ``dW`` gets each step's ``dY`` added to the row of its id
    (``np.add.at``), rows of ids not in the batch stay zero. The ids get no gradient.
    """

    #: the model keeps integer input to this layer as it is (any number of steps)
    takes_ids = True

    def __init__(self, input_dim: int, output_dim: int, weight_init: Any = "uniform", mask_zero: bool = False,
                 name: str | None = None, *, input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__("linear", name, input_shape=input_shape)
        self.input_dim = check_positive_int(input_dim, "input_dim", "Embedding")
        self.output_dim = check_positive_int(output_dim, "output_dim", "Embedding")
        self._weight_init_id = weight_init
        self.weight_init = initializers.get(weight_init)
        self.mask_zero = bool(mask_zero)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def weight_shapes(self, input_shape):
        return {"W": (self.input_dim, self.output_dim)}

    def _build(self, input_shape):
        self.parameters["W"] = self.weight_init((self.input_dim, self.output_dim), rng=self.rng, dtype=self.dtype)

    def forward(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "iu":
            raise TypeError(f"Embedding {self.name!r} expects integer token ids, got an array of {X.dtype}; "
                            f"pass X.astype('int64') (pad_sequences gives int32)")
        if X.ndim < 2:
            raise ValueError(f"Embedding {self.name!r} expects ids of shape (batch, steps), got shape {X.shape}")
        if not self.built:
            self.build(X.shape[1:])
        if X.size and (X.min() < 0 or X.max() >= self.input_dim):
            bad = X.min() if X.min() < 0 else X.max()
            raise ValueError(f"Embedding {self.name!r} has ids 0 to {self.input_dim - 1} (input_dim={self.input_dim}), "
                             f"got id {bad}; raise input_dim or map the ids into that range")
        self.cache["ids"] = X
        return self.parameters["W"][X]

    def backward(self, dLdY: np.ndarray) -> None:
        dW = self.gradients["W"]
        dW[...] = 0
        np.add.at(dW, self.cache["ids"].reshape(-1), dLdY.reshape(-1, self.output_dim))
        return None

    def compute_mask(self, mask):
        return self.cache["ids"] != 0 if self.mask_zero else None

    def get_config(self):
        return {"input_dim": self.input_dim, "output_dim": self.output_dim,
                "weight_init": identifier_config(self._weight_init_id, self.weight_init),
                "mask_zero": self.mask_zero, **super().get_config()}
