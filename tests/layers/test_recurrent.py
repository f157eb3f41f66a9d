"""SimpleRNN, LSTM, GRU and Embedding against PyTorch in float64, with masks and go_backwards, and
by gradient checks; GRU's reset_after=False (which PyTorch lacks) against its formula."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqnet.gradcheck import check_gradients  # noqa: E402
from seqnet.layers import GRU, LSTM, Embedding, SimpleRNN  # noqa: E402

TORCH = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
LAYERS = {"simple_rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


def torch_twin(layer):
    """The torch module computing ``layer`` (float64): Keras's gate order mapped to PyTorch's."""
    u, d = layer.units, layer.n_in
    net = TORCH[layer.kind](d, u, batch_first=True).double()
    W, U = layer.parameters["W"], layer.parameters["U"]
    b = layer.parameters["b"]
    b_in, b_rec = (b[0], b[1]) if b.ndim == 2 else (b, np.zeros_like(b))
    order = np.arange(W.shape[1])
    if layer.kind == "gru":  # Keras z, r, h; PyTorch r, z, n
        order = np.concatenate([np.arange(u, 2 * u), np.arange(u), np.arange(2 * u, 3 * u)])
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(W[:, order].T.copy()))
        net.weight_hh_l0.copy_(torch.from_numpy(U[:, order].T.copy()))
        net.bias_ih_l0.copy_(torch.from_numpy(b_in[order].copy()))
        net.bias_hh_l0.copy_(torch.from_numpy(b_rec[order].copy()))
    return net


def torch_outputs(net, X, mask, go_backwards):
    """Every step's output by PyTorch, with Keras's masking: each sequence runs over its unmasked
    steps alone, and a masked step repeats the output before it (zeros before the first)."""
    X = torch.from_numpy(X).requires_grad_()
    steps = list(range(X.shape[1]))[::-1] if go_backwards else list(range(X.shape[1]))
    rows = []
    for i in range(X.shape[0]):
        keep = [t for t in steps if mask is None or mask[i, t]]
        out = net(X[i:i + 1, keep])[0][0] if keep else None
        row, last, k = [], torch.zeros(net.hidden_size, dtype=torch.float64), 0
        for t in steps:
            if mask is None or mask[i, t]:
                last, k = out[k], k + 1
            row.append(last)
        rows.append(torch.stack(row))
    return X, torch.stack(rows)


def random_layer(kind, units, d, rng, **kwargs):
    layer = LAYERS[kind](units, **kwargs)
    layer.build((5, d), rng=rng, dtype=np.float64)
    for p in layer.parameters.values():  # away from the defaults' zeros and symmetries
        p[...] = rng.normal(scale=0.5, size=p.shape)
    return layer


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("masked", [False, True], ids=["", "masked"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["", "backwards"])
@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
def test_recurrent_layers_match_pytorch(kind, masked, go_backwards, return_sequences, rng):
    n, T, d, u = 4, 5, 3, 6
    layer = random_layer(kind, u, d, rng, go_backwards=go_backwards, return_sequences=return_sequences)
    X = rng.normal(size=(n, T, d))
    mask = None
    if masked:
        mask = rng.random((n, T)) < 0.7
        mask[0], mask[1, :3] = True, False  # a whole sequence, and padding before the steps
    layer.input_mask = mask
    Y = layer.forward(X)
    Xt, H = torch_outputs(torch_twin(layer), X, mask, go_backwards)
    want = H if return_sequences else H[:, -1]
    np.testing.assert_allclose(Y, want.detach().numpy(), atol=1e-10)
    dY = rng.normal(size=Y.shape)
    (want * torch.from_numpy(dY)).sum().backward()
    dX = layer.backward(dY)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), atol=1e-10)
    twin = torch_twin(layer)  # parameters' gradients: through the same graph once more
    _, H = torch_outputs(twin, X, mask, go_backwards)
    ((H if return_sequences else H[:, -1]) * torch.from_numpy(dY)).sum().backward()
    order = np.arange(layer.gates * u)
    if kind == "gru":
        order = np.concatenate([np.arange(u, 2 * u), np.arange(u), np.arange(2 * u, 3 * u)])
    back = np.argsort(order)
    np.testing.assert_allclose(layer.gradients["W"], twin.weight_ih_l0.grad.numpy().T[:, back], atol=1e-10)
    np.testing.assert_allclose(layer.gradients["U"], twin.weight_hh_l0.grad.numpy().T[:, back], atol=1e-10)
    db_in = twin.bias_ih_l0.grad.numpy()[back]
    if kind == "gru":
        np.testing.assert_allclose(layer.gradients["b"], np.stack([db_in, twin.bias_hh_l0.grad.numpy()[back]]),
                                   atol=1e-10)
    else:
        np.testing.assert_allclose(layer.gradients["b"], db_in, atol=1e-10)


def gru_reset_before(layer, X):
    """Keras's GRU with reset_after=False, step by step from its formula."""
    W, U, b = (layer.parameters[k] for k in ("W", "U", "b"))
    u = layer.units
    sig = lambda z: 1 / (1 + np.exp(-z))
    h, out = np.zeros((len(X), u)), []
    for t in range(X.shape[1]):
        x = X[:, t] @ W + b
        z = sig(x[:, :u] + h @ U[:, :u])
        r = sig(x[:, u:2 * u] + h @ U[:, u:2 * u])
        hh = np.tanh(x[:, 2 * u:] + (r * h) @ U[:, 2 * u:])
        h = z * h + (1 - z) * hh
        out.append(h)
    return np.stack(out, axis=1)


