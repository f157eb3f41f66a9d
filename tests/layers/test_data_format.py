"""Every layer that takes Keras's ``data_format`` (or BatchNormalization's and Softmax's ``axis``)
computes on channels-first input what it computes on the same input channels-last, forward and
backward; found by walking the registry, so a layer that gains the argument is checked here."""
import numpy as np
import pytest

from seqnet import layers
from seqnet.gradcheck import check_gradients
from seqnet.layers.data_format import DataFormat


def _moved_layer_classes():
    classes = {layers.layers.lookup(name) for name in layers.layers.names()}
    return sorted((c for c in classes if issubclass(c, DataFormat)), key=lambda c: c.__name__)


def _pair(cls):
    """The layer channels-last and channels-first, by its own argument."""
    if "axis" in cls.__init__.__code__.co_varnames:
        return cls(axis=-1), cls(axis=1)
    return cls(data_format="channels_last"), cls(data_format="channels_first")


@pytest.mark.parametrize("cls", _moved_layer_classes(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("training", [True, False])
def test_channels_first_is_channels_last_transposed(cls, training, rng):
    assert _moved_layer_classes(), "the walk found no layer"
    last, first = _pair(cls)
    X = rng.normal(size=(3, 6, 4, 2))  # NHWC
    X_first = np.transpose(X, (0, 3, 1, 2))
    for layer in (last, first):
        layer.training = training
    Y = last.forward(X)
    Y_first = first.forward(X_first)
    expected = np.transpose(Y, (0, 3, 1, 2)) if Y.ndim == 4 else Y
    np.testing.assert_allclose(Y_first, expected, rtol=1e-12, atol=1e-12)
    assert first.compute_output_shape(X_first.shape[1:]) == Y_first.shape[1:]
    if not training:  # backward passes follow a training forward pass (max pooling keeps its argmax then)
        return
    dY = rng.normal(size=Y.shape)
    dY_first = np.transpose(dY, (0, 3, 1, 2)) if dY.ndim == 4 else dY
    dX = last.backward(dY)
    np.testing.assert_allclose(first.backward(dY_first), np.transpose(dX, (0, 3, 1, 2)), rtol=1e-12, atol=1e-12)
    assert max(check_gradients(_pair(cls)[1], X_first).values()) < 1e-6
