"""Keras's ``Sequential`` methods beyond seqnet's own, as a mixin of :class:`~seqnet.Sequential`:
the layer list (``get_layer``, ``pop``), the weight lists, calling the model, and the one-batch
methods (``train_on_batch``, ``test_on_batch``, ``predict_on_batch``), with Keras's meanings."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _formats, checks, inference, tracking, training


class KerasMethods:
    """Mixed into :class:`~seqnet.Sequential`; every method works on ``self.layers``."""

    layers: list
    built: bool

    def get_layer(self, name: str | None = None, index: int | None = None) -> Any:
        """The layer called ``name``, or at position ``index`` (exactly one of the two).

        Raises ``ValueError`` naming the layers that exist.
        """
        if (name is None) == (index is None):
            raise ValueError("get_layer: pass either name= or index=, not both and not neither")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"get_layer: index {index} is out of range for a model of {len(self.layers)} layers")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}")

    def pop(self) -> Any:
        """Remove and return the last layer; the layers before it keep their weights."""
        if not self.layers:
            raise TypeError("pop: there are no layers in the model")
        layer = self.layers.pop()
        if self.built:
            self.output_shapes = self.output_shapes[:-1]
            if not self.layers:
                self.input_shape, self.output_shapes = None, []
        return layer

    @property
    def trainable(self) -> bool:
        """Keras's ``model.trainable``: False once every layer is frozen. Setting it freezes (or
        unfreezes) every layer, those of a model added as a block included."""
        return not self.layers or any(layer.trainable for layer in self.layers)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self.layers:
            layer.trainable = bool(value)

    @property
    def weights(self) -> list[np.ndarray]:
        """Every weight array (the arrays themselves), layer by layer: parameters, then buffers."""
        return [w for layer in self.layers for w in layer.get_weights()]

    @property
    def trainable_weights(self) -> list[np.ndarray]:
        """The parameters of the trainable layers: what the optimizer updates."""
        return [p for layer in self.layers if layer.trainable for p in layer.parameters.values()]

    @property
    def non_trainable_weights(self) -> list[np.ndarray]:
        """Buffers (BatchNorm's running statistics) and the parameters of frozen layers."""
        return [w for layer in self.layers for w in
                ([*layer.buffers.values()] if layer.trainable else layer.get_weights())]

    def __call__(self, X: Any, training: bool = False) -> np.ndarray:
        """The model's output for ``X`` (built on the first call), in inference mode unless ``training``."""
        X = checks.check_X(self, X)
        if not self.built:
            self.build(X.shape[1:])
        return self.forward(X, training=training)

    def train_on_batch(self, x: Any, y: Any, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False) -> Any:
        """One update on the batch ``(x, y)``; returns its loss, or ``[loss, *metrics]``, or a dict."""
        checks.require_compiled(self, "train_on_batch")
        X = checks.check_X(self, x)
        out = checks.output_shape_for(self, X.shape[1:])
        Y = checks.check_y(self, y, len(X), out=out)
        W = checks.example_weights(Y, sample_weight, class_weight, len(X))
        checks.check_output_for_loss(self, outputs=out[-1])
        if not self.built:
            self.build(X.shape[1:])
        loss, Y_hat = training.train_step(self, X, Y, W)
        return inference.as_keras_results({"loss": loss, **tracking.metric_values(self, Y, Y_hat, W)}, return_dict)

    def test_on_batch(self, x: Any, y: Any, sample_weight: Any = None, return_dict: bool = False) -> Any:
        """Loss (and metrics) on the batch ``(x, y)`` in inference mode, returned as ``train_on_batch`` does."""
        checks.require_compiled(self, "test_on_batch")
        checks.require_built(self, "test_on_batch")
        X = checks.check_X(self, x)
        W = None if sample_weight is None else checks.check_sample_weight(sample_weight, len(X))
        results = inference.evaluate_arrays(self, X, checks.check_y(self, y, len(X)), len(X), W)
        return inference.as_keras_results(results, return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The outputs for one batch ``x``, in inference mode."""
        checks.require_built(self, "predict_on_batch")
        X = checks.check_X(self, x)
        return inference.predict_arrays(self, X, len(X))

    def export(self, filepath: str, format: str = "onnx", verbose: bool = False) -> None:
        """Keras 3's ``export``: write the model for inference elsewhere; ``format="onnx"`` (the one
        export format here) writes an ONNX model (see :mod:`seqnet.saving.onnx_export`)."""
        if format != "onnx":
            raise ValueError(f"export: unknown format {format!r}; seqnet exports format='onnx' (and saves Keras "
                             f"files with model.save('model.keras'))")
        _formats.for_saving(filepath, "onnx").save(self, filepath)
        if verbose:
            print(f"Saved the ONNX model to '{filepath}'")
