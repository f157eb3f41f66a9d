"""``keras.Sequential`` and ``keras.models`` over seqnet's model.

:class:`Sequential` is seqnet's :class:`~seqnet.Sequential` with Keras's constructor, ``build``
with the batch axis, a summary of an unbuilt model, ``to_json``, and random initial weights drawn
from :func:`seqnet.keras.utils.set_random_seed`'s seed when one was set. Its files are seqnet's
(``.h5``) or Keras's (``.keras``), and load through either face.
"""
from __future__ import annotations

import json
from typing import Any

from .. import _safety
from .. import saving as _saving
from .._formats import ModelFileError
from .._safety import guard, parse_json
from ..layers import Layer
from .files import layer_configs, model_config, optimizer_state, writer
from ..sequential import Sequential as _Sequential
from . import _seed
from . import losses as _losses
from . import optimizers as _optimizers
from .layers import face_layer
from ._missing import missing


class Sequential(_Sequential):
    """Keras's ``Sequential(layers=None, trainable=True, name=None)``."""

    def __init__(self, layers: Any = None, trainable: bool = True, name: str | None = None, *, seed: int | None = None,
                 dtype: Any = "float32") -> None:
        super().__init__(layers, seed=_seed.next_seed() if seed is None else seed, dtype=dtype, name=name)
        for layer in self.layers:
            layer.trainable = layer.trainable and bool(trainable)

    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None, format: str | None = None) -> None:
        """Keras's ``save``: ``.keras`` (Keras's format, seqnet's state inside) or ``.h5``; another
        name is refused, as Keras refuses it (``format=`` names one of seqnet's formats instead)."""
        if format is None and not str(filepath).lower().endswith((".keras", ".h5")):
            raise ValueError(f"Invalid filepath extension for saving. Please add either a `.keras` extension for the "
                             f"native Keras format (recommended) or a `.h5` extension. Received: filepath={filepath}")
        super().save(filepath, format)

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Any = None, weighted_metrics: Any = None,
                loss_weights: Any = None, run_eagerly: bool = False, steps_per_execution: int = 1,
                jit_compile: Any = "auto", auto_scale_loss: bool = True) -> None:
        """Keras's ``compile``: an optimizer named by a string gets Keras's defaults and update rule."""
        if loss is None:
            raise TypeError("compile: pass a loss (a name such as 'sparse_categorical_crossentropy' or a "
                            "keras.losses object); seqnet trains with a compiled loss, not a custom train_step")
        if loss_weights is not None:
            raise ValueError("compile: loss_weights weigh the outputs of a model with several; a Sequential has one")
        super().compile(_optimizers.get(optimizer), _losses.get(loss), metrics, weighted_metrics)

    # fit, evaluate and predict with Keras's order of arguments and Keras's batch size of 32
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Any = None, validation_split: float = 0.0, validation_data: Any = None, shuffle: bool = True,
            class_weight: Any = None, sample_weight: Any = None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: Any = 1) -> Any:
        return super().fit(x, y, batch_size=32 if batch_size is None else batch_size, epochs=epochs,
                           verbose=1 if verbose == "auto" else verbose, callbacks=callbacks,
                           validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                           class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                           steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                           validation_batch_size=validation_batch_size, validation_freq=validation_freq)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = 0,
                 sample_weight: Any = None, steps: int | None = None, callbacks: Any = None,
                 return_dict: bool = False) -> Any:
        return super().evaluate(x, y, batch_size=32 if batch_size is None else batch_size,
                                verbose=0 if verbose == "auto" else verbose, sample_weight=sample_weight,
                                return_dict=return_dict, callbacks=callbacks, steps=steps)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Any = None) -> Any:
        return super().predict(x, batch_size=32 if batch_size is None else batch_size,
                               verbose=0 if verbose == "auto" else verbose, callbacks=callbacks, steps=steps)

    def build(self, input_shape: Any = None) -> None:
        """Keras's ``build(input_shape)``: the shape with its batch axis (``(None, 784)``)."""
        if input_shape is None:
            raise ValueError("build: pass input_shape, e.g. model.build((None, 784))")
        shape = tuple(input_shape)
        super().build(shape[1:] if len(shape) > 1 and shape[0] is None else shape)

    def summary(self, line_length: Any = None, positions: Any = None, print_fn: Any = None, **kwargs: Any) -> None:
        """Keras's summary table, drawn as Keras 3 draws it (three columns of 33, 24 and 15)."""
        text = keras_summary(self)
        (print_fn or print)(text)

    def get_config(self) -> dict[str, Any]:
        """Keras's config of the model (its layers in Keras's form) once built; seqnet's before."""
        return writer.model_to_keras(self)[0]["config"] if self.built else super().get_config()

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> "Sequential":
        """The model of a config from :meth:`get_config`: Keras's form (from Keras too) or seqnet's."""
        specs = config.get("layers", [])
        if specs and all(isinstance(spec, dict) and "module" in spec for spec in specs):  # Keras's form
            return _as_face(model_from_json(json.dumps({"class_name": "Sequential", "config": config})))
        return _as_face(_Sequential.from_config(config))

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as Keras's JSON (what :func:`model_from_json` reads)."""
        return json.dumps(writer.model_to_keras(self)[0], **kwargs)


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
    """The Keras-face model of seqnet's ``model`` (as loaded): the face's own layers, built for the
    same input, with the model's whole state (weights, compiled objects, history, callbacks)."""
    face = Sequential([face_layer(layer) for layer in model.layers], name=model.name, seed=model.seed,
                      dtype=model.dtype)
    if model.built:
        _Sequential.build(face, model.input_shape)
    face.set_state(model.get_state())
    return face


