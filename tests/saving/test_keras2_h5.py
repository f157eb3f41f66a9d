"""Keras 2 / tf.keras ``.h5`` files, written here with h5py in their layout (bytes attributes,
``<layer>/<layer>/kernel:0`` paths, no InputLayer, BatchNormalization's axis as a list), and what
seqnet refuses to read: each refusal names the layer, the argument and the file."""
import copy
import json
import os

import h5py
import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError

os.environ.setdefault("KERAS_BACKEND", "torch")


def conv(name, **extra):
    return {"class_name": "Conv2D", "config": {
        "name": name, "trainable": True, "dtype": "float32", "filters": 3, "kernel_size": [3, 3],
        "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
        "groups": 1, "activation": "relu", "use_bias": True, "kernel_regularizer": None, **extra}}


def keras2_config(old_list_form=False):
    layers = [
        conv("conv2d", batch_input_shape=[None, 6, 5, 2]),
        {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": [3],
                                                        "momentum": 0.99, "epsilon": 0.001, "center": True,
                                                        "scale": True}},
        {"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "alpha": 0.1}},
        {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "pool_size": [2, 2],
                                                  "padding": "valid", "strides": [2, 2],
                                                  "data_format": "channels_last"}},
        {"class_name": "Flatten", "config": {"name": "flatten", "data_format": "channels_last"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 4, "activation": "softmax", "use_bias": True}},
    ]
    config = layers if old_list_form else {"name": "sequential", "layers": layers}
    return {"class_name": "Sequential", "config": config}


def keras2_weights(rng):
    return {"conv2d": [("kernel", rng.normal(size=(3, 3, 2, 3))), ("bias", rng.normal(size=3))],
            "batch_normalization": [("gamma", rng.uniform(0.5, 2, 3)), ("beta", rng.normal(size=3)),
                                    ("moving_mean", rng.normal(size=3)), ("moving_variance", rng.uniform(0.5, 2, 3))],
            "leaky_re_lu": [], "max_pooling2d": [], "flatten": [],
            "dense": [("kernel", rng.normal(size=(18, 4))), ("bias", rng.normal(size=4))]}


