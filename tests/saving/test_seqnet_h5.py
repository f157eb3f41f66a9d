"""h5py checkpoints: round trips, exact resume, atomic writes and bad files."""
import json

import h5py
import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError, Sequential, activations, callbacks, initializers, layers, load_model, losses
from seqnet import metrics, optimizers, schedulers
from seqnet._registry import serialize
from seqnet.callbacks import EarlyStopping, ReduceLROnPlateau
from seqnet.datasets import load_iris, standardize
from seqnet.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from seqnet.optimizers import SGD, Adam
from seqnet.schedulers import Exponential


def a_schedule(epoch, lr):
    return lr * 0.5


REQUIRED = {  # constructor arguments without defaults, by (kind, name)
    ("layer", "dense"): dict(n_out=3), ("layer", "conv2d"): dict(n_out=2, kernel_shape=3),
    ("layer", "pool2d"): dict(kernel_shape=2), ("layer", "activation"): dict(activation="tanh"),
    ("layer", "dropout"): dict(rate=0.2), ("scheduler", "constant"): dict(lr=0.1),
    ("scheduler", "exponential"): dict(lr=0.1), ("scheduler", "step"): dict(lr=0.1),
    ("scheduler", "cosine"): dict(lr=0.1), ("scheduler", "one_cycle"): dict(lr=0.1, total_steps=50),
    ("callback", "model_checkpoint"): dict(filepath="m.h5"),
    ("callback", "csv_logger"): dict(filename="log.csv"),
    ("callback", "learning_rate_scheduler"): dict(schedule=a_schedule),
    ("callback", "backup_and_restore"): dict(backup_dir="backup"), ("layer", "reshape"): dict(target_shape=(2, -1)),
    ("layer", "rescaling"): dict(scale=0.5), ("layer", "random_crop"): dict(height=2, width=3),
    ("layer", "random_translation"): dict(height_factor=0.1, width_factor=0.2),
    ("layer", "random_zoom"): dict(height_factor=0.1),
    ("layer", "embedding"): dict(input_dim=5, output_dim=2), ("layer", "simple_rnn"): dict(units=2),
    ("layer", "lstm"): dict(units=2), ("layer", "gru"): dict(units=2),
    ("layer", "conv1d"): dict(filters=2, kernel_size=3),
    ("layer", "bidirectional"): dict(layer={"class_name": "gru", "config": {"units": 2}}),
    ("layer", "time_distributed"): dict(layer={"class_name": "dense", "config": {"n_out": 2}}),
    ("scheduler", "piecewise_constant"): dict(boundaries=[5], values=[0.1, 0.01]),
    ("scheduler", "inverse_time"): dict(lr=0.1, decay_steps=5, decay_rate=0.5),
    ("scheduler", "polynomial"): dict(lr=0.1, decay_steps=5),
    ("metric", "sensitivity_at_specificity"): dict(specificity=0.5),
    ("metric", "specificity_at_sensitivity"): dict(sensitivity=0.5),
    ("metric", "precision_at_recall"): dict(recall=0.5), ("metric", "recall_at_precision"): dict(precision=0.5),
}
REGISTRIES = [activations.activations, initializers.initializers, losses.losses, optimizers.optimizers,
              schedulers.schedulers, layers.layers, callbacks.callbacks, metrics.stateful.metrics]


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.kind)
def test_every_registered_class_round_trips(registry):
    for name in sorted(registry._classes):
        if name.startswith("test_"):
            continue  # layers registered by other tests
        try:
            obj = registry.lookup(name)(**REQUIRED.get((registry.kind, name), {}))
        except ImportError:  # a class whose optional package is not installed (TensorBoard's)
            continue
        clone = registry.get(json.loads(json.dumps(serialize(obj))))
        assert type(clone) is type(obj), name
        assert clone.get_config() == obj.get_config(), name


