"""The assignment's ``neural_networks.models``: ``initialize_model(name, loss, layer_args,
optimizer_args, logger, seed)`` and ``NeuralNetwork`` with ``forward``, ``backward``, ``update``,
``error``, ``train(dataset, epochs)``, ``test``, ``test_kaggle``, ``predict`` and
``save_parameters``, as the assignment defines them. The layers, loss and update rule are
seqnet's (through this package's other modules); this is the assignment's loop around them.
"""
from __future__ import annotations

import os
import pickle
from typing import Any, Sequence

import numpy as np

from .._files import write_bytes, write_csv
from .datasets import Dataset
from .layers import initialize_layer
from .losses import initialize_loss
from .optimizers import initialize_optimizer


def initialize_model(name: str, loss: str, layer_args: Sequence[dict], optimizer_args: dict, logger: Any = None,
                     seed: int | None = None) -> "NeuralNetwork":
    return NeuralNetwork(loss=loss, layer_args=layer_args, optimizer_args=optimizer_args, logger=logger, seed=seed)


class NeuralNetwork:
    """A feed-forward network of the layers ``layer_args`` describe; the last one's ``n_out`` is set
    from the data set when training starts."""

    def __init__(self, loss: str, layer_args: Sequence[dict], optimizer_args: dict, logger: Any = None,
                 seed: int | None = None) -> None:
        if seed is not None:
            np.random.seed(seed)
        self.n_layers = len(layer_args)
        self.layer_args = layer_args
        self.logger = logger
        self.epoch_log: dict[str, Any] = {"loss": {}, "error": {}}
        self.loss = initialize_loss(loss)
        self.optimizer = initialize_optimizer(**optimizer_args)
        self.layers = [initialize_layer(**args) for args in layer_args[:-1]]

    def _log(self, loss: float, error: float, validation: bool = False) -> None:
        if self.logger is None:
            return
        stage = "validate" if validation else "train"
        self.epoch_log["loss"][stage] = round(float(loss), 4)
        self.epoch_log["error"][stage] = round(float(error), 4)
        if validation:
            self.logger.push(self.epoch_log)
            self.epoch_log = {"loss": {}, "error": {}}

    def save_parameters(self, epoch: int) -> None:
        if self.logger is None:
            raise ValueError("Must have a logger")
        write_bytes(self.logger.save_dir + f"parameters_epoch{epoch}",
                    pickle.dumps({i: layer.parameters for i, layer in enumerate(self.layers)}))

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The output of every layer in turn."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, target: np.ndarray, out: np.ndarray) -> float:
        """The loss of ``out`` against ``target``; fills every layer's gradients."""
        loss = self.loss(target, out)
        dL = self.loss.backward(target, out)
        for layer in reversed(self.layers):
            dL = layer.backward(dL)
        return loss

    def update(self, epoch: int) -> None:
        """One step on every parameter, by the optimizer's rule at ``epoch``'s rate."""
        param_log = {}
        for i, layer in enumerate(self.layers):
            for param_name, param in layer.parameters.items():
                delta = self.optimizer.update(param_name + str(i), param, layer.gradients[param_name], epoch)
                layer.parameters[param_name] -= delta
                if self.logger is not None:
                    param_log[f"{param_name}{i}"] = {"max": np.max(param), "min": np.min(param)}
            layer.clear_gradients()
        if hasattr(self.optimizer, "engine"):  # seqnet's optimizer counts the updates (the saved model says so)
            self.optimizer.engine.iterations += 1
        self.epoch_log["params"] = param_log

    def error(self, target: np.ndarray, out: np.ndarray) -> float:
        """1 - accuracy for cross-entropy, the mean squared error for L2."""
        if self.loss.name == "cross_entropy":
            return float(np.mean(np.argmax(out, axis=1) != np.argmax(target, axis=1)))
        if self.loss.name == "l2":
            return float(np.mean((target - out) ** 2))
        raise ValueError(f"no error is defined for the loss {self.loss.name!r}")

    def _output_layer(self, dataset: Dataset) -> None:
        if len(self.layers) < self.n_layers:
            args = dict(self.layer_args[-1])
            args["n_out"] = dataset.out_dim
            self.layers.append(initialize_layer(**args))

    def train(self, dataset: Dataset, epochs: int) -> None:
        """``epochs`` passes over the training split, each followed by one over the validation split."""
        self._output_layer(dataset)
        for i in range(epochs):
            losses, errors = [], []
            for _ in range(dataset.train.samples_per_epoch):
                X, Y = dataset.train.sample()
                Y_hat = self.forward(X)
                losses.append(self.backward(np.array(Y), np.array(Y_hat)))
                errors.append(self.error(Y, Y_hat))
                self.update(i)
            training_loss, training_error = float(np.mean(losses)), float(np.mean(errors))
            self._log(training_loss, training_error)
            losses, errors = [], []
            for _ in range(dataset.validate.samples_per_epoch):
                X, Y = dataset.validate.sample()
                Y_hat = self.forward(X)
                losses.append(self.loss.forward(Y, Y_hat))
                errors.append(self.error(Y, Y_hat))
            validation_loss, validation_error = float(np.mean(losses)), float(np.mean(errors))
            self._log(validation_loss, validation_error, validation=True)
            print(f"Example target: {Y[0]}")
            print(f"Example prediction: {[round(float(x), 4) for x in Y_hat[0]]}")
            print(f"Epoch {i} Training Loss: {round(training_loss, 4)} Training Accuracy: "
                  f"{round(1 - training_error, 4)} Val Loss: {round(validation_loss, 4)} Val Accuracy: "
                  f"{round(1 - validation_error, 4)}")
        if self.logger is not None:
            self.logger.finish(self.layers, self.loss, self.optimizer, epochs)

    def test(self, dataset: Dataset, save_predictions: bool = False) -> dict[str, list]:
        """Loss and error of each test batch (and the predictions); prints the test loss and accuracy."""
        test_log: dict[str, list] = {"loss": [], "error": []}
        if save_predictions:
            test_log["prediction"] = []
        for _ in range(dataset.test.samples_per_epoch):
            X, Y = dataset.test.sample()
            Y_hat, L = self.predict(X, Y)
            test_log["loss"].append(L)
            test_log["error"].append(self.error(Y, Y_hat))
            if save_predictions:
                test_log["prediction"] += list(Y_hat)
        test_loss, test_error = float(np.mean(test_log["loss"])), float(np.mean(test_log["error"]))
        print(f"Test Loss: {round(test_loss, 4)} Test Accuracy: {round(1 - test_error, 4)}")
        if save_predictions:
            write_bytes(self.logger.save_dir + "test_predictions.p", pickle.dumps(test_log))
        return test_log

    def test_kaggle(self, dataset: Dataset) -> dict[str, list]:
        """The predicted class of every test example, written to ``kaggle_predictions.csv`` (Id, Category)."""
        predictions: list[int] = []
        for _ in range(dataset.test.samples_per_epoch):
            X, Y = dataset.test.sample()
            Y_hat, _ = self.predict(X, Y)
            predictions += [int(c) for c in np.argmax(Y_hat, axis=1)]
        kaggle = {"Id": list(range(len(predictions))), "Category": predictions}
        if self.logger is not None:
            write_csv(os.path.join(self.logger.save_dir, "kaggle_predictions.csv"),
                      [["Id", "Category"], *zip(kaggle["Id"], kaggle["Category"])])
        return kaggle

    def predict(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, float]:
        """The prediction for ``X`` and its loss against ``Y``."""
        prediction = self.forward(X)
        return prediction, self.loss.forward(np.array(Y), np.array(prediction))


__all__ = ["NeuralNetwork", "initialize_model"]
