"""Keras 3 files, both ways: Keras 3 (torch backend) writes ``.keras`` and ``.h5`` files that seqnet
reads and predicts with as Keras does; seqnet writes ``.keras`` files that Keras opens with its
defaults and predicts with as seqnet does."""
import os
import warnings

import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError
from seqnet.layers import (ELU, AveragePooling2D, AvgPool2D, BatchNorm, BatchNormalization, Conv2D, Dense, Dropout,
                           Flatten, GlobalAvgPool2D, GlobalMaxPooling2D, Input, LeakyReLU, MaxPool2D, MaxPooling2D,
                           ReLU, Reshape, Softmax, ZeroPadding2D)
from seqnet.layers import Activation as ActivationLayer

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras", exc_type=ImportError)


def close_to_scale(ours, theirs):
    """Max abs difference within 1e-5 of the output scale, the issue's bar for float32."""
    assert ours.shape == theirs.shape
    scale = max(float(np.abs(theirs).max()), 1e-3)
    assert float(np.abs(ours - theirs).max()) <= 1e-5 * scale


def randomize(model, seed=0):
    """Random weights, and BatchNormalization statistics far from their initial (0, 1)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        names = [w.path.rsplit("/", 1)[-1] for w in layer.weights]
        new = []
        for name, w in zip(names, weights):
            if name == "moving_variance":
                new.append(rng.uniform(0.5, 2.0, w.shape).astype("float32"))
            else:
                new.append(rng.normal(0, 0.5, w.shape).astype("float32"))
        layer.set_weights(new)
    return model


def every_layer(keras):
    """A Keras model with every layer seqnet reads, uneven "same" padding and trained-looking BatchNorm."""
    K = keras.layers
    return keras.Sequential([
        keras.Input((10, 9, 3)),
        K.Conv2D(4, 3, padding="same", activation="relu"),
        K.BatchNormalization(),
        K.Conv2D(5, 2, strides=2, padding="same", use_bias=False, activation="tanh"),  # even kernel, uneven pad
        K.MaxPooling2D(padding="same"),
        K.LeakyReLU(),
        K.ZeroPadding2D(((1, 0), (0, 2))),
        K.AveragePooling2D(2, strides=1, padding="same"),
        K.BatchNormalization(center=False, scale=False, epsilon=1e-2),
        K.Activation("sigmoid"),
        K.ReLU(),
        K.Conv2D(6, 1, activation="elu"),
        K.Reshape((5, 4, 6)),
        K.GlobalMaxPooling2D(),
        K.Dense(8, activation="leaky_relu"),
        K.Dropout(0.25),
        K.ELU(0.5),
        K.Reshape((2, 2, 2)),
        K.GlobalAveragePooling2D(),
        K.Dense(5),
        K.Softmax(),
    ])


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_files_predict_what_keras_predicts(keras, tmp_path, suffix, rng):
    model = randomize(every_layer(keras))
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    path = tmp_path / f"m{suffix}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's note that .h5 is its legacy format
        model.save(path)
    X = rng.normal(size=(6, 10, 9, 3)).astype("float32")
    ours = seqnet.load_model(path)
    close_to_scale(ours.predict(X), np.asarray(model.predict(X, verbose=0)))
    assert [type(l).__name__ for l in ours.layers][:3] == ["Conv2D", "BatchNormalization", "Conv2D"]
    assert ours.layers[2].use_bias is False and "b" not in ours.layers[2].parameters
    assert ours.layers[7].learns == ()
    # the compile config carried over: fine-tune in numpy
    assert type(ours.optimizer).__name__ == "SGD" and ours.optimizer.momentum == pytest.approx(0.9)
    assert ours.metrics == ["accuracy"]
    ours.fit(X, np.arange(6) % 5, epochs=1, verbose=0)


def test_keras2_shaped_first_layer_and_the_leaky_relu_function(keras, tmp_path, rng):
    K = keras.layers
    model = randomize(keras.Sequential([keras.Input((6,)), K.Dense(4, activation="leaky_relu"), K.LeakyReLU(),
                                        K.Dense(2, activation="sigmoid")]))
    model.save(tmp_path / "m.keras")
    ours = seqnet.load_model(tmp_path / "m.keras")
    assert ours.layers[0].activation.alpha == 0.2 and ours.layers[1].activation.alpha == 0.3
    X = rng.normal(size=(5, 6)).astype("float32")
    close_to_scale(ours.predict(X), np.asarray(model.predict(X, verbose=0)))
    assert ours.optimizer is None  # never compiled in Keras


def test_a_functional_chain_is_read_and_branches_are_refused(keras, tmp_path, rng):
    K = keras.layers
    inputs = keras.Input((5,))
    hidden = K.Dense(3, activation="relu")(inputs)
    chain = randomize(keras.Model(inputs, K.Dense(2)(hidden)))
    chain.save(tmp_path / "chain.keras")
    X = rng.normal(size=(4, 5)).astype("float32")
    close_to_scale(seqnet.load_model(tmp_path / "chain.keras").predict(X), np.asarray(chain.predict(X, verbose=0)))

    other = keras.Input((5,))
    branch = keras.Model([inputs, other], K.Add()([hidden, K.Dense(3)(other)]))
    branch.save(tmp_path / "branch.keras")
    with pytest.raises(ModelFileError, match=r"branch.keras.*2 inputs"):
        seqnet.load_model(tmp_path / "branch.keras")


def seqnet_every_layer():
    """A seqnet model with every layer and seqnet-only meanings the Keras writer must spell out."""
    return seqnet.Sequential([
        Input((9, 8, 3)),
        Conv2D(4, 3, activation="relu"),                     # pad "same" = (k-1)//2: Keras's "same"
        Conv2D(4, 4, stride=2, pad=1, activation="tanh"),  # even pad: ZeroPadding2D + valid
        BatchNorm(momentum=0.2),
        MaxPool2D(2, stride=1, pad=0),
        AvgPool2D(3, stride=1, pad=1),                         # counts the zeros: ZeroPadding2D + valid
        AveragePooling2D(2, padding="same"),                  # Keras's own meaning
        MaxPooling2D(2, padding="same"),
        ZeroPadding2D(((0, 1), (2, 0))),
        Conv2D(3, 1, activation={"class_name": "leaky_relu", "config": {"alpha": 0.1}}),
        BatchNormalization(scale=False),
        LeakyReLU(0.2), ReLU(), ELU(0.5), ActivationLayer("elu"), Softmax(),
        Reshape((-1, 3, 3)), GlobalMaxPooling2D(),
        Dense(6, activation="elu", use_bias=False), Dropout(0.3), Dense(4, activation="sigmoid"),
        Reshape((2, 1, 2)), GlobalAvgPool2D(), Flatten(), Dense(3, activation="softmax"),
    ], seed=3)


def trained(model, rng):
    model.compile("adam", "cross_entropy", metrics=["accuracy"])
    X = rng.normal(size=(16, *model.input_shape)).astype("float32")
    model.fit(X, np.arange(16) % 3, epochs=2, batch_size=8, verbose=0)
    return model, X


def test_seqnet_writes_keras_files_keras_opens_with_its_defaults(keras, tmp_path, rng):
    model, X = trained(seqnet_every_layer(), rng)
    model.save(tmp_path / "m.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras notes it starts the optimizer's state afresh
        theirs = keras.saving.load_model(tmp_path / "m.keras")
    close_to_scale(np.asarray(theirs.predict(X, verbose=0)), model.predict(X))
    assert type(theirs.optimizer).__name__ == "Adam"
    assert theirs.get_layer("batch_norm").momentum == pytest.approx(0.8)  # torch's 0.2 is Keras's 0.8
    # and seqnet reads back what it wrote
    close_to_scale(seqnet.load_model(tmp_path / "m.keras").predict(X), model.predict(X))


def test_what_keras_cannot_compute_exactly_is_a_clear_error(tmp_path):
    for layer, what in [(Conv2D(2, 3, activation="arctan"), "ArcTan"),
                        (MaxPool2D(3, stride=2, pad=1), "-inf")]:
        model = seqnet.Sequential([Input((8, 8, 1)), layer])
        with pytest.raises(ModelFileError, match=what):
            model.save(tmp_path / "bad.keras")
        assert not (tmp_path / "bad.keras").exists()
    with pytest.raises(ModelFileError, match="built"):
        seqnet.Sequential([Dense(2)]).save(tmp_path / "unbuilt.keras")


def test_other_suffixes_keep_seqnets_own_format(tmp_path):
    model = seqnet.Sequential([Input((3,)), Dense(2)], seed=0)
    for name in ("m.h5", "m.model"):
        model.save(tmp_path / name)
        with open(tmp_path / name, "rb") as f:
            assert f.read(4) == b"\x89HDF"
        assert seqnet.load_model(tmp_path / name).epochs_done == 0
