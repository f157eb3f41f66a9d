"""fit on data that streams: datasets with __len__/__getitem__ (Keras's PyDataset) and generators."""
import numpy as np
import pytest

from seqnet import Sequential
from seqnet.datasets import load_iris, standardize
from seqnet.layers import Dense
from seqnet.optimizers import SGD


class Batches:
    """A PyDataset-like dataset: batch i of the arrays, counting its on_epoch_end calls."""

    def __init__(self, X, y, batch_size, weights=None):
        self.X, self.y, self.batch_size, self.weights, self.ends = X, y, batch_size, weights, 0

    def __len__(self):
        return -(-len(self.X) // self.batch_size)

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return (self.X[s], self.y[s]) if self.weights is None else (self.X[s], self.y[s], self.weights[s])

    def on_epoch_end(self):
        self.ends += 1


@pytest.fixture(scope="module")
def iris():
    (X, y), (Xt, yt) = load_iris()
    X, Xt = standardize(X, Xt)
    return X, y, Xt, yt


def model():
    m = Sequential([Dense(8, activation="relu"), Dense(3, activation="softmax")], seed=0)
    m.compile(SGD(lr=0.05, momentum=0.9), "cross_entropy", ["accuracy"])
    return m


def test_a_dataset_trains_exactly_as_the_same_arrays_do(iris):
    X, y, Xt, yt = iris
    w = np.linspace(0.5, 1.5, len(X))
    arrays, streamed = model(), model()
    h1 = arrays.fit(X, y, batch_size=16, epochs=3, shuffle=False, sample_weight=w, validation_data=(Xt, yt),
                    verbose=0)
    data = Batches(X, y, 16, w)
    h2 = streamed.fit(data, epochs=3, shuffle=False, validation_data=Batches(Xt, yt, 7), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(arrays.get_weights(), streamed.get_weights()))
    assert h2.history["loss"] == h1.history["loss"] and data.ends == 3
    np.testing.assert_allclose(h2.history["val_loss"], h1.history["val_loss"], rtol=1e-6)
    shuffled = model()
    shuffled.fit(Batches(X, y, 16), epochs=2, verbose=0)  # shuffle=True: the batch order from the model's generator
    assert not np.array_equal(shuffled.get_weights()[0], streamed.get_weights()[0])


def test_a_generator_with_steps_per_epoch_and_validation_steps(iris):
    X, y, Xt, yt = iris
    drawn = []

    def forever(X, y, size):
        rng = np.random.default_rng(0)
        while True:
            idx = rng.integers(0, len(X), size)
            drawn.append(len(idx))
            yield X[idx], y[idx]

    m = model()
    history = m.fit(forever(X, y, 20), epochs=4, steps_per_epoch=5, validation_data=forever(Xt, yt, 10),
                    validation_steps=2, verbose=0)
    assert len(drawn) == 4 * 5 + 4 * 2 and len(history.history["val_loss"]) == 4
    assert m.evaluate(Xt, yt, return_dict=True)["accuracy"] > 0.6  # learnt (chance is 1/3)
    once = model()  # without steps_per_epoch a finite iterable is read until it runs out
    once.fit(iter(Batches(X, y, 30)[i] for i in range(4)), epochs=1, verbose=0)
    assert once.optimizer.iterations == 4


def test_what_a_stream_cannot_have_is_refused(iris):
    X, y, _, _ = iris
    with pytest.raises(ValueError, match="y must be None when x is a dataset"):
        model().fit(Batches(X, y, 16), y, verbose=0)
    with pytest.raises(ValueError, match="validation_split needs arrays"):
        model().fit(Batches(X, y, 16), validation_split=0.1, verbose=0)
    with pytest.raises(ValueError, match=r"each batch must be \(x, y\) or \(x, y, sample_weight\)"):
        model().fit(iter([X[:4]]), verbose=0)
    with pytest.raises(ValueError, match="yielded no batches"):
        model().fit(iter([]), verbose=0)
    m = model()
    with pytest.raises(ValueError, match="x batch has 3 features"):
        m.fit(iter([(X[:8], y[:8]), (X[:8, :3], y[:8])]), verbose=0)


def test_predict_and_evaluate_read_a_stream_as_keras_does(iris):
    X, y, _, _ = iris
    m = model()
    m.fit(X, y, verbose=0)
    np.testing.assert_array_equal(m.predict(iter([X[:4], (X[4:10],), (X[10:12], y[10:12])])), m.predict(X[:12]))
    np.testing.assert_array_equal(m.predict(Batches(X, y, 16)), m.predict(X))
    assert m.predict(Batches(X, y, 16), steps=2).shape == (32, 3)
    assert m.evaluate(Batches(X, y, 16), return_dict=True) == pytest.approx(m.evaluate(X, y, return_dict=True))
    with pytest.raises(ValueError, match="y and sample_weight must be None"):
        m.evaluate(Batches(X, y, 16), y)
    with pytest.raises(ValueError, match="yielded no batches"):
        m.predict(iter([]))
