import numpy as np
import pytest

from seqnet import losses
from seqnet.activations import SoftMax
from seqnet.gradcheck import check_gradients
from seqnet.losses import L2, CrossEntropy, one_hot

from tests.helpers import assert_close, torch, torch_grad


def _probs(rng, m, k):
    return SoftMax().forward(rng.normal(size=(m, k)))


@pytest.mark.parametrize("m, k", [(72, 3), (128, 10), (223, 7)])
def test_cross_entropy_matches_torch(m, k, rng):
    Y_hat = _probs(rng, m, k)
    labels = rng.integers(0, k, size=m)
    Y = one_hot(labels, k)
    out, (grad,) = torch_grad(lambda p: -(torch.tensor(Y) * torch.log(p)).sum() / m, Y_hat)
    loss = CrossEntropy()
    assert_close(loss.forward(Y, Y_hat), out)
    assert_close(loss.backward(Y, Y_hat), grad)
    # integer class ids mean the same thing as one-hot rows
    assert loss.forward(labels, Y_hat) == loss.forward(Y, Y_hat)
    assert np.array_equal(loss.backward(labels, Y_hat), loss.backward(Y, Y_hat))


@pytest.mark.parametrize("m, k", [(72, 1), (128, 10)])
def test_l2_matches_torch(m, k, rng):
    Y_hat, Y = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    out, (grad,) = torch_grad(lambda p: 0.5 * ((p - torch.tensor(Y)) ** 2).sum() / m, Y_hat)
    assert_close(L2().forward(Y, Y_hat), out)
    assert_close(L2().backward(Y, Y_hat), grad)


def test_fused_gradient_equals_softmax_chain_rule(rng):
    Z = rng.normal(size=(50, 6))
    Y = one_hot(rng.integers(0, 6, 50), 6)
    S = SoftMax().forward(Z)
    chained = SoftMax().backward(Z, CrossEntropy().backward(Y, S))
    assert_close(CrossEntropy().fused_backward(Y, S), chained, tol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_finite_at_zero_probability(dtype):
    Y_hat = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    Y = np.array([0, 0])
    with np.errstate(all="raise"):
        value = CrossEntropy().forward(Y, Y_hat)
        grad = CrossEntropy().backward(Y, Y_hat)
    assert np.isfinite(value) and value > 10
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("loss", [CrossEntropy(), L2()], ids=["cross_entropy", "l2"])
def test_gradient_check(loss, rng):
    Y_hat = _probs(rng, 8, 4)
    Y = one_hot(rng.integers(0, 4, 8), 4)
    assert check_gradients(loss, Y_hat, Y)["X"] < 1e-6


def test_target_validation():
    Y_hat = np.full((3, 3), 1 / 3)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        CrossEntropy().forward(np.array([0, 1, 3]), Y_hat)
    with pytest.raises(ValueError, match="do not match"):
        CrossEntropy().forward(np.zeros((3, 4)), Y_hat)
    with pytest.raises(ValueError, match="integers"):
        one_hot(np.array([0.5, 1.0]), 2)


def test_registry():
    assert isinstance(losses.get("cross_entropy"), CrossEntropy)
    assert isinstance(losses.get("mse"), L2)
    with pytest.raises(ValueError, match="Known loss names"):
        losses.get("hinge")
