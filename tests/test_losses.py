import numpy as np
import pytest

from seqnet import losses
from seqnet.activations import Sigmoid, SoftMax
from seqnet.gradcheck import check_gradients
from seqnet.losses import (L2, BinaryCrossEntropy, CrossEntropy, Huber, MeanAbsoluteError, MeanSquaredError,
                           one_hot)

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
    assert isinstance(losses.get("l2"), L2)  # the assignment's half squared error keeps its name
    assert isinstance(losses.get("mse"), MeanSquaredError)  # Keras's names mean Keras's losses
    assert isinstance(losses.get("mean_squared_error"), MeanSquaredError)
    with pytest.raises(ValueError, match="Known loss names"):
        losses.get("hinje")


F_REF = {  # Keras's losses written in torch (means over every output)
    "mse": lambda p, y: ((p - y) ** 2).mean(),
    "mae": lambda p, y: (p - y).abs().mean(),
    "huber": lambda p, y: torch.nn.functional.huber_loss(p, y, delta=0.7),
}


@pytest.mark.parametrize("name, loss", [("mse", MeanSquaredError()), ("mae", MeanAbsoluteError()),
                                        ("huber", Huber(delta=0.7))])
@pytest.mark.parametrize("m, k", [(40, 1), (33, 5)])
def test_keras_regression_losses_match_torch(name, loss, m, k, rng):
    Y_hat, Y = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    out, (grad,) = torch_grad(lambda p: F_REF[name](p, torch.tensor(Y)), Y_hat)
    assert_close(loss.forward(Y, Y_hat), out, tol=1e-12)
    assert_close(loss.backward(Y, Y_hat), grad, tol=1e-12)
    assert check_gradients(loss, Y_hat + 0.01, Y)["X"] < 1e-6


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("k", [1, 4])
def test_binary_cross_entropy_matches_torch_on_probabilities_and_logits(smoothing, k, rng):
    Z, Y = rng.normal(size=(30, k)), rng.integers(0, 2, size=(30, k)).astype(float)
    target = torch.tensor(Y * (1 - smoothing) + 0.5 * smoothing)
    P = Sigmoid().forward(Z)
    for from_logits, X, fn in [(False, P, lambda p: torch.nn.functional.binary_cross_entropy(p, target)),
                               (True, Z, lambda z: torch.nn.functional.binary_cross_entropy_with_logits(z, target))]:
        loss = BinaryCrossEntropy(from_logits=from_logits, label_smoothing=smoothing)
        out, (grad,) = torch_grad(fn, X)
        assert_close(loss.forward(Y, X), out, tol=1e-12)
        assert_close(loss.backward(Y, X), grad, tol=1e-10)
    fused = BinaryCrossEntropy(label_smoothing=smoothing)
    assert fused.fuses(Sigmoid(), k)
    chained = Sigmoid().backward(Z, fused.backward(Y, P))
    assert_close(fused.fused_backward(Y, P), chained, tol=1e-10)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_from_logits_with_label_smoothing_matches_torch(smoothing, rng):
    Z, labels = rng.normal(size=(25, 6)), rng.integers(0, 6, 25)
    fn = lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(labels), label_smoothing=smoothing)  # noqa: E731
    out, (grad,) = torch_grad(fn, Z)
    loss = CrossEntropy(from_logits=True, label_smoothing=smoothing)
    assert_close(loss.forward(labels, Z), out, tol=1e-12)
    assert_close(loss.backward(labels, Z), grad, tol=1e-12)
    probs = CrossEntropy(label_smoothing=smoothing)  # on probabilities, with its fused gradient
    assert_close(probs.forward(labels, SoftMax().forward(Z)), out, tol=1e-12)
    assert_close(probs.fused_backward(labels, SoftMax().forward(Z)), grad, tol=1e-12)


def test_cross_entropy_on_one_sigmoid_column_is_the_binary_form(rng):
    Z, y = rng.normal(size=(20, 1)), rng.integers(0, 2, 20)
    P = Sigmoid().forward(Z)
    assert_close(CrossEntropy().forward(y, P), BinaryCrossEntropy().forward(y, P), tol=1e-12)
    assert CrossEntropy().fuses(Sigmoid(), 1) and not CrossEntropy().fuses(Sigmoid(), 3)
    assert_close(CrossEntropy().fused_backward(y, P), Sigmoid().backward(Z, CrossEntropy().backward(y, P)),
                 tol=1e-10)


@pytest.mark.parametrize("loss", [CrossEntropy(), CrossEntropy(from_logits=True, label_smoothing=0.1),
                                  BinaryCrossEntropy(), L2(), MeanSquaredError(), MeanAbsoluteError(), Huber(0.5)],
                         ids=lambda l: type(l).__name__)
def test_weighted_losses_sum_the_weighted_per_example_losses_over_the_batch_size(loss, rng):
    Y_hat = _probs(rng, 12, 4) if isinstance(loss, (CrossEntropy, BinaryCrossEntropy)) else rng.normal(size=(12, 4))
    Y = one_hot(rng.integers(0, 4, 12), 4)
    per = loss.per_sample(Y, Y_hat)
    assert per.shape == (12,) and per.sum() / 12 == pytest.approx(loss.forward(Y, Y_hat), rel=1e-12)
    w = rng.random(12)
    assert loss.weighted_forward(Y, Y_hat, w) == pytest.approx(float(np.dot(per, w) / 12), rel=1e-12)
    assert loss.weighted_forward(Y, Y_hat, np.ones(12)) == pytest.approx(loss.forward(Y, Y_hat), rel=1e-12)


