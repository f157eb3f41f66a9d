"""The training loop's guarantees: nothing lost on a bad step, nothing built on a rejected fit,
and argument errors that say what to change."""
import warnings

import numpy as np
import pytest

from seqnet import Sequential, load_model
from seqnet.callbacks import Callback, EarlyStopping, ModelCheckpoint
from seqnet.datasets import load_iris, standardize
from seqnet.layers import Dense, Layer, register
from seqnet.optimizers import Adam
from seqnet.checks import InputRangeWarning


@pytest.fixture(scope="module")
def iris():
    (X, y), _ = load_iris()
    return standardize(X)[0], y


@register("test_poison")
class Poison(Layer):
    """The identity, except that its output is NaN on forward pass number ``at`` (from 1)."""

    def __init__(self, at=0, name=None):
        super().__init__(name=name)
        self.at, self.calls = at, 0

    def compute_output_shape(self, input_shape):
        return input_shape

    def _forward(self, X):
        self.calls += 1
        return X * np.nan if self.calls == self.at else X

    def get_config(self):
        return {"at": self.at, **super().get_config()}


class Record(Callback):
    """Keeps copies of what a bad step must not change, as they were after each batch."""

    def __init__(self):
        self.after_batch, self.ended = [], False

    def on_train_batch_end(self, batch, logs=None):
        m = self.model
        self.after_batch.append((m.get_weights(), {k: v.copy() for k, v in m.optimizer.get_state().items()
                                                   if k != "iterations"}, m.rng.bit_generator.state))

    def on_train_end(self, logs=None):
        self.ended = True


def poisoned_model(at):
    model = Sequential([Dense(8, activation="relu"), Poison(at), Dense(3, activation="softmax")], seed=0)
    model.compile(Adam(lr=0.01), "cross_entropy", ["accuracy"])
    return model


def test_a_nan_batch_leaves_the_model_as_it_was_and_runs_the_end_hooks(iris, tmp_path):
    X, y = iris
    model, record = poisoned_model(at=7), Record()  # 4 batches an epoch: epoch 2, batch 3
    stopper = EarlyStopping("loss", restore_best_weights=True, patience=5)
    with pytest.raises(FloatingPointError, match=r"the loss became non-finite at epoch 2, batch 3.*not applied"):
        model.fit(X, y, batch_size=32, epochs=3, verbose=0, callbacks=[record, stopper])
    assert record.ended  # on_train_end ran: EarlyStopping put back the best epoch's weights
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), stopper.best_weights))
    weights, slots, rng_state = record.after_batch[-1]  # the last good batch (epoch 2, batch 2)
    assert model.optimizer.iterations == 6 and model.rng.bit_generator.state == rng_state
    assert all(np.array_equal(v, slots[k]) for k, v in model.optimizer.get_state().items() if k != "iterations")
    model.save(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5")
    again.fit(X, y, epochs=1, verbose=0)  # loadable, and trains on (the poison fired long ago)
    assert all(np.isfinite(w).all() for w in again.get_weights())


def test_a_non_finite_gradient_is_named_and_not_applied(iris):
    X, y = iris

    class Exploding(Dense):
        def _backward(self, dZ):
            dX = super()._backward(dZ)
            self.gradients["W"][0, 0] = np.inf
            return dX

    model = Sequential([Exploding(4, activation="relu", name="boom"), Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    model.build((4,))
    before = model.get_weights()
    with pytest.raises(FloatingPointError, match=r"the gradient of boom/W became non-finite at epoch 1, batch 1"):
        model.fit(X, y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))


def test_batchnorm_statistics_survive_a_bad_step(iris):
    from seqnet.layers import BatchNorm
    X, y = iris
    model = Sequential([Dense(6), BatchNorm(), Poison(at=2), Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    record = Record()
    with pytest.raises(FloatingPointError):
        model.fit(X, y, batch_size=40, verbose=0, callbacks=[record])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), record.after_batch[-1][0]))


def test_a_rejected_fit_builds_nothing(iris):
    X, y = iris
    model = Sequential([Dense(5, activation="relu"), Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    with pytest.raises(ValueError, match="different lengths"):
        model.fit(X.T, y, verbose=0)
    assert not model.built
    with pytest.raises(ValueError, match="validation y"):
        model.fit(X, y, validation_data=(X[:5], y[:4]), verbose=0)
    assert not model.built
    model.fit(X, y, verbose=0)  # the right call still works
    assert model.input_shape == (4,)


@pytest.mark.parametrize("kwargs, message", [
    (dict(validation_data=(np.zeros((3, 4)),)), r"expected validation_data=\(X_val, y_val\) or .*received a tuple of 1"),
    (dict(validation_data=(np.zeros((3, 5)), [0, 1, 2])), r"validation X has .*5"),
    (dict(validation_data=(np.zeros((3, 4)), [0, 1])), "X and validation y have different lengths: 3 and 2"),
    (dict(initial_epoch=1.5), r"non-negative integer initial_epoch, received initial_epoch=1\.5"),
    (dict(validation_split="0.2"), r"validation_split to be a number in \[0, 1\), received validation_split='0.2'"),
    (dict(batch_size=2.5), r"positive integer batch_size, received batch_size=2\.5"),
])
def test_fit_arguments_are_checked_with_what_to_change(iris, kwargs, message):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(X, y, verbose=0, **kwargs)


def test_fit_names_none_and_ragged_data(iris):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    with pytest.raises(TypeError, match="y is None"):
        model.fit(X, None, verbose=0)
    with pytest.raises(ValueError, match="X is ragged"):
        model.fit([[1.0, 2.0], [3.0]], [0, 1], verbose=0)


@pytest.mark.parametrize("method", ["predict", "evaluate"])
@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_predict_and_evaluate_check_batch_size(iris, method, batch_size):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    model.build((4,))
    args = (X,) if method == "predict" else (X, y)
    with pytest.raises(ValueError, match=rf"{method}: expected a positive integer batch_size, received"):
        getattr(model, method)(*args, batch_size=batch_size)
    assert getattr(model, method)(*args, batch_size=None) is not None  # None: the default, 256


def test_a_checkpoint_name_with_an_unlogged_key_fails_at_the_start(iris, tmp_path):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    with pytest.raises(ValueError, match=r"names val_loss, which this fit does not log; it logs epoch, loss, "
                                         r"accuracy$"):
        model.fit(X, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "m-{val_loss:.2f}.h5"))])
    assert model.epochs_done == 0
    model.fit(X, y, epochs=1, verbose=0, validation_split=0.2,
              callbacks=[ModelCheckpoint(str(tmp_path / "m-{epoch}-{val_loss:.2f}.h5"))])
    assert len(list(tmp_path.glob("m-1-*.h5"))) == 1


