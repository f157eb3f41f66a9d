"""Gradient-descent optimizers.

``optimizer.update(model)`` applies one step to every parameter of every layer,
reading ``layer.gradients``. Per-parameter state (momentum, Adam moments) is
keyed by ``(layer name, parameter name)``, so layers never collide. The update
rules are PyTorch's (``torch.optim.SGD`` / ``torch.optim.Adam``), so the same
gradients give the same parameters.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from . import keras_updates, schedulers
from ._registry import Configurable, Registry, either, serialize
from .ops.subnormal import flush_subnormals
from .optimizer_arrays import ArrayUpdates
from .schedulers import _check_lr_scales, _check_positive

optimizers = Registry("optimizer")

FLUSH_EVERY = 64  # updates between flushes of subnormal numbers to zero


class Optimizer(ArrayUpdates, Configurable, ABC):
    """Base class: learning rate or schedule, per-parameter gradient clipping, weight decay.

    Every optimizer also takes Keras's spellings as keyword arguments: ``learning_rate`` for
    ``lr``, ``clipnorm`` for ``clip_norm``, ``clipvalue`` for ``clip_value`` (and ``epsilon`` for
    ``eps`` where there is one).

    Parameters
    ----------
    lr : float
        The base learning rate (the schedule's initial one when ``lr_scheduler`` is given); the
        attribute ``lr`` (also ``learning_rate``) holds it, ``current_lr`` the rate of the next update.
    clip_norm : float, optional
        Rescale each parameter's gradient so its Euclidean norm is at most this.
    weight_decay : float, default 0
        Adds ``weight_decay * param`` to each gradient (L2 regularisation, as ``torch.optim``;
        :class:`AdamW` decouples it instead).
    lr_scheduler : str, dict or Scheduler, optional
        A schedule of the rate by update step; a name is built with initial rate ``lr``.
    clip_value : float, optional
        Clip every gradient entry to ``[-clip_value, clip_value]`` (after ``clip_norm``, as Keras).
    convention : {"torch", "keras"}, default "torch"
        Whose update rule to follow: torch.optim's, or Keras 3's (:mod:`seqnet.keras_updates`:
        decoupled weight decay, epsilon placement, momentum holding ``-lr * g``, float32 powers).
    lr_scales : dict, optional
        Multipliers of the learning rate for some parameters, as torch's parameter groups give
        them their own rate: a key ``"<layer>/<parameter>"`` names one layer's parameter, a key
        ``"<parameter>"`` that parameter in every layer (``{"beta": 64.0}``: BatchNorm shifts at
        64 times the rate). A scale of 0 freezes the parameter (no update, no state).
    """

    #: weight decay as ``param *= 1 - lr * weight_decay`` before the step (AdamW), not as an L2 gradient
    decoupled_weight_decay = False

    def __init__(self, lr: float, clip_norm: float | None = None, weight_decay: float = 0.0,
                 lr_scheduler: Any = None, clip_value: float | None = None, convention: str = "torch",
                 lr_scales: dict[str, float] | None = None) -> None:
        name = type(self).__name__
        if convention not in ("torch", "keras"):
            raise ValueError(f"{name}: convention is 'torch' (torch.optim's update rule) or 'keras' (Keras 3's), "
                             f"received convention={convention!r}")
        self.convention = convention
        self.lr = _check_positive("lr", lr, name, allow_zero=True)
        self.clip_norm = None if clip_norm is None else _check_positive("clip_norm", clip_norm, name)
        self.clip_value = None if clip_value is None else _check_positive("clip_value", clip_value, name)
        self.weight_decay = _check_positive("weight_decay", weight_decay, name, allow_zero=True)
        self.lr_scheduler = None if lr_scheduler is None else schedulers.get(lr_scheduler, lr=self.lr)
        self.lr_scales = _check_lr_scales(lr_scales, name)
        self.iterations = 0
        self.state: dict[tuple[str, str], dict[str, np.ndarray]] = {}
        self._scratch_buffers: dict[tuple[tuple[int, ...], str], np.ndarray] = {}
        self._variables: dict[int, tuple[str, np.ndarray]] = {}  # apply()'s arrays: id -> (key, array)
        self._no_decay: tuple[set[int], set[str]] = (set(), set())  # ids, and parts of names

    @classmethod
    def _resolve(cls, lr: Any, learning_rate: Any, clip_norm: Any, clipnorm: Any, clip_value: Any, clipvalue: Any,
                 default_lr: float) -> tuple[float, Any, Any]:
        who = cls.__name__
        return (either(who, "lr", lr, "learning_rate", learning_rate, default_lr),
                either(who, "clip_norm", clip_norm, "clipnorm", clipnorm, None),
                either(who, "clip_value", clip_value, "clipvalue", clipvalue, None))

    def _scratch(self, like: np.ndarray) -> np.ndarray:
        """A work array shaped like ``like`` (contents undefined), this optimizer's own: two models
        training at once in two threads never share one."""
        key = (like.shape, like.dtype.str)
        if key not in self._scratch_buffers:
            self._scratch_buffers[key] = np.empty_like(like)
        return self._scratch_buffers[key]

    @property
    def learning_rate(self) -> float:
        """Keras's name for the rate: :attr:`lr` (settable), or under a schedule its rate at this step."""
        return self.current_lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.lr = float(value)

    @property
    def current_lr(self) -> float:
        """The learning rate the next update uses: ``lr``, or the schedule's rate at this step."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.iterations)
        return self.lr

    def update(self, model: Any) -> None:
        """One step on every parameter of ``model`` (a Sequential or an iterable of layers)."""
        layers: list[Any] = [layer for layer in getattr(model, "layers", model) if getattr(layer, "trainable", True)]
        lr = self.current_lr
        for layer in layers:
            for pname, param in layer.parameters.items():
                scale = self.lr_scale(layer.name, pname)
                if scale:
                    self.step_parameter((layer.name, pname), param, layer.gradients[pname], lr * scale)
        self.iterations += 1
        if self.iterations % FLUSH_EVERY == 0:
            for layer in layers:
                for pname, param in layer.parameters.items():
                    flush_subnormals(param)
                    for slot in self.state.get((layer.name, pname), {}).values():
                        flush_subnormals(slot)

    def lr_scale(self, layer: str, parameter: str) -> float:
        """The multiplier of the rate for ``layer``'s ``parameter`` (1 unless ``lr_scales`` names it)."""
        scales = self.lr_scales
        return scales.get(f"{layer}/{parameter}", scales.get(parameter, 1.0)) if scales else 1.0

    def clip(self, grad: np.ndarray) -> np.ndarray:
        """``grad`` rescaled to a norm of at most ``clip_norm``, then clipped to ``clip_value``."""
        if self.clip_norm is not None:
            norm = float(np.sqrt(np.sum(grad * grad)))
            if norm > self.clip_norm:
                grad = grad * (self.clip_norm / norm)
        if self.clip_value is not None:
            grad = np.clip(grad, -self.clip_value, self.clip_value)
        return grad

    def step_parameter(self, key: Any, param: np.ndarray, grad: np.ndarray, lr: float, decay: bool = True) -> None:
        """One parameter's update at rate ``lr``, in place: clipping, weight decay (unless ``decay``
        is false), then the update rule, with the parameter's state (momentum, moments) kept under
        ``key``."""
        grad = self.clip(grad)
        if self.weight_decay and decay and self.convention == "keras":
            keras_updates.weight_decay(self, param, lr)
        elif self.weight_decay and decay and self.decoupled_weight_decay:
            param *= 1.0 - lr * self.weight_decay
        elif self.weight_decay and decay:
            grad = grad + self.weight_decay * param
        self._step(self.state.setdefault(key, {}), param, grad, lr)

    @abstractmethod
    def _step(self, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Update ``param`` in place from ``grad``, keeping per-parameter ``state``."""

    def get_state(self) -> dict[str, Any]:
        """``iterations`` and every slot array as ``"<layer>/<parameter>/<slot>"`` (momentum, Adam's moments)."""
        slots = {f"{layer}/{param}/{slot}": value for (layer, param), values in self.state.items()
                 for slot, value in values.items() if layer is not None}  # not the state of apply()'s arrays
        return {"iterations": self.iterations, **slots}

    def set_state(self, state: dict[str, Any]) -> None:
        self.iterations = int(state.get("iterations", 0))
        self.state = {}
        for key, value in state.items():
            if key != "iterations":
                layer, param, slot = key.rsplit("/", 2)
                self.state.setdefault((layer, param), {})[slot] = np.array(value)

    def get_config(self) -> dict[str, Any]:
        return {"lr": self.lr, "clip_norm": self.clip_norm, "weight_decay": self.weight_decay,
                "lr_scheduler": None if self.lr_scheduler is None else serialize(self.lr_scheduler),
                **({} if self.clip_value is None else {"clip_value": self.clip_value}),
                **({} if self.convention == "torch" else {"convention": self.convention}),
                **({"lr_scales": dict(self.lr_scales)} if self.lr_scales else {})}


optimizers.base = Optimizer


@optimizers.register("sgd")
class SGD(Optimizer):
    r"""Stochastic gradient descent with optional (Nesterov) momentum.

    With momentum :math:`\mu`: :math:`v \leftarrow \mu v + g`, then :math:`p \leftarrow p - \eta v`
    (or :math:`p \leftarrow p - \eta (g + \mu v)` with ``nesterov=True``).

    Examples
    --------
    >>> from seqnet.optimizers import SGD
    >>> SGD(lr=0.1, momentum=0.9).lr
    0.1
    """

    def __init__(self, lr: float | None = None, momentum: float = 0.0, nesterov: bool = False,
                 clip_norm: float | None = None, weight_decay: float = 0.0, lr_scheduler: Any = None,
                 clip_value: float | None = None, *, learning_rate: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, convention: str = "torch",
                 lr_scales: dict[str, float] | None = None) -> None:
        lr, clip_norm, clip_value = self._resolve(lr, learning_rate, clip_norm, clipnorm, clip_value, clipvalue, 0.01)
        super().__init__(lr, clip_norm, weight_decay, lr_scheduler, clip_value, convention, lr_scales)
        self.momentum = _check_positive("momentum", momentum, "SGD", allow_zero=True)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0 and self.convention == "torch":  # Keras's: plain SGD then
            raise ValueError("SGD: nesterov=True needs a positive momentum, received momentum=0")

    def _step(self, state, param, grad, lr):
        if self.convention == "keras":
            return keras_updates.sgd(self, state, param, grad, lr)
        if self.momentum:
            buf = state.get("momentum")
            if buf is None:
                buf = state["momentum"] = np.zeros_like(param)
            buf *= self.momentum
            buf += grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        step = np.multiply(grad, lr, out=self._scratch(param))
        param -= step

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


@optimizers.register("adam")
class Adam(Optimizer):
    r"""Adam (Kingma & Ba) with bias correction, as ``torch.optim.Adam``.

    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
    :math:`p \leftarrow p - \eta \,\hat m / (\sqrt{\hat v} + \epsilon)` with
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`. With ``amsgrad=True``
    (Reddi et al.), :math:`v` in the step is the largest :math:`v` so far.
    """

    default_weight_decay = 0.0

    def __init__(self, lr: float | None = None, beta_1: float = 0.9, beta_2: float = 0.999, eps: float | None = None,
                 clip_norm: float | None = None, weight_decay: float | None = None, lr_scheduler: Any = None,
                 clip_value: float | None = None, *, learning_rate: float | None = None, epsilon: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, convention: str = "torch",
                 lr_scales: dict[str, float] | None = None, amsgrad: bool = False) -> None:
        lr, clip_norm, clip_value = self._resolve(lr, learning_rate, clip_norm, clipnorm, clip_value, clipvalue, 1e-3)
        weight_decay = self.default_weight_decay if weight_decay is None else weight_decay
        self.amsgrad = bool(amsgrad)
        super().__init__(lr, clip_norm, weight_decay, lr_scheduler, clip_value, convention, lr_scales)
        who = type(self).__name__
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{who}: expected `{name}` in [0, 1), received {name}={beta}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.eps = _check_positive("eps", either(who, "eps", eps, "epsilon", epsilon, 1e-8), who)

    def _step(self, state, param, grad, lr):
        if self.convention == "keras":
            return keras_updates.adam(self, state, param, grad, lr)
        if "m" not in state:
            state["m"], state["v"] = np.zeros_like(param), np.zeros_like(param)
        m, v = state["m"], state["v"]
        scratch = self._scratch(param)
        t = self.iterations + 1
        correction = np.sqrt(1.0 - self.beta_2 ** t)
        # written as in-place passes over one scratch buffer: this update touches every parameter,
        # and temporaries of their size would cost more than the arithmetic
        np.subtract(grad, m, out=scratch)                    # m += (1 - b1) (g - m)
        scratch *= 1.0 - self.beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)                 # v += (1 - b2) (g^2 - v)
        scratch -= v
        scratch *= 1.0 - self.beta_2
        v += scratch
        if self.amsgrad:                                     # the largest v so far
            v = np.maximum(state.setdefault("v_max", np.zeros_like(param)), v, out=state["v_max"])
        np.sqrt(v, out=scratch)                              # p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps)
        scratch += self.eps * correction
        np.divide(m, scratch, out=scratch)
        scratch *= lr * correction / (1.0 - self.beta_1 ** t)
        param -= scratch

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "eps": self.eps,
                **({"amsgrad": True} if self.amsgrad else {})}


@optimizers.register("adamw")
class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    :math:`p \leftarrow p(1 - \eta\lambda)` before each Adam step, instead of an L2 term in the gradient.

    ``weight_decay`` defaults to 0.01 (torch's default; Keras's is 0.004).
    """

    decoupled_weight_decay = True
    default_weight_decay = 0.01


@optimizers.register("rmsprop")
class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``: :math:`v \leftarrow \alpha v + (1-\alpha) g^2`,
    :math:`p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)`; ``centered`` divides by
    :math:`\sqrt{v - \bar g^2}` (:math:`\bar g` the running mean gradient), ``momentum`` keeps a
    buffer :math:`b \leftarrow \mu b + g/(\sqrt{\cdot} + \epsilon)` and steps by :math:`\eta b`.

    Defaults are torch's (``lr=0.01``, ``alpha=0.99``, ``eps=1e-8``); Keras's ``rho`` is ``alpha``.
    """

    def __init__(self, lr: float | None = None, alpha: float | None = None, eps: float | None = None,
                 momentum: float = 0.0, centered: bool = False, clip_norm: float | None = None,
                 weight_decay: float = 0.0, lr_scheduler: Any = None, clip_value: float | None = None, *,
                 learning_rate: float | None = None, rho: float | None = None, epsilon: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, convention: str = "torch",
                 lr_scales: dict[str, float] | None = None) -> None:
        lr, clip_norm, clip_value = self._resolve(lr, learning_rate, clip_norm, clipnorm, clip_value, clipvalue, 0.01)
        super().__init__(lr, clip_norm, weight_decay, lr_scheduler, clip_value, convention, lr_scales)
        self.alpha = float(either("RMSprop", "alpha", alpha, "rho", rho, 0.99))
        if not 0.0 <= self.alpha < 1.0:
            raise ValueError(f"RMSprop: expected `alpha` in [0, 1), received alpha={self.alpha}")
        self.eps = _check_positive("eps", either("RMSprop", "eps", eps, "epsilon", epsilon, 1e-8), "RMSprop")
        self.momentum = _check_positive("momentum", momentum, "RMSprop", allow_zero=True)
        self.centered = bool(centered)

    def _step(self, state, param, grad, lr):
        if self.convention == "keras":
            return keras_updates.rmsprop(self, state, param, grad, lr)
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(param)
            if self.centered:
                state["grad_avg"] = np.zeros_like(param)
            if self.momentum:
                state["momentum"] = np.zeros_like(param)
        v = state["square_avg"]
        v *= self.alpha
        v += (1.0 - self.alpha) * grad * grad
        if self.centered:
            g = state["grad_avg"]
            g *= self.alpha
            g += (1.0 - self.alpha) * grad
            avg = np.sqrt(v - g * g) + self.eps
        else:
            avg = np.sqrt(v) + self.eps
        if self.momentum:
            buf = state["momentum"]
            buf *= self.momentum
            buf += grad / avg
            param -= lr * buf
        else:
            param -= lr * grad / avg

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "centered": self.centered}


