"""Keras's Sequential methods, with Keras's meanings."""
import numpy as np
import pytest

from seqnet import Sequential
from seqnet.layers import BatchNorm, Dense


@pytest.fixture
def model():
    m = Sequential([Dense(4, activation="relu", name="hidden"), BatchNorm(name="bn"),
                    Dense(3, activation="softmax", name="out")], seed=0)
    m.compile("adam", "cross_entropy", ["accuracy"])
    m.build((5,))
    return m


def test_get_layer_by_name_or_index(model):
    assert model.get_layer("bn") is model.layers[1] and model.get_layer(index=-1).name == "out"
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: \['hidden', 'bn', 'out'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="either name= or index="):
        model.get_layer()


def test_pop_keeps_the_layers_before_it(model):
    W = model.layers[0].parameters["W"].copy()
    assert model.pop().name == "out"
    assert [l.name for l in model.layers] == ["hidden", "bn"] and model.output_shape == (None, 4)
    np.testing.assert_array_equal(model.layers[0].parameters["W"], W)
    model.pop(), model.pop()
    assert not model.built
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_weight_lists(model):
    assert len(model.weights) == 2 + 4 + 2 and model.weights[0] is model.layers[0].parameters["W"]
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 4


def test_calling_the_model_and_the_one_batch_methods(model, rng):
    X, y = rng.normal(size=(16, 5)), rng.integers(0, 3, 16)
    np.testing.assert_allclose(model(X), model.predict(X), rtol=1e-6)
    np.testing.assert_array_equal(model.predict_on_batch(X), model.predict(X))
    loss, acc = model.test_on_batch(X, y)
    assert model.test_on_batch(X, y, return_dict=True) == {"loss": loss, "accuracy": acc}
    assert loss == pytest.approx(model.evaluate(X, y, return_dict=True)["loss"])
    before = model.get_weights()
    loss, acc = model.train_on_batch(X, y)
    assert model.optimizer.iterations == 1 and not np.array_equal(model.get_weights()[0], before[0])
    plain = Sequential([Dense(2, activation="softmax")], seed=0)
    plain.compile("sgd", "cross_entropy")
    assert isinstance(plain.train_on_batch(X, y % 2), float)  # no metrics: the loss alone, built on the way


def test_input_or_input_shape_builds_the_model_so_summary_works_before_fit():
    from seqnet.layers import Input
    a = Sequential([Input(shape=(5,)), Dense(4, activation="relu"), Dense(2)], seed=0)
    b = Sequential([Dense(4, activation="relu", input_shape=(5,)), Dense(2)], seed=0)
    for model in (a, b):
        assert model.built and model.output_shape == (None, 2) and model.count_params() == 5 * 4 + 4 + 4 * 2 + 2
        assert "Total params: 34" in model.summary(print_fn=lambda s: None)
    assert [l.name for l in a.layers] == ["dense", "dense_1"]  # the Input is not a layer of the model
    a.add(Dense(3))  # a layer added to a built model is built for its output
    assert a.output_shape == (None, 3)
    with pytest.raises(ValueError, match="positive integers"):
        Input(shape=(0, 3))
    with pytest.raises(ValueError, match="must come first"):
        Sequential([Dense(2), Input(shape=(3,))])


def test_evaluate_returns_what_keras_returns(model, rng):
    X, y = rng.normal(size=(16, 5)), rng.integers(0, 3, 16)
    loss, acc = model.evaluate(X, y)
    assert model.evaluate(X, y, return_dict=True) == {"loss": loss, "accuracy": acc}
    plain = Sequential([Dense(3, activation="softmax")], seed=0)
    plain.compile("sgd", "cross_entropy")
    plain.build((5,))
    assert isinstance(plain.evaluate(X, y), float)  # no metrics: the loss alone


def test_predict_and_evaluate_verbose(model, rng, capsys):
    X, y = rng.normal(size=(16, 5)), rng.integers(0, 3, 16)
    model.evaluate(X, y), model.predict(X)
    assert capsys.readouterr().out == ""  # quiet by default
    loss, acc = model.evaluate(X, y, verbose=1)
    model.predict(X, verbose="auto")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"loss: {loss:.4f} - accuracy: {acc:.4f}" and out[1].startswith("predict: 16 examples in ")
    with pytest.raises(ValueError, match="verbose 0, 1, 2 or 'auto'"):
        model.predict(X, verbose=3)
