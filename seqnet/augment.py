"""Data augmentation for NHWC image batches, in numpy."""
from __future__ import annotations

from typing import Any

import numpy as np


def random_flip(X: np.ndarray, rng: np.random.Generator, p: float = 0.5) -> np.ndarray:
    """A copy of ``X`` ``(n, h, w, c)`` with each image mirrored left-right with probability ``p``."""
    out = X.copy()
    flip = rng.random(len(X)) < p
    out[flip] = X[flip, :, ::-1]
    return out


def random_crop(X: np.ndarray, rng: np.random.Generator, padding: int = 4) -> np.ndarray:
    """Pad each image of ``X`` ``(n, h, w, c)`` by ``padding`` zeros, then cut a random ``h x w`` window.

    The window offset is drawn per image, uniformly in ``0..2*padding`` along each axis.
    """
    n, h, w, c = X.shape
    if padding == 0:
        return X.copy()
    padded = np.pad(X, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dy = rng.integers(0, 2 * padding + 1, size=n)
    dx = rng.integers(0, 2 * padding + 1, size=n)
    rows = dy[:, None] + np.arange(h)  # (n, h)
    cols = dx[:, None] + np.arange(w)  # (n, w)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def crop_and_flip(X: np.ndarray, rng: np.random.Generator, padding: int = 4) -> np.ndarray:
    """The standard CIFAR augmentation: :func:`random_crop` then :func:`random_flip`."""
    return random_flip(random_crop(X, rng, padding), rng)


class CropAndFlip:
    """:func:`crop_and_flip` for ``fit(..., augment=CropAndFlip(...))``, with a choice of flips.

    ``flip="random"`` mirrors each image with probability 1/2 every time, as :func:`crop_and_flip`
    does (and draws the same numbers). ``flip="alternate"`` mirrors each training image in every
    other epoch: at random in its first epoch, then the other way each epoch after, so that every
    two epochs see both orientations of every image (the "alternating flip" of Keller Jordan's
    *airbench*). ``fit`` tells it each example's place in the training set (``per_example``).
    """

    per_example = True

    def __init__(self, padding: int = 4, flip: str = "random") -> None:
        if flip not in ("random", "alternate"):
            raise ValueError(f"CropAndFlip: flip is 'random' or 'alternate', received flip={flip!r}")
        self.padding, self.flip = int(padding), flip
        self._first = np.zeros(0, dtype=bool)  # each example's orientation in its first epoch

    def __call__(self, X: np.ndarray, rng: np.random.Generator, positions: np.ndarray | None = None,
                 epoch: int = 0) -> np.ndarray:
        if self.flip == "random" or positions is None:
            return crop_and_flip(X, rng, self.padding)
        out = random_crop(X, rng, self.padding)
        if len(positions) and positions.max() >= len(self._first):
            self._first = np.concatenate([self._first, rng.random(positions.max() + 1 - len(self._first)) < 0.5])
        mirrored = self._first[positions] ^ bool(epoch % 2)
        out[mirrored] = out[mirrored, :, ::-1]
        return out


def predict_flip_tta(model: Any, X: np.ndarray, batch_size: int = 500, translate: int = 0,
                     plain: np.ndarray | None = None) -> np.ndarray:
    """Test-time augmentation: the mean of the model's predictions for each image of ``X`` (NHWC)
    and its mirror image. With ``translate=t``, half the weight goes to that mean and half to the
    same mean for the image shifted by ``t`` pixels up-left and by ``t`` down-right (edges
    reflected), as the speed-record CIFAR-10 networks evaluate: six passes instead of two.
    ``plain``, the model's predictions for ``X`` itself when the caller has them, saves that pass."""
    def flip_mean(images: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
        straight = known if known is not None else model.predict(images, batch_size=batch_size)
        return 0.5 * (straight + model.predict(images[:, :, ::-1], batch_size=batch_size))
    plain = flip_mean(X, plain)
    if not translate:
        return plain
    t, (h, w) = int(translate), X.shape[1:3]
    padded = np.pad(X, ((0, 0), (t, t), (t, t), (0, 0)), mode="reflect")
    shifted = [padded[:, :h, :w], padded[:, 2 * t:2 * t + h, 2 * t:2 * t + w]]
    return 0.5 * plain + 0.25 * sum(flip_mean(np.ascontiguousarray(v)) for v in shifted)
