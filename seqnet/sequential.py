"""The Keras-style ``Sequential`` model."""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Iterable

import numpy as np

from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._registry import serialize
from .activations import SoftMax
from .callbacks import Callback, CallbackList, History, ProgressBar
from .layers import Layer
from .layers.base import layers as _layer_registry
from .ops import parallel


def _batch_count(n: int, batch_size: int) -> int:
    return -(-n // batch_size)


class Sequential:
    """A linear stack of layers, trained with ``compile`` / ``fit``.

    Parameters
    ----------
    layers : list of Layer, optional
    seed : int, optional
        Seeds the model's own :class:`numpy.random.Generator`, the source of every random
        choice (initialization, shuffling, dropout, validation split). The same seed gives
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
        self.metrics: list[str] = []
        self.history = History()
        self.callbacks: list[Callback] = []
        self.epochs_done = 0
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # -- construction --------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append ``layer``, naming it ``<kind>``, ``<kind>_1``, ... if it has no name."""
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer instance, got {type(layer).__name__}")
        if self.built:
            raise ValueError("Sequential.add: the model is already built; create a new model to add layers")
        names = {l.name for l in self.layers}
        if layer.name is None:
            base, i = layer.registered_name, 0
            layer.name = base
            while layer.name in names:
                i += 1
                layer.name = f"{base}_{i}"
        elif layer.name in names:
            raise ValueError(f"Sequential: a layer named {layer.name!r} is already in the model")
        self.layers.append(layer)

    @property
    def built(self) -> bool:
        return self.input_shape is not None

    def build(self, input_shape: tuple[int, ...]) -> None:
        """Create every layer's parameters for examples of shape ``input_shape`` (no batch axis)."""
        if not self.layers:
            raise ValueError("Sequential: the model has no layers; add some before building")
        input_shape = tuple(int(d) for d in input_shape)
        probe = np.zeros((1, *input_shape), dtype=self.dtype)
        self.output_shapes = []
        for layer in self.layers:
            layer.build(probe.shape[1:], rng=self.rng, dtype=self.dtype)
            layer.training = False
            probe = layer.forward(probe)
            layer.cache.clear()
            self.output_shapes.append((None, *probe.shape[1:]))
        # nothing consumes dL/dX of the input: skip it up to the first layer with parameters
        for layer in self.layers:
            layer.need_input_gradient = False
            if layer.parameters:
                break
        self.input_shape = input_shape

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        return self.output_shapes[-1]

    def compile(self, optimizer: Any = "sgd", loss: Any = "cross_entropy",
                metrics: Iterable[str] | None = None) -> None:
        """Choose the optimizer, loss and metrics (instances or registered names)."""
        self.optimizer = _optimizers.get(optimizer)
        self.loss = _losses.get(loss)
        self.metrics = list(metrics or [])
        for m in self.metrics:
            _metrics.get(m)

    # -- data checks ---------------------------------------------------------
    def _check_X(self, X: Any, what: str = "X") -> np.ndarray:
        X = np.asarray(X)
        if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
            raise TypeError(f"{what} must be a real numeric array, got dtype {X.dtype}")
        if X.ndim < 2:
            raise ValueError(f"{what} must have a batch axis and features, got shape {X.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"{what} is empty (shape {X.shape})")
        X = X.astype(self.dtype, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{what} contains NaN or infinite values")
        if self.built and X.shape[1:] != self.input_shape:
            features = (f"{X.shape[1]} features" if X.ndim == 2 else f"example shape {X.shape[1:]}")
            expected = (f"{self.input_shape[0]} features" if len(self.input_shape) == 1
                        else f"example shape {self.input_shape}")
            raise ValueError(f"{what} has {features}, but Sequential {self.name!r} is expecting "
                             f"{expected} as input (got {what} of shape {X.shape})")
        return X

    def _check_y(self, y: Any, n: int, what: str = "y") -> np.ndarray:
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"X and {what} have different lengths: {n} and {len(y)}")
        if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
            raise TypeError(f"{what} must be numeric (class ids or one-hot rows), got dtype {y.dtype}")
        out = self.output_shape[1:]
        if y.shape[1:] == out:
            if not np.all(np.isfinite(y)):
                raise ValueError(f"{what} contains NaN or infinite values")
            return y.astype(self.dtype, copy=False)
        if y.ndim == 1 and len(out) == 1:
            if out[0] == 1:
                return y.astype(self.dtype).reshape(-1, 1)
            try:
                return _losses.one_hot(y, out[0], self.dtype)
            except ValueError as err:
                raise ValueError(f"{what}: {err}") from None
        raise ValueError(f"{what} of shape {y.shape} does not match the model's output {self.output_shape}: "
                         f"pass class ids of shape ({n},) or targets of shape ({n}, {', '.join(map(str, out))})")

    def _require_compiled(self, method: str) -> None:
        if self.optimizer is None or self.loss is None:
            raise RuntimeError(f"Sequential.{method}: call compile(optimizer, loss) before {method}")

    # -- forward / backward ----------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Run ``X`` through every layer (in training or inference mode)."""
        for layer in self.layers:
            layer.training = training
            X = layer.forward(X)
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

    def _fused(self) -> bool:
        # softmax followed by cross-entropy: dL/dZ = (Y_hat - Y) / m, cheaper and exact
        return isinstance(self.loss, _losses.CrossEntropy) and isinstance(self.layers[-1].activation, SoftMax)

    def backward_loss(self, Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray | None:
        """Backpropagate the loss of output ``Y_hat`` against targets ``Y``; returns ``dL/dX``."""
        if self._fused():
            return self.backward(self.loss.fused_backward(Y, Y_hat), from_logits=True)
        return self.backward(self.loss.backward(Y, Y_hat))

    def train_step(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """One optimizer update on the batch ``(X, Y)``; returns the batch loss and output."""
        with self._threads():
            Y_hat = self.forward(X, training=True)
            loss = self.loss.forward(Y, Y_hat)
            self.backward_loss(Y, Y_hat)
            self.optimizer.update(self)
        return loss, Y_hat

    def _threads(self) -> Any:
        """What a pass over the model runs in: a :func:`seqnet.ops.parallel.session` when a layer
        splits its batch over threads (then BLAS stays single-threaded and the Dense layers split
        their products too), else nothing: BLAS's own threads serve a model of matrix products best."""
        return parallel.session() if any(layer.splits_batch for layer in self.layers) else nullcontext()

    def _metric_values(self, Y: np.ndarray, Y_hat: np.ndarray) -> dict[str, float]:
        return {m: _metrics.get(m)(Y, Y_hat) for m in self.metrics}

    # -- training --------------------------------------------------------------
    def fit(self, X: Any, y: Any, batch_size: int = 32, epochs: int = 1, validation_split: float = 0.0,
            validation_data: tuple[Any, Any] | None = None, shuffle: bool = True,
            callbacks: list[Callback] | None = None, verbose: int = 1, initial_epoch: int = 0,
            augment: Any = None) -> History:
        """Train for ``epochs - initial_epoch`` epochs of mini-batch updates.

        Parameters
        ----------
        X : array of shape (n, ...)
        y : array of shape (n,) with class ids, or (n, k) one-hot rows / targets
        batch_size : int, default 32
        epochs : int, default 1
            Index of the last epoch (so ``initial_epoch=3, epochs=6`` trains three epochs).
        validation_split : float in [0, 1)
            Fraction of ``(X, y)`` held out at random (from the model's generator) for validation.
        validation_data : (X_val, y_val), optional
            Overrides ``validation_split``.
        shuffle : bool, default True
        callbacks : list of Callback, optional
        verbose : {0, 1, 2}
        initial_epoch : int, default 0
        augment : callable, optional
            ``augment(X_batch, rng) -> X_batch`` applied to every training batch (e.g.
            :func:`seqnet.augment.crop_and_flip`), drawing from the model's generator.

        Returns
        -------
        History
            ``history.history`` maps ``loss``, each metric and ``val_*`` to per-epoch values.

        Raises
        ------
        ValueError, TypeError
            On bad arguments or data; FloatingPointError if the loss stops being finite.
        """
        self._require_compiled("fit")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"fit: expected a positive integer batch_size, received batch_size={batch_size!r}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: expected a non-negative integer epochs, received epochs={epochs!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"fit: expected validation_split in [0, 1), received {validation_split!r}")
        if initial_epoch < 0:
            raise ValueError(f"fit: expected initial_epoch >= 0, received {initial_epoch!r}")
        X = self._check_X(X)
        if not self.built:
            self.build(X.shape[1:])
        X, Y, X_val, Y_val = self._split(X, self._check_y(y, len(X)), validation_data, validation_split)
        steps = _batch_count(len(X), batch_size)
        if initial_epoch == 0 or not self.history.epoch:
            self.history = History()
        else:  # resuming: keep the records of the epochs before initial_epoch
            keep = sum(e < initial_epoch for e in self.history.epoch)
            self.history.epoch = self.history.epoch[:keep]
            self.history.history = {k: v[:keep] for k, v in self.history.history.items()}
        self.callbacks = list(callbacks or [])
        params = {"epochs": epochs, "steps": steps, "initial_epoch": initial_epoch, "verbose": verbose}
        cbs = CallbackList([self.history, ProgressBar(verbose, epochs, steps), *self.callbacks], self, params)
        self.stop_training = False
        cbs.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch)
            logs = self._train_epoch(X, Y, epoch, batch_size, shuffle, augment, cbs)
            if X_val is not None:
                logs.update({f"val_{k}": v for k, v in self._evaluate(X_val, Y_val).items()})
            self.epochs_done = epoch + 1
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end()
        return self.history

    def _split(self, X: np.ndarray, Y: np.ndarray, validation_data: Any, validation_split: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Training and validation arrays from ``validation_data`` or a random ``validation_split``."""
        if validation_data is not None:
            X_val = self._check_X(validation_data[0], "validation X")
            return X, Y, X_val, self._check_y(validation_data[1], len(X_val), "validation y")
        if validation_split == 0:
            return X, Y, None, None
        n_val = int(round(len(X) * validation_split))
        if n_val < 1 or n_val >= len(X):
            raise ValueError(f"fit: validation_split={validation_split} of {len(X)} examples leaves "
                             f"{n_val} for validation and {len(X) - n_val} for training")
        # a generator of its own, so the split is the same in every fit (and on resuming)
        order = np.random.default_rng([self.seed, len(X)]).permutation(len(X))
        val, train = order[:n_val], order[n_val:]
        return X[train], Y[train], X[val], Y[val]

    def _train_epoch(self, X: np.ndarray, Y: np.ndarray, epoch: int, batch_size: int, shuffle: bool,
                     augment: Any, cbs: CallbackList) -> dict[str, float]:
        """One pass of mini-batch updates; returns the epoch's mean loss and metrics."""
        order = self.rng.permutation(len(X)) if shuffle else np.arange(len(X))
        totals: dict[str, float] = {}
        seen = 0
        for batch, start in enumerate(range(0, len(X), batch_size)):
            idx = order[start:start + batch_size]
            cbs.on_train_batch_begin(batch)
            X_batch, Y_batch = X[idx], Y[idx]
            if augment is not None:
                X_batch = augment(X_batch, self.rng).astype(self.dtype, copy=False)
            loss, Y_hat = self.train_step(X_batch, Y_batch)
            seen += len(idx)
            for k, v in {"loss": loss, **self._metric_values(Y_batch, Y_hat)}.items():
                totals[k] = totals.get(k, 0.0) + v * len(idx)
            cbs.on_train_batch_end(batch, {k: v / seen for k, v in totals.items()})
            if not np.isfinite(loss) and not self.stop_training:
                raise FloatingPointError(f"fit: the loss became {loss} at epoch {epoch + 1}, batch {batch + 1}; "
                                         f"lower the learning rate or check the data")
            if self.stop_training:
                break
        return {k: v / seen for k, v in totals.items()}

    # -- inference -------------------------------------------------------------
    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Outputs for ``X`` in inference mode (no dropout; BatchNorm uses running statistics).

        ``batch_size`` bounds memory (default 256 examples at a time).
        """
        if not self.built:
            raise RuntimeError("Sequential.predict: the model is not built; call fit or build first")
        return self._predict(self._check_X(X), batch_size or 256)

    def _predict(self, X: np.ndarray, batch_size: int) -> np.ndarray:
        with self._threads():
            outs = [self.forward(X[i:i + batch_size], training=False) for i in range(0, len(X), batch_size)]
        for layer in self.layers:
            layer.cache.clear()
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    def evaluate(self, X: Any, y: Any, batch_size: int | None = None) -> dict[str, float]:
        """``{"loss": ..., <metric>: ...}`` on ``(X, y)`` in inference mode."""
        self._require_compiled("evaluate")
        if not self.built:
            raise RuntimeError("Sequential.evaluate: the model is not built; call fit or build first")
        X = self._check_X(X)
        return self._evaluate(X, self._check_y(y, len(X)), batch_size or 256)

    def _evaluate(self, X: np.ndarray, Y: np.ndarray, batch_size: int = 256) -> dict[str, float]:
        Y_hat = self._predict(X, batch_size)
        return {"loss": self.loss.forward(Y, Y_hat), **self._metric_values(Y, Y_hat)}

    # -- weights and config ----------------------------------------------------
    def count_params(self) -> int:
        """Number of trainable parameters."""
        return sum(layer.count_params() for layer in self.layers if layer.trainable)

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
        total = sum(w.size for l in self.layers for w in l.get_weights())
        trainable = self.count_params()
        rule = "=" * sum(widths)
        text = "\n".join([f'Model: "{self.name}"', rule, line(head), rule, *map(line, rows), rule,
                          f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                          f"Non-trainable params: {total - trainable:,}", "_" * sum(widths)])
        print_fn(text)
        return text

    def save(self, path: str) -> None:
        """Save everything needed to predict or to resume training exactly (see :mod:`seqnet.saving`)."""
        from .saving import save_model
        save_model(self, path)

    def save_weights(self, path: str) -> None:
        """Save only the weights to an HDF5 file."""
        from .saving import save_weights
        save_weights(self, path)

    def load_weights(self, path: str) -> None:
        """Load weights saved by :meth:`save_weights` or :meth:`save` (layers and shapes must match)."""
        from .saving import load_weights
        load_weights(self, path)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "seed": self.seed, "dtype": self.dtype.name,
                "input_shape": list(self.input_shape) if self.built else None,
                "layers": [serialize(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Sequential":
        model = cls([_layer_registry.get(c) for c in config["layers"]], seed=config.get("seed"),
                    dtype=config.get("dtype", "float32"), name=config.get("name"))
        if config.get("input_shape") is not None:
            model.build(tuple(config["input_shape"]))
        return model

    def __repr__(self) -> str:
        return f"<Sequential name={self.name!r} layers={len(self.layers)}>"