@pytest.mark.parametrize("shape", [(6, 4), (3, 5, 4)], ids=["rows", "per pixel"])
def test_normalized_and_per_pixel_cross_entropy_match_torch(shape, rng):
    """``normalize=True`` (Keras's categorical cross-entropy) divides each row by its sum; an output
    of shape (m, h, k) is averaged over its m*h predictions, as Keras averages it."""
    Y_hat = rng.uniform(0.05, 1.0, size=shape)  # rows that do not sum to 1
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    Y = one_hot(labels, shape[-1])
    n = Y_hat.size // shape[-1]
    out, (grad,) = torch_grad(lambda p: -(torch.tensor(Y) * torch.log(p / p.sum(-1, keepdim=True))).sum() / n, Y_hat)
    loss = CrossEntropy(normalize=True)
    assert_close(loss.forward(labels, Y_hat), out)
    assert_close(loss.backward(labels, Y_hat), grad)
    assert_close(loss.per_sample(labels, Y_hat).mean(), out)
    assert max(check_gradients(loss, Y_hat, labels).values()) < 1e-6


def _every_loss():
    return sorted({losses.losses.lookup(name) for name in losses.losses.names()}, key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", _every_loss(), ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("shape", [(6, 4), (3, 2, 4)], ids=["rows", "per position"])
def test_every_registered_loss_matches_its_numerical_gradient(cls, shape, rng):
    """By construction: a loss registered later is checked here without a line of its own."""
    Y_hat = rng.uniform(0.1, 0.9, size=shape)
    if cls.__name__ in ("Hinge", "SquaredHinge"):
        Y = rng.integers(0, 2, size=shape).astype(float)
    elif cls.__name__ in ("CategoricalHinge", "CrossEntropy"):
        Y = one_hot(rng.integers(0, shape[-1], size=shape[:-1]), shape[-1])
    else:
        Y = rng.uniform(0.1, 0.9, size=shape)
    for loss in _instances(cls, len(shape)):
        assert max(check_gradients(loss, Y_hat, Y).values()) < 1e-6
        assert np.isclose(loss(Y, Y_hat), loss.forward(Y, Y_hat)), "the call's mean of values is the batch loss"
        if np.ndim(loss.values(Y, Y_hat)) == 0:  # one value for the batch: no per-example weights
            with pytest.raises(TypeError, match="per-example weights"):
                loss.per_sample(Y, Y_hat)
            continue
        per_sample = loss.per_sample(Y, Y_hat)
        assert per_sample.shape == (shape[0],) and np.isclose(per_sample.mean(), loss.forward(Y, Y_hat))


def _instances(cls, rank):
    """The loss with its defaults, and where it sums over axes, over every axis but the batch's."""
    yield cls()
    if "axis" in cls().get_config():
        yield cls(axis=tuple(range(1, rank)))


@pytest.mark.parametrize("from_logits", [True, False], ids=["logits", "probabilities"])
def test_ignore_class_matches_torch_ignore_index(from_logits, rng):
    """``ignore_class`` is PyTorch's ``ignore_index``: those predictions count for nothing, in the
    loss, its mean and its gradient (fused after a softmax too)."""
    Z = rng.normal(size=(4, 3, 5))
    labels = rng.integers(0, 5, size=(4, 3))
    labels[0, :2] = labels[2, 1] = 2  # some predictions to ignore
    loss = CrossEntropy(from_logits=from_logits, ignore_class=2)
    Y_hat = Z if from_logits else SoftMax().forward(Z)
    out, (grad,) = torch_grad(lambda z: torch.nn.functional.cross_entropy(
        z.permute(0, 2, 1), torch.tensor(labels), ignore_index=2), Z)
    assert_close(loss.forward(labels, Y_hat), out)
    assert_close(loss(labels, Y_hat), out)
    if from_logits:
        assert_close(loss.backward(labels, Y_hat), grad)
    else:
        assert_close(loss.fused_backward(labels, Y_hat), grad)
        assert max(check_gradients(loss, Y_hat, labels).values()) < 1e-6


def test_the_reduction_weighs_each_prediction_as_keras_does(rng):
    """Weights per example apply to every position of it, weights per position to each; the
    reductions are Keras's."""
    Y_hat, Y = rng.random((3, 4, 2)), rng.random((3, 4, 2))
    values = MeanSquaredError().values(Y, Y_hat)
    w_example, w_position = rng.random(3), rng.random((3, 4))
    loss = MeanSquaredError()
    assert loss(Y, Y_hat, w_example) == pytest.approx((values * w_example[:, None]).mean())
    assert loss(Y, Y_hat, w_position) == pytest.approx((values * w_position).mean())
    for reduction, expected in [("sum", (values * w_position).sum()),
                                ("mean_with_sample_weight", (values * w_position).sum() / w_position.sum())]:
        loss.reduction = reduction
        assert loss(Y, Y_hat, w_position) == pytest.approx(expected)
    loss.reduction = None
    assert_close(loss(Y, Y_hat, w_position), values * w_position)
    with pytest.raises(ValueError, match="reduction"):
        losses.reduce_weighted(values, None, "average")
