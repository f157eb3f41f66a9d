"""The Keras-face tests run each block of Keras's guides twice, under Keras 3 and under
``seqnet.keras``, and compare what they give; they skip where Keras is not installed."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture
def libs():
    """``(keras, seqnet.keras)``: the same code runs against both."""
    real = pytest.importorskip("keras")
    import seqnet.keras as face
    # the starting weights come from each library's global generator: seeded for every test, so that
    # no test's numbers depend on the tests that ran before it in the process
    real.utils.set_random_seed(0)
    face.utils.set_random_seed(0)
    return real, face


def copy_weights(source, target):
    """Keras's ``target.set_weights(source.get_weights())``, across the two libraries."""
    target.set_weights([np.asarray(w) for w in source.get_weights()])
