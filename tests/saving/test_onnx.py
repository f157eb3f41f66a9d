"""ONNX export: every registered layer of every face (walked), the sequence layers in each of their
options, every activation, checked by onnx's full checker and run by onnxruntime with seqnet's
predictions; the command line's ``seqnet export``."""
import sys

import numpy as np
import pytest

import seqnet
from seqnet import ModelFileError
from seqnet.cli import main
from seqnet.layers import (ELU, GRU, LSTM, AveragePooling1D, AveragePooling2D, AvgPool2D, BatchNorm,
                           BatchNormalization, Bidirectional, Conv1D, Conv2D, Dense, Dropout, Embedding, Flatten,
                           GlobalAveragePooling1D, GlobalAvgPool2D, GlobalMaxPooling1D, GlobalMaxPooling2D, Input,
                           LayerNormalization, LeakyReLU, MaxPool2D, MaxPooling1D, MaxPooling2D, ReLU, Reshape,
                           SimpleRNN, Softmax, TimeDistributed, ZeroPadding2D)
from seqnet.layers import Activation as ActivationLayer
from tests.saving.round_trip_cases import cases, fit_once, model_for


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def run_onnx(ort, path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": X.astype(np.int64 if X.dtype.kind in "iu" else np.float32)})[0]


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


LAYER_CASES = [case for case in cases() if case.kind == "layer"]


@pytest.mark.parametrize("case", LAYER_CASES, ids=[case.id for case in LAYER_CASES])
def test_every_registered_layer_of_every_face_exports_with_seqnets_predictions(ort, tmp_path, case):
    """By construction: each layer class the registries and the Keras face hold, in its smallest
    model (:mod:`tests.saving.round_trip_cases`), fitted one epoch, runs in onnxruntime."""
    try:
        model, fit = model_for(case, tmp_path)
    except ImportError as err:
        pytest.skip(str(err))
    fit_once(model, fit["X"], fit["y"], 0)
    model.export(tmp_path / "m.onnx")
    X = fit["X"][:5]
    np.testing.assert_allclose(run_onnx(ort, tmp_path / "m.onnx", X), model.predict(X), rtol=1e-4, atol=1e-5)


def sequence_models():
    """Every recurrent kind and option, Bidirectional's merges, Conv1D's paddings and the 1-D poolings."""
    yield "lstm", [Input((7, 3)), LSTM(5, return_sequences=True), LSTM(4, go_backwards=True), Dense(2)]
    yield "gru", [Input((7, 3)), GRU(5, return_sequences=True, go_backwards=True), GRU(4, reset_after=False),
                  Dense(2)]
    yield "simple_rnn", [Input((7, 3)), SimpleRNN(5, activation="relu", return_sequences=True),
                         SimpleRNN(4, use_bias=False), Dense(2)]
    yield "lstm_activations", [Input((7, 3)), LSTM(4, activation="relu", recurrent_activation="tanh",
                                                   use_bias=False)]
    for merge in ("concat", "sum", "mul", "ave"):
        yield f"bidirectional_{merge}", [Input((7, 3)), Bidirectional(GRU(4, return_sequences=True), merge),
                                         Bidirectional(LSTM(3), merge), Dense(2)]
    yield "text_cnn", [Input((9,)), Embedding(20, 4), Conv1D(6, 3, padding="same", activation="relu"),
                       MaxPooling1D(2, padding="same"), Conv1D(5, 2, padding="causal", dilation_rate=2),
                       BatchNorm(), AveragePooling1D(2, strides=1, padding="same"), Conv1D(3, 3, strides=2),
                       GlobalMaxPooling1D()]
    yield "layer_norm", [Input((6, 3)), LSTM(4, return_sequences=True), LayerNormalization(),
                         TimeDistributed(Dense(3, activation="softmax")), GlobalAveragePooling1D(keepdims=True)]
    yield "time_distributed_conv", [Input((3, 5, 5, 2)), TimeDistributed(Conv2D(3, 3, activation="relu")),
                                    Reshape((3, 75)), GRU(4)]


@pytest.mark.parametrize("name,body", list(sequence_models()), ids=[name for name, _ in sequence_models()])
def test_sequence_models_export_with_seqnets_predictions(ort, tmp_path, rng, name, body):
    model = seqnet.Sequential(body, seed=0)
    shape = (4, *model.input_shape)
    X = rng.integers(0, 20, shape) if name == "text_cnn" else rng.normal(size=shape).astype("float32")
    model.export(tmp_path / "m.onnx")
    ours = model.predict(X)
    np.testing.assert_allclose(run_onnx(ort, tmp_path / "m.onnx", X), ours, rtol=1e-4, atol=1e-5)


def test_sequence_exports_that_onnx_cannot_express_are_refused_by_name(tmp_path):
    pytest.importorskip("onnx")
    masked = seqnet.Sequential([Input((5,)), Embedding(9, 3, mask_zero=True), LSTM(2)])
    with pytest.raises(ModelFileError, match="mask_zero=True"):
        masked.export(tmp_path / "m.onnx")
    elu = seqnet.Sequential([Input((5, 2)), GRU(2, activation="elu", name="odd_gru")])
    with pytest.raises(ModelFileError, match="'odd_gru'.*ELU"):
        elu.export(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
