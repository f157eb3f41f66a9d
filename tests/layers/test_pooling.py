"""Pooling layers against PyTorch in float64, the tie rule, gradient checks and bad input."""
import numpy as np
import pytest

from seqnet.gradcheck import check_gradients
from seqnet.layers import AvgPool2D, GlobalAvgPool2D, MaxPool2D, Pool2D
from seqnet.ops.reference import pool2d_naive

from tests.helpers import assert_close, F, torch_grad

# the assignment's configurations: (kernel, mode, stride, pad)
CONFIGS = [((3, 3), "max", 2, 0), ((2, 2), "max", 2, 0), ((2, 2), "average", 2, 0), ((3, 5), "max", 4, "valid"),
           ((5, 5), "average", 1, 2)]


def torch_pool(mode, kernel, stride, pad):
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    return lambda x: fn(x.permute(0, 3, 1, 2), kernel, stride, pad).permute(0, 2, 3, 1)


@pytest.mark.parametrize("kernel, mode, stride, pad", CONFIGS)
@pytest.mark.parametrize("shape", [(24, 12, 12, 8), (24, 44, 48, 4)], ids=["12x12x8", "44x48x4"])
def test_assignment_configs_match_torch(kernel, mode, stride, pad, shape, rng):
    layer = Pool2D(kernel, mode=mode, stride=stride, pad=pad)
    X = rng.normal(size=shape)
    Y = layer.forward(X)
    dY = rng.normal(size=Y.shape)
    even = tuple(p[0] for p in layer.pads(X.shape[1:]))
    out, (tX,) = torch_grad(torch_pool(mode, kernel, stride, even), X, upstream=dY)
    assert_close(Y, out, what="forward")
    assert_close(layer.backward(dY), tX, what="dX")
    assert_close(Y, pool2d_naive(X, kernel, stride, even, mode), what="naive forward")


@pytest.mark.parametrize("kernel, stride, pad", [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_max_ties_go_to_the_first_maximum_like_torch(kernel, stride, pad, rng):
    X = rng.integers(0, 3, size=(4, 9, 9, 3)).astype(np.float64)  # many ties
    layer = MaxPool2D(kernel, stride=stride, pad=pad)
    dY = rng.normal(size=layer.forward(X).shape)
    _, (tX,) = torch_grad(torch_pool("max", kernel, stride, pad), X, upstream=dY)
    assert_close(layer.backward(dY), tX, tol=1e-12)


def test_keras_style_defaults_and_inference_mode(rng):
    assert MaxPool2D(3).stride == 3 and AvgPool2D((2, 2)).stride == 2 and MaxPool2D(3, stride=1).stride == 1
    layer = MaxPool2D(2)
    layer.training = False
    X = rng.normal(size=(2, 4, 4, 1))
    assert np.array_equal(layer.forward(X), pool2d_naive(X, (2, 2), 2, (0, 0), "max"))


def test_global_average_pool(rng):
    X = rng.normal(size=(3, 5, 4, 6))
    layer = GlobalAvgPool2D()
    assert_close(layer.forward(X), X.mean(axis=(1, 2)), tol=1e-14)
    assert check_gradients(GlobalAvgPool2D(), X)["X"] < 1e-8


@pytest.mark.parametrize("layer", [MaxPool2D(2), Pool2D(3, "max", 2, 1), AvgPool2D(2), Pool2D(3, "average", 1, 1)],
                         ids=["max2", "max3s2p1", "avg2", "avg3s1p1"])
def test_gradient_check(layer, rng):
    assert check_gradients(layer, rng.normal(size=(2, 6, 7, 3)))["X"] < 1e-6


def test_bad_input():
    with pytest.raises(ValueError, match="mode"):
        Pool2D(2, mode="min")
    with pytest.raises(ValueError, match="stride"):
        MaxPool2D(2, stride=-1)
    with pytest.raises(ValueError, match=r"MaxPool2D 'p' expects 4-D NHWC input"):
        MaxPool2D(2, name="p").forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"kernel \(5, 5\) is larger than the padded input \(4, 4\)"):
        MaxPool2D(5, name="p").forward(np.zeros((1, 4, 4, 1)))
    layer = MaxPool2D(2, name="p")
    layer.forward(np.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="built for 2 channels"):
        layer.forward(np.zeros((1, 4, 4, 3)))
