"""The Lightning mirror of the sequence layers: to_torch and to_seqnet exact in float64, one
training step with the same gradients, and the sequence architecture in the trainer's command."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", exc_type=ImportError)
pytest.importorskip("pytorch_lightning", exc_type=ImportError)

from torch import nn  # noqa: E402

import seqnet  # noqa: E402
from lightning_models import to_seqnet, to_torch  # noqa: E402
from lightning_models.bridge import copy_to_seqnet  # noqa: E402
from seqnet.architectures import fashion_lstm  # noqa: E402
from seqnet.layers import (GRU, LSTM, AveragePooling1D, Bidirectional, Conv1D, Dense, Embedding,  # noqa
                           GlobalAveragePooling1D, GlobalMaxPooling1D, Input, LayerNormalization, MaxPooling1D,
                           SimpleRNN, TimeDistributed)

MODELS = {
    "lstm": lambda: [Input((6, 3)), LSTM(5, return_sequences=True), LSTM(4, go_backwards=True), Dense(3)],
    "gru": lambda: [Input((6, 3)), GRU(5, return_sequences=True, go_backwards=True), GRU(4), Dense(3)],
    "simple_rnn": lambda: [Input((6, 3)), SimpleRNN(5, activation="relu", return_sequences=True),
                           SimpleRNN(4, use_bias=False), Dense(3, activation="softmax")],
    "bidirectional": lambda: [Input((6, 3)), Bidirectional(GRU(4, return_sequences=True), "ave"),
                              Bidirectional(LSTM(3, return_sequences=True), "mul"),
                              Bidirectional(SimpleRNN(3), "concat"), Dense(2)],
    "text_cnn": lambda: [Input((9,)), Embedding(20, 4), Conv1D(6, 3, padding="same", activation="relu"),
                         MaxPooling1D(2, padding="same"), Conv1D(5, 2, padding="causal", dilation_rate=2,
                                                                 activation="tanh"),
                         AveragePooling1D(2, strides=1, padding="same"), Conv1D(3, 3, strides=2),
                         GlobalMaxPooling1D(), Dense(2)],
    "layer_norm": lambda: [Input((6, 3)), LSTM(4, return_sequences=True), LayerNormalization(),
                           TimeDistributed(Dense(3, activation="softmax")), GlobalAveragePooling1D(), Dense(2)],
    "fashion_lstm": lambda: fashion_lstm(units=8, seed=0).layers,
}


def inputs(model, rng, n=4):
    shape = (n, *model.input_shape)
    return rng.integers(0, 20, shape) if isinstance(model.layers[0], Embedding) else rng.normal(size=shape)


def torch_forward(module, X):
    x = torch.from_numpy(X.transpose(0, 3, 1, 2).copy() if X.ndim == 4 else X)
    return module(x if X.dtype.kind in "iu" else x.double())


def randomize(model, rng):
    model.set_weights([rng.normal(scale=0.5, size=w.shape) for w in model.get_weights()])


@pytest.mark.parametrize("name", MODELS)
def test_the_bridge_is_exact_both_ways_in_float64(name, rng):
    model = seqnet.Sequential(MODELS[name](), seed=0, dtype="float64")
    if name == "fashion_lstm":
        model.build((28, 28, 1))
    randomize(model, rng)
    X = inputs(model, rng)
    module = to_torch(model).eval()
    with torch.no_grad():
        np.testing.assert_allclose(torch_forward(module, X).numpy(), model.predict(X), rtol=1e-10, atol=1e-12)
        for p in module.parameters():  # train in torch (here: move every weight), then bring them back
            if p.requires_grad:
                p.add_(torch.from_numpy(rng.normal(scale=0.1, size=tuple(p.shape))))
        moved = torch_forward(module, X).numpy()
    back = to_seqnet(module, model.input_shape, dtype="float64")
    assert [type(a) for a in back.layers] == [type(a) for a in model.layers]
    np.testing.assert_allclose(back.predict(X), moved, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(copy_to_seqnet(module, model).predict(X), moved, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["lstm", "gru", "bidirectional", "text_cnn"])
def test_one_training_step_gives_the_same_gradients(name, rng):
    model = seqnet.Sequential(MODELS[name](), seed=0, dtype="float64")
    randomize(model, rng)
    X = inputs(model, rng)
    model.compile("sgd", "mse")
    module = to_torch(model)
    Y = torch_forward(module, X)
    target = rng.normal(size=Y.shape)
    ((Y - torch.from_numpy(target)) ** 2).mean().backward()
    model.train_on_batch(X, target)  # seqnet's gradients, then one SGD step
    torch_grads = to_seqnet(nn.Sequential(*[_with_grads_as_weights(m) for m in module]), model.input_shape,
                            dtype="float64").get_weights()
    ours = [g for layer in model.layers for g in layer.gradients.values()]
    for theirs, mine in zip(torch_grads, ours):
        np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-12)


def _with_grads_as_weights(module):
    """A copy of ``module`` whose weights are its gradients (zero where torch has none)."""
    import copy
    twin = copy.deepcopy(module)
    with torch.no_grad():
        for p, q in zip(module.parameters(), twin.parameters()):
            q.copy_(p.grad if p.grad is not None else torch.zeros_like(p))
    return twin


def test_settings_without_a_torch_counterpart_are_named():
    for layer, message in ((Embedding(9, 3, mask_zero=True), "mask_zero=True"),
                           (GRU(3, reset_after=False, name="old_gru"), "'old_gru'"),
                           (LSTM(3, activation="relu", name="relu_lstm"), "'relu_lstm'")):
        model = seqnet.Sequential([Input((5,) if isinstance(layer, Embedding) else (5, 2)), layer])
        with pytest.raises(ValueError, match=message):
            to_torch(model)
