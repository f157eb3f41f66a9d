"""The layer protocol.

A layer's life follows Keras: ``__init__`` validates and stores its arguments,
``build(input_shape)`` creates the parameters on the first call, and then
``forward(X)`` / ``backward(dLdY)`` run. Like the assignment's layers, each
exposes ``parameters`` and ``gradients`` (ordered dicts with the same keys) and a
``cache`` of what the forward pass keeps for the backward pass. Non-trainable
state (BatchNorm's running statistics) lives in ``buffers``.

Layers with an ``activation`` apply it after their affine part:
``forward`` returns ``activation(Z)`` and ``backward`` first maps ``dL/dY`` to
``dL/dZ``; :meth:`Layer.backward_preactivation` starts from ``dL/dZ`` directly,
which the model uses for the fused softmax + cross-entropy gradient.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from .. import activations as _activations
from .. import initializers as _initializers
from .. import constraints as _constraints
from .. import regularizers as _regularizers
from .._registry import Configurable, Registry, serialize

layers = Registry("layer")
register = layers.register


def identifier_config(identifier: Any, obj: Any) -> Any:
    """How to store an argument given as a name, config dict or instance: names stay names."""
    return identifier if isinstance(identifier, (str, dict)) else serialize(obj)


def check_positive_int(value: Any, what: str, layer: str) -> int:
    """``value`` as an int, or a ``ValueError`` naming the layer and the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"{layer}: received an invalid value for `{what}`, expected a positive integer. "
            f"Received: {what}={value!r}"
        )
    return int(value)