def test_gru_without_reset_after_follows_its_formula(rng):
    layer = random_layer("gru", 4, 3, rng, reset_after=False, return_sequences=True)
    assert layer.parameters["b"].shape == (12,)
    X = rng.normal(size=(3, 5, 3))
    np.testing.assert_allclose(layer.forward(X), gru_reset_before(layer, X), atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: SimpleRNN(3, return_sequences=True), lambda: SimpleRNN(3, activation="relu"),
    lambda: LSTM(3), lambda: LSTM(2, return_sequences=True, go_backwards=True),
    lambda: GRU(3), lambda: GRU(3, reset_after=False, return_sequences=True), lambda: GRU(2, go_backwards=True)],
    ids=["rnn", "rnn-relu", "lstm", "lstm-backwards", "gru", "gru-reset-before", "gru-backwards"])
def test_recurrent_layers_pass_a_gradient_check(make, rng):
    layer = make()
    layer.build((4, 3), rng=rng, dtype=np.float64)
    for p in layer.parameters.values():
        p[...] = rng.normal(scale=0.5, size=p.shape)
    errors = check_gradients(layer, rng.normal(size=(3, 4, 3)), max_checks=None)
    assert max(errors.values()) < 1e-6, errors


def test_a_masked_recurrent_layer_passes_a_gradient_check(rng):
    layer = LSTM(3, return_sequences=True)
    layer.build((5, 2), rng=rng, dtype=np.float64)
    layer.input_mask = np.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1]], dtype=bool)
    errors = check_gradients(layer, rng.normal(size=(2, 5, 2)), max_checks=None)
    assert max(errors.values()) < 1e-6, errors


def test_lstm_starts_like_keras(rng):
    layer = LSTM(4)
    layer.build((7, 3), rng=rng)
    b = layer.parameters["b"]
    assert b.shape == (16,) and b[4:8].tolist() == [1] * 4 and not b[:4].any() and not b[8:].any()
    U = layer.parameters["U"]
    np.testing.assert_allclose(U @ U.T, np.eye(4), atol=1e-12)  # orthogonal rows
    assert GRU(4).weight_shapes((7, 3)) == {"W": (3, 12), "U": (4, 12), "b": (2, 12)}


def test_embedding_matches_pytorch_and_its_gradient_is_sparse(rng):
    layer = Embedding(7, 3)
    ids = np.array([[1, 2, 2, 0], [6, 1, 1, 1]])
    Y = layer.forward(ids)
    net = torch.nn.Embedding(7, 3).double()
    with torch.no_grad():
        net.weight.copy_(torch.from_numpy(layer.parameters["W"]))
    dY = rng.normal(size=Y.shape)
    (net(torch.from_numpy(ids)) * torch.from_numpy(dY)).sum().backward()
    np.testing.assert_allclose(Y, layer.parameters["W"][ids])
    assert layer.backward(dY) is None
    np.testing.assert_allclose(layer.gradients["W"], net.weight.grad.numpy(), atol=1e-12)
    assert not layer.gradients["W"][[3, 4, 5]].any()


def test_embedding_refuses_ids_it_cannot_look_up():
    layer = Embedding(5, 2)
    with pytest.raises(TypeError, match="expects integer token ids, got an array of float64"):
        layer.forward(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="has ids 0 to 4 .* got id 5"):
        layer.forward(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="got id -1"):
        layer.forward(np.array([[-1, 2]]))


def test_recurrent_layers_refuse_inputs_without_steps():
    with pytest.raises(ValueError, match=r"LSTM 'lstm' expects input of shape \(batch, steps, features\), got "
                                         r"\(None, 28\)"):
        LSTM(3, name="lstm").compute_output_shape((28,))
