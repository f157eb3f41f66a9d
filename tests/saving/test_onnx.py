"""ONNX export: every seqnet layer and activation, checked by onnx's full checker and run by
onnxruntime with seqnet's predictions; the command line's ``seqnet export``."""
import sys

import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError
from seqnet.cli import main
from seqnet.layers import (ELU, AveragePooling2D, AvgPool2D, BatchNorm, BatchNormalization, Conv2D, Dense, Dropout,
                           Flatten, GlobalAvgPool2D, GlobalMaxPooling2D, Input, LeakyReLU, MaxPool2D, MaxPooling2D,
                           ReLU, Reshape, Softmax, ZeroPadding2D)
from seqnet.layers import Activation as ActivationLayer


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def run_onnx(ort, path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": X.astype(np.float32)})[0]


def every_layer():
    return seqnet.Sequential([
        Input((9, 8, 3)),
        Conv2D(4, 3, activation="relu"),
        Conv2D(5, 2, strides=2, padding="same", activation="arctan", use_bias=False),  # uneven Keras padding
        BatchNorm(),
        MaxPool2D(2, stride=1, pad=1),                     # pads with -inf
        AvgPool2D(3, stride=1, pad=1),                     # counts the zeros
        AveragePooling2D(2, padding="same"),               # leaves them out
        MaxPooling2D(2, padding="same"),
        ZeroPadding2D(((1, 0), (0, 2))),
        Conv2D(6, 1, activation="sigmoid"),
        BatchNormalization(center=False),
        LeakyReLU(0.1), ReLU(), ELU(0.5), ActivationLayer("tanh"), Softmax(),
        Flatten(),                                         # NHWC order after convolutions
        Dense(12, activation="elu", use_bias=False), Dropout(0.5),
        Reshape((2, 3, 2)), GlobalMaxPooling2D(), Dense(6, activation={"class_name": "leaky_relu",
                                                                       "config": {"alpha": 0.05}}),
        BatchNorm(), Reshape((1, 2, 3)), GlobalAvgPool2D(), Dense(3, activation="softmax"),
    ], seed=1)


def test_every_layer_exports_and_runs_in_onnxruntime_with_seqnets_predictions(ort, tmp_path, rng):
    import onnx
    model = every_layer()
    model.compile("adam", "cross_entropy")
    X = rng.normal(size=(24, 9, 8, 3)).astype("float32")
    model.fit(X, np.arange(24) % 3, epochs=2, batch_size=8, verbose=0)  # BatchNorm statistics move
    model.export(tmp_path / "m.onnx", format="onnx")
    proto = onnx.load(tmp_path / "m.onnx")
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version >= 13
    assert [i.name for i in proto.graph.input] == ["input"]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [9, 8, 3]
    for n in (1, 5):  # the batch size is free
        ours = model.predict(X[:n])
        np.testing.assert_allclose(run_onnx(ort, tmp_path / "m.onnx", X[:n]), ours, atol=1e-5 * np.abs(ours).max())


def test_a_flat_model_and_flatten_order_after_a_convolution(ort, tmp_path, rng):
    mlp = seqnet.Sequential([Input((5,)), Dense(4, activation="relu"), BatchNorm(), Dense(2)], seed=0)
    mlp.export(tmp_path / "mlp.onnx")
    X = rng.normal(size=(3, 5)).astype("float32")
    np.testing.assert_allclose(run_onnx(ort, tmp_path / "mlp.onnx", X), mlp.predict(X), rtol=1e-5, atol=1e-6)
    # a 4-D output comes back NHWC
    conv = seqnet.Sequential([Input((4, 4, 2)), Conv2D(3, 3)], seed=0)
    conv.export(tmp_path / "conv.onnx")
    X = rng.normal(size=(2, 4, 4, 2)).astype("float32")
    np.testing.assert_allclose(run_onnx(ort, tmp_path / "conv.onnx", X), conv.predict(X), rtol=1e-5, atol=1e-6)


def test_export_without_onnx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx raises ImportError
    model = seqnet.Sequential([Input((3,)), Dense(2)])
    with pytest.raises(ModelFileError, match=r'pip install "seqnet\[onnx\]"'):
        model.export(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_unknown_formats_and_reading_onnx_back_are_clear_errors(tmp_path):
    pytest.importorskip("onnx")
    model = seqnet.Sequential([Input((3,)), Dense(2)])
    with pytest.raises(ValueError, match="format='onnx'"):
        model.export(tmp_path / "m", format="tf_saved_model")
    model.export(tmp_path / "m.onnx")
    with pytest.raises(ModelFileError, match="does not read it back"):
        seqnet.load_model(tmp_path / "m.onnx")


def test_the_command_line_exports_onnx_and_keras(ort, tmp_path, rng, capsys):
    model = seqnet.Sequential([Input((4, 4, 1)), Conv2D(2, 3, activation="relu"), Flatten(), Dense(3)], seed=0)
    model.save(tmp_path / "m.h5")
    assert main(["export", str(tmp_path / "m.h5"), str(tmp_path / "m.onnx")]) == 0
    X = rng.normal(size=(2, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(run_onnx(ort, tmp_path / "m.onnx", X), model.predict(X), rtol=1e-5, atol=1e-6)
    assert main(["export", str(tmp_path / "m.h5"), str(tmp_path / "m.keras")]) == 0
    np.testing.assert_allclose(seqnet.load_model(tmp_path / "m.keras").predict(X), model.predict(X), rtol=1e-6)
    assert main(["export", str(tmp_path / "m.h5"), str(tmp_path / "m.pb")]) == 1
    assert ".onnx" in capsys.readouterr().err
