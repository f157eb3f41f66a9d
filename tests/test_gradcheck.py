import numpy as np
import pytest

from seqnet import Sequential
from seqnet.gradcheck import check_gradients, numerical_gradient, relative_error
from seqnet.layers import Dense, Dropout
from seqnet.layers.dense import Dense as DenseClass


def test_whole_three_layer_model(rng):
    model = Sequential([Dense(6, activation="tanh"), Dropout(0.3), Dense(5, activation="relu"),
                        Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    model.build((4,))
    X = rng.normal(size=(7, 4))
    errors = check_gradients(model, X, rng.integers(0, 3, 7), max_checks=None)
    assert set(errors) == {"X", "dense/W", "dense/b", "dense_1/W", "dense_1/b", "dense_2/W", "dense_2/b"}
    assert max(errors.values()) < 1e-6, errors
    assert model.layers[0].parameters["W"].dtype == np.float32  # the user's model is untouched


def test_l2_model(rng):
    model = Sequential([Dense(4, activation="sigmoid"), Dense(2)], seed=1)
    model.compile("sgd", "l2")
    assert max(check_gradients(model, rng.normal(size=(5, 3)), rng.normal(size=(5, 2))).values()) < 1e-6


def test_detects_a_wrong_gradient(rng):
    class Broken(DenseClass):
        def _backward(self, dZ):
            dX = super()._backward(dZ)
            self.gradients["W"] *= 1.01
            return dX

    errors = check_gradients(Broken(3), rng.normal(size=(4, 5)))
    assert errors["W"] > 1e-3 and errors["X"] < 1e-6


def test_numerical_gradient_of_a_quadratic():
    x = np.array([1.0, -2.0, 3.0])
    g = numerical_gradient(lambda: float(np.sum(x ** 2)), x)
    assert relative_error(g, 2 * x) < 1e-9
    assert np.array_equal(x, [1.0, -2.0, 3.0])


def test_rejects_unknown_objects():
    with pytest.raises(TypeError):
        check_gradients(object(), np.zeros((2, 2)))
