"""``keras.Sequential`` and ``keras.models`` over seqnet's model.

:class:`Sequential` is seqnet's :class:`~seqnet.Sequential` with Keras's constructor, ``build``
with the batch axis, a summary of an unbuilt model, ``to_json``, and random initial weights drawn
from :func:`seqnet.keras.utils.set_random_seed`'s seed when one was set. Its files are seqnet's
(``.h5``) or Keras's (``.keras``), and load through either face.
"""
from __future__ import annotations

import json
from typing import Any

from .. import saving as _saving
from ..layers import Layer
from ..saving import keras_layers, keras_model, keras_writer
from ..sequential import Sequential as _Sequential
from . import _seed
from . import optimizers as _optimizers


class Sequential(_Sequential):
    """Keras's ``Sequential(layers=None, trainable=True, name=None)``."""

    def __init__(self, layers: Any = None, trainable: bool = True, name: str | None = None, *, seed: int | None = None,
                 dtype: Any = "float32") -> None:
        super().__init__(layers, seed=_seed.next_seed() if seed is None else seed, dtype=dtype, name=name)
        for layer in self.layers:
            layer.trainable = layer.trainable and bool(trainable)

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, weighted_metrics: Any = None,
                loss_weights: Any = None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile: Any = "auto", auto_scale_loss: bool = True) -> None:
        """Keras's ``compile``: an optimizer named by a string gets Keras's defaults and update rule."""
        if loss is None:
            raise TypeError("compile: pass a loss (a name such as 'sparse_categorical_crossentropy' or a "
                            "keras.losses object); seqnet trains with a compiled loss, not a custom train_step")
        if loss_weights is not None:
            raise ValueError("compile: loss_weights weigh the outputs of a model with several; a Sequential has one")
        super().compile(_optimizers.get(optimizer), loss, metrics, weighted_metrics)

    def build(self, input_shape: Any = None) -> None:
        """Keras's ``build(input_shape)``: the shape with its batch axis (``(None, 784)``)."""
        if input_shape is None:
            raise ValueError("build: pass input_shape, e.g. model.build((None, 784))")
        shape = tuple(input_shape)
        super().build(shape[1:] if len(shape) > 1 and shape[0] is None else shape)

    def summary(self, line_length: Any = None, positions: Any = None, print_fn: Any = print, **kwargs: Any) -> Any:
        if self.built:
            return super().summary(print_fn=print_fn)
        rows = "\n".join(f"{layer.name or '?'} ({type(layer).__name__})   ? (unbuilt)" for layer in self.layers)
        text = (f'Model: "{self.name}"\n{rows}\nThe model is not built yet: its output shapes and parameter counts '
                f"show once it is (fit it, call it on data, or build((None, ...)))")
        print_fn(text)
        return text

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as Keras's JSON (what :func:`model_from_json` reads)."""
        return json.dumps(keras_writer.model_to_keras(self)[0], **kwargs)


class Model:
    """Keras's functional and subclassed models, which seqnet does not run."""

    MESSAGE = ("seqnet runs Sequential models: a chain of layers, each taking the output of the one before. Write "
               "the model as keras.Sequential([...]); for a layer of your own, subclass seqnet.layers.Layer (see "
               "the guide 'Writing your own layer'). Functional models with several inputs or outputs, subclassed "
               "models, custom train_step and tf.data pipelines are not supported")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"keras.Model: {self.MESSAGE}")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError(f"class {cls.__name__}(keras.Model): {Model.MESSAGE}")


def _as_face(model: _Sequential) -> Sequential:
    model.__class__ = Sequential
    return model


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True) -> Sequential:
    """Keras's ``load_model``: a ``.keras`` or ``.h5`` file (Keras's or seqnet's), as a Keras-face model."""
    return _as_face(_saving.load_model(filepath, safe_mode=safe_mode, custom_objects=custom_objects, compile=compile))


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Sequential:
    """A new model (fresh weights) with the architecture of Keras's JSON ``json_string``."""
    config = json.loads(json_string)
    specs, shape = keras_model.layer_specs(config, "the JSON model")
    layers = [keras_layers.layer_from_keras(spec, "the JSON model") for spec in specs
              if spec.get("class_name") != "InputLayer"]
    model = Sequential(layers, name=(config.get("config") or {}).get("name"))
    if shape is not None:
        model.build((None, *shape))
    return model


def clone_model(model: _Sequential, input_tensors: Any = None, clone_function: Any = None) -> Sequential:
    """A model of the same architecture with new weights (Keras's ``clone_model``)."""
    layers = [type(layer).from_config(layer.get_config()) for layer in model.layers]
    if clone_function is not None:
        layers = [clone_function(layer) for layer in layers]
    if not all(isinstance(layer, Layer) for layer in layers):
        raise TypeError("clone_model: clone_function must return seqnet layers")
    clone = Sequential(layers, name=model.name)
    if model.built:
        clone.build((None, *model.input_shape))
    return clone


__all__ = ["Sequential", "Model", "load_model", "model_from_json", "clone_model"]
