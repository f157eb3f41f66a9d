"""BatchNorm against torch.nn.BatchNorm1d/2d in float64, training and inference."""
import numpy as np
import pytest

from seqnet.gradcheck import check_gradients
from seqnet.layers import BatchNorm, BatchNormalization

from tests.helpers import assert_close, torch

pytestmark = pytest.mark.usefixtures("torch_float64")  # torch.nn.BatchNorm made in float64


def run_torch(module, X, dY, nhwc):
    x = torch.tensor(X.transpose(0, 3, 1, 2) if nhwc else X, requires_grad=True)
    y = module(x)
    y.backward(torch.tensor(dY.transpose(0, 3, 1, 2) if nhwc else dY))
    back = (lambda a: a.transpose(0, 2, 3, 1)) if nhwc else (lambda a: a)
    return back(y.detach().numpy()), back(x.grad.numpy())


@pytest.mark.parametrize("shape", [(32, 7), (8, 5, 6, 4)], ids=["dense", "nhwc"])
def test_training_and_inference_match_torch(shape, rng):
    nhwc = len(shape) == 4
    c = shape[-1]
    torch_bn = (torch.nn.BatchNorm2d if nhwc else torch.nn.BatchNorm1d)(c, momentum=0.3, eps=1e-3)
    layer = BatchNorm(momentum=0.3, eps=1e-3)
    layer.build(shape[1:])
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    layer.parameters["gamma"][...], layer.parameters["beta"][...] = gamma, beta
    with torch.no_grad():
        torch_bn.weight.copy_(torch.tensor(gamma))
        torch_bn.bias.copy_(torch.tensor(beta))
    for step in range(3):  # running statistics accumulate over several batches
        X = rng.normal(loc=2.0, scale=3.0, size=shape)
        dY = rng.normal(size=shape)
        Y, dX = layer.forward(X), None
        dX = layer.backward(dY)
        tY, tX = run_torch(torch_bn, X, dY, nhwc)
        assert_close(Y, tY, what="train forward")
        assert_close(dX, tX, what="train dX")
        assert_close(layer.gradients["gamma"], torch_bn.weight.grad.numpy(), what="dgamma")
        assert_close(layer.gradients["beta"], torch_bn.bias.grad.numpy(), what="dbeta")
        torch_bn.zero_grad()
    assert_close(layer.buffers["running_mean"], torch_bn.running_mean.numpy(), what="running mean")
    assert_close(layer.buffers["running_var"], torch_bn.running_var.numpy(), what="running var")
    layer.training = False
    torch_bn.eval()
    X, dY = rng.normal(size=shape), rng.normal(size=shape)
    Y = layer.forward(X)
    tY, tX = run_torch(torch_bn, X, dY, nhwc)
    assert_close(Y, tY, what="eval forward")
    assert_close(layer.backward(dY), tX, what="eval dX")
    assert_close(layer.gradients["gamma"], torch_bn.weight.grad.numpy(), what="eval dgamma")
    assert_close(layer.gradients["beta"], torch_bn.bias.grad.numpy(), what="eval dbeta")


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 3, 2)])
def test_gradient_check(training, shape, rng):
    layer = BatchNorm()
    layer.build(shape[1:], rng=rng)
    layer.parameters["gamma"][...] = rng.normal(size=shape[-1])
    layer.buffers["running_var"][...] = rng.uniform(0.5, 2, size=shape[-1])
    layer.training = training
    errors = check_gradients(layer, rng.normal(size=shape))
    assert max(errors.values()) < 1e-6, errors


def test_bad_arguments():
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(momentum=1.5)
    with pytest.raises(ValueError, match="eps"):
        BatchNorm(eps=0)
    with pytest.raises(ValueError, match="not a channel axis"):
        BatchNormalization(axis=0).forward(np.zeros((2, 3, 4)))
