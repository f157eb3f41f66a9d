"""The assignment's ``neural_networks.logs``: ``Logger(model_name, model_args, data_args, save,
plot, save_dir)``, which the model ``push``-es each epoch's losses and errors to.

With ``save`` it writes a seqnet run folder, ``save_dir/model_name/``: ``hparams.json`` (the model
and data arguments), ``metrics.csv`` (a row per epoch: loss, error and accuracy, training and
validation), ``log.p`` (the assignment's pickled log) and, when the model finishes training,
``model.h5`` and ``report.md``; with ``plot``, ``curves.png`` (loss and error by epoch). ``seqnet summary`` and
``seqnet report`` read the folder; the model's ``save_parameters`` and ``test(save_predictions=True)``
write there too.
"""
from __future__ import annotations

import json
import os
import pickle
import re
from typing import Any

from .._files import write_bytes, write_csv, write_text
from ..experiment import write_report
from ..plotting import plot_history
from ..sequential import Sequential

COLUMNS = ("loss", "error", "accuracy", "val_loss", "val_error", "val_accuracy")


class Logger:
    def __init__(self, model_name: str, model_args: Any, data_args: Any, save: bool = False, plot: bool = False,
                 save_dir: str = "experiments/") -> None:
        self.model_name, self.model_args, self.data_args = model_name, model_args, data_args
        self.save, self.plot = save, plot
        self.save_dir = os.path.join(save_dir, model_name, "")  # ends in a separator: file names are appended
        self.log: dict[int, dict[str, Any]] = {}
        self.counter = 0
        if save or plot:
            os.makedirs(self.save_dir, exist_ok=True)
        if save:
            hparams = {"model_name": model_name, **dict(model_args or {}), "data": dict(data_args or {})}
            write_text(os.path.join(self.save_dir, "hparams.json"), json.dumps(hparams, indent=2, default=str))

    def history(self) -> dict[str, list[float]]:
        """The logged epochs as seqnet's history: ``loss``, ``error``, ``accuracy`` and their ``val_``."""
        rows: dict[str, list[float]] = {key: [] for key in COLUMNS}
        for entry in self.log.values():
            for stage, prefix in (("train", ""), ("validate", "val_")):
                if stage in entry.get("loss", {}):
                    rows[f"{prefix}loss"].append(float(entry["loss"][stage]))
                    rows[f"{prefix}error"].append(float(entry["error"][stage]))
                    rows[f"{prefix}accuracy"].append(1.0 - float(entry["error"][stage]))
        return {key: values for key, values in rows.items() if values}

    def push(self, log: dict[str, Any]) -> None:
        """Record one epoch's ``{"loss": {"train", "validate"}, "error": {...}, "params": ...}``."""
        self.log[self.counter] = log
        self.counter += 1
        history = self.history()
        if self.save:
            write_bytes(os.path.join(self.save_dir, "log.p"), pickle.dumps(self.log))
            rows = [[i + 1, *(repr(values[i]) if i < len(values) else "" for values in history.values())]
                    for i in range(len(history.get("loss", [])))]
            write_csv(os.path.join(self.save_dir, "metrics.csv"), [["epoch", *history], *rows])

    def finish(self, layers: list[Any], loss: Any, optimizer: Any, epochs: int) -> None:
        """Save the trained network as a seqnet model (``model.h5``: its layers, loss, optimizer and
        history) and write the report."""
        history = self.history()
        if self.plot and "loss" in history:
            plot_history(history, os.path.join(self.save_dir, "curves.png"), metrics=["loss", "error"],
                         title=self.model_name)
        if not self.save:
            return
        seen: dict[str, int] = {}
        for layer in layers:  # built one by one, each is its kind's first: number them as a model does
            stem = layer.default_name
            layer.name = stem if stem not in seen else f"{stem}_{seen[stem]}"
            seen[stem] = seen.get(stem, 0) + 1
        model = Sequential(list(layers), name="neural_network")
        model.build(layers[0].input_shape)  # the layers are built: the model adopts their weights
        model.compile(_as_seqnet_optimizer(optimizer.engine, layers), loss)
        model.epochs_done = epochs
        for epoch, values in enumerate(zip(*history.values())):
            model.history.on_epoch_end(epoch, dict(zip(history, values)))
        model.save(os.path.join(self.save_dir, "model.h5"))
        write_report(self.save_dir)


def _as_seqnet_optimizer(engine: Any, layers: list[Any]) -> Any:
    """A copy of the optimizer's engine with its state keyed as a seqnet model keys it: the
    assignment's ``"W0"`` (parameter W of layer 0) becomes ``(layer name, "W")``."""
    copy = type(engine).from_config(engine.get_config())
    copy.iterations = engine.iterations
    for key, slots in engine.state.items():
        match = re.fullmatch(r"(.*?)(\d+)", str(key))
        if match and int(match.group(2)) < len(layers):
            copy.state[(layers[int(match.group(2))].name, match.group(1))] = slots
    return copy


__all__ = ["Logger"]