@optimizers.register("adagrad")
class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``: :math:`s \leftarrow s + g^2`,
    :math:`p \leftarrow p - \eta_t\, g / (\sqrt{s} + \epsilon)` with
    :math:`\eta_t = \eta / (1 + (t-1)\,\mathrm{lr\_decay})`, :math:`s` starting at
    ``initial_accumulator_value``. Defaults are torch's (``lr=0.01``, ``eps=1e-10``, accumulator 0;
    Keras's are 0.001, 1e-7 and 0.1).
    """

    def __init__(self, lr: float | None = None, lr_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float | None = None, clip_norm: float | None = None, weight_decay: float = 0.0,
                 lr_scheduler: Any = None, clip_value: float | None = None, *, learning_rate: float | None = None,
                 epsilon: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 convention: str = "torch",
                 lr_scales: dict[str, float] | None = None) -> None:
        lr, clip_norm, clip_value = self._resolve(lr, learning_rate, clip_norm, clipnorm, clip_value, clipvalue, 0.01)
        super().__init__(lr, clip_norm, weight_decay, lr_scheduler, clip_value, convention, lr_scales)
        self.lr_decay = _check_positive("lr_decay", lr_decay, "Adagrad", allow_zero=True)
        self.initial_accumulator_value = _check_positive("initial_accumulator_value", initial_accumulator_value,
                                                         "Adagrad", allow_zero=True)
        self.eps = _check_positive("eps", either("Adagrad", "eps", eps, "epsilon", epsilon, 1e-10), "Adagrad")

    def _step(self, state, param, grad, lr):
        if self.convention == "keras":
            return keras_updates.adagrad(self, state, param, grad, lr)
        if "sum" not in state:
            state["sum"] = np.full_like(param, self.initial_accumulator_value)
        total = state["sum"]
        total += grad * grad
        param -= lr / (1.0 + self.iterations * self.lr_decay) * grad / (np.sqrt(total) + self.eps)

    def get_config(self):
        return {**super().get_config(), "lr_decay": self.lr_decay,
                "initial_accumulator_value": self.initial_accumulator_value, "eps": self.eps}


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (default settings), a config dict or an instance."""
    return optimizers.get(identifier)


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get", "serialize"]
