"""Batch normalization and layer normalization."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.batchnorm import batchnorm_backward, batchnorm_forward_eval, batchnorm_forward_train
from ..ops.layernorm import layernorm_backward, layernorm_forward
from .. import initializers
from .._registry import serialize
from .base import Layer, identifier_config, register
from .data_format import DataFormat


@register("batch_norm")
class BatchNorm(Layer):
    r"""Batch normalization over the last axis of ``(n, c)``, NHWC ``(n, h, w, c)`` or any
    ``(n, ..., c)`` input.

    In training, with batch statistics over every axis but the last (:math:`N` values per channel):

    .. math:: \hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}, \qquad y = \gamma \hat x + \beta

    and the running statistics move as in ``torch.nn.BatchNorm1d/2d``:
    ``running = (1 - momentum) * running + momentum * batch`` with the unbiased batch variance
    :math:`\sigma^2 N/(N-1)`. At inference the running statistics replace the batch ones.

    Parameters
    ----------
    momentum : float, default 0.1
    eps : float, default 1e-5
    name : str, optional

    Notes
    -----
    Parameters ``gamma`` and ``beta`` have shape ``(c,)``; buffers ``running_mean`` and
    ``running_var`` too. Backward in training mode:
    :math:`dx = \frac{1}{N\sigma}\left(N\,d\hat x - \sum d\hat x - \hat x \sum d\hat x\,\hat x\right)`.
    """

    def __init__(self, momentum: float = 0.1, eps: float = 1e-5, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"BatchNorm: expected `momentum` in [0, 1], received momentum={momentum}")
        if not float(eps) > 0:
            raise ValueError(f"BatchNorm: expected a positive `eps`, received eps={eps}")
        self.momentum, self.eps = float(momentum), float(eps)

    supports_masking = True

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(f"BatchNorm {self.name!r} expects (batch, ..., channels) input, "
                             f"got input of shape {(None, *input_shape)}")
        return tuple(input_shape)

    #: the running variance moves toward the unbiased batch variance (torch); Keras uses the biased one
    unbiased_running_var = True
    #: which of the two scale-and-shift parameters the layer learns (Keras's scale= and center=)
    learns = ("gamma", "beta")

    def _update_fraction(self) -> float:
        """How far the running statistics move toward each batch's (torch's meaning of momentum)."""
        return self.momentum

    def weight_shapes(self, input_shape):
        c = self.compute_output_shape(input_shape)[-1]
        return {name: (c,) for name in (*(n for n in ("gamma", "beta") if n in self.learns),
                                        "running_mean", "running_var")}

    def _build(self, input_shape):
        c = self.compute_output_shape(input_shape)[-1]
        if "gamma" in self.learns:
            self.parameters["gamma"] = np.ones(c, dtype=self.dtype)
        if "beta" in self.learns:
            self.parameters["beta"] = np.zeros(c, dtype=self.dtype)
        self.buffers["running_mean"] = np.zeros(c, dtype=self.dtype)
        self.buffers["running_var"] = np.ones(c, dtype=self.dtype)

    def _scale_shift(self) -> tuple[np.ndarray, np.ndarray]:
        c = self.input_shape[-1]
        gamma = self.parameters.get("gamma", np.ones(c, dtype=self.dtype))
        return gamma, self.parameters.get("beta", np.zeros(c, dtype=self.dtype))

    def _forward(self, X):
        gamma, beta = self._scale_shift()
        if not self.training:
            Z, self.cache["kernel"] = batchnorm_forward_eval(X, gamma, beta, self.buffers["running_mean"],
                                                             self.buffers["running_var"], self.eps)
            return Z
        Z, mean, var, self.cache["kernel"] = batchnorm_forward_train(X, gamma, beta, self.eps)
        count, m = X.size // X.shape[-1], self._update_fraction()
        if self.unbiased_running_var:
            var = var * (count / max(count - 1, 1))
        self.buffers["running_mean"] *= 1 - m
        self.buffers["running_mean"] += m * mean
        self.buffers["running_var"] *= 1 - m
        self.buffers["running_var"] += m * var
        return Z

    def _backward(self, dZ):
        dX, dgamma, dbeta = batchnorm_backward(dZ, self._scale_shift()[0], self.cache["kernel"])
        for key, grad in (("gamma", dgamma), ("beta", dbeta)):
            if key in self.gradients:
                self.gradients[key][...] = grad
        return dX

    def get_config(self):
        return {"momentum": self.momentum, "eps": self.eps, **super().get_config()}


#: how each weight starts by default, and Keras's name for it
DEFAULT_STARTS = {"beta": "zeros", "gamma": "ones", "running_mean": "zeros", "running_var": "ones"}
KERAS_NAMES = {"beta": "beta", "gamma": "gamma", "running_mean": "moving_mean", "running_var": "moving_variance"}


@register("batch_normalization")
class BatchNormalization(DataFormat, BatchNorm):
    r"""Keras's ``BatchNormalization``: the same normalization with Keras's arguments and meanings.

    ``momentum`` is how much of the running statistics each batch keeps (Keras's meaning,
    default 0.99): ``running = momentum * running + (1 - momentum) * batch``, with the biased batch
    variance, where :class:`BatchNorm` takes torch's (``running = (1 - m) running + m batch``, the
    unbiased variance). ``scale=False`` / ``center=False`` leave out ``gamma`` / ``beta``.

    Parameters
    ----------
    axis : int, default -1
        The channels' axis (of the batch): ``1`` for ``(n, c, h, w)`` images. It is moved last at
        the layer's edge (:mod:`seqnet.layers.data_format`).
    momentum : float, default 0.99
    epsilon : float, default 1e-3
    center : bool, default True
    scale : bool, default True
    """

    unbiased_running_var = False

    def __init__(self, axis: Any = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(momentum, epsilon, name, input_shape=input_shape)
        self.initializers = {"beta": beta_initializer, "gamma": gamma_initializer,
                             "running_mean": moving_mean_initializer, "running_var": moving_variance_initializer}
        for key, identifier in self.initializers.items():
            initializers.get(identifier)  # an unknown one is refused here, not at build
        self.set_regularizers({"gamma": gamma_regularizer, "beta": beta_regularizer})
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise ValueError(f"BatchNormalization: seqnet normalizes per channel of one axis; received axis={axis!r}")
        self.axis = int(axis)
        self.center, self.scale = bool(center), bool(scale)
        self.learns = tuple(k for k, on in (("gamma", self.scale), ("beta", self.center)) if on)

    # Keras's names of the weights (the arrays themselves)
    gamma = property(lambda self: self.parameters.get("gamma"))
    beta = property(lambda self: self.parameters.get("beta"))
    moving_mean = property(lambda self: self.buffers.get("running_mean"))
    moving_variance = property(lambda self: self.buffers.get("running_var"))

    def _update_fraction(self) -> float:
        return 1.0 - self.momentum

    def _build(self, input_shape):
        super()._build(input_shape)
        for key, identifier in self.initializers.items():
            store = self.buffers if key.startswith("running") else self.parameters
            if key in store and identifier not in (DEFAULT_STARTS[key],):
                store[key][...] = initializers.get(identifier)(store[key].shape, self.rng, self.dtype)

    def _forward(self, X):
        if self.trainable:
            return super()._forward(X)
        training, self.training = self.training, False  # frozen: Keras runs it in inference mode
        try:
            return super()._forward(X)
        finally:
            self.training = training

    def get_config(self):
        given = {f"{KERAS_NAMES[key]}_initializer": identifier_config(value, initializers.get(value))
                 for key, value in self.initializers.items() if value != DEFAULT_STARTS[key]}
        penalties = {f"{key}_regularizer": serialize(r) for key, r in self.regularizers.items()}
        base = {k: v for k, v in Layer.get_config(self).items() if k != "regularizers"}
        return {"axis": self.axis, "momentum": self.momentum, "epsilon": self.eps, "center": self.center,
                "scale": self.scale, **given, **penalties, **base}

    def channel_axis(self, ndim: int) -> int:
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(f"BatchNormalization {self.name!r}: axis={self.axis} is not a channel axis of "
                             f"{ndim}-D input (the batch axis is 0)")
        return self.axis % ndim


@register("layer_normalization")
class LayerNormalization(Layer):
    r"""Normalizes each example's features (the last axis) to zero mean and unit variance, then
    scales and shifts them: :math:`\gamma (x - \mu)/\sqrt{\sigma^2 + \epsilon} + \beta` (Keras's
    ``LayerNormalization(axis=-1)``; the kernels are :mod:`seqnet.ops.layernorm`). The same in
    training and inference; a mask of padded steps passes through.

    Parameters
    ----------
    epsilon : float, default 1e-3
    center, scale : bool, default True
        Learn ``beta`` / ``gamma`` (of the last axis's length); False leaves it out.
    """

    supports_masking = True

    def __init__(self, epsilon: float = 1e-3, center: bool = True, scale: bool = True, name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        self.eps, self.center, self.scale = float(epsilon), bool(center), bool(scale)

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 1:
            raise ValueError(f"LayerNormalization {self.name!r} expects input of shape (batch, ..., features)")
        return tuple(input_shape)

    def weight_shapes(self, input_shape):
        d = self.compute_output_shape(input_shape)[-1]
        return {key: (d,) for key, on in (("gamma", self.scale), ("beta", self.center)) if on}

    def _build(self, input_shape):
        for key, shape in self.weight_shapes(input_shape).items():
            self.parameters[key] = (np.ones if key == "gamma" else np.zeros)(shape, dtype=self.dtype)

    def _check_input(self, X):
        if X.ndim != len(self.input_shape) + 1 or X.shape[-1] != self.input_shape[-1]:
            raise ValueError(f"LayerNormalization {self.name!r} expects input of shape (batch, ..., "
                             f"{self.input_shape[-1]}) of rank {len(self.input_shape) + 1}, got {X.shape}")

    def _scale_shift(self) -> tuple[Any, Any]:
        return self.parameters.get("gamma", 1.0), self.parameters.get("beta", 0.0)

    def _forward(self, X):
        Z, self.cache["kept"] = layernorm_forward(X, *self._scale_shift(), self.eps)
        return Z

    def _backward(self, dZ):
        dX, dgamma, dbeta = layernorm_backward(dZ, self._scale_shift()[0], self.cache["kept"])
        for key, grad in (("gamma", dgamma), ("beta", dbeta)):
            if key in self.gradients:
                self.gradients[key][...] = grad
        return dX

    def get_config(self):
        return {"epsilon": self.eps, "center": self.center, "scale": self.scale, **super().get_config()}
