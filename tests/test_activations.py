import numpy as np
import pytest

from seqnet import activations
from seqnet.activations import ELU, GELU, SELU, ArcTan, LeakyReLU, Linear, ReLU, Sigmoid, SiLU, SoftMax, Softplus, TanH
from seqnet.gradcheck import check_gradients

from tests.helpers import assert_close, torch, torch_grad

REFERENCES = [
    (Linear(), lambda z: z),
    (Sigmoid(), lambda z: torch.sigmoid(z)),
    (TanH(), lambda z: torch.tanh(z)),
    (ArcTan(), lambda z: torch.atan(z)),
    (ReLU(), lambda z: torch.relu(z)),
    (LeakyReLU(0.1), lambda z: torch.nn.functional.leaky_relu(z, 0.1)),
    (ELU(1.3), lambda z: torch.nn.functional.elu(z, 1.3)),
    (SoftMax(), lambda z: torch.softmax(z, dim=-1)),
    (SELU(), lambda z: torch.nn.functional.selu(z)),
    (Softplus(), lambda z: torch.nn.functional.softplus(z)),
    (SiLU(), lambda z: torch.nn.functional.silu(z)),
    (GELU(), lambda z: torch.nn.functional.gelu(z)),
    (GELU(approximate=True), lambda z: torch.nn.functional.gelu(z, approximate="tanh")),
]
IDS = [f"{type(a).__name__}{a.get_config() or ''}" for a, _ in REFERENCES]


def test_every_registered_activation_has_a_torch_reference():
    registry = activations.activations
    assert {type(a) for a, _ in REFERENCES} == {registry.lookup(name) for name in registry.names()}


@pytest.mark.parametrize("act, ref", REFERENCES, ids=IDS)
@pytest.mark.parametrize("shape", [(72, 10), (128, 37), (4, 5, 6, 3)])
def test_matches_torch(act, ref, shape, rng):
    Z = rng.normal(scale=3.0, size=shape)
    dY = rng.normal(size=shape)
    out, (dZ,) = torch_grad(ref, Z, upstream=dY)
    assert_close(act.forward(Z), out, what="forward")
    assert_close(act.backward(Z, dY), dZ, what="backward")


@pytest.mark.parametrize("act", [a for a, _ in REFERENCES], ids=IDS)
def test_gradient_check(act, rng):
    Z = rng.normal(size=(6, 7))
    Z[np.abs(Z) < 1e-3] = 0.5  # keep away from the kinks of relu-like functions
    assert check_gradients(act, Z)["X"] < 1e-6


@pytest.mark.parametrize("act", [Sigmoid(), SoftMax(), TanH(), ELU(), ArcTan()], ids=lambda a: type(a).__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_huge_inputs(act, dtype):
    Z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        Y = act.forward(Z)
        dZ = act.backward(Z, np.ones_like(Z))
    assert np.all(np.isfinite(Y)) and np.all(np.isfinite(dZ))


def test_softmax_rows_sum_to_one_and_sigmoid_limits():
    Z = np.array([[1000.0, 1000.0, -1000.0]])
    assert np.allclose(SoftMax().forward(Z), [[0.5, 0.5, 0.0]])
    assert np.array_equal(Sigmoid().forward(np.array([-1e4, 1e4])), [0.0, 1.0])


def test_dtype_is_preserved():
    Z = np.ones((2, 3), dtype=np.float32)
    for act, _ in REFERENCES:
        assert act.forward(Z).dtype == np.float32, type(act).__name__
        assert act.backward(Z, Z).dtype == np.float32, type(act).__name__


def test_registry_names_and_errors():
    assert isinstance(activations.get("relu"), ReLU)
    assert isinstance(activations.get("identity"), Linear)
    assert activations.get({"class_name": "leaky_relu", "config": {"alpha": 0.2}}).alpha == 0.2
    with pytest.raises(ValueError, match="Known activation names: .*relu"):
        activations.get("rleu")
    with pytest.raises(TypeError):
        activations.get(3)