def write_keras2(path, config, weights, training_config=None):
    """tf.keras's layout: attributes as bytes, arrays at model_weights/<layer>/<layer>/<name>:0."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode()
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array([n.encode() for n in weights], dtype="S")
        for layer, arrays in weights.items():
            g = group.create_group(layer)
            g.attrs["weight_names"] = np.array([f"{layer}/{n}:0".encode() for n, _ in arrays], dtype="S")
            for n, value in arrays:
                g.create_dataset(f"{layer}/{n}:0", data=np.asarray(value, dtype="float32"))


def keras3_reference(keras, weights):
    """The same network built in Keras 3 with the same arrays: the reference predictions."""
    K = keras.layers
    model = keras.Sequential([keras.Input((6, 5, 2)), K.Conv2D(3, 3, padding="same", activation="relu"),
                              K.BatchNormalization(), K.LeakyReLU(negative_slope=0.1), K.MaxPooling2D(),
                              K.Flatten(), K.Dense(4, activation="softmax")])
    for layer, arrays in zip(model.layers, weights.values()):  # Keras numbers a second model's layers on
        layer.set_weights([np.asarray(v, dtype="float32") for _, v in arrays])
    return model


@pytest.mark.parametrize("old_list_form", [False, True], ids=["config-dict", "config-list"])
def test_keras2_h5_predicts_what_the_same_keras_network_predicts(tmp_path, rng, old_list_form):
    keras = pytest.importorskip("keras", exc_type=ImportError)
    weights = keras2_weights(rng)
    training = {"loss": "categorical_crossentropy", "metrics": ["acc"],
                "optimizer_config": {"class_name": "RMSprop", "config": {"lr": 0.002, "rho": 0.8, "decay": 0.0,
                                                                         "epsilon": 1e-7, "centered": False}}}
    write_keras2(tmp_path / "k2.h5", keras2_config(old_list_form), weights, training)
    ours = seqnet.load_model(tmp_path / "k2.h5")
    X = rng.normal(size=(7, 6, 5, 2)).astype("float32")
    theirs = np.asarray(keras3_reference(keras, weights).predict(X, verbose=0))
    assert np.abs(ours.predict(X) - theirs).max() <= 1e-5 * np.abs(theirs).max()
    assert (type(ours.optimizer).__name__, ours.optimizer.lr, ours.optimizer.alpha) == ("RMSprop", 0.002, 0.8)
    assert ours.metrics == ["acc"] and ours.layers[2].activation.alpha == 0.1


def test_the_order_of_arrays_comes_from_weight_names_not_hdf5(tmp_path, rng):
    weights = keras2_weights(rng)
    write_keras2(tmp_path / "k2.h5", keras2_config(), weights)
    bn = seqnet.load_model(tmp_path / "k2.h5").get_layer("batch_normalization")
    # HDF5 lists beta before gamma; weight_names says gamma first
    np.testing.assert_allclose(bn.parameters["gamma"], weights["batch_normalization"][0][1], rtol=1e-6)
    np.testing.assert_allclose(bn.buffers["running_var"], weights["batch_normalization"][3][1], rtol=1e-6)


def edit(config, index, **changes):
    config = copy.deepcopy(config)
    config["config"]["layers"][index]["config"].update(changes)
    return config


REFUSALS = [  # (what to change in the config, what the message must say)
    (lambda c: edit(c, 0, dilation_rate=[2, 2]), r"'conv2d' \(Conv2D\).*dilation_rate"),
    (lambda c: edit(c, 0, groups=3), r"'conv2d' \(Conv2D\).*groups"),
    (lambda c: edit(c, 0, data_format="channels_first"), r"'conv2d' \(Conv2D\).*data_format"),
    (lambda c: edit(c, 1, renorm=True), r"'batch_normalization' \(BatchNormalization\).*renorm"),
    (lambda c: edit(c, 5, activation="mish"), r"'dense' \(Dense\).*'mish'"),
    (lambda c: {**c, "config": {**c["config"], "layers": c["config"]["layers"][:5] + [
        {"class_name": "Lambda", "config": {"name": "lambda"}}]}}, r"'lambda' \(Lambda\) has no seqnet counterpart"),
    (lambda c: {**c, "config": {**c["config"], "layers": c["config"]["layers"][:4] + [
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 3, "recurrent_dropout": 0.5}}]}},
     r"'lstm' \(LSTM\).*recurrent_dropout=0.5"),
    (lambda c: {"class_name": "Functional", "config": {"layers": [], "input_layers": [["a", 0, 0], ["b", 0, 0]],
                                                       "output_layers": [["c", 0, 0]]}}, "2 inputs"),
]


@pytest.mark.parametrize("change, message", REFUSALS, ids=[m.split("(")[0][:30] for _, m in REFUSALS])
def test_what_seqnet_cannot_compute_exactly_is_refused_naming_layer_and_file(tmp_path, rng, change, message):
    path = tmp_path / "refused.h5"
    write_keras2(path, change(keras2_config()), keras2_weights(rng))
    with pytest.raises(ModelFileError, match=message) as err:
        seqnet.load_model(path)
    assert "refused.h5" in str(err.value)


def test_training_only_settings_warn_and_unknown_optimizers_leave_it_uncompiled(tmp_path, rng):
    config = edit(keras2_config(), 0, kernel_regularizer={"class_name": "L2", "config": {"l2": 0.01}},
                  kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2}},
                  activity_regularizer={"class_name": "L1", "config": {"l1": 0.01}})
    write_keras2(tmp_path / "k.h5", config, keras2_weights(rng),
                 {"loss": "categorical_crossentropy", "optimizer_config": {"class_name": "Nadam", "config": {}}})
    with pytest.warns(UserWarning) as record:
        model = seqnet.load_model(tmp_path / "k.h5")
    text = " ".join(str(w.message) for w in record)
    assert "activity_regularizer" in text and "Nadam" in text and model.optimizer is None
    conv = model.get_layer("conv2d")
    assert conv.regularizers["W"].get_config() == {"l2": 0.01}  # a penalty carries over, and a constraint
    assert conv.constraints["W"].get_config() == {"max_value": 2, "axis": 0}


def test_a_wrongly_shaped_array_names_the_layer(tmp_path, rng):
    weights = keras2_weights(rng)
    weights["dense"][0] = ("kernel", rng.normal(size=(11, 4)))
    write_keras2(tmp_path / "k.h5", keras2_config(), weights)
    with pytest.raises(ModelFileError, match=r"'dense'.*kernel of shape \(11, 4\)"):
        seqnet.load_model(tmp_path / "k.h5")