class Layer(Configurable):
    """Base class of all layers.

    Subclasses implement ``build`` (create ``parameters``), ``_forward(X)`` returning the
    pre-activation ``Z`` and ``_backward(dLdZ)`` returning ``dL/dX`` (and filling ``gradients``).

    Parameters
    ----------
    activation : str, dict or seqnet.activations.Activation, default "linear"
        Applied to the layer's output.
    name : str, optional
        Unique name within a model; models assign ``dense``, ``dense_1``, ... when omitted.
    """

    def __init__(self, activation: Any = "linear", name: str | None = None, *,
                 input_shape: tuple[int, ...] | None = None) -> None:
        self.name = name
        # Keras's input_shape= on a model's first layer: the model builds itself for it at once
        self.declared_input_shape = None if input_shape is None else tuple(int(d) for d in input_shape)
        self.activation = activation
        self.parameters: OrderedDict[str, np.ndarray] = OrderedDict()
        self.gradients: OrderedDict[str, np.ndarray] = OrderedDict()
        self.buffers: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache: dict[str, Any] = {}
        # the mask of the input's padded steps, (batch, steps) booleans, that the model hands the
        # layer for its next forward pass (Keras's masking; see compute_mask); None: no mask
        self.input_mask: np.ndarray | None = None
        self.regularizers: dict[str, Any] = {}  # parameter name -> penalty (seqnet.regularizers), Keras's
        self.constraints: dict[str, Any] = {}  # parameter name -> constraint (seqnet.constraints), Keras's
        self.built = False
        self.training = True
        self.trainable = True  # False freezes the parameters: optimizers skip the layer
        # the layers up to a model's first one with parameters need not compute dL/dX (nothing
        # consumes it); layers that can skip that work (Dense, Conv2D) then return None from backward
        self.need_input_gradient = True
        self.input_shape: tuple[int, ...] | None = None
        self.dtype: np.dtype | None = None
        self.rng: np.random.Generator | None = None

    @property
    def activation(self) -> _activations.Activation:
        """The activation applied to the output; set it as a name, config, instance or ``None``
        (linear), as in Keras."""
        return self._activation

    @activation.setter
    def activation(self, value: Any) -> None:
        self._activation_id = "linear" if value is None else value
        self._activation = _activations.get(self._activation_id)

    def __call__(self, X: Any, training: bool | None = None) -> np.ndarray:
        """:meth:`forward`; ``training=True`` or ``False`` (Keras's call argument) sets the mode for
        this call only (dropout on or off, batch or running statistics)."""
        if training is None:
            return self.forward(X)
        mode, self.training = self.training, bool(training)
        try:
            return self.forward(X)
        finally:
            self.training = mode

    # -- life cycle -------------------------------------------------------
    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator | None = None,
              dtype: Any = None) -> None:
        """Create the parameters for inputs of shape ``(batch, *input_shape)``.

        Parameters
        ----------
        input_shape : tuple of int
            One example's shape, without the batch axis (or Keras's, with ``None`` for it).
        rng : numpy.random.Generator, optional
            Source of all random draws (initialization, dropout masks).
        dtype : dtype, optional
            Parameter dtype; float64 when omitted.
        """
        if len(input_shape) > 1 and input_shape[0] is None:  # Keras's shape, with its batch axis
            input_shape = input_shape[1:]
        self.input_shape = tuple(int(d) for d in input_shape)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.dtype = np.dtype(dtype if dtype is not None else np.float64)
        if self.name is None:
            self.name = self.default_name
        self._build(self.input_shape)
        self.gradients = OrderedDict((k, np.zeros_like(v)) for k, v in self.parameters.items())
        self.built = True

    def adopt(self, input_shape: tuple[int, ...], dtype: Any) -> None:
        """Join a model as the built layer it is (weights kept, cast to the model's ``dtype``)."""
        if self.input_shape != tuple(input_shape):
            raise ValueError(f"{type(self).__name__} {self.name!r} was built for inputs of shape "
                             f"{(None, *self.input_shape)}, but here it receives {(None, *input_shape)}")
        if self.dtype != np.dtype(dtype):
            for store in (self.parameters, self.buffers):
                for key in store:
                    store[key] = store[key].astype(dtype)
            self.gradients = OrderedDict((k, np.zeros_like(v)) for k, v in self.parameters.items())
            self.dtype = np.dtype(dtype)

    #: Keras's flag: a mask of padded steps passes through the layer unchanged (elementwise layers)
    supports_masking = False

    def compute_mask(self, mask: np.ndarray | None) -> np.ndarray | None:
        """The mask of the output's steps given the input's (Keras's ``compute_mask``), after a
        forward pass: passed on by layers that ``supports_masking``; a ``ValueError`` from others."""
        if mask is None or self.supports_masking:
            return mask
        raise ValueError(f"{type(self).__name__} {self.name!r} cannot take the mask of padded steps that "
                         f"Embedding(mask_zero=True) makes: put a layer that reads it (an RNN, "
                         f"GlobalAveragePooling1D) before it, or use mask_zero=False")

    #: the stem of the names a model gives such layers (``dense``, ``dense_1``, ...); the registered
    #: name when empty (a face's class registered under another name sets it)
    name_stem = ""

    @property
    def default_name(self) -> str:
        """The name a model gives the layer when it has none (``dense``, then ``dense_1``, ...)."""
        return self.name_stem or self.registered_name

    def _build(self, input_shape: tuple[int, ...]) -> None:
        """Create ``self.parameters`` (and ``self.buffers``); nothing for parameter-free layers."""

    def weight_shapes(self, input_shape: tuple[int, ...]) -> dict[str, tuple[int, ...]] | None:
        """The shapes of the parameters and buffers ``build(input_shape)`` would create, by name,
        without creating them (so a model file's claims are checked before memory is spent on
        them). None when the layer cannot tell; the built-in layers all can."""
        return None if type(self)._build is not Layer._build else {}

    # -- the bias of Dense and Conv2D, which use_bias=False leaves out -----------
    def set_bias(self, shape: tuple[int, ...]) -> None:
        """Create the parameter ``b`` of ``shape`` (zeros, or drawn by ``bias_init``), or with
        ``use_bias=False`` a constant zero in its place."""
        zeros = np.zeros(shape, dtype=self.dtype)
        if self.use_bias:
            init = getattr(self, "bias_init", None)
            self.parameters["b"] = zeros if init is None else init(shape, rng=self.rng, dtype=self.dtype)
        else:
            self._zero_bias, self._unused_db = zeros, np.zeros_like(zeros)

    @property
    def bias(self) -> np.ndarray:
        """The bias ``(1, n)``: the parameter ``b``, or with ``use_bias=False`` a constant zero."""
        return self.bias_array

    @property
    def bias_array(self) -> np.ndarray:
        """What the kernels add: the bias ``(1, n)`` (a face may give ``bias`` another shape)."""
        if self.use_bias:
            return self.parameters["b"]
        if self._zero_bias.dtype != self.dtype:  # the layer was adopted by a model of another dtype
            self.set_bias(self._zero_bias.shape)
        return self._zero_bias

    @property
    def bias_gradient(self) -> np.ndarray:
        """Where the kernels write ``dL/db`` (a scratch array without a bias)."""
        return self.gradients["b"] if self.use_bias else self._unused_db

    def _set_bias_init(self, use_bias: bool, bias_init: Any) -> None:
        self.use_bias = bool(use_bias)
        self._bias_init_id = bias_init
        self.bias_init = None if bias_init in (None, "zeros") else _initializers.get(bias_init)

    def _bias_config(self) -> dict[str, Any]:
        given = {} if self.bias_init is None else {"bias_init": identifier_config(self._bias_init_id, self.bias_init)}
        return {"use_bias": False, **given} if not self.use_bias else given

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """One example's output shape for one example's ``input_shape`` (no batch axis).

        Raises ``ValueError`` if the layer cannot take such input. The built-in layers compute it;
        this default runs one zero example through a built layer (override it to avoid that).
        """
        probe = np.zeros((1, *input_shape), dtype=self.dtype or np.float64)
        training, self.training = self.training, False
        try:
            return tuple(self.forward(probe).shape[1:])
        finally:
            self.training = training
            self.clear_cache()

    def clear_cache(self) -> None:
        """Drop what the last forward pass kept for the backward pass (and any scratch memory)."""
        self.cache.clear()

    def _check_input(self, X: np.ndarray) -> None:
        """Raise ``ValueError`` if ``X`` does not fit the built layer."""
        if X.shape[1:] != self.input_shape:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects inputs of shape "
                f"{(None, *self.input_shape)}, got shape {X.shape}"
            )

    # -- forward / backward ---------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output for a batch ``X``; builds the layer from ``X.shape`` on the first call.

        Integer or boolean input (raw uint8 images, say) is cast to the layer's float dtype.
        """
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise TypeError(f"{type(self).__name__} {self.name!r} expects a real numeric array, got dtype {X.dtype}")
        if not self.built:
            self.build(X.shape[1:], dtype=X.dtype if X.dtype.kind == "f" else None)
        if X.dtype.kind != "f":
            X = X.astype(self.dtype)
        self._check_input(X)
        Z = self._forward(X)
        if isinstance(self.activation, _activations.Linear):
            return Z
        self.cache["Z"] = Z
        return self.activation.forward(Z)

    def backward(self, dLdY: np.ndarray) -> np.ndarray:
        """``dL/dX`` from ``dL/dY``; fills ``self.gradients``."""
        if not isinstance(self.activation, _activations.Linear):
            dLdY = self.activation.backward(self.cache["Z"], dLdY)
        return self._backward(dLdY)

    def backward_preactivation(self, dLdZ: np.ndarray) -> np.ndarray:
        """``dL/dX`` from the gradient with respect to the pre-activation ``Z``."""
        return self._backward(dLdZ)

    def _forward(self, X: np.ndarray) -> np.ndarray:
        return X

    def _backward(self, dLdZ: np.ndarray) -> np.ndarray:
        return dLdZ

    # -- bookkeeping ---------------------------------------------------------
    def count_params(self) -> int:
        """Number of weights, parameters and buffers (BatchNorm's running statistics) alike, as Keras counts."""
        return int(sum(w.size for w in self.get_weights()))

    @property
    def weights(self) -> list[np.ndarray]:
        """Keras's ``layer.weights``: the parameters then the buffers (the arrays themselves)."""
        return self.get_weights()

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """Keras's ``layer.trainable_weights``: the parameters the optimizer updates (none when
        frozen)."""
        return list(self.parameters.values()) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """Keras's ``layer.non_trainable_weights``: the buffers (BatchNorm's running statistics),
        after the parameters when the layer is frozen."""
        return [*([] if self.trainable else self.parameters.values()), *self.buffers.values()]

    @property
    def losses(self) -> list[float]:
        """Keras's ``layer.losses``: the penalty of each regularized weight, as the model adds it
        to the loss."""
        return [float(penalty(self.parameters[key])) for key, penalty in self.regularizers.items()
                if key in self.parameters]

    def get_weights(self) -> list[np.ndarray]:
        """Parameters then buffers, in order."""
        return [*self.parameters.values(), *self.buffers.values()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the layer, checking shapes."""
        targets = [*self.parameters.items(), *self.buffers.items()]
        if len(weights) != len(targets):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} has {len(targets)} weight arrays, got {len(weights)}"
            )
        for (key, target), value in zip(targets, weights):
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: weight {key!r} has shape {target.shape}, "
                    f"got {value.shape}"
                )
            target[...] = value

    def get_state(self) -> dict[str, np.ndarray]:
        """The parameters then the buffers, by name (the arrays themselves, not copies)."""
        return OrderedDict([*self.parameters.items(), *self.buffers.items()])

    def check_state(self, state: dict[str, Any]) -> None:
        """Raise ``ValueError`` unless ``state`` has this layer's weight names and shapes."""
        targets = self.get_state()
        if sorted(state) != sorted(targets):
            raise ValueError(f"layer {self.name!r} has weights {sorted(state)} in the saved state, "
                             f"but the model's layer has {sorted(targets)}")
        for key, target in targets.items():
            shape = np.shape(state[key])
            if shape != target.shape:
                raise ValueError(f"weight {self.name}/{key} has shape {shape} in the saved state, "
                                 f"but the model expects {target.shape}")

    def set_state(self, state: dict[str, Any]) -> None:
        """Copy the arrays of :meth:`get_state` into the built layer; names and shapes must match."""
        self.check_state(state)
        targets = self.get_state()
        for key, target in targets.items():
            target[...] = state[key]

    def get_config(self) -> dict[str, Any]:
        extras = {key: {name: serialize(obj) for name, obj in getattr(self, key).items()}
                  for key in ("regularizers", "constraints") if getattr(self, key)}
        return {"name": self.name, "trainable": self.trainable, **extras}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        config = dict(config)
        trainable = config.pop("trainable", True)
        penalties, constraints = config.pop("regularizers", None), config.pop("constraints", None)
        layer = cls(**config)
        layer.trainable = trainable
        if penalties:
            layer.set_regularizers(penalties)
        if constraints:
            layer.set_constraints(constraints)
        return layer

    def _per_parameter(self, given: dict[str, Any], verb: str, noun: str) -> dict[str, Any]:
        given = {key: obj for key, obj in given.items() if obj is not None}
        unknown = sorted(set(given) - {"W", "U", "b", "gamma", "beta"})
        if unknown or ("b" in given and not getattr(self, "use_bias", True)):
            raise ValueError(f"{type(self).__name__}: no parameter {unknown or ['b']} to {verb} (a bias {noun} "
                             f"needs use_bias=True)")
        return given

    def set_regularizers(self, penalties: dict[str, Any]) -> None:
        """Penalize parameters: ``{"W": L2(1e-4)}`` (parameter name -> regularizer, name or config)."""
        given = self._per_parameter(penalties, "penalize", "regularizer")
        self.regularizers = {key: _regularizers.get(r) for key, r in given.items()}

    def set_constraints(self, constraints: dict[str, Any]) -> None:
        """Constrain parameters after each update: ``{"W": MaxNorm(3)}`` (parameter name ->
        constraint, name or config; see :mod:`seqnet.constraints`)."""
        given = self._per_parameter(constraints, "constrain", "constraint")
        self.constraints = {key: _constraints.get(c) for key, c in given.items()}

    def _activation_config(self) -> Any:
        return identifier_config(self._activation_id, self.activation)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


layers.base = Layer
