"""Conv1D and the 1-D pooling layers against PyTorch in float64, and by gradient checks."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from seqnet.gradcheck import check_gradients  # noqa: E402
from seqnet.layers import AveragePooling1D, Conv1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPooling1D  # noqa: E402
from seqnet.ops.engines import CHOICES, refusal  # noqa: E402


def torch_conv1d(X, layer):
    """PyTorch's conv1d with the layer's weights, padding done as Keras does it."""
    before, after = layer.pads(X.shape[1])
    x = F.pad(torch.from_numpy(X).permute(0, 2, 1), (before, after)).requires_grad_()
    W = torch.from_numpy(layer.parameters["W"]).permute(2, 1, 0).requires_grad_()
    b = torch.from_numpy(layer.parameters["b"][0]).requires_grad_()
    return x, W, b, F.conv1d(x, W, b, stride=layer.strides, dilation=layer.dilation_rate).permute(0, 2, 1)


@pytest.mark.parametrize("kernel, strides, padding, dilation", [
    (3, 1, "valid", 1), (3, 1, "same", 1), (4, 2, "same", 1), (3, 1, "causal", 1), (3, 1, "causal", 2),
    (2, 1, "same", 3), (5, 3, "valid", 1), (1, 1, "valid", 1)])
@pytest.mark.parametrize("engine", [name for name in CHOICES if name != "scipy"])
def test_conv1d_matches_pytorch(kernel, strides, padding, dilation, engine, rng):
    if refusal(engine, (1, kernel), strides):
        pytest.skip(refusal(engine, (1, kernel), strides))
    layer = Conv1D(4, kernel, strides=strides, padding=padding, dilation_rate=dilation, engine=engine)
    X = rng.normal(size=(3, 11, 2))
    layer.build(X.shape[1:], rng=rng, dtype=np.float64)
    layer.parameters["b"][...] = rng.normal(size=(1, 4))
    Y = layer.forward(X)
    x, W, b, want = torch_conv1d(X, layer)
    np.testing.assert_allclose(Y, want.detach().numpy(), atol=1e-10)
    if padding == "same" and strides == 1:
        assert Y.shape[1] == 11
    dY = rng.normal(size=Y.shape)
    (want * torch.from_numpy(dY)).sum().backward()
    dX = layer.backward(dY)
    before = layer.pads(11)[0]
    np.testing.assert_allclose(dX, x.grad.numpy().transpose(0, 2, 1)[:, before:before + 11], atol=1e-10)
    np.testing.assert_allclose(layer.gradients["W"], W.grad.numpy().transpose(2, 1, 0), atol=1e-10)
    np.testing.assert_allclose(layer.gradients["b"][0], b.grad.numpy(), atol=1e-10)


def test_causal_outputs_read_nothing_after_their_step(rng):
    layer = Conv1D(2, 3, padding="causal", dilation_rate=2)
    X = rng.normal(size=(1, 9, 1))
    Y = layer.forward(X)
    X2 = X.copy()
    X2[0, 5:] += 1.0
    np.testing.assert_allclose(layer.forward(X2)[0, :5], Y[0, :5])


@pytest.mark.parametrize("cls, torch_pool", [(MaxPooling1D, F.max_pool1d), (AveragePooling1D, F.avg_pool1d)])
@pytest.mark.parametrize("pool, strides", [(2, None), (3, 1), (3, 2)])
def test_pooling1d_matches_pytorch(cls, torch_pool, pool, strides, rng):
    X = rng.normal(size=(2, 10, 3))
    layer = cls(pool, strides)
    Y = layer.forward(X)
    x = torch.from_numpy(X).permute(0, 2, 1).requires_grad_()
    want = torch_pool(x, pool, strides or pool).permute(0, 2, 1)
    np.testing.assert_allclose(Y, want.detach().numpy(), atol=1e-12)
    dY = rng.normal(size=Y.shape)
    (want * torch.from_numpy(dY)).sum().backward()
    np.testing.assert_allclose(layer.backward(dY), x.grad.numpy().transpose(0, 2, 1), atol=1e-12)


def test_global_pooling1d_with_and_without_a_mask(rng):
    X = rng.normal(size=(2, 5, 3))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    avg = GlobalAveragePooling1D()
    np.testing.assert_allclose(avg.forward(X), X.mean(axis=1))
    avg.input_mask = mask
    np.testing.assert_allclose(avg.forward(X), np.stack([X[0, :3].mean(0), X[1].mean(0)]))
    assert avg.compute_mask(mask) is None
    assert max(check_gradients(avg, X, max_checks=None).values()) < 1e-7
    top = GlobalMaxPooling1D(keepdims=True)
    np.testing.assert_allclose(top.forward(X), X.max(axis=1, keepdims=True))
    assert max(check_gradients(top, X, max_checks=None).values()) < 1e-7


@pytest.mark.parametrize("make", [lambda: Conv1D(3, 3, padding="causal", dilation_rate=2),
                                  lambda: Conv1D(2, 2, strides=2, padding="same"),
                                  lambda: MaxPooling1D(2, padding="same"), lambda: AveragePooling1D(3, 1, "same")],
                         ids=["conv-causal", "conv-strided", "max-same", "average-same"])
def test_sequence_layers_pass_a_gradient_check(make, rng):
    X = rng.normal(size=(2, 7, 3))
    assert max(check_gradients(make(), X, max_checks=None).values()) < 1e-6