def test_a_user_layer_saves_and_loads_by_name(tmp_path):
    @layers.register("scale_by")
    class ScaleBy(layers.Layer):
        def __init__(self, factor=2.0, name=None):
            super().__init__(name=name)
            self.factor = factor

        def _forward(self, X):
            return self.factor * X

        def _backward(self, dZ):
            return self.factor * dZ

        def get_config(self):
            return {"factor": self.factor, **super().get_config()}

    model = Sequential([ScaleBy(3.0), Dense(2)], seed=0)
    model.build((4,))
    model.save(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5")
    assert isinstance(again.layers[0], ScaleBy) and again.layers[0].factor == 3.0
    X = np.ones((2, 4), dtype=np.float32)
    assert np.array_equal(again.predict(X), model.predict(X))


@pytest.fixture(scope="module")
def iris():
    (X, y), _ = load_iris()
    return standardize(X)[0], y


def dense_model(optimizer, dropout=0.0, seed=5):
    layer_list = [Dense(12, activation="relu")] + ([Dropout(dropout)] if dropout else []) + \
                 [Dense(3, activation="softmax")]
    model = Sequential(layer_list, seed=seed)
    model.compile(optimizer=optimizer(), loss="cross_entropy", metrics=["accuracy"])
    return model


RESUME_CASES = {
    "sgd_momentum_exponential": (lambda: SGD(lr=0.05, momentum=0.9, lr_scheduler=Exponential(0.05, 0.9, 7)), 0.0),
    "adam": (lambda: Adam(lr=0.01), 0.0),
    "dropout": (lambda: SGD(lr=0.05, momentum=0.9), 0.3),
}


@pytest.mark.parametrize("case", RESUME_CASES)
def test_resume_is_bit_identical(case, iris, tmp_path):
    X, y = iris
    optimizer, dropout = RESUME_CASES[case]
    straight = dense_model(optimizer, dropout)
    straight.fit(X, y, batch_size=16, epochs=6, validation_split=0.2, verbose=0)

    first = dense_model(optimizer, dropout)
    first.fit(X, y, batch_size=16, epochs=3, validation_split=0.2, verbose=0)
    first.save(tmp_path / "m.h5")
    resumed = load_model(tmp_path / "m.h5")
    assert resumed.epochs_done == 3
    resumed.fit(X, y, batch_size=16, epochs=6, initial_epoch=3, validation_split=0.2, verbose=0)

    assert all(np.array_equal(a, b) for a, b in zip(straight.get_weights(), resumed.get_weights()))
    assert resumed.history.epoch == list(range(6))
    assert resumed.history.history == straight.history.history


def test_callback_state_travels_with_the_model(iris, tmp_path):
    X, y = iris
    stopper = EarlyStopping(monitor="loss", patience=3, restore_best_weights=True)
    plateau = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    model = dense_model(lambda: SGD(lr=0.05))
    model.fit(X, y, epochs=2, verbose=0, callbacks=[stopper, plateau])
    stopper.wait = 2
    model.save(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5")
    s, p = again.callbacks
    assert isinstance(s, EarlyStopping) and s.wait == 2 and s.best == stopper.best and s.patience == 3
    assert all(np.array_equal(a, b) for a, b in zip(s.best_weights, stopper.best_weights))
    assert isinstance(p, ReduceLROnPlateau) and p.best == plateau.best
    again.fit(X, y, epochs=3, initial_epoch=2, verbose=0, callbacks=again.callbacks)
    assert s.wait in (0, 3)  # carried on counting from 2 rather than starting over


def test_predictions_equal_after_reload_for_dense_and_conv(tmp_path):
    rng = np.random.default_rng(0)
    conv = Sequential([Conv2D(4, 3, activation="relu"), BatchNorm(), MaxPool2D(2), Flatten(),
                       Dense(3, activation="softmax")], seed=0)
    conv.compile("adam", "cross_entropy", ["accuracy"])
    Xc = rng.normal(size=(16, 6, 6, 2)).astype(np.float32)
    conv.fit(Xc, rng.integers(0, 3, 16), epochs=2, verbose=0)
    dense = dense_model(lambda: SGD(lr=0.1))
    Xd = rng.normal(size=(10, 4)).astype(np.float32)
    dense.fit(Xd, rng.integers(0, 3, 10), epochs=1, verbose=0)
    for model, X in ((conv, Xc), (dense, Xd)):
        model.save(tmp_path / "x.h5")
        assert np.array_equal(load_model(tmp_path / "x.h5").predict(X), model.predict(X))
        model.save_weights(tmp_path / "w.h5")
        fresh = Sequential.from_config(model.get_config())
        fresh.load_weights(tmp_path / "w.h5")
        assert np.array_equal(fresh.predict(X), model.predict(X))


def test_file_layout_is_keras_like(tmp_path, iris):
    X, y = iris
    model = dense_model(lambda: SGD(lr=0.1, momentum=0.9))
    model.fit(X, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert f.attrs["seqnet_version"] == seqnet.__version__
        assert json.loads(f.attrs["model_config"])["layers"][0]["class_name"] == "dense"
        assert json.loads(f.attrs["training_config"])["optimizer"]["class_name"] == "sgd"
        assert f["model_weights/dense/W"].shape == (4, 12)
        assert f["optimizer_weights/dense/W/momentum"].shape == (4, 12)
        assert f["training_state"].attrs["epochs_done"] == 1


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, iris, monkeypatch):
    X, y = iris
    model = dense_model(lambda: SGD(lr=0.1))
    model.fit(X, y, epochs=1, verbose=0)
    path = tmp_path / "m.h5"
    model.save(path)
    before = path.read_bytes()
    model.fit(X, y, epochs=1, verbose=0)

    def broken(*args, **kwargs):
        raise OSError("simulated: no space left on device")
    monkeypatch.setattr(h5py.Group, "create_dataset", broken)
    with pytest.raises(OSError, match="no space left"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert load_model(path).epochs_done == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.h5"]


def test_bad_files(tmp_path, iris):
    X, y = iris
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        load_model(tmp_path / "missing.h5")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="notes.txt.*not a readable HDF5"):
        load_model(text)
    model = dense_model(lambda: SGD(lr=0.1))
    model.fit(X, y, epochs=1, verbose=0)
    good = tmp_path / "good.h5"
    model.save(good)
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(good.read_bytes()[:3000])
    with pytest.raises(ModelFileError, match="truncated.h5"):
        load_model(truncated)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    with pytest.raises(ModelFileError, match="other.h5.*holds no seqnet model"):
        load_model(other)
    future = tmp_path / "future.h5"
    future.write_bytes(good.read_bytes())
    with h5py.File(future, "a") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(ModelFileError, match="format 99"):
        load_model(future)
    wider = Sequential([Dense(13, activation="relu"), Dense(3, activation="softmax")], seed=0)
    wider.build((4,))
    with pytest.raises(ModelFileError, match=r"good.h5.*dense/W has shape \(4, 12\).*expects \(4, 13\)"):
        wider.load_weights(good)
    deeper = Sequential([Dense(12), Dense(12), Dense(3)], seed=0)
    deeper.build((4,))
    with pytest.raises(ModelFileError, match="layers"):
        deeper.load_weights(good)
    with pytest.raises(ValueError, match="shape"):
        wider.set_weights(model.get_weights())


def test_a_lambda_schedule_does_not_break_loading(iris, tmp_path):
    from seqnet.callbacks import LearningRateScheduler
    X, y = iris
    model = dense_model(lambda: SGD(lr=0.05))
    model.fit(X, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: lr), EarlyStopping("loss")])
    model.save(tmp_path / "m.h5")
    for safe_mode in (True, False):  # a lambda cannot come back, even from a trusted file
        with pytest.warns(RuntimeWarning, match="schedule.*<lambda>.*saved by reference"):
            again = load_model(tmp_path / "m.h5", safe_mode=safe_mode)
        assert [type(cb).__name__ for cb in again.callbacks] == ["LearningRateScheduler", "EarlyStopping"]
        assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), model.get_weights()))
        with pytest.raises(ValueError, match="schedule.*not restored.*custom_objects"):
            again.fit(X, y, epochs=2, initial_epoch=1, verbose=0, callbacks=again.callbacks)


