"""Training-only image augmentation inside the model, as Keras's layers: ``RandomFlip``,
``RandomTranslation``, ``RandomZoom`` and ``RandomCrop``. In inference each passes the image
through (``RandomCrop`` crops the centre, so the layers after it see one shape).

Translation, zoom and crop move each axis on its own, so each draws, per image, one sampling
matrix per axis: output row ``y`` reads input row ``a * y + c`` (bilinear or nearest, the
outside filled as ``fill_mode`` says, with Keras's index rules). The output is
``Ry @ image @ Rx.T`` per channel and the backward pass is its transpose, exact.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer, check_positive_int, register

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


def _mirror(index: np.ndarray, size: int) -> np.ndarray:
    period = max(size - 1, 1)
    return np.abs((index + period) % (2 * period) - period)


_FIX_INDEX = {  # where an index outside [0, size) reads (Keras's rules; "constant" reads fill_value)
    "constant": lambda i, n: np.clip(i, 0, n - 1),
    "nearest": lambda i, n: np.clip(i, 0, n - 1),
    "wrap": lambda i, n: i % n,
    "reflect": lambda i, n: (_mirror(2 * i + 1, 2 * n + 1) - 1) // 2,  # d c b a | a b c d | d c b a
}


def sampling_matrices(coords: np.ndarray, size: int, fill_mode: str, interpolation: str
                      ) -> tuple[np.ndarray, np.ndarray]:
    """For ``coords`` (images, outputs) on an axis of ``size`` inputs: the matrices
    (images, outputs, size) that read them, and the weight each output puts inside the image."""
    if interpolation == "nearest":
        nodes = [(np.round(coords).astype(np.int64), np.ones_like(coords))]
    else:
        lower = np.floor(coords)
        upper_weight = coords - lower
        nodes = [(lower.astype(np.int64), 1.0 - upper_weight), (lower.astype(np.int64) + 1, upper_weight)]
    matrices = np.zeros((*coords.shape, size))
    inside = np.zeros(coords.shape)
    columns = np.arange(size)
    for index, weight in nodes:
        if fill_mode == "constant":
            weight = weight * ((index >= 0) & (index < size))
        matrices += weight[..., None] * (_FIX_INDEX[fill_mode](index, size)[..., None] == columns)
        inside += weight
    return matrices, inside


def check_factor(factor: Any, what: str, layer: str, zoom: bool = False) -> tuple[float, float]:
    """Keras's factor: ``f`` for the range ``[-abs(f), abs(f)]``, or a pair ``(lower, upper)``, within
    ``[-1, 1]`` (a zoom's above -1)."""
    if isinstance(factor, (list, tuple)) and len(factor) == 2:
        bounds = sorted(float(f) for f in factor)
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
        bounds = [-abs(float(factor)), abs(float(factor))]
    else:
        raise ValueError(f"{layer}: `{what}` is a number or a pair of numbers in [-1, 1]; received {factor!r}")
    if bounds[0] < -1.0 or bounds[1] > 1.0 or (zoom and bounds[0] == -1.0):
        raise ValueError(f"{layer}: `{what}` must lie in {'(-1' if zoom else '[-1'}, 1]; received {factor!r}")
    return bounds[0], bounds[1]


class ImageAugmentation(Layer):
    """A layer that changes images (NHWC) at random in training. ``seed`` gives it a generator of
    its own; without one it draws from the model's."""

    def __init__(self, seed: int | None = None, name: str | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name, input_shape=kwargs.pop("input_shape", None))
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{type(self).__name__}: seqnet's images are channels_last (NHWC); "
                             f"received data_format={data_format!r}")
        self.seed = seed
        self._own_rng = None if seed is None else np.random.default_rng(seed)

    @property
    def generator(self) -> np.random.Generator:
        return self._own_rng if self._own_rng is not None else self.rng

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{type(self).__name__} expects images (batch, rows, cols, channels), "
                             f"got {(None, *input_shape)}")
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        return {}

    def get_config(self):
        return {"seed": self.seed, "data_format": "channels_last", **super().get_config()}


