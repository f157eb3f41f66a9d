"""Shared test harness: float64 comparisons against PyTorch autograd."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)


def rel_err(a, b):
    """``||a - b|| / ||b||`` (absolute when ``b`` is zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"shape {a.shape} != {b.shape}"
    denom = np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / (denom if denom > 0 else 1.0))


def assert_close(a, b, tol=1e-7, what=""):
    err = rel_err(a, b)
    assert err < tol, f"{what} relative error {err:.3e} >= {tol:.0e}"


def torch_grad(fn, *arrays, upstream=None):
    """Output of ``fn(*tensors)`` and the gradients of ``sum(upstream * output)`` w.r.t. each array."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*ts)
    if out.dim() == 0:
        out.backward()
    else:
        out.backward(torch.tensor(upstream, dtype=torch.float64))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