def test_the_model_state_round_trips_through_set_state(iris):
    X, y = iris
    model = dense_model(lambda: Adam(lr=0.01))
    model.fit(X, y, epochs=2, verbose=0)
    state = model.get_state()
    assert list(state["weights"]) == ["dense", "dense_1"] and list(state["weights"]["dense"]) == ["W", "b"]
    assert state["optimizer"] is model.optimizer and state["epochs_done"] == 2
    assert {k for k in model.optimizer.get_state() if k != "iterations"} == {
        f"{layer}/{p}/{slot}" for layer in ("dense", "dense_1") for p in ("W", "b") for slot in ("m", "v")}
    twin = dense_model(lambda: Adam(lr=0.01), seed=99)
    twin.build((4,))
    twin.set_state(state)
    assert all(np.array_equal(a, b) for a, b in zip(twin.get_weights(), model.get_weights()))
    assert twin.epochs_done == 2 and twin.rng.bit_generator.state == model.rng.bit_generator.state
    with pytest.raises(ValueError, match=r"dense/W has shape \(4, 12\).*expects \(4, 13\)"):
        wider = Sequential([Dense(13), Dense(3)], seed=0)
        wider.build((4,))
        wider.set_state({"weights": state["weights"]})


@callbacks.callbacks.register("test_counts_batches")
class CountsBatches(callbacks.Callback):
    """A new stateful callback with array state: saving needs no change for it."""

    def __init__(self, scale=1.0):
        self.scale = scale
        self.counts = np.zeros(3)
        self.seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self.counts[batch % 3] += self.scale
        self.seen += 1

    def get_config(self):
        return {"scale": self.scale}

    state_kinds = {"counts": "array", "seen": "count"}  # what a file may restore, and nothing else

    def get_state(self):
        return {"counts": self.counts, "seen": self.seen}


