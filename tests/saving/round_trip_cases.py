"""The cases of the generated round-trip test, made by walking the registries and the Keras face.

Each case is one class (or one metric name) of one face, put in the smallest model that uses it:
a layer between an input and a softmax head, a loss, metric or optimizer compiled on a one-layer
model, a schedule driving SGD, a callback passed to ``fit``. A class added to a registry or to the
face's modules becomes a case here without any change to this file; one that needs constructor
arguments fails until ``REQUIRED`` gives them.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np

import seqnet
import seqnet.keras as keras
from seqnet import callbacks, layers, losses, metrics, optimizers, schedulers
from seqnet.layers import Dense, Flatten, Input


def a_schedule(epoch, lr):
    """The LearningRateScheduler's schedule (bound by name when its file is loaded)."""
    return lr * 0.5


def required(path: Path) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Constructor arguments without defaults, by (face, kind, class name); paths under ``path``."""
    shared = {("callback", "ModelCheckpoint"): dict(filepath=str(path / "ck.h5")),
              ("callback", "CSVLogger"): dict(filename=str(path / "log.csv")),
              ("callback", "LearningRateScheduler"): dict(schedule=a_schedule),
              ("callback", "BackupAndRestore"): dict(backup_dir=str(path / "backup")),
              ("callback", "TensorBoard"): dict(log_dir=str(path / "logs")),
              ("layer", "Reshape"): dict(target_shape=(2, -1)), ("layer", "Rescaling"): dict(scale=0.5),
              ("layer", "RandomCrop"): dict(height=4, width=5), ("layer", "Dropout"): dict(rate=0.2),
              ("layer", "RandomTranslation"): dict(height_factor=0.1, width_factor=0.2),
              ("layer", "RandomZoom"): dict(height_factor=0.1), ("layer", "Activation"): dict(activation="tanh"),
              ("layer", "Normalization"): dict(mean=0.5, variance=2.0),
              ("metric", "SensitivityAtSpecificity"): dict(specificity=0.5),
              ("metric", "SpecificityAtSensitivity"): dict(sensitivity=0.5),
              ("metric", "PrecisionAtRecall"): dict(recall=0.5), ("metric", "RecallAtPrecision"): dict(precision=0.5),
              ("layer", "Embedding"): dict(input_dim=5, output_dim=3), ("layer", "SimpleRNN"): dict(units=3),
              ("layer", "LSTM"): dict(units=3), ("layer", "GRU"): dict(units=3),
              ("layer", "Conv1D"): dict(filters=2, kernel_size=3),
              ("layer", "Bidirectional"): dict(layer={"class_name": "lstm", "config": {"units": 2}}),
              ("layer", "TimeDistributed"): dict(layer={"class_name": "dense", "config": {"n_out": 2}})}
    seqnet_only = {("layer", "Dense"): dict(n_out=4), ("layer", "Conv2D"): dict(n_out=2, kernel_shape=3),
                   ("layer", "Pool2D"): dict(kernel_shape=2),
                   ("scheduler", "Constant"): dict(lr=0.1), ("scheduler", "Exponential"): dict(lr=0.1),
                   ("scheduler", "StepDecay"): dict(lr=0.1), ("scheduler", "Cosine"): dict(lr=0.1),
                   ("scheduler", "OneCycle"): dict(lr=0.1, total_steps=50),
                   ("scheduler", "PiecewiseConstant"): dict(boundaries=[5], values=[0.1, 0.01]),
                   ("scheduler", "InverseTime"): dict(lr=0.1, decay_steps=5, decay_rate=0.5),
                   ("scheduler", "Polynomial"): dict(lr=0.1, decay_steps=5)}
    keras_only = {("layer", "Dense"): dict(units=4), ("layer", "Conv2D"): dict(filters=2, kernel_size=3),
                  ("scheduler", "ExponentialDecay"): dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5),
                  ("scheduler", "CosineDecay"): dict(initial_learning_rate=0.1, decay_steps=50),
                  ("scheduler", "PiecewiseConstantDecay"): dict(boundaries=[5], values=[0.1, 0.01]),
                  ("scheduler", "InverseTimeDecay"): dict(initial_learning_rate=0.1, decay_steps=5, decay_rate=0.5),
                  ("scheduler", "PolynomialDecay"): dict(initial_learning_rate=0.1, decay_steps=5)}
    return {**{("seqnet", *k): v for k, v in {**shared, **seqnet_only}.items()},
            **{("keras", *k): v for k, v in {**shared, **keras_only}.items()}}


class Case(NamedTuple):
    face: str  # "seqnet" or "keras": the face whose classes build the model
    kind: str  # layer, loss, metric, metric name, optimizer, scheduler, callback
    name: str  # the class's (or the metric's) name

    @property
    def id(self) -> str:
        return f"{self.face}-{self.kind.replace(' ', '_')}-{self.name}"


def _compiles(cls: type) -> bool:
    """Whether a class can be compiled as a metric: one fed ``(y_true, y_pred)`` (``Mean`` is fed values)."""
    return not issubclass(cls, metrics.Metric) or "y_pred" in inspect.signature(cls.update_state).parameters


def _classes(registry: Any) -> list[type]:
    return sorted({cls for cls in registry._classes.values() if _compiles(cls)}, key=lambda c: c.__name__)


def _exported(module: Any, base: type) -> list[str]:
    """The names of the classes of ``base`` a face's module exports (Keras's schedules are functions
    that make one)."""
    exported = {n: getattr(module, n) for n in module.__all__ if n not in ("Input", "InputLayer")}
    if module is keras.optimizers.schedules:
        return [n for n, f in exported.items() if f is not base]
    return [n for n, c in exported.items() if isinstance(c, type) and issubclass(c, base) and _compiles(c)
            and c not in (metrics.Metric, metrics.MeanMetricWrapper) and c.__name__ not in ("Callback",)]


def cases() -> list[Case]:
    """Every class of every registry through seqnet's face, every class the Keras face exports,
    and every metric name."""
    from seqnet.callbacks.base import Callback
    from seqnet.schedulers import Scheduler
    found: list[Case] = []
    for kind, registry in (("layer", layers.layers), ("loss", losses.losses), ("metric", metrics.stateful.metrics),
                           ("optimizer", optimizers.optimizers), ("scheduler", schedulers.schedulers),
                           ("callback", callbacks.callbacks)):
        found += [Case("seqnet", kind, cls.__name__) for cls in _classes(registry)
                  if not cls.__module__.startswith("tests")]
    for kind, module, base in (("layer", keras.layers, layers.Layer), ("loss", keras.losses, losses.Loss),
                               ("metric", keras.metrics, metrics.Metric),
                               ("optimizer", keras.optimizers, optimizers.Optimizer),
                               ("scheduler", keras.optimizers.schedules, Scheduler),
                               ("callback", keras.callbacks, Callback)):
        found += [Case("keras", kind, name) for name in _exported(module, base)]
    found += [Case("seqnet", "metric name", name) for name in sorted(metrics.METRICS)]
    return found


def _class(case: Case) -> type:
    if case.face == "keras":
        module = {"layer": keras.layers, "loss": keras.losses, "metric": keras.metrics, "optimizer": keras.optimizers,
                  "scheduler": keras.optimizers.schedules, "callback": keras.callbacks}[case.kind]
        return getattr(module, case.name)
    registry = {"layer": layers.layers, "loss": losses.losses, "metric": metrics.stateful.metrics,
                "optimizer": optimizers.optimizers, "scheduler": schedulers.schedulers,
                "callback": callbacks.callbacks}[case.kind]
    return next(cls for cls in registry._classes.values() if cls.__name__ == case.name)


#: the inputs a layer is tried on, in order: images, feature vectors, sequences, token ids
INPUTS = {"image": (6, 6, 2), "flat": (6,), "sequence": (6, 2), "ids": (6,)}


def data(rng: np.random.Generator, kind: str) -> tuple[np.ndarray, np.ndarray]:
    shape = (16, *INPUTS[kind])
    X = rng.integers(0, 5, shape) if kind == "ids" else rng.random(shape).astype(np.float32)
    return X, np.eye(3, dtype=np.float32)[np.arange(16) % 3]


def model_for(case: Case, path: Path) -> tuple[Any, dict[str, Any]]:
    """The compiled model that uses the case's class, and how to fit it (``X``, ``y``, ``callbacks``)."""
    face = keras if case.face == "keras" else seqnet
    args = required(path).get((case.face, case.kind, case.name), {})
    obj = case.name if case.kind == "metric name" else _class(case)(**args)  # ImportError: a package missing
    rng = np.random.default_rng(0)
    head = keras.layers.Dense(3, activation="softmax") if case.face == "keras" else Dense(3, activation="softmax")
    compile_args: dict[str, Any] = dict(optimizer=optimizers.SGD(lr=0.05, momentum=0.9), loss="cross_entropy")
    fit: dict[str, Any] = {}
    if case.kind == "layer":
        for kind, shape in INPUTS.items():
            try:
                body = [Input(shape), obj, *([Flatten()] if kind != "flat" else []), head]
                model = face.Sequential(body, seed=0)
                model.predict(data(rng, kind)[0][:2])  # (an Embedding refuses float features only here)
                break
            except (ValueError, TypeError):
                obj, head = _class(case)(**args), type(head).from_config(head.get_config())
    else:
        model = face.Sequential([Input((6,)), head], seed=0)
        kind = "flat"
        if case.kind == "loss":
            compile_args["loss"] = obj
        elif case.kind in ("metric", "metric name"):
            compile_args["metrics"] = [obj]
        elif case.kind == "optimizer":
            compile_args["optimizer"] = obj
        elif case.kind == "scheduler":
            compile_args["optimizer"] = optimizers.SGD(lr_scheduler=obj)
        else:
            fit["callbacks"] = [obj]
    model.compile(**compile_args)
    X, y = data(rng, kind)
    if case.kind == "loss" and "Sparse" in case.name:
        y = y.argmax(axis=1)
    return model, {"X": X, "y": y, **fit}


def fit_once(model: Any, X: np.ndarray, y: np.ndarray, epoch: int, callbacks: list[Any] | None = None) -> None:
    """One epoch, the same wherever it runs: in order, in batches of 8."""
    model.fit(X, y, batch_size=8, epochs=epoch + 1, initial_epoch=epoch, shuffle=False, verbose=0,
              callbacks=callbacks)


FORMATS: dict[str, Callable[[Any, Path], None]] = {
    "h5": lambda model, path: model.save(path),
    "keras": lambda model, path: model.save(path),
    "weights.h5": lambda model, path: model.save_weights(path),
}