def test_inputs_far_outside_the_training_range_warn(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 6)), rng.integers(0, 2, 60)  # trained on [0, 1]
    model = Sequential([Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    model.fit(X, y, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.evaluate(X[:10], y[:10])  # in range: quiet
    model.save(tmp_path / "m.h5")
    again = load_model(tmp_path / "m.h5")
    assert again.input_range == pytest.approx([X.min(), X.max()])
    with pytest.warns(InputRangeWarning, match=r"far outside the range .* divide raw pixels by 255"):
        again.evaluate(X * 255, y)
    with pytest.warns(InputRangeWarning):
        again.predict(X * 255)


def separable(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_crossentropy"])
def test_one_sigmoid_output_learns_a_binary_problem(loss):
    X, y = separable()
    model = Sequential([Dense(1, activation="sigmoid")], seed=0)
    model.compile(Adam(lr=0.05), loss, ["accuracy"])
    model.fit(X, y, epochs=30, verbose=0)
    result = model.evaluate(X, y, return_dict=True)
    assert result["accuracy"] > 0.95 and result["loss"] < 0.3  # not the base rate, not a tiny fake loss


def test_cross_entropy_after_a_linear_output_is_refused_unless_from_logits():
    from seqnet.losses import CrossEntropy
    X, y = separable()
    model = Sequential([Dense(2)], seed=0)
    with pytest.raises(ValueError, match=r"expects probabilities, but the last layer 'dense' outputs 'linear' "
                                         r"values: end the model in activation='softmax'.*from_logits=True"):
        model.compile("adam", "cross_entropy")
    assert model.loss is None  # a refused compile leaves nothing half set
    model.compile(Adam(lr=0.05), CrossEntropy(from_logits=True), ["accuracy"])
    model.fit(X, y, epochs=30, verbose=0)
    assert model.evaluate(X, y, return_dict=True)["accuracy"] > 0.95
    several = Sequential([Dense(3, activation="sigmoid")], seed=0)
    several.compile("adam", "cross_entropy")
    with pytest.raises(ValueError, match="3 sigmoid outputs: use 'binary_crossentropy'"):
        several.fit(X, np.eye(3)[y], verbose=0)
    assert not several.built  # refused before anything was built


def test_trained_layers_reused_in_a_new_model_keep_their_weights():
    X, y = separable()
    base = Sequential([Dense(4, activation="relu"), Dense(2, activation="softmax")], seed=0)
    base.compile("adam", "cross_entropy")
    base.fit(X, y, epochs=2, verbose=0)
    trained = base.layers[0].parameters["W"].copy()
    head = Sequential([base.layers[0], Dense(3, activation="softmax")], seed=5)
    head.build((2,))
    np.testing.assert_array_equal(head.layers[0].parameters["W"], trained)
    with pytest.raises(ValueError, match=r"was built for inputs of shape \(None, 2\), but here it receives "
                                         r"\(None, 7\)"):
        Sequential([base.layers[0]]).build((7,))


def test_count_params_counts_every_weight_as_the_summary_and_keras_do():
    from seqnet.layers import BatchNorm
    model = Sequential([Dense(4), BatchNorm(), Dense(2)], seed=0)
    model.build((3,))
    assert model.count_params() == (3 * 4 + 4) + 4 * 4 + (4 * 2 + 2)  # BatchNorm: gamma, beta and 2 statistics
    assert f"Total params: {model.count_params()}" in model.summary(print_fn=lambda s: None)
    assert "Trainable params: 34" in model.summary(print_fn=lambda s: None)


def test_accuracy_under_binary_crossentropy_is_per_output():
    model = Sequential([Dense(2, activation="sigmoid")], seed=0)
    model.compile("sgd", "binary_crossentropy", ["accuracy"])
    model.build((3,))
    from seqnet.tracking import metric_values
    Y, Y_hat = np.array([[1.0, 0.0], [1.0, 1.0]]), np.array([[0.9, 0.8], [0.7, 0.6]])
    assert metric_values(model, Y, Y_hat) == {"accuracy": 0.75}


def test_every_fit_returns_a_history_of_its_own_epochs_while_the_model_keeps_the_run(iris):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    first = model.fit(X, y, epochs=3, verbose=0)
    second = model.fit(X, y, epochs=5, initial_epoch=3, verbose=0)
    assert first.epoch == [0, 1, 2] and second.epoch == [3, 4]  # the first History is untouched
    assert model.history.epoch == [0, 1, 2, 3, 4]
    assert model.history.history["loss"] == first.history["loss"] + second.history["loss"]


def test_validation_split_holds_out_the_last_examples_before_shuffling():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20) % 2
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(logs["val_loss"])

    model = Sequential([Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    model.fit(X, y, epochs=1, validation_split=0.25, verbose=0, callbacks=[Spy()])
    assert seen[0] == pytest.approx(model.evaluate(X[15:], y[15:]))  # the last 5 of 20



def test_sample_weights_scale_each_examples_loss_and_gradient_as_keras_does(iris):
    from seqnet.optimizers import SGD
    X, y = iris
    X, y = X[:40].astype(np.float64), y[:40]

    def trained(weights=None, lr=0.1, data=(X, y), **kw):
        model = Sequential([Dense(3, activation="softmax")], seed=0, dtype="float64")
        model.compile(SGD(lr=lr), "cross_entropy", ["accuracy"], weighted_metrics=["accuracy"])
        history = model.fit(*data, batch_size=len(data[0]), epochs=3, shuffle=False, verbose=0,
                            sample_weight=weights, **kw)
        return model, history

    doubled, h2 = trained(np.full(40, 2.0))
    faster, h1 = trained(lr=0.2)  # twice every gradient is twice the step: the same bits
    assert all(np.array_equal(a, b) for a, b in zip(doubled.get_weights(), faster.get_weights()))
    half = np.r_[np.ones(20), np.zeros(20)]  # weight 0: the example does not count
    kept, _ = trained(half)
    alone, _ = trained(lr=0.05, data=(X[:20], y[:20]))  # sum over 40 examples / 40 = half the mean over 20
    for a, b in zip(kept.get_weights(), alone.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    by_class, _ = trained(class_weight={0: 2.0, 1: 0.5, 2: 1.0})
    by_sample, _ = trained(np.array([{0: 2.0, 1: 0.5, 2: 1.0}[int(c)] for c in y]))
    assert all(np.array_equal(a, b) for a, b in zip(by_class.get_weights(), by_sample.get_weights()))
    P = kept.predict(X)
    loss = -np.log(P[np.arange(40), y])
    # as in Keras: plain metrics ignore the weights, weighted_metrics use them
    assert kept.evaluate(X, y, sample_weight=half, return_dict=True) == pytest.approx(
        {"loss": float(np.sum(loss * half) / 40), "accuracy": float(np.mean(P.argmax(1) == y)),
         "weighted_accuracy": float(np.mean((P.argmax(1) == y)[:20]))})


def test_validation_data_with_sample_weights_and_weight_errors(iris):
    X, y = iris
    w = np.linspace(0.0, 2.0, len(X))
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    history = model.fit(X, y, epochs=1, verbose=0, validation_data=(X, y, w))
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(X, y, sample_weight=w)[0])
    for kwargs, message in [(dict(sample_weight=w[:-1]), r"one weight per example, shape \(120,\)"),
                            (dict(sample_weight=-w), "non-negative"),
                            (dict(class_weight={0: 1.0, 1: 1.0}), r"no weight for classes \[2\]")]:
        with pytest.raises(ValueError, match=message):
            model.fit(X, y, verbose=0, **kwargs)


def test_validation_freq_validates_every_nth_or_the_listed_epochs(iris):
    X, y = iris
    model = Sequential([Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    seen = []
    spy = Callback()
    spy.on_epoch_end = lambda epoch, logs=None: seen.append("val_loss" in logs)
    model.fit(X, y, epochs=6, validation_split=0.2, validation_freq=2, verbose=0, callbacks=[spy])
    model.fit(X, y, epochs=4, validation_split=0.2, validation_freq=[1, 4], verbose=0, callbacks=[spy])
    assert seen == [False, True, False, True, False, True] + [True, False, False, True]
    with pytest.raises(ValueError, match="validation_freq to be a positive integer or a list"):
        model.fit(X, y, validation_split=0.2, validation_freq=0, verbose=0)