def test_a_new_stateful_callback_saves_and_resumes_with_no_change_in_saving(iris, tmp_path):
    X, y = iris
    model = dense_model(lambda: SGD(lr=0.05))
    model.fit(X, y, epochs=1, batch_size=32, verbose=0, callbacks=[CountsBatches(2.0)])
    model.save(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5")
    (cb,) = again.callbacks
    assert isinstance(cb, CountsBatches) and cb.scale == 2.0 and cb.seen == 4
    np.testing.assert_array_equal(cb.counts, model.callbacks[0].counts)


def test_a_killed_saves_temporary_file_is_cleaned_on_the_next_save(tmp_path):
    import os
    import subprocess
    import sys
    model = Sequential([Dense(2)], seed=0)
    model.build((3,))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".m.h5.{dead}.k3x9q2za.tmp"  # what a SIGKILL during model.save leaves behind
    stale.write_bytes(b"half a file")
    live = tmp_path / f".m.h5.{os.getppid()}.k3x9q2za.tmp"  # another process writing m.h5 right now
    live.write_bytes(b"")
    other = tmp_path / f".other.h5.{dead}.k3x9q2za.tmp"  # another target's: not ours to remove
    other.write_bytes(b"")
    model.save(tmp_path / "m.h5")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, live.name, "m.h5"])


FULL_DISK = """
import resource, signal, sys
import seqnet
from seqnet.layers import Dense
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
model = seqnet.Sequential([Dense(300), Dense(3)], seed=0)
model.build((400,))
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
try:
    model.save(sys.argv[1])
except OSError as err:
    print(err)
"""


def test_a_full_disk_says_which_file_and_why_and_keeps_the_old_one(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "m.h5"
    small = Sequential([Dense(2)], seed=0)
    small.build((3,))
    small.save(path)
    before = path.read_bytes()
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"could not write '{path}': the disk is full or the file grew too large" in out.stdout
    assert "the previous file, if any, is intact" in out.stdout and "Traceback" not in out.stderr
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.h5"]


def test_saving_to_no_file_name_says_so(tmp_path):
    model = Sequential([Dense(2)], seed=0)
    model.build((3,))
    with pytest.raises(ValueError, match=r"expected the path of a file to write, received ''"):
        model.save("")
    with pytest.raises(ValueError, match="an existing folder"):
        model.save(tmp_path)
