"""Bidirectional, TimeDistributed and LayerNormalization against PyTorch in float64, and by
gradient checks."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqnet.gradcheck import check_gradients  # noqa: E402
from seqnet.layers import GRU, LSTM, Bidirectional, Conv2D, Dense, LayerNormalization, SimpleRNN, TimeDistributed  # noqa: E402
from tests.layers.test_recurrent import torch_outputs, torch_twin  # noqa: E402


def randomized(layer, rng):
    for p in layer.parameters.values():
        p[...] = rng.normal(scale=0.5, size=p.shape)
    return layer


@pytest.mark.parametrize("return_sequences", [False, True], ids=["last", "sequences"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("masked", [False, True], ids=["", "masked"])
def test_bidirectional_is_both_directions_by_pytorch(return_sequences, merge_mode, masked, rng):
    X = rng.normal(size=(3, 5, 2))
    layer = Bidirectional(LSTM(4, return_sequences=return_sequences), merge_mode=merge_mode)
    layer.build(X.shape[1:], rng=rng, dtype=np.float64)
    randomized(layer, rng)
    mask = (rng.random((3, 5)) < 0.7) if masked else None
    layer.input_mask = mask
    Y = layer.forward(X)
    outs = []
    for inner in (layer.forward_layer, layer.backward_layer):
        Xt, H = torch_outputs(torch_twin(inner), X, mask, inner.go_backwards)
        outs.append((Xt, H if return_sequences else H[:, -1]))
    (xf, f), (xb, b) = outs
    if return_sequences:
        b = b.flip(1)
        if masked:  # Keras's Bidirectional: zeros at masked steps
            keep = torch.from_numpy(mask)[:, :, None]
            f, b = torch.where(keep, f, 0), torch.where(keep, b, 0)
    want = {"concat": lambda: torch.cat([f, b], -1), "sum": lambda: f + b, "mul": lambda: f * b,
            "ave": lambda: (f + b) / 2}[merge_mode]()
    np.testing.assert_allclose(Y, want.detach().numpy(), atol=1e-10)
    dY = rng.normal(size=Y.shape)
    (want * torch.from_numpy(dY)).sum().backward()
    np.testing.assert_allclose(layer.backward(dY), (xf.grad + xb.grad).numpy(), atol=1e-10)
    assert list(layer.parameters) == ["forward_W", "forward_U", "forward_b", "backward_W", "backward_U",
                                      "backward_b"]
    assert layer.parameters["backward_U"] is layer.backward_layer.parameters["U"]


def test_bidirectional_matches_pytorchs_bidirectional_gru(rng):
    X = rng.normal(size=(2, 6, 3))
    layer = Bidirectional(GRU(4, return_sequences=True))
    layer.build(X.shape[1:], rng=rng, dtype=np.float64)
    randomized(layer, rng)
    net = torch.nn.GRU(3, 4, batch_first=True, bidirectional=True).double()
    f, b = torch_twin(layer.forward_layer), torch_twin(layer.backward_layer)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(net, f"{name}_l0").copy_(getattr(f, f"{name}_l0"))
            getattr(net, f"{name}_l0_reverse").copy_(getattr(b, f"{name}_l0"))
    np.testing.assert_allclose(layer.forward(X), net(torch.from_numpy(X))[0].detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("make", [lambda: Bidirectional(SimpleRNN(3, return_sequences=True)),
                                  lambda: Bidirectional(GRU(2), merge_mode="mul"),
                                  lambda: TimeDistributed(Dense(3, activation="tanh")),
                                  lambda: LayerNormalization(), lambda: LayerNormalization(center=False)],
                         ids=["bi-rnn", "bi-gru-mul", "time-distributed", "layer-norm", "layer-norm-no-center"])
def test_wrappers_and_layer_normalization_pass_a_gradient_check(make, rng):
    layer = make()
    layer.build((4, 3), rng=rng, dtype=np.float64)
    randomized(layer, rng)
    errors = check_gradients(layer, rng.normal(size=(2, 4, 3)), max_checks=None)
    assert max(errors.values()) < 1e-6, errors


def test_time_distributed_applies_one_layer_at_every_step(rng):
    X = rng.normal(size=(2, 3, 6, 6, 1))
    layer = TimeDistributed(Conv2D(2, 3))
    Y = layer.forward(X)
    np.testing.assert_allclose(Y[:, 1], layer.layer.forward(X[:, 1]))
    assert Y.shape == (2, 3, 6, 6, 2) and list(layer.parameters) == ["W", "b"]


def test_layer_normalization_matches_pytorch(rng):
    X = rng.normal(size=(3, 4, 5)) * 3 + 1
    layer = LayerNormalization(epsilon=1e-3)
    layer.build(X.shape[1:], rng=rng, dtype=np.float64)
    randomized(layer, rng)
    net = torch.nn.LayerNorm(5, eps=1e-3).double()
    with torch.no_grad():
        net.weight.copy_(torch.from_numpy(layer.parameters["gamma"]))
        net.bias.copy_(torch.from_numpy(layer.parameters["beta"]))
    x = torch.from_numpy(X).requires_grad_()
    want = net(x)
    np.testing.assert_allclose(layer.forward(X), want.detach().numpy(), atol=1e-10)
    dY = rng.normal(size=X.shape)
    (want * torch.from_numpy(dY)).sum().backward()
    np.testing.assert_allclose(layer.backward(dY), x.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(layer.gradients["gamma"], net.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(layer.gradients["beta"], net.bias.grad.numpy(), atol=1e-10)
