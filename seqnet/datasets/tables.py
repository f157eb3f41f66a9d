"""Iris (shipped with seqnet) and the helpers for arrays of examples."""
from __future__ import annotations

from importlib import resources
from typing import Any, Iterator

import numpy as np

IRIS_CLASSES = ["setosa", "versicolor", "virginica"]


def load_iris() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fisher's Iris data, split 120/30 with 10 test flowers per species (always the same split).

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X`` float32 of shape ``(n, 4)`` (sepal length, sepal width, petal length, petal width
        in cm, as measured); ``y`` int64 class ids 0 (setosa), 1 (versicolor), 2 (virginica).

    Examples
    --------
    >>> from seqnet.datasets import load_iris
    >>> (X_train, y_train), (X_test, y_test) = load_iris()
    >>> X_train.shape, X_test.shape, sorted(set(y_test.tolist()))
    ((120, 4), (30, 4), [0, 1, 2])
    """
    text = resources.files("seqnet").joinpath("data/iris.csv").read_text()
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=2)
    X, y = data[:, :4].astype(np.float32), data[:, 4].astype(np.int64)
    # a fixed stratified split: a seeded permutation inside each class, first 10 of each to test
    rng = np.random.default_rng(189)
    test = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:10] for c in range(3)])
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    # each set in a fixed shuffled order, not sorted by class: fit's validation_split holds out
    # the last examples (as Keras does), which must not all be of one class
    train, test = rng.permutation(np.flatnonzero(~is_test)), rng.permutation(np.flatnonzero(is_test))
    return (X[train], y[train]), (X[test], y[test])


def standardize(X_train: Any, *others: Any) -> tuple[np.ndarray, ...]:
    """Scale features to zero mean and unit variance, with the statistics of ``X_train``.

    Returns the standardized ``X_train`` followed by each of ``others`` transformed the same way.
    Constant features are centred and left unscaled.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    dtype = np.result_type(np.asarray(X_train).dtype, np.float32)
    return tuple(((np.asarray(X, dtype=np.float64) - mean) / std).astype(dtype)
                 for X in (X_train, *others))


def minibatches(X: np.ndarray, y: np.ndarray | None = None, batch_size: int = 32, shuffle: bool = True,
                rng: np.random.Generator | None = None) -> Iterator[Any]:
    """Yield ``(X_batch, y_batch)`` (or ``X_batch`` when ``y`` is None) covering the data once.

    The last batch may be smaller. Shuffling draws from ``rng`` (a new unseeded generator if None).
    """
    if batch_size < 1:
        raise ValueError(f"minibatches: expected a positive batch_size, received batch_size={batch_size}")
    n = len(X)
    if y is not None and len(y) != n:
        raise ValueError(f"minibatches: X and y have different lengths: {n} and {len(y)}")
    order = (rng or np.random.default_rng()).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx] if y is None else (X[idx], y[idx])