def load_model(filepath: Any, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True) -> Sequential:
    """Keras's ``load_model``: a ``.keras`` or ``.h5`` file (Keras's or seqnet's), as a Keras-face model."""
    return _as_face(_saving.load_model(filepath, safe_mode=safe_mode, custom_objects=custom_objects, compile=compile))


def model_from_json(json_string: str, custom_objects: dict[str, Any] | None = None) -> Sequential:
    """A new model (fresh weights) with the architecture of Keras's JSON ``json_string``, checked as
    a file is (:class:`~seqnet.ModelFileError` for a malformed one, nothing allocated before each
    layer's size is checked)."""
    where = "the JSON model"
    if not isinstance(json_string, (str, bytes)):
        raise TypeError(f"model_from_json takes the JSON text (model.to_json()), received {type(json_string).__name__}")
    config = parse_json(json_string, where, ModelFileError)
    with _safety.loading(where, custom_objects=custom_objects):
        specs, shape = model_config.layer_specs(config, where)
        layers = [face_layer(layer_configs.layer_from_keras(spec, where)) for spec in specs
                  if spec.get("class_name") != "InputLayer"]
    inner = config.get("config")
    model = Sequential(layers, name=inner.get("name") if isinstance(inner, dict) else None)
    if shape is not None:
        out = shape
        for layer in model.layers:
            out = guard.layer_fits(layer, out, None, where)
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


_WIDTHS = (33, 24, 15)


def _cells(texts: tuple[str, str, str]) -> list[str]:
    """The lines of one table row, the first column wrapped at spaces as Keras's table wraps it."""
    words, first, line = texts[0].split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > _WIDTHS[0] - 2:
            first.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    first.append(line)
    rows = []
    for i, name in enumerate(first):
        shape, count = (texts[1], texts[2]) if i == 0 else ("", "")
        rows.append("│ " + name.ljust(_WIDTHS[0] - 2) + " │ " + shape.ljust(_WIDTHS[1] - 2) + " │ "
                    + count.rjust(_WIDTHS[2] - 2) + " │")
    return rows


def _memory(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def keras_summary(model: _Sequential) -> str:
    """The text of ``model.summary()`` as Keras 3 prints it."""
    rule = lambda l, m, r, c: l + m.join(c * w for w in _WIDTHS) + r  # noqa: E731
    head = "┃ " + " ┃ ".join(t.ljust(w - 2) if i < 2 else t.rjust(w - 2) for i, (t, w) in
                              enumerate(zip(("Layer (type)", "Output Shape", "Param #"), _WIDTHS))) + " ┃"
    rows = []
    for i, layer in enumerate(model.layers):
        name = f"{layer.name} ({type(layer).__name__})"
        built = model.built
        shape = str(model.output_shapes[i]) if built else "?"
        count = f"{layer.count_params():,}" if built else "0 (unbuilt)"
        rows.append(_cells((name, shape, count)))
    body = [line for i, row in enumerate(rows) for line in ([rule("├", "┼", "┤", "─")] if i else []) + row]
    weights = [(w, layer.trainable and key in layer.parameters) for layer in model.layers
               for key, w in [*layer.parameters.items(), *layer.buffers.items()]] if model.built else []
    total = [sum(w.size for w, _ in weights), sum(w.nbytes for w, _ in weights)]
    trainable = [sum(w.size for w, t in weights if t), sum(w.nbytes for w, t in weights if t)]
    optimizer = _optimizer_params(model)  # Keras counts them in the total, as float32 numbers
    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), head, rule("┡", "╇", "┩", "━"), *body,
             rule("└", "┴", "┘", "─"),
             f" Total params: {total[0] + optimizer:,} ({_memory(total[1] + 4 * optimizer)})",
             f" Trainable params: {trainable[0]:,} ({_memory(trainable[1])})",
             f" Non-trainable params: {total[0] - trainable[0]:,} ({_memory(total[1] - trainable[1])})",
             *([f" Optimizer params: {optimizer:,} ({_memory(4 * optimizer)})"] if optimizer else [])]
    return "\n".join(lines) + "\n"


def _optimizer_params(model: _Sequential) -> int:
    """How many numbers Keras's optimizer holds once it has trained: its step count, its rate (unless
    a schedule gives it) and its slots for every trainable weight; 0 before training, as Keras shows."""
    opt = model.optimizer
    if opt is None or not opt.iterations:
        return 0
    try:
        slots = len(optimizer_state.slot_groups(opt)[0]) + len(optimizer_state.trailing_slots(opt))
    except ValueError:  # an optimizer Keras has no layout for
        return 0
    weights = sum(w.size for layer in model.layers if layer.trainable for w in layer.parameters.values())
    return 1 + (opt.lr_scheduler is None) + slots * weights


__getattr__ = missing(__name__)
