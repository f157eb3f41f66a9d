"""The Keras-style ``Sequential`` model: the stack of layers, its build, config, state and summary.

Training and evaluation live in :mod:`seqnet.training`; ``fit`` / ``evaluate`` / ``predict``
here are their public face. Keras's other ``Sequential`` methods come from
:class:`seqnet.keras_methods.KerasMethods`. Saving goes through the file formats of :mod:`seqnet._formats`.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from . import _formats, _safety
from ._safety import guard
from . import losses as _losses
from . import optimizers as _optimizers
from . import checks, inference, tracking, training
from ._registry import serialize
from .callbacks import Callback, History
from .keras_methods import KerasMethods
from .layers import Input, Layer
from .layers.base import layers as _layer_registry


class Sequential(KerasMethods):
    """A linear stack of layers, trained with ``compile`` / ``fit``.

    Parameters
    ----------
    layers : list of Layer, optional
    seed : int, optional
        Seeds the model's own :class:`numpy.random.Generator`, the source of every random
        choice (initialization, shuffling, dropout). The same seed gives
        bit-identical weights after ``fit``.
    dtype : str, default "float32"
        Dtype of the parameters and of the data inside the model.
    name : str, optional

    Examples
    --------
    >>> import seqnet
    >>> from seqnet.layers import Dense
    >>> (X, y), _ = seqnet.datasets.load_iris()
    >>> model = seqnet.Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    >>> model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    >>> history = model.fit(X, y, epochs=2, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
    >>> model.predict(X[:2]).shape
    (2, 3)
    """

    def __init__(self, layers: Iterable[Layer] | None = None, seed: int | None = None,
                 dtype: str = "float32", name: str | None = None) -> None:
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"Sequential: expected a floating dtype, received dtype={dtype!r}")
        # a model created without a seed draws one, so that its run can still be reproduced
        self.seed = int(np.random.SeedSequence().entropy % 2 ** 63) if seed is None else int(seed)
        self.name = name or "sequential"
        self.rng = np.random.default_rng(self.seed)
        self.layers: list[Layer] = []
        self.input_shape: tuple[int, ...] | None = None
        self.output_shapes: list[tuple[int | None, ...]] = []
        self.optimizer: _optimizers.Optimizer | None = None
        self.loss: _losses.Loss | None = None
        self.metrics: list[Any] = []
        self.weighted_metrics: list[Any] = []
        self.history = History()
        self.callbacks: list[Callback] = []
        self.epochs_done = 0
        self.input_range: list[float] | None = None  # [min, max] of the inputs seen in training
        self.stop_training = False
        self.resume_epoch: int | None = None  # set in on_train_begin by a callback that restored a run
        for layer in layers or []:
            self.add(layer)

    # -- construction --------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append ``layer``, naming it ``<kind>``, ``<kind>_1``, ... if it has no name; a
        ``Sequential`` adds its layers (the same objects, so the two models share their weights).

        An :class:`~seqnet.layers.Input` first (or ``input_shape=`` on the first layer, or a first
        layer already built, taken from another model) builds the model at once; a layer added to a
        built model is built for the model's output.
        """
        if isinstance(layer, Input):
            if self.layers or self.built:
                raise ValueError("Sequential: an Input must come first, before any layer")
            self.input_shape, self.output_shapes = layer.shape, []
            return
        if isinstance(layer, Sequential):  # a model as a block of this one: its layers, shared with it
            if not self.layers and not self.built and layer.built:
                self.input_shape, self.output_shapes = layer.input_shape, []
            for inner in layer.layers:
                self.add(inner)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer instance, got {type(layer).__name__}")
        names = {l.name for l in self.layers}
        if layer.name is None:
            base, i = layer.default_name, 0
            layer.name = base
            while layer.name in names:
                i += 1
                layer.name = f"{base}_{i}"
        elif layer.name in names:
            raise ValueError(f"Sequential: a layer named {layer.name!r} is already in the model")
        self.layers.append(layer)
        if self.built:
            self.build(self.input_shape)
        elif len(self.layers) == 1 and layer.declared_input_shape is not None:
            self.build(layer.declared_input_shape)
        elif len(self.layers) == 1 and layer.built:  # another model's trained layer: the model takes its input
            self.build(layer.input_shape)

    @property
    def built(self) -> bool:
        return self.input_shape is not None

    def build(self, input_shape: tuple[int, ...]) -> None:
        """Create every layer's parameters for examples of shape ``input_shape`` (no batch axis)."""
        if not self.layers:
            raise ValueError("Sequential: the model has no layers; add some before building")
        input_shape = tuple(int(d) for d in input_shape)
        shape = input_shape
        self.output_shapes = []
        for layer in self.layers:
            if not layer.built:
                layer.build(shape, rng=self.rng, dtype=self.dtype)
            else:  # a trained layer reused in a new model (transfer learning) keeps its weights
                layer.adopt(shape, self.dtype)
            shape = tuple(layer.compute_output_shape(shape))
            self.output_shapes.append((None, *shape))
        # nothing consumes dL/dX of the input: skip it up to the first layer with parameters
        for layer in self.layers:
            layer.need_input_gradient = False
            if layer.parameters:
                break
        self.input_shape = input_shape

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        return self.output_shapes[-1]

    def compile(self, optimizer: Any = "sgd", loss: Any = "cross_entropy", metrics: Iterable[Any] | None = None,
                weighted_metrics: Iterable[Any] | None = None) -> None:
        """Choose the optimizer, loss and metrics (instances or registered names).

        ``metrics`` are computed without the sample weights, ``weighted_metrics`` with them, as in
        Keras; each is a name (``"accuracy"``, ``"mae"``) or a :class:`seqnet.metrics.Metric`.
        """
        optimizer, loss = _optimizers.get(optimizer), _losses.get(loss)
        metrics = [tracking.canonical(m) for m in metrics or []]
        weighted = [tracking.canonical(m) for m in weighted_metrics or []]
        checks.check_output_for_loss(self, loss)
        self.optimizer, self.loss, self.metrics, self.weighted_metrics = optimizer, loss, metrics, weighted

    # -- forward / backward ----------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Run ``X`` through every layer (in training or inference mode), and the mask of padded
        steps (from ``Embedding(mask_zero=True)``) from each layer to the next, as Keras does."""
        mask = None
        for layer in self.layers:
            layer.training = training
            layer.input_mask = mask
            X = layer.forward(X)
            mask = layer.compute_mask(mask)
        return X

    def backward(self, dY: np.ndarray, from_logits: bool = False) -> np.ndarray | None:
        """Backpropagate ``dY`` through every layer; ``from_logits`` means ``dY`` is ``dL/dZ`` of the last layer.

        Returns ``dL/dX``, or None when the model skips it (``need_input_gradient``).
        """
        last = self.layers[-1]
        dX = last.backward_preactivation(dY) if from_logits else last.backward(dY)
        for layer in reversed(self.layers[:-1]):
            if dX is None:  # the layers below have no parameters and nobody needs their gradient
                break
            dX = layer.backward(dX)
        return dX

    def backward_loss(self, Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray | None:
        """Backpropagate the loss of output ``Y_hat`` against targets ``Y``; returns ``dL/dX``."""
        return training.backward_loss(self, Y, Y_hat)

    def train_step(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """One optimizer update on the batch ``(X, Y)``; returns the batch loss and output."""
        return training.train_step(self, X, Y)

    # -- training and inference (seqnet.training) ----------------------------------
    # fit's signature and documentation live once, in seqnet.training.fit
    fit = training.fit

    def predict(self, X: Any, batch_size: int | None = None, verbose: int = 0, callbacks: Any = None,
                steps: int | None = None) -> np.ndarray:
        """Outputs for ``X`` in inference mode (no dropout; BatchNorm uses running statistics).

        ``batch_size`` bounds memory (default 256 examples at a time); ``verbose=1`` prints how
        many examples took how long (quiet by default, unlike Keras's "auto"); ``callbacks`` get
        Keras's ``on_predict_*`` hooks. ``X`` may also be a dataset or an iterable of batches
        (``x``, ``(x,)`` or ``(x, y)`` each), as in Keras, read for ``steps`` batches or to its end.
        """
        return inference.predict(self, X, batch_size, verbose, callbacks, steps)

    def evaluate(self, X: Any, y: Any = None, batch_size: int | None = None, verbose: int = 0,
                 sample_weight: Any = None, return_dict: bool = False, callbacks: Any = None,
                 steps: int | None = None) -> Any:
        """The loss (and metrics) on ``(X, y)`` in inference mode, returned as Keras returns them: the
        loss alone when there are no metrics, else ``[loss, *metrics]`` in ``compile``'s order (so
        ``loss, acc = model.evaluate(X, y)``), or with ``return_dict=True`` ``{"loss": ..., <metric>: ...}``.

        ``batch_size`` bounds memory (default 256 examples at a time); ``sample_weight`` weighs the
        examples as in ``fit``; ``verbose=1`` prints the results on one line (quiet by default);
        ``callbacks`` get Keras's ``on_test_*`` hooks. ``X`` may also be a dataset or an iterable of
        ``(x, y[, sample_weight])`` batches, as ``fit`` takes.
        """
        return inference.evaluate(self, X, y, batch_size, verbose, sample_weight, return_dict, callbacks, steps)

    # -- weights and config ----------------------------------------------------
    def count_params(self) -> int:
        """Number of weights in all layers, trainable or not (Keras's count; the summary's "Total params")."""
        return sum(layer.count_params() for layer in self.layers)

    def _count_trainable(self) -> int:
        return sum(p.size for layer in self.layers if layer.trainable for p in layer.parameters.values())

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every layer's parameters and buffers, in layer order."""
        return [w.copy() for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Load weights as returned by :meth:`get_weights` (shapes are checked)."""
        if not self.built:
            raise RuntimeError("Sequential.set_weights: build the model first")
        counts = [len(layer.get_weights()) for layer in self.layers]
        if len(weights) != sum(counts):
            raise ValueError(f"Sequential {self.name!r} has {sum(counts)} weight arrays, got {len(weights)}")
        start = 0
        for layer, count in zip(self.layers, counts):
            layer.set_weights(weights[start:start + count])
            start += count

    def summary(self, print_fn: Any = print) -> str:
        """Print (and return) a table of layers, output shapes and parameter counts."""
        if not self.built:
            raise RuntimeError("Sequential.summary: the model is not built; call fit or build(input_shape) first")
        rows = [(f"{l.name} ({type(l).__name__})", str(s), f"{l.count_params():,}")
                for l, s in zip(self.layers, self.output_shapes)]
        head = ("Layer (type)", "Output Shape", "Param #")
        widths = [max(len(r[i]) for r in [head, *rows]) + 3 for i in range(3)]
        line = lambda r: "".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        total, trainable = self.count_params(), self._count_trainable()
        rule = "=" * sum(widths)
        text = "\n".join([f'Model: "{self.name}"', rule, line(head), rule, *map(line, rows), rule,
                          f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                          f"Non-trainable params: {total - trainable:,}", "_" * sum(widths)])
        print_fn(text)
        return text

    def save(self, path: str, format: str | None = None) -> None:
        """Save everything needed to predict or to resume training exactly (see :mod:`seqnet.saving`).

        ``format`` names the file format; by default the file name's extension picks it (seqnet's
        HDF5 format for ``.h5`` and any name no other format claims).
        """
        _formats.for_saving(path, format).save(self, path)

    def save_weights(self, path: str) -> None:
        """Save only the weights to an HDF5 file."""
        _formats.for_saving(path).save_weights(self, path)

    def load_weights(self, path: str) -> None:
        """Load weights saved by :meth:`save_weights` or :meth:`save` (layers and shapes must match)."""
        _formats.load_weights(self, path)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "seed": self.seed, "dtype": self.dtype.name,
                "input_shape": list(self.input_shape) if self.built else None,
                "layers": [serialize(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Sequential":
        """The model of ``config`` (:meth:`get_config`), with new weights. A config is checked as a
        file is: each layer is built only once its arrays and output are known to be of a sane size
        (:data:`seqnet.limits`), and a malformed one raises :class:`~seqnet.ModelFileError`."""
        where = _safety.current().source
        if not isinstance(config, dict) or not isinstance(config.get("layers"), list) or not all(
                isinstance(c, (dict, str)) for c in config["layers"]):
            raise _formats.ModelFileError(f"{where}: a Sequential config is a dict whose 'layers' is a list of layer "
                                          f"configs, received {type(config).__name__}")
        try:
            model = cls([_layer_registry.get(c) for c in config["layers"]], seed=config.get("seed"),
                        dtype=config.get("dtype", "float32"), name=config.get("name"))
        except RecursionError:
            raise _formats.ModelFileError(f"{where}: the config nests too deeply to build") from None
        if config.get("input_shape") is not None:
            shape = out = guard.input_shape(config["input_shape"], where)
            for layer in model.layers:
                out = guard.layer_fits(layer, out, None, where)
            model.build(shape)
        return model

    # -- the state protocol ------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """Everything that changes as the model trains, by stable names (see :mod:`seqnet._registry`).

        ``"weights"`` maps each layer's name to its state (parameters and buffers); ``"optimizer"``,
        ``"loss"`` and ``"metrics"`` are the compiled ones (None before ``compile``); then the
        epochs done, the history, the random generator's state, the callbacks of the last ``fit``
        and the range of input values seen in training (``input_range``).
        """
        return {"weights": {layer.name: layer.get_state() for layer in self.layers} if self.built else {},
                "optimizer": self.optimizer, "loss": self.loss,
                "metrics": [tracking.stored(m) for m in self.metrics],
                "weighted_metrics": [tracking.stored(m) for m in self.weighted_metrics],
                "epochs_done": self.epochs_done,
                "history": {"epoch": list(self.history.epoch), "history": dict(self.history.history)},
                "rng_state": self.rng.bit_generator.state, "callbacks": list(self.callbacks),
                "input_range": self.input_range}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`get_state` returned (objects rebuilt); keys left out stay as they are.

        Raises ``ValueError`` when the weights do not fit the model's layers.
        """
        if state.get("weights") or (self.built and "weights" in state):
            self._set_weights_state(state["weights"])
        if state.get("optimizer") is not None:  # as compiled when saved (fit checks the pair again)
            self.optimizer, self.loss = _optimizers.get(state["optimizer"]), _losses.get(state["loss"])
            self.metrics = [tracking.canonical(m) for m in state.get("metrics") or []]
            self.weighted_metrics = [tracking.canonical(m) for m in state.get("weighted_metrics") or []]
        if "epochs_done" in state:
            self.epochs_done = int(state["epochs_done"])
        if "history" in state:
            self.history.epoch = list(state["history"]["epoch"])
            self.history.history = dict(state["history"]["history"])
        if "rng_state" in state:
            self.rng.bit_generator.state = state["rng_state"]
        if "callbacks" in state:
            self.callbacks = list(state["callbacks"])
        if state.get("input_range") is not None:
            self.input_range = [float(v) for v in state["input_range"]]

    def _set_weights_state(self, weights: dict[str, Any]) -> None:
        if not self.built:
            raise ValueError(f"holds weights, but Sequential {self.name!r} is not built; build it first")
        names, mine = list(weights), [layer.name for layer in self.layers]
        if names != mine:
            raise ValueError(f"holds weights for layers {names}, but the model has layers {mine}")
        for layer in self.layers:  # every shape is checked before any weight changes
            layer.check_state(weights[layer.name])
        for layer in self.layers:
            layer.set_state(weights[layer.name])

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={len(self.layers)}>"
