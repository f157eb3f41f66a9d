"""The assignment's ``neural_networks.datasets``: ``initialize_dataset(name, batch_size)`` gives a
``Dataset`` with ``train``, ``validate`` and ``test`` splits, each handing out one batch per
``sample()`` (``samples_per_epoch`` of them make a pass; the training split is reshuffled from
numpy's global random state at the start of each pass), labels one-hot, and ``out_dim`` classes.

The data are seqnet's loaders': "iris" (shipped; standardized with the training statistics),
"fashion_mnist" (the four IDX files, pixels in [0, 1], flattened to 784 features for the MLP) and
"cifar10" (the official archive or image folders, 32x32x3 images standardized per channel).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import datasets as _datasets
from ..losses import one_hot
from .layers import global_rng


class Data:
    """One split: ``sample()`` returns the next batch ``(X, Y)``, ``Y`` one-hot."""

    def __init__(self, X: np.ndarray, Y: np.ndarray, batch_size: int, shuffle: bool = False) -> None:
        self.X, self.Y, self.batch_size, self.shuffle = X, Y, int(batch_size), shuffle
        self.n_samples = len(X)
        self.samples_per_epoch = max(1, math.ceil(self.n_samples / self.batch_size))
        self.iteration = 0
        self.order = np.arange(self.n_samples)

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        if self.iteration == 0 and self.shuffle:
            self.order = global_rng().permutation(self.n_samples)
        chosen = self.order[self.iteration * self.batch_size:(self.iteration + 1) * self.batch_size]
        self.iteration = (self.iteration + 1) % self.samples_per_epoch
        return self.X[chosen], self.Y[chosen]

    def reset(self) -> None:
        self.iteration = 0


class Dataset:
    """A data set's ``train``, ``validate`` and ``test`` splits and its number of classes ``out_dim``."""

    def __init__(self, name: str, train: Data, validate: Data, test: Data, out_dim: int) -> None:
        self.name, self.train, self.validate, self.test, self.out_dim = name, train, validate, test, out_dim


def _arrays(name: str, path: Any) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], int]:
    if name == "iris":
        (X, y), (X_test, y_test) = _datasets.load_iris()
        X, X_test = _datasets.standardize(X, X_test)
        return (X.astype(np.float64), y), (X_test.astype(np.float64), y_test), 3
    if name == "fashion_mnist":
        (X, y), (X_test, y_test) = _datasets.load_fashion_mnist(path, normalize=True)
        flat = lambda images: images.reshape(len(images), -1).astype(np.float64)  # noqa: E731
        return (flat(X), y), (flat(X_test), y_test), 10
    if name == "cifar10":
        (X, y), (X_test, y_test) = _datasets.load_cifar10(path)
        mean, std = X.mean(axis=(0, 1, 2)), X.std(axis=(0, 1, 2))
        prepare = lambda images: ((images - mean) / std).astype(np.float64)  # noqa: E731
        return (prepare(X), y), (prepare(X_test), y_test), 10
    raise ValueError(f"unknown dataset {name!r}; the assignment's data sets here: iris, fashion_mnist, cifar10")


def initialize_dataset(name: str, batch_size: int = 50, path: Any = None, validation: float = 0.1,
                       limit: int | None = None) -> Dataset:
    """The data set ``name`` in batches of ``batch_size``; the last ``validation`` of the training
    examples (in a fixed shuffled order) form the validation split. ``path`` says where the files are
    (unset: seqnet's search); ``limit`` keeps the first N training and N test examples."""
    (X, y), (X_test, y_test), classes = _arrays(name, path)
    order = np.random.default_rng(0).permutation(len(X))  # fixed: the same split whatever the global seed
    X, y = X[order][:limit], y[order][:limit]
    X_test, y_test = X_test[:limit], y_test[:limit]
    cut = len(X) - max(1, int(round(len(X) * validation)))
    Y, Y_test = one_hot(y, classes), one_hot(y_test, classes)
    return Dataset(name, Data(X[:cut], Y[:cut], batch_size, shuffle=True), Data(X[cut:], Y[cut:], batch_size),
                   Data(X_test, Y_test, batch_size), classes)


__all__ = ["Data", "Dataset", "initialize_dataset"]
