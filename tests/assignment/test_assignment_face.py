"""The assignment's API (``neural_networks``) on seqnet, used as the seed's text and code use it:
layers, activations and losses against PyTorch in float64 and numerical gradient checks, the
optimizer against the assignment's update formula, and the model's loop end to end."""
import numpy as np
import pytest

from seqnet.assignment import activations, layers, losses, optimizers
from seqnet.assignment.utils.data_structures import AttrDict
from seqnet.assignment.utils.grad_check import check_gradients

torch = pytest.importorskip("torch", reason="the references are computed with PyTorch")
F = torch.nn.functional


def t(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax"])
@pytest.mark.parametrize("batch, n_in, n_out", [(1, 3, 2), (7, 5, 4), (16, 10, 10)])
def test_fully_connected_matches_torch(activation, batch, n_in, n_out):
    rng = np.random.default_rng(batch)
    X, dY = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, n_out))
    layer = layers.FullyConnected(n_out=n_out, activation=activation)
    layer._init_parameters(X.shape)  # as the assignment's tests call it
    W, b = rng.normal(size=(n_in, n_out)), rng.normal(size=(1, n_out))
    layer.parameters["W"], layer.parameters["b"] = W, b  # replaced between calls, as the tests do
    out = layer.forward(X)
    dX = layer.backward(dY)
    Xt, Wt, bt = t(X), t(W), t(b)
    Z = Xt @ Wt + bt
    ref = {"linear": Z, "relu": F.relu(Z), "sigmoid": torch.sigmoid(Z), "tanh": torch.tanh(Z),
           "softmax": torch.softmax(Z, dim=1)}[activation]
    ref.backward(torch.tensor(dY))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["W"], Wt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["b"], bt.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert set(layer.cache) >= {"X", "Z"} and layer.n_in == n_in


@pytest.mark.parametrize("kernel, stride, pad", [((3, 3), 1, "same"), ((3, 3), 2, "same"), ((5, 3), 1, "valid"),
                                                 ((2, 2), 2, 1), ((1, 1), 1, "same")])
