"""The Keras-named callbacks, each doing what its name says."""
import csv

import numpy as np
import pytest

from seqnet import Sequential, load_model
from seqnet.callbacks import (CSVLogger, EarlyStopping, LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
                              TerminateOnNaN)
from seqnet.datasets import load_iris, standardize
from seqnet.layers import Dense
from seqnet.optimizers import SGD
from seqnet.schedulers import StepDecay


@pytest.fixture(scope="module")
def iris():
    (X, y), (Xt, yt) = load_iris()
    X, Xt = standardize(X, Xt)
    return X, y, Xt, yt


def model(lr=0.05, scheduler=None):
    m = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    m.compile(SGD(lr=lr, momentum=0.9, lr_scheduler=scheduler), "cross_entropy", ["accuracy"])
    return m


def test_checkpoint_per_epoch_with_formatted_names(iris, tmp_path):
    X, y, Xt, yt = iris
    m = model()
    m.fit(X, y, epochs=3, verbose=0, validation_data=(Xt, yt),
          callbacks=[ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.3f}.h5"))])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[0].startswith("ckpt-01-") and names[2].startswith("ckpt-03-")
    assert load_model(tmp_path / names[1]).epochs_done == 2


def test_checkpoint_best_only_keeps_the_best(iris, tmp_path):
    X, y, Xt, yt = iris
    m = model(lr=2.0)  # a rate so large that validation loss goes up and down
    path = tmp_path / "best.h5"
    ckpt = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True)
    m.fit(X, y, epochs=8, verbose=0, validation_data=(Xt, yt), callbacks=[ckpt])
    losses = m.history.history["val_loss"]
    best_epoch = int(np.argmin(losses))
    saved = load_model(path)
    assert saved.epochs_done == best_epoch + 1
    assert ckpt.best == pytest.approx(min(losses))
    weights_only = tmp_path / "w.h5"
    model().fit(X, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(str(weights_only), monitor="loss",
                                                                      save_weights_only=True)])
    fresh = model()
    fresh.build((4,))
    fresh.load_weights(weights_only)


def test_early_stopping_stops_and_restores(iris):
    X, y, _, _ = iris
    m = model(lr=3.0)
    seen = []
    from seqnet.callbacks import Callback

    class Keep(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(self.model.get_weights())
    stop = EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    m.fit(X, y, epochs=50, verbose=0, callbacks=[Keep(), stop])
    assert stop.stopped_epoch < 49 and len(m.history.epoch) == stop.stopped_epoch + 1
    assert all(np.array_equal(a, b) for a, b in zip(m.get_weights(), seen[stop.best_epoch]))


def test_reduce_lr_on_plateau(iris):
    X, y, _, _ = iris
    m = model(lr=0.1)
    m.compile(SGD(lr=0.0), "cross_entropy")  # frozen weights: the loss never improves
    m.optimizer.learning_rate = 0.4
    m.optimizer.momentum = 0.0
    cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0, min_lr=0.06)
    m.fit(X, y, epochs=5, verbose=0, callbacks=[cb])
    assert m.optimizer.learning_rate == pytest.approx(0.06)
    with pytest.raises(TypeError, match="lr_scheduler"):
        model(scheduler="exponential").fit(X, y, epochs=1, verbose=0, callbacks=[ReduceLROnPlateau()])


def test_learning_rate_scheduler(iris):
    X, y, _, _ = iris
    rates = []
    from seqnet.callbacks import Callback

    class Rate(Callback):
        def on_epoch_end(self, epoch, logs=None):
            rates.append(self.model.optimizer.current_lr)
    m = model(lr=1.0)
    m.fit(X, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1)), Rate()])
    assert rates == pytest.approx([0.1, 0.05, 0.1 / 3])
    rates.clear()
    m.fit(X, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(StepDecay(0.2, drop=0.5, step_size=2)), Rate()])
    assert rates == pytest.approx([0.2, 0.2, 0.1, 0.1])