class Resampling(ImageAugmentation):
    """An augmentation that reads each output pixel from a point of the input, axis by axis.
    Subclasses give ``coordinates(n, rows, cols)``: where each image's output rows and columns
    read the input, as arrays (n, out_rows) and (n, out_cols)."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if fill_mode not in FILL_MODES:
            raise ValueError(f"{type(self).__name__}: fill_mode is one of {FILL_MODES}, received {fill_mode!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{type(self).__name__}: interpolation is one of {INTERPOLATIONS}, "
                             f"received {interpolation!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def resample(self, X: np.ndarray, out_rows: np.ndarray, out_cols: np.ndarray) -> np.ndarray:
        n, rows, cols, channels = X.shape
        Ry, inside_y = sampling_matrices(out_rows, rows, self.fill_mode, self.interpolation)
        Rx, inside_x = sampling_matrices(out_cols, cols, self.fill_mode, self.interpolation)
        Ry, Rx = Ry.astype(self.dtype), Rx.astype(self.dtype)
        self.cache["R"] = Ry, Rx
        by_rows = np.matmul(Ry, X.reshape(n, rows, cols * channels)).reshape(n, -1, cols, channels)
        Z = np.matmul(Rx[:, None], by_rows)
        if self.fill_mode == "constant" and self.fill_value:
            Z += (self.fill_value * (1.0 - inside_y[:, :, None] * inside_x[:, None, :]))[..., None].astype(self.dtype)
        return Z

    def _forward(self, X):
        self.cache.pop("R", None)
        if not self.training:
            return X
        return self.resample(X, *self.coordinates(*X.shape[:3]))

    def _backward(self, dZ):
        if "R" not in self.cache:
            return dZ
        Ry, Rx = self.cache["R"]
        n, out_rows, _, channels = dZ.shape
        by_rows = np.matmul(np.swapaxes(Rx, 1, 2)[:, None], dZ)
        return np.matmul(np.swapaxes(Ry, 1, 2), by_rows.reshape(n, out_rows, -1)).reshape(
            n, Ry.shape[2], Rx.shape[2], channels)

    def get_config(self):
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation, "fill_value": self.fill_value,
                **super().get_config()}


@register("random_translation")
class RandomTranslation(Resampling):
    """In training, each image shifted by a random fraction of its height and width: ``height_factor``
    0.1 shifts by up to 10% of the rows either way, ``(-0.2, 0.3)`` by 20% up to 30% down. The
    uncovered border is filled as ``fill_mode`` says (``"reflect"``, ``"wrap"``, ``"constant"``
    with ``fill_value``, ``"nearest"``); fractional shifts interpolate (``"bilinear"``)."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value, seed=seed, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = check_factor(height_factor, "height_factor", "RandomTranslation")
        self.width_range = check_factor(width_factor, "width_factor", "RandomTranslation")

    def coordinates(self, n, rows, cols):
        dy = self.generator.uniform(*self.height_range, size=(n, 1)) * rows
        dx = self.generator.uniform(*self.width_range, size=(n, 1)) * cols
        return np.arange(rows) - dy, np.arange(cols) - dx

    def get_config(self):
        return {"height_factor": self.height_factor, "width_factor": self.width_factor, **super().get_config()}


@register("random_zoom")
class RandomZoom(Resampling):
    """In training, each image zoomed about its centre by a random factor: ``height_factor`` 0.2
    reads a window from 20% smaller (zoom in) to 20% larger (zoom out) than the image;
    ``width_factor`` None keeps the aspect ratio. Border filling as for ``RandomTranslation``."""

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value, seed=seed, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = check_factor(height_factor, "height_factor", "RandomZoom", zoom=True)
        self.width_range = None if width_factor is None else check_factor(width_factor, "width_factor", "RandomZoom",
                                                                          zoom=True)

    def coordinates(self, n, rows, cols):
        zy = 1.0 + self.generator.uniform(*self.height_range, size=(n, 1))
        zx = zy if self.width_range is None else 1.0 + self.generator.uniform(*self.width_range, size=(n, 1))
        return (zy * np.arange(rows) + (rows - 1) / 2 * (1.0 - zy),
                zx * np.arange(cols) + (cols - 1) / 2 * (1.0 - zx))

    def get_config(self):
        return {"height_factor": self.height_factor, "width_factor": self.width_factor, **super().get_config()}


