"""Keras's compile config (optimizer, loss, metrics) as seqnet's, and back.

Only what seqnet has an equivalent for carries over: SGD, Adam, AdamW, RMSprop and Adagrad, with a
constant learning rate or a schedule both libraries have (:mod:`seqnet.keras.files.schedules`);
the cross-entropies, MSE, MAE and Huber; the accuracies and MAE/MSE as metrics. Anything else
leaves the model uncompiled (or the Keras file without a compile config) with a warning that says
what was left out, so that loading never fails on training settings.
"""
from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any

from ... import losses as _losses
from ... import metrics as _metrics
from ... import optimizers as _optimizers
from .. import losses as _face_losses
from .. import optimizers as _face
from ..._registry import saved_class
from .._naming import snake_case
from .schedules import schedule_from_keras, schedule_to_keras

class _Skip(Exception):
    """A compile setting with no seqnet equivalent (its message says which)."""


def compile_from_keras(model: Any, config: dict[str, Any], where: str) -> None:
    """Compile ``model`` as Keras's compile ``config`` says, or warn and leave it uncompiled."""
    try:
        optimizer = _optimizer(config.get("optimizer") or config.get("optimizer_config"))
        loss = _loss(config.get("loss"))
        model.compile(optimizer=optimizer, loss=loss, metrics=_metrics_of(config.get("metrics")),
                      weighted_metrics=_metrics_of(config.get("weighted_metrics")))
    except (_Skip, ValueError, TypeError) as why:
        warnings.warn(f"{where}: the model is loaded uncompiled: {why}. Compile it in seqnet to train it",
                      stacklevel=4)


def _optimizer(spec: Any) -> _optimizers.Optimizer:
    """The Keras face's optimizer for Keras's config of one: its constructor takes Keras's arguments
    (and refuses what seqnet does not apply), so a model from a Keras file trains on by Keras's rule."""
    if isinstance(spec, str):
        spec = {"class_name": spec, "config": {}}
    if not isinstance(spec, dict):
        raise _Skip(f"no optimizer is recorded ({spec!r})")
    name, config = str(spec.get("class_name", "")).lower(), dict(spec.get("config") or {})
    if name not in _face.BY_NAME:
        raise _Skip(f"seqnet has no counterpart of the optimizer {spec.get('class_name')!r}")
    if "lr" in config:  # Keras 2's name
        config.setdefault("learning_rate", config.pop("lr"))
    if config.pop("decay", 0.0) not in (0, 0.0, None):  # Keras 2's per-step decay
        raise _Skip(f"the optimizer sets Keras 2's decay, which seqnet's {name} does not do")
    if isinstance(config.get("learning_rate"), dict):
        try:
            config["learning_rate"] = schedule_from_keras(config["learning_rate"])
        except (ValueError, KeyError, TypeError) as err:
            raise _Skip(f"the optimizer's learning rate follows a schedule seqnet cannot read ({err})") from None
    try:
        return _face.BY_NAME[name](**{k: v for k, v in config.items() if v is not None or k in ("weight_decay",)})
    except (TypeError, ValueError) as err:
        raise _Skip(str(err)) from None


def _loss(spec: Any) -> _losses.Loss:
    if isinstance(spec, dict):
        name, config = str(spec.get("class_name", "")), spec.get("config") or {}
    elif isinstance(spec, str):
        name, config = spec, {}
    else:
        raise _Skip(f"the loss {spec!r} is not one loss function")
    face = _FACE_LOSSES.get(name) or _face_losses.BY_NAME.get(name.lower())
    try:  # a name of Keras's: the Keras face's loss, with Keras's meaning
        if face is not None:
            return face(**_arguments(face, dict(config)))
        return _losses.losses.lookup(snake_case(name))()
    except (TypeError, ValueError) as err:
        raise _Skip(f"seqnet has no counterpart of the loss {spec!r} ({err})") from None


#: the face's loss classes by their Keras class names
_FACE_LOSSES = {cls.__name__: cls for cls in _face_losses.BY_NAME.values()}


def _metrics_of(spec: Any) -> list[Any]:
    """Keras's metrics: names, and serialized metric objects rebuilt from the arguments seqnet's take."""
    found: list[Any] = []
    for item in _flat(spec):
        if isinstance(item, dict) and item.get("class_name") in _KERAS_METRICS:
            cls = _KERAS_METRICS[item["class_name"]]
            found.append(cls(**_arguments(cls, item.get("config") or {})))
            continue
        name = item if isinstance(item, str) else snake_case(str((item or {}).get("class_name", "")))
        if name in _metrics.METRICS:
            found.append(name)
        elif name not in ("loss", "mean", ""):
            warnings.warn(f"the Keras metric {name!r} has no seqnet counterpart and is left out", stacklevel=5)
    return found


