"""Keras's guide "Writing your own callbacks", block by block, under Keras 3 and under
``seqnet.keras``: the callbacks' own code, unchanged, sees the same hooks, logs and model."""
import numpy as np

from tests.keras_face.conftest import copy_weights

rng = np.random.default_rng(0)
x_train, y_train = rng.random((320, 784)).astype("float32"), rng.random(320).astype("float32")
x_test, y_test = x_train[:64], y_train[:64]


def get_model(keras):
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def both(libs):
    models = [get_model(keras) for keras in libs]
    copy_weights(models[0], models[1])
    return models


def fit_evaluate_predict(model, callback, epochs=1, batches=(128, 128, 128)):
    """The guide's three calls, each with a new ``callback()``."""
    model.fit(x_train, y_train, batch_size=batches[0], epochs=epochs, verbose=0, validation_split=0.5,
              callbacks=[callback()])
    model.evaluate(x_test, y_test, batch_size=batches[1], verbose=0, callbacks=[callback()])
    model.predict(x_test, batch_size=batches[2], verbose=0, callbacks=[callback()])


def test_a_callback_sees_every_hook_with_its_logs(libs):
    seen = []
    for keras, model in zip(libs, both(libs)):
        lines = []

        class CustomCallback(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                lines.append(f"Starting training; got log keys: {sorted(logs.keys())}")

            def on_epoch_end(self, epoch, logs=None):
                lines.append(f"End epoch {epoch} of training; got log keys: {sorted(logs.keys())}")

            def on_test_batch_end(self, batch, logs=None):
                lines.append(f"...Evaluating: end of batch {batch}; got log keys: {sorted(logs.keys())}")

            def on_predict_end(self, logs=None):
                lines.append(f"Stop predicting; got log keys: {sorted(logs.keys())}")

            def on_train_batch_end(self, batch, logs=None):
                lines.append(f"...Training: end of batch {batch}; got log keys: {sorted(logs.keys())}")

        fit_evaluate_predict(model, CustomCallback)
        seen.append(lines)
    assert seen[1] == seen[0]


def test_loss_and_error_printing_callback(libs):
    printed = []
    for keras, model in zip(libs, both(libs)):
        lines = []

        class LossAndErrorPrintingCallback(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                lines.append(("train", batch, logs["loss"]))

            def on_test_batch_end(self, batch, logs=None):
                lines.append(("test", batch, logs["loss"]))

            def on_epoch_end(self, epoch, logs=None):
                lines.append(("epoch", epoch, logs["loss"], logs["mean_absolute_error"]))

        model.fit(x_train, y_train, batch_size=128, epochs=2, shuffle=False, verbose=0,
                  callbacks=[LossAndErrorPrintingCallback()])
        model.evaluate(x_test, y_test, batch_size=128, verbose=0, callbacks=[LossAndErrorPrintingCallback()])
        printed.append(lines)
    assert [line[:2] for line in printed[1]] == [line[:2] for line in printed[0]]
    for ours, theirs in zip(printed[1], printed[0]):
        np.testing.assert_allclose(ours[2:], theirs[2:], rtol=1e-4)


def test_early_stopping_at_min_loss_keeps_the_best_weights(libs):
    stopped = []
    for keras, model in zip(libs, both(libs)):
        class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
            def __init__(self, patience=0):
                super().__init__()
                self.patience = patience
                self.best_weights = None

            def on_train_begin(self, logs=None):
                self.wait, self.stopped_epoch, self.best = 0, 0, np.inf

            def on_epoch_end(self, epoch, logs=None):
                current = logs.get("loss")
                if np.less(current, self.best):
                    self.best, self.wait = current, 0
                    self.best_weights = self.model.get_weights()
                else:
                    self.wait += 1
                    if self.wait >= self.patience:
                        self.stopped_epoch = epoch
                        self.model.stop_training = True
                        self.model.set_weights(self.best_weights)

        history = model.fit(x_train, y_train, batch_size=64, epochs=30, shuffle=False, verbose=0,
                            callbacks=[EarlyStoppingAtMinLoss(patience=1)])
        stopped.append((len(history.history["loss"]), model.get_weights()[0]))
    assert stopped[1][0] == stopped[0][0] < 30
    np.testing.assert_allclose(stopped[1][1], stopped[0][1], rtol=1e-3, atol=1e-5)


def test_a_custom_learning_rate_scheduler(libs):
    rates = []
    for keras, model in zip(libs, both(libs)):
        class CustomLearningRateScheduler(keras.callbacks.Callback):
            def __init__(self, schedule):
                super().__init__()
                self.schedule = schedule

            def on_epoch_begin(self, epoch, logs=None):
                lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
                self.model.optimizer.learning_rate = self.schedule(epoch, lr)
                rates.append((keras.__name__, epoch, float(keras.ops.convert_to_numpy(
                    self.model.optimizer.learning_rate))))

        def lr_schedule(epoch, lr):
            return lr * 0.5 if epoch in (1, 3) else lr

        model.fit(x_train, y_train, batch_size=64, epochs=4, shuffle=False, verbose=0,
                  callbacks=[CustomLearningRateScheduler(lr_schedule)])
    ours, theirs = [r[1:] for r in rates if r[0] == "seqnet.keras"], [r[1:] for r in rates if r[0] == "keras"]
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_every_hook_of_the_guide_s_custom_callback_in_order(libs):
    """The guide's first ``CustomCallback``, every hook of fit, evaluate and predict, printing its keys
    (``on_predict_batch_end`` gets ``{"outputs": ...}``, the batch's predictions)."""
    seen = []
    for keras, model in zip(libs, both(libs)):
        lines = []

        class CustomCallback(keras.callbacks.Callback):
            pass

        hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_test_begin", "on_test_end",
                 "on_predict_begin", "on_predict_end", "on_train_batch_begin", "on_train_batch_end",
                 "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"]
        for hook in hooks:
            counted = "batch" in hook or "epoch" in hook

            def record(self, *args, logs=None, hook=hook, counted=counted):
                index = args[0] if counted else None
                logs = (args[1] if counted else args[0]) if len(args) > counted else logs
                shapes = {k: np.shape(v) for k, v in (logs or {}).items()}
                lines.append((hook, index, sorted(shapes.items())))
            setattr(CustomCallback, hook, record)

        fit_evaluate_predict(model, CustomCallback, epochs=2, batches=(128, 32, 48))
        seen.append(lines)
    assert seen[1] == seen[0]


def test_the_rate_callbacks_put_the_learning_rate_in_the_history(libs):
    """``LearningRateScheduler(lambda epoch: ...)`` (one argument) and ``ReduceLROnPlateau``: Keras 3 logs
    ``learning_rate`` each epoch, so it is in the history."""
    histories = []
    for keras, model in zip(libs, both(libs)):
        callbacks = [keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * 0.5 ** epoch),
                     keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)]
        histories.append(model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0, callbacks=callbacks).history)
    assert sorted(histories[1]) == sorted(histories[0])
    np.testing.assert_allclose(histories[1]["learning_rate"], histories[0]["learning_rate"], rtol=1e-6)
