"""The TensorBoard callback, read back by TensorBoard's own reader and by a running TensorBoard.

The names are Keras 3's (``keras/src/callbacks/tensorboard.py``): ``train`` and ``validation``
runs, ``epoch_<name>`` by epoch, ``epoch_learning_rate``, ``batch_<name>`` by global batch every
``update_freq`` batches, ``evaluation_<name>_vs_iterations`` by optimizer step, and
``<layer>/<weight>/histogram``. Keras itself needs TensorFlow to write them, so the tests hold
seqnet's files to those names and to the values of the run's history.
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import seqnet
import seqnet.keras as keras
from seqnet.callbacks import TensorBoard
from seqnet.layers import Dense

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

X = np.random.default_rng(0).random((40, 5)).astype(np.float32)
y = np.arange(40) % 3


def read(folder):
    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    events.Reload()
    return events


def scalars(events, tag):
    return [(e.step, e.value) for e in events.Scalars(tag)]


@pytest.mark.parametrize("face", ["seqnet", "keras"])
def test_the_curves_are_the_history_under_keras_s_names(tmp_path, face):
    if face == "seqnet":
        model = seqnet.Sequential([Dense(4, activation="relu"), Dense(3, activation="softmax")], seed=0)
        model.compile("adam", "cross_entropy", metrics=["accuracy"])
    else:
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    board = (TensorBoard if face == "seqnet" else keras.callbacks.TensorBoard)(
        str(tmp_path / "logs"), update_freq=2, histogram_freq=2)
    history = model.fit(X, y, batch_size=8, epochs=3, validation_split=0.25, callbacks=[board], verbose=0).history
    train, validation = read(tmp_path / "logs" / "train"), read(tmp_path / "logs" / "validation")
    assert {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"} <= set(
        train.Tags()["scalars"])
    for name in ("loss", "accuracy"):
        assert [s for s, _ in scalars(train, f"epoch_{name}")] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in scalars(train, f"epoch_{name}")], history[name], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in scalars(validation, f"epoch_{name}")], history[f"val_{name}"],
                                   rtol=1e-6)
    np.testing.assert_allclose([v for _, v in scalars(train, "epoch_learning_rate")], [1e-3] * 3, rtol=1e-6)
    assert [s for s, _ in scalars(train, "batch_loss")] == [2, 4, 6, 8, 10, 12]  # 30 examples: 4 batches an epoch
    assert [s for s, _ in scalars(validation, "evaluation_loss_vs_iterations")] == [4, 8, 12]
    names = [layer.name for layer in model.layers]
    weights = ("kernel", "bias") if face == "keras" else ("W", "b")  # as each face names them
    assert set(train.Tags()["histograms"]) == {f"{n}/{w}/histogram" for n in names for w in weights}
    kernel = train.Histograms(f"{names[0]}/{weights[0]}/histogram")
    assert [h.step for h in kernel] == [0, 2] and kernel[-1].histogram_value.num == 20
    assert kernel[-1].histogram_value.max == pytest.approx(float(model.layers[0].get_weights()[0].max()), rel=1e-6)


def test_its_arguments_are_checked_and_it_round_trips(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(str(tmp_path), update_freq=0)
    with pytest.warns(UserWarning, match="graph"):
        board = TensorBoard(str(tmp_path), write_graph=True)
    assert TensorBoard.from_config(board.get_config()).get_config() == board.get_config()


def test_without_the_package_it_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['tensorboard'] = None\n"
            "from seqnet.callbacks import TensorBoard\n"
            "try:\n    TensorBoard('logs')\nexcept ImportError as err:\n    print(err)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "pip install tensorboard" in run.stdout, run.stderr


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tensorboard_itself_serves_the_curves(tmp_path):
    model = seqnet.Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    history = model.fit(X, y, epochs=2, callbacks=[TensorBoard(str(tmp_path / "logs"))], verbose=0).history
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", str(tmp_path / "logs"),
                               "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/data/plugin/scalars/scalars?run=train&tag=epoch_loss"
    try:
        deadline, points = time.monotonic() + 60, None
        while time.monotonic() < deadline and not points:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    points = json.loads(response.read())
            except (OSError, ValueError):
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert points, "TensorBoard did not serve the run within a minute"
    assert [p[1] for p in points] == [0, 1]
    np.testing.assert_allclose([p[2] for p in points], history["loss"], rtol=1e-6)
