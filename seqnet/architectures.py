"""Reference architectures, defined once: the examples train them in numpy, and the Lightning
mirror (``lightning_models``) builds the very same networks in PyTorch from these definitions."""
from __future__ import annotations

from typing import Any

import numpy as np

from .layers import LSTM, Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, GlobalAvgPool2D, MaxPool2D, Reshape
from .ops import sliding_windows
from .sequential import Sequential


def fashion_mlp(dropout: float = 0.3, seed: int | None = None) -> Sequential:
    """The assignment's MLP for 28x28x1 images: 784-1024-1024-10 with ReLU (and dropout)."""
    return Sequential([
        Flatten(),
        Dense(1024, activation="relu", weight_init="he_uniform"), Dropout(dropout),
        Dense(1024, activation="relu", weight_init="he_uniform"), Dropout(dropout),
        Dense(10, activation="softmax"),
    ], seed=seed, name="fashion_mlp")


def fashion_lstm(units: int = 128, seed: int | None = None) -> Sequential:
    """An LSTM reading a 28x28x1 image row by row (28 steps of 28 pixels), its last state
    classified by a softmax layer."""
    return Sequential([
        Reshape((28, 28)),
        LSTM(units),
        Dense(10, activation="softmax"),
    ], seed=seed, name="fashion_lstm")


def fashion_cnn(dropout: float = 0.3, seed: int | None = None) -> Sequential:
    """A small CNN for 28x28x1 images: two 3x3 conv blocks and a dense head with dropout.

    Each block is conv -> 2x2 max-pool -> BatchNorm -> ReLU: pooling first means the
    normalisation and the activation (and their gradients) work on a quarter of the values.
    """
    def block(n_out: int) -> list:
        return [Conv2D(n_out, 3, weight_init="he_uniform"), MaxPool2D(2), BatchNorm(), Activation("relu")]
    return Sequential([
        *block(32), *block(64),
        Flatten(),
        Dense(128, activation="relu", weight_init="he_uniform"), Dropout(dropout),
        Dense(10, activation="softmax"),
    ], seed=seed, name="fashion_cnn")


def cifar_cnn(seed: int | None = None) -> Sequential:
    """The write-up's CIFAR-10 network for 32x32x3 images.

    conv 3->32 3x3; 32->64 5x5 + pool; 64->128 5x5; 128->128 7x7 + pool; 128->256 3x3 + pool
    (each conv with ReLU and BatchNorm), then dense 4096-512-112-10.
    """
    def block(n_out: int, k: int, pool: bool) -> list:
        return [Conv2D(n_out, k, activation="relu", weight_init="he_uniform"), BatchNorm(),
                *([MaxPool2D(2)] if pool else [])]
    return Sequential([
        *block(32, 3, False), *block(64, 5, True), *block(128, 5, False), *block(128, 7, True),
        *block(256, 3, True),
        Flatten(),
        Dense(512, activation="relu", weight_init="he_uniform"), Dropout(0.5),
        Dense(112, activation="relu", weight_init="he_uniform"),
        Dense(10, activation="softmax"),
    ], seed=seed, name="cifar_cnn")


def whitening_weights(X: np.ndarray, kernel: int = 2, eps: float = 5e-4) -> np.ndarray:
    """Conv weights ``(k, k, c, 2*k*k*c)`` that whiten the ``k x k`` patches of the NHWC images ``X``.

    The filters are the eigenvectors of the patches' covariance scaled by ``1/sqrt(eigenvalue + eps)``,
    each followed by its negation, so that a ReLU after them keeps both signs.
    """
    X = np.asarray(X, dtype=np.float64)
    patches = sliding_windows(X, (kernel, kernel), 1).reshape(-1, kernel * kernel * X.shape[-1])
    patches = patches - patches.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(patches.T @ patches / len(patches))
    filters = eigenvectors / np.sqrt(eigenvalues + eps)  # one filter per column
    W = filters.reshape(kernel, kernel, X.shape[-1], -1)
    return np.concatenate([W, -W], axis=-1)


#: How :func:`cifar_fast` trains: the speed-record recipe, read by both trainers (the numpy example
#: ``examples/cifar10_cnn.py`` and ``python -m lightning_models.train --arch cifar_fast``) for their
#: defaults. SGD with Nesterov momentum and a one-cycle rate per batch, label smoothing, crops of
#: 2 pixels of padding and alternating flips, the lookahead, BatchNorm shifts at 64 times the rate,
#: the whitening bias trained for 3 epochs, flip test-time augmentation, all 50,000 images.
CIFAR_FAST_RECIPE: dict[str, Any] = dict(
    optimizer="sgd", lr=0.3, momentum=0.9, nesterov=True, scheduler="onecycle", batch_size=512, epochs=12,
    weight_decay=5e-4, label_smoothing=0.2, crop_padding=2, flip="alternate", lookahead=True, bn_bias_lr_scale=64.0,
    whiten_bias_epochs=3, tta_flip=True, val_split=0)


def cifar_fast(seed: int | None = None, whiten_from: Any = None, width: int = 64, engine: str = "auto") -> Sequential:
    """A fast CIFAR-10 network after the published speed-record networks (Keller Jordan's airbench).

    A frozen first layer that whitens 2x2 patches (set from ``whiten_from``, a sample of the
    training images, when given), then three blocks of widths ``width``, ``4*width``, ``4*width``,
    each two 3x3 convolutions (conv, 2x2 max-pool, BatchNorm, ReLU, then conv, BatchNorm, ReLU;
    no conv biases, BatchNorm shifts instead), a global average pooling and a linear classifier.
    Meant for about 10 epochs with crop-and-flip augmentation, label smoothing, a one-cycle
    schedule and flip test-time augmentation (``examples/cifar10_cnn.py``, ``lightning_models``).
    ``engine`` is the 3x3 convolutions' (:class:`~seqnet.layers.Conv2D`'s ``engine``).
    """
    def block(n_out: int) -> list:
        return [Conv2D(n_out, 3, weight_init="he_uniform", use_bias=False, engine=engine), MaxPool2D(2),
                BatchNorm(momentum=0.4), Activation("relu"),
                Conv2D(n_out, 3, weight_init="he_uniform", use_bias=False, engine=engine), BatchNorm(momentum=0.4),
                Activation("relu")]
    whiten = Conv2D(24, 2, pad="valid", activation="relu", name="whiten")
    whiten.trainable = False
    model = Sequential([whiten, *block(width), *block(4 * width), *block(4 * width), GlobalAvgPool2D(),
                        Dense(10, activation="softmax")], seed=seed, name="cifar_fast")
    if whiten_from is not None:
        model.build(tuple(np.shape(whiten_from)[1:]))
        whiten.parameters["W"][...] = whitening_weights(whiten_from)
    return model


ARCHITECTURES = {"fashion_mlp": fashion_mlp, "fashion_cnn": fashion_cnn, "fashion_lstm": fashion_lstm,
                 "cifar_cnn": cifar_cnn, "cifar_fast": cifar_fast}