def test_conv2d_matches_torch(kernel, stride, pad):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 8, 7, 3))
    layer = layers.Conv2D(n_out=5, kernel_shape=kernel, activation="relu", stride=stride, pad=pad)
    layer._init_parameters(X.shape)
    out = layer.forward(X)
    dY = rng.normal(size=out.shape)
    dX = layer.backward(dY)
    padding = {"same": ((kernel[0] - 1) // 2, (kernel[1] - 1) // 2), "valid": (0, 0)}.get(pad, (pad, pad))
    Xt, Wt, bt = t(X.transpose(0, 3, 1, 2)), t(layer.parameters["W"].transpose(3, 2, 0, 1)), t(layer.parameters["b"][0])
    ref = F.relu(F.conv2d(Xt, Wt, bt, stride=stride, padding=padding))
    ref.backward(torch.tensor(dY.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(out, ref.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["W"], Wt.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.gradients["b"][0], bt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool2d_matches_torch(mode):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3, 6, 6, 2))
    layer = layers.initialize_layer(name="pool2d", kernel_shape=(2, 2), mode=mode, stride=2)
    out = layer.forward(X)
    dY = rng.normal(size=out.shape)
    dX = layer.backward(dY)
    Xt = t(X.transpose(0, 3, 1, 2))
    ref = (F.max_pool2d if mode == "max" else F.avg_pool2d)(Xt, 2, 2)
    ref.backward(torch.tensor(dY.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(out, ref.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12)
    np.testing.assert_allclose(dX, Xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


def test_losses_match_torch():
    rng = np.random.default_rng(5)
    Y = np.eye(4)[rng.integers(0, 4, 6)]
    Y_hat = np.exp(rng.normal(size=(6, 4)))
    Y_hat /= Y_hat.sum(axis=1, keepdims=True)
    ce = losses.initialize_loss("cross_entropy")
    assert isinstance(ce, losses.CrossEntropy) and ce.name == "cross_entropy"
    P = t(Y_hat)
    ref = -(torch.tensor(Y) * torch.log(P)).sum() / len(Y)
    ref.backward()
    assert ce(Y, Y_hat) == pytest.approx(float(ref), rel=1e-12)
    np.testing.assert_allclose(ce.backward(Y, Y_hat), P.grad.numpy(), rtol=1e-12)
    l2 = losses.L2("l2")
    P = t(Y_hat)
    ref = 0.5 * ((P - torch.tensor(Y)) ** 2).sum() / len(Y)  # the assignment's half sum over the batch
    ref.backward()
    assert l2.forward(Y, Y_hat) == pytest.approx(float(ref), rel=1e-12)
    np.testing.assert_allclose(l2.backward(Y, Y_hat), P.grad.numpy(), rtol=1e-12)


def test_gradients_pass_the_assignment_s_check():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(5, 4))
    layer = layers.FullyConnected(3, "tanh")
    out = layer.forward(X)
    dLdY = rng.normal(size=out.shape)
    dX = layer.backward(dLdY)
    assert check_gradients(lambda x: layer.forward(x), dX, X, dLdY) < 1e-8
    W = layer.parameters["W"]
    assert check_gradients(lambda w: layer.forward(X), layer.gradients["W"], W, dLdY) < 1e-8
    softmax = activations.initialize_activation("softmax")
    Z = rng.normal(size=(4, 6))
    dY = rng.normal(size=Z.shape)
    assert check_gradients(softmax.forward, softmax.backward(Z, dY), Z, dY) < 1e-8
    with pytest.raises(TypeError, match="float arrays"):
        check_gradients(softmax.forward, dY, Z.astype(int), dY)


def test_initialization_follows_numpy_s_global_seed():
    def weights():
        np.random.seed(0)
        layer = layers.initialize_layer(name="fully_connected", activation="relu", weight_init="xavier_uniform",
                                        n_out=15)
        layer._init_parameters((25, 4))
        return layer.parameters["W"]
    first, second = weights(), weights()
    np.testing.assert_array_equal(first, second)
    limit = np.sqrt(2.0) * np.sqrt(6.0 / (4 + 15))  # Xavier's uniform bound with ReLU's gain
    assert first.shape == (4, 15) and np.abs(first).max() <= limit
    init = layers.initialize_weights("xavier_uniform", activation="relu")
    np.random.seed(1)
    assert init((3, 2)).shape == (3, 2)


def test_sgd_steps_as_the_assignment_s_formula():
    """delta = momentum * delta + lr(epoch) * clipped gradient; the caller subtracts delta."""
    rng = np.random.default_rng(7)
    opt = optimizers.initialize_optimizer(name="SGD", lr=0.1, lr_scheduler="exponential", lr_decay=0.5,
                                          stage_length=2, staircase=True, clip_norm=1.0, momentum=0.9)
    param, delta = rng.normal(size=(3, 2)), np.zeros((3, 2))
    expected = param.copy()
    for step, epoch in enumerate([0, 0, 1, 2, 3, 4]):
        grad = rng.normal(size=(3, 2)) * (3 if step % 2 else 0.2)
        clipped = grad * min(1.0, 1.0 / np.linalg.norm(grad))
        delta = 0.9 * delta + 0.1 * 0.5 ** (epoch // 2) * clipped
        expected -= delta
        param -= opt.update("W0", param, grad, epoch)
    np.testing.assert_allclose(param, expected, rtol=1e-12)
    with pytest.raises(ValueError, match="the assignment's optimizer is SGD"):
        optimizers.initialize_optimizer(name="rmsprop", lr=0.1)


def test_attr_dict_reads_and_writes_keys_as_attributes():
    args = AttrDict({"name": "fully_connected", "n_out": None})
    args.n_out = 3
    assert args["n_out"] == 3 and args.name == "fully_connected" and dict(args) == {"name": "fully_connected",
                                                                                   "n_out": 3}
    with pytest.raises(AttributeError):
        args.missing


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ValueError, match="fully_connected, conv2d, pool2d, flatten"):
        layers.initialize_layer(name="lstm")
    with pytest.raises(ValueError, match="cross_entropy, l2"):
        losses.initialize_loss("hinge")


def test_the_cache_holds_this_call_s_z_for_every_activation():
    rng = np.random.default_rng(8)
    for activation in ("linear", "relu"):
        layer = layers.FullyConnected(3, activation)
        for _ in range(2):  # Z of the second call, not the first's
            X = rng.normal(size=(4, 5))
            layer.forward(X)
            np.testing.assert_allclose(layer.cache["Z"], X @ layer.parameters["W"] + layer.parameters["b"])
            assert layer.cache["X"] is X
