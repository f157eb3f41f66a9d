"""A model compiled with a learning-rate schedule keeps it, its loss, metrics and epoch count in a
``.keras`` file: Keras reads the schedule as its own, and seqnet reads it back."""
import json
import os
import warnings
import zipfile

import numpy as np
import pytest

import seqnet
from seqnet import schedulers as S
from seqnet.layers import Dense
from seqnet.optimizers import SGD

os.environ.setdefault("KERAS_BACKEND", "torch")
SCHEDULES = [S.Cosine(0.1, decay_steps=20, min_lr=0.01), S.Exponential(0.1, decay=0.5, stage_length=7),
             S.Exponential(0.1, decay=0.5, stage_length=7, staircase=True), S.StepDecay(0.1, drop=0.5, step_size=5),
             S.PiecewiseConstant([5, 10], [0.1, 0.05, 0.01]), S.InverseTime(0.1, 5, 0.5, True),
             S.Polynomial(0.1, 20, 0.001, 2.0, False)]
STEPS = range(0, 40, 3)


def trained(schedule, tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4)), rng.integers(0, 3, 40)
    model = seqnet.Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile(SGD(lr=0.1, momentum=0.9, lr_scheduler=schedule), "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    return model, X, y


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_seqnet_reads_back_the_schedule_the_loss_and_the_epochs(schedule, tmp_path):
    model, X, y = trained(schedule, tmp_path)
    again = seqnet.load_model(tmp_path / "m.keras")
    assert again.epochs_done == 2 and again.optimizer.iterations == model.optimizer.iterations
    assert [again.optimizer.lr_scheduler(t) for t in STEPS] == pytest.approx([schedule(t) for t in STEPS], rel=1e-12)
    assert again.evaluate(X, y) == pytest.approx(model.evaluate(X, y), rel=1e-5)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_keras_reads_the_schedule_as_its_own(schedule, tmp_path):
    keras = pytest.importorskip("keras")
    trained(schedule, tmp_path)
    rate = keras.models.load_model(tmp_path / "m.keras").optimizer._learning_rate
    assert isinstance(rate, keras.optimizers.schedules.LearningRateSchedule)
    assert [float(rate(t)) for t in STEPS] == pytest.approx([schedule(t) for t in STEPS], rel=1e-5)


def test_a_schedule_keras_lacks_keeps_the_rest_of_the_compile_config(tmp_path):
    schedule = S.OneCycle(0.1, total_steps=20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model, X, y = trained(schedule, tmp_path)
    assert any("OneCycle has no Keras counterpart" in str(w.message) for w in caught)
    keras_part = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))["compile_config"]
    assert keras_part["loss"] and keras_part["optimizer"]["config"]["learning_rate"] == pytest.approx(
        schedule(int(model.optimizer.iterations)))  # Keras's part: the rate reached, as a constant
    again = seqnet.load_model(tmp_path / "m.keras")  # seqnet's part: the schedule itself
    assert again.epochs_done == 2 and again.loss is not None and again.metrics == ["accuracy"]
    assert again.optimizer.lr_scheduler.get_config() == schedule.get_config()
    assert again.optimizer.current_lr == model.optimizer.current_lr
    assert again.evaluate(X, y) == pytest.approx(model.evaluate(X, y), rel=1e-5)


def test_a_bad_epoch_count_in_the_metadata_is_one_clear_error(tmp_path):
    trained(S.Cosine(0.1, 20), tmp_path)
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["metadata.json"] = json.dumps({"seqnet": {"epochs_done": -3}}).encode()
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    with pytest.raises(seqnet.ModelFileError, match="epochs_done=-3, not a count"):
        seqnet.load_model(tmp_path / "bad.keras")


def test_per_parameter_rates_are_left_out_of_a_keras_file_with_a_warning(tmp_path):
    model = seqnet.Sequential([Dense(3, activation="softmax", input_shape=(4,))], seed=0)
    model.compile(SGD(lr=0.1, lr_scales={"b": 2.0}), "cross_entropy")
    with pytest.warns(UserWarning, match="per-parameter rates"):
        model.save(tmp_path / "m.keras")
    assert json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json")).get("compile_config") is None
    assert seqnet.load_model(tmp_path / "m.keras").optimizer.lr_scales == {"b": 2.0}  # seqnet's own part keeps them