def _arguments(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """The entries of a Keras config that ``cls`` takes (all of them where it takes ``**kwargs``)."""
    parameters = inspect.signature(cls.__init__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return dict(config)
    return {k: v for k, v in config.items() if k in parameters}


_KERAS_METRICS = {name: getattr(_metrics, name) for name in _metrics.__all__ if name[0].isupper()
                  and name not in ("Metric", "MeanMetricWrapper", "METRICS", "VALUES")}


def _flat(spec: Any) -> list[Any]:
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        return [m for item in spec for m in _flat(item)]
    return [spec]


# -- seqnet -> Keras --------------------------------------------------------------
def compile_to_keras(model: Any) -> dict[str, Any] | None:
    """Keras's ``compile_config`` for a compiled seqnet model, or None (with a warning) if it has none."""
    if model.optimizer is None:
        return None
    try:
        optimizer, loss = _keras_optimizer(model.optimizer), _keras_loss(model.loss)
    except _Skip as why:
        warnings.warn(f"the Keras file is written without a compile config for Keras: {why}; compile the model "
                      f"in Keras to train it there (seqnet reads the file back compiled as it is)", stacklevel=4)
        return None
    return {"optimizer": optimizer, "loss": loss, "loss_weights": None,
            "metrics": [_keras_metric(m) for m in model.metrics] or None,
            "weighted_metrics": [_keras_metric(m) for m in model.weighted_metrics] or None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def _keras_metric(entry: Any) -> Any:
    if isinstance(entry, str):
        return "accuracy" if entry in ("acc", "categorical_accuracy", "sparse_categorical_accuracy") else entry
    return {"module": "keras.metrics", "class_name": type(entry).__name__, "config": entry.get_config(),
            "registered_name": None}


def _keras_optimizer(opt: _optimizers.Optimizer) -> dict[str, Any]:
    face = _face.face_class(opt)
    if face is None:
        raise _Skip(f"Keras has no counterpart of the optimizer {type(opt).__name__}")
    decoupled = opt.decoupled_weight_decay or opt.convention == "keras"
    if getattr(opt, "lr_decay", 0.0) or (opt.weight_decay and not decoupled):
        raise _Skip(f"{type(opt).__name__}'s lr_decay or L2 weight_decay has no Keras counterpart")
    if opt.lr_scales:
        raise _Skip(f"Keras optimizers have no per-parameter rates like {type(opt).__name__}'s lr_scales")
    if opt.lr_scheduler is not None and schedule_to_keras(opt.lr_scheduler) is None:
        rate = float(opt.lr_scheduler(int(opt.iterations)))  # the rest of the compile config still carries over
        warnings.warn(f"the learning-rate schedule {type(opt.lr_scheduler).__name__} has no Keras counterpart: "
                      f"the Keras file's optimizer keeps the rate it has reached ({rate:.6g}) from here on",
                      stacklevel=4)
        config = face.keras_config(_constant(opt, rate))
    else:
        config = face.keras_config(opt)
    return {"module": "keras.optimizers", "class_name": face.__name__, "config": config, "registered_name": None}


def _constant(opt: _optimizers.Optimizer, rate: float) -> _optimizers.Optimizer:
    """A copy of ``opt`` at the constant ``rate``."""
    constant = copy.copy(opt)
    constant.lr_scheduler, constant.lr = None, rate
    return constant


def _keras_loss(loss: _losses.Loss) -> Any:
    if isinstance(loss, _face_losses.Face):
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
                "registered_name": None}
    name, config = loss.registered_name, saved_class(loss).get_config(loss)
    if name == "cross_entropy":  # Keras's categorical cross-entropy always divides rows by their sum
        sparse = not config.get("label_smoothing")  # seqnet's labels are class indices
        face = _face_losses.SparseCategoricalCrossentropy if sparse else _face_losses.CategoricalCrossentropy
    else:
        faces = [cls for cls in _FACE_LOSSES.values() if cls.engine_class.registered_name == name]
        if not faces:
            raise _Skip(f"Keras has no counterpart of the loss {name!r}")
        face = faces[0]
    accepted = inspect.signature(face.__init__).parameters
    return {"module": "keras.losses", "class_name": face.__name__,
            "config": {k: v for k, v in config.items() if k in accepted}, "registered_name": None}


# -- one object, either way (keras.saving.serialize_keras_object) ---------------------------------
def object_to_keras(obj: Any) -> Any:
    """Keras's serialized form of a seqnet optimizer, loss or metric object."""
    try:
        if isinstance(obj, _optimizers.Optimizer):
            return _keras_optimizer(obj)
        if isinstance(obj, _losses.Loss):
            return _keras_loss(obj)
    except _Skip as why:
        raise ValueError(str(why)) from None
    if isinstance(obj, _metrics.Metric):
        return _keras_metric(obj)
    raise TypeError(f"{type(obj).__name__} is not an optimizer, loss or metric")


def object_from_keras(spec: dict[str, Any]) -> Any:
    """The seqnet optimizer, loss or metric for Keras's serialized form of one."""
    name = str(spec.get("class_name", ""))
    try:
        if name.lower() in _face.BY_NAME:
            return _optimizer(spec)
        if str(spec.get("module", "")).startswith("keras.losses"):
            return _loss(spec)
        if name in _KERAS_METRICS:
            return _metrics_of([spec])[0]
        return _loss(spec)
    except _Skip as why:
        raise ValueError(str(why)) from None