def test_csv_logger_one_row_per_epoch(iris, tmp_path):
    X, y, Xt, yt = iris
    path = tmp_path / "log.csv"
    m = model()
    m.fit(X, y, epochs=4, verbose=0, validation_data=(Xt, yt), callbacks=[CSVLogger(str(path))])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1", "2", "3"]
    assert set(rows[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
    assert float(rows[-1]["loss"]) == pytest.approx(m.history.history["loss"][-1])
    m.fit(X, y, epochs=2, verbose=0, callbacks=[CSVLogger(str(path), append=True)])
    assert len(list(csv.DictReader(open(path)))) == 6
    m.fit(X, y, epochs=1, verbose=0, callbacks=[CSVLogger(str(path))])
    assert len(list(csv.DictReader(open(path)))) == 1


def test_terminate_on_nan_stops_without_raising(iris, capsys):
    X, y, _, _ = iris
    m = Sequential([Dense(3)], seed=0)
    m.compile(SGD(lr=1e30), "l2")
    with np.errstate(all="ignore"):
        m.fit(X * 1e10, np.eye(3)[y], epochs=5, verbose=0, callbacks=[TerminateOnNaN()])
    assert "terminating training" in capsys.readouterr().out
    assert len(m.history.epoch) == 1


def test_each_callback_owns_its_params(iris):
    first, second = EarlyStopping("loss"), CSVLogger("unused.csv")
    first.params["mine"] = 1
    assert second.params == {} and EarlyStopping().params == {}
    X, y, _, _ = iris
    model().fit(X, y, epochs=2, verbose=0, callbacks=[first])
    assert first.params["epochs"] == 2 and "epochs" not in second.params


def test_lambda_callback_calls_each_function_as_keras_does(iris):
    from seqnet.callbacks import LambdaCallback
    X, y, _, _ = iris
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append(("begin", logs)),
                        on_epoch_end=lambda epoch, logs: calls.append((epoch, round(logs["loss"], 3))),
                        on_train_end=lambda logs: calls.append("end"))
    m = model()
    m.fit(X, y, epochs=2, verbose=0, callbacks=[cb])
    assert calls[0] == ("begin", {}) and [c[0] for c in calls[1:3]] == [0, 1] and calls[-1] == "end"
    with pytest.raises(TypeError, match="`on_epoch_end` must be a function"):
        LambdaCallback(on_epoch_end=3)


def test_early_stopping_baseline_and_start_from_epoch(iris, capsys):
    X, y, Xt, yt = iris
    # a baseline no epoch beats: the counter never restarts, so training stops at the first epoch
    # that does not improve once `patience` epochs have passed (Keras 3's rule)
    stop = EarlyStopping("val_loss", patience=3, baseline=0.0, verbose=1)
    m = model(lr=0.5)
    m.fit(X, y, epochs=40, validation_data=(Xt, yt), verbose=0, callbacks=[stop])
    val = m.history.history["val_loss"]
    first = next(e for e in range(2, len(val)) if val[e] >= min(val[:e]))
    assert m.epochs_done == first + 1 < 40 and f"Epoch {first + 1}: early stopping" in capsys.readouterr().out
    # epochs before start_from_epoch are not watched: an increasing loss cannot stop it before then
    late = EarlyStopping("loss", mode="max", patience=1, start_from_epoch=4)
    m = model()
    m.fit(X, y, epochs=10, verbose=0, callbacks=[late])
    assert m.epochs_done == 6  # epoch 4 sets the best, epoch 5 fails to beat it
    assert EarlyStopping(baseline=0.5, start_from_epoch=2).get_config()["start_from_epoch"] == 2


def test_checkpoint_every_n_batches(iris, tmp_path):
    X, y, _, _ = iris
    m = model()
    m.fit(X, y, epochs=2, batch_size=40, verbose=0,  # 3 batches an epoch: saves at batches 2, 4, 6 of the run
          callbacks=[ModelCheckpoint(str(tmp_path / "m-{epoch}-{batch}.h5"), save_freq=2)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1-2.h5", "m-2-1.h5", "m-2-3.h5"]
    with pytest.raises(ValueError, match="save_freq='epoch' or a positive number of batches"):
        ModelCheckpoint("m.h5", save_freq="batch")


def test_backup_and_restore_resumes_a_crashed_fit_bit_for_bit(iris, tmp_path):
    from seqnet.callbacks import BackupAndRestore, Callback

    class Crash(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 3:
                raise KeyboardInterrupt  # the job is killed during epoch 4

    X, y, Xt, yt = iris
    straight = model()
    straight.fit(X, y, epochs=6, validation_data=(Xt, yt), verbose=0,
                 callbacks=[EarlyStopping(patience=10, restore_best_weights=True)])
    crashed = model()
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        crashed.fit(X, y, epochs=6, validation_data=(Xt, yt), verbose=0,
                    callbacks=[EarlyStopping(patience=10, restore_best_weights=True), BackupAndRestore(backup), Crash()])
    assert (backup / "backup.h5").is_file()
    again = model()  # a new process: a fresh model, the same fit call
    history = again.fit(X, y, epochs=6, validation_data=(Xt, yt), verbose=0,
                        callbacks=[EarlyStopping(patience=10, restore_best_weights=True), BackupAndRestore(backup)])
    assert history.epoch == [3, 4, 5] and again.history.epoch == list(range(6))
    for a, b in zip(again.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not (backup / "backup.h5").exists()  # a completed fit deletes its backup


def test_a_csv_log_shows_a_formula_like_name_as_text_and_resumes(tmp_path):
    """A metric name can come from a model file: one that starts like a formula is written as text
    (a leading quote), and read back as the name it is when the log is appended to."""
    from seqnet.callbacks import CSVLogger
    path = tmp_path / "log.csv"
    logger = CSVLogger(str(path))
    logger.set_params({"initial_epoch": 0})
    logger.on_train_begin()
    logger.on_epoch_end(0, {"loss": 0.5, "=HYPERLINK(\"http://x\")": 1.0, "-acc": 0.25})
    header = path.read_text().splitlines()[0].split(",")
    assert header[2:] == ["'=HYPERLINK(\"http://x\")", "'-acc"]
    again = CSVLogger(str(path), append=True)
    again.set_params({"initial_epoch": 1})
    again.on_train_begin()
    again.on_epoch_end(1, {"loss": 0.4, "=HYPERLINK(\"http://x\")": 2.0, "-acc": 0.5})
    assert path.read_text().splitlines()[2].split(",") == ["1", "0.4", "2.0", "0.5"]


def test_auto_mode_follows_each_compiled_metric_s_direction(iris):
    """``mode="auto"``: every registered metric says whether higher is better, and a monitoring
    callback follows it; the loss is minimised; anything else must be given a mode."""
    from seqnet.metrics import F1Score, Precision
    from seqnet.metrics.stateful import metrics as registry
    assert {registry.lookup(name).direction for name in registry.names()} == {"up", "down"}
    X, y, Xt, yt = iris
    Y, Yt = np.eye(3)[y], np.eye(3)[yt]
    m = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    m.compile(SGD(lr=0.05), "cross_entropy", ["accuracy", "mse", "hinge", Precision(name="precision"),
                                        F1Score(average="macro")])
    expected = {"val_loss": np.less, "accuracy": np.greater, "val_mse": np.less, "hinge": np.less,
                "precision": np.greater, "val_f1_score": np.greater}
    for monitor, op in expected.items():
        stop = EarlyStopping(monitor, patience=5)
        m.fit(X, Y, epochs=1, verbose=0, validation_data=(Xt, Yt), callbacks=[stop])
        assert stop.monitor_op is op, monitor
        assert stop.best == m.history.history[monitor][-1]
    with pytest.raises(ValueError, match="pass mode='max' or mode='min'"):
        m.fit(X, Y, epochs=1, verbose=0, callbacks=[EarlyStopping("learning_rate")])
    stop = EarlyStopping("val_loss")
    stop.on_train_begin()
    assert stop.best is None and stop.get_state() == {"wait": 0, "best_epoch": 0}


def test_a_metric_of_each_class_logs_a_list(iris, tmp_path, capsys):
    """An F-score with ``average=None`` logs one value per class: in the history, the epoch line
    and the CSV log (quoted, as Keras writes it)."""
    from seqnet.metrics import F1Score
    X, y, _, _ = iris
    m = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    m.compile(SGD(lr=0.05), "cross_entropy", [F1Score()])
    m.fit(X, np.eye(3)[y], epochs=2, verbose=2, callbacks=[CSVLogger(str(tmp_path / "log.csv"))])
    per_class = m.history.history["f1_score"]
    assert len(per_class) == 2 and all(isinstance(v, list) and len(v) == 3 for v in per_class)
    assert "f1_score: [" in capsys.readouterr().out
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert rows[-1]["f1_score"] == "[" + ", ".join(map(repr, per_class[-1])) + "]"


def test_verbose_lines_go_to_the_logger_when_interactive_logging_is_off(iris, capsys, caplog):
    from seqnet import messages
    X, y, _, _ = iris
    messages.disable_interactive_logging()
    try:
        with caplog.at_level("INFO", logger="seqnet"):
            model().fit(X, y, epochs=2, verbose=2, callbacks=[LearningRateScheduler(lambda epoch: 0.01, verbose=1)])
    finally:
        messages.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.01." in caplog.text
    assert "Epoch 2/2" in caplog.text