@register("random_crop")
class RandomCrop(Resampling):
    """A ``height`` x ``width`` window of each image: at a random place in training; in inference
    (and for images smaller than the window) the largest centred window of that aspect ratio,
    resized to ``height`` x ``width`` (bilinear), so training and inference give one shape.

    Keras 3 returns the image uncropped in inference, which the layers after the crop cannot take;
    seqnet crops the centre, as Keras's documentation describes."""

    def __init__(self, height: int, width: int, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(fill_mode="nearest", seed=seed, **kwargs)
        self.height = check_positive_int(height, "height", "RandomCrop")
        self.width = check_positive_int(width, "width", "RandomCrop")

    def compute_output_shape(self, input_shape):
        rows, cols, channels = super().compute_output_shape(input_shape)
        return self.height, self.width, channels

    def coordinates(self, n, rows, cols):
        top = self.generator.integers(0, rows - self.height + 1, size=(n, 1))
        left = self.generator.integers(0, cols - self.width + 1, size=(n, 1))
        return top + np.arange(self.height), left + np.arange(self.width)

    def _centre(self, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """Keras's centred window of the target aspect ratio, read at the output's pixel centres."""
        window_rows = max(min(rows, int(cols * self.height / self.width)), 1)
        window_cols = max(min(cols, int(rows * self.width / self.height)), 1)
        top, left = (rows - window_rows) // 2, (cols - window_cols) // 2
        ys = np.clip((np.arange(self.height) + 0.5) * window_rows / self.height - 0.5, 0, window_rows - 1)
        xs = np.clip((np.arange(self.width) + 0.5) * window_cols / self.width - 0.5, 0, window_cols - 1)
        return top + ys[None], left + xs[None]

    def _forward(self, X):
        n, rows, cols, _ = X.shape
        if self.training and rows > self.height and cols > self.width:
            return self.resample(X, *self.coordinates(n, rows, cols))
        ys, xs = self._centre(rows, cols)
        return self.resample(X, np.repeat(ys, n, axis=0), np.repeat(xs, n, axis=0))

    def get_config(self):
        config = super().get_config()
        for key in ("fill_mode", "interpolation", "fill_value"):
            del config[key]
        return {"height": self.height, "width": self.width, **config}


@register("random_flip")
class RandomFlip(ImageAugmentation):
    """In training, each image (NHWC) mirrored left-right (``"horizontal"``), upside down
    (``"vertical"``) or both independently, each with probability 1/2; in inference, the image."""

    MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if mode not in self.MODES:
            raise ValueError(f"RandomFlip: mode is one of {self.MODES}, received {mode!r}")
        self.mode = mode

    @staticmethod
    def _flip(X: np.ndarray, flips: list[tuple[int, np.ndarray]]) -> np.ndarray:
        """``X`` (a copy of its own) with the chosen images flipped along each axis in turn."""
        for axis, chosen in flips:
            X[chosen] = np.flip(X[chosen], axis=axis)
        return X

    def _forward(self, X):
        if not self.training:
            return X
        axes = {"horizontal": [2], "vertical": [1], "horizontal_and_vertical": [2, 1]}[self.mode]
        self.cache["flips"] = [(axis, self.generator.random(len(X)) < 0.5) for axis in axes]
        return self._flip(X.copy(), self.cache["flips"])

    def _backward(self, dZ):
        if "flips" not in self.cache:
            return dZ
        return self._flip(dZ.copy(), list(reversed(self.cache["flips"])))

    def get_config(self):
        return {"mode": self.mode, **super().get_config()}
