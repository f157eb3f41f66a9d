"""What the tests share: float64 comparisons against PyTorch autograd, and fake data files.

torch is imported only by the functions that need it, so the numpy-only tests run without it.
"""
import gzip
import pickle
import struct
import tarfile

import numpy as np
import pytest


class _Lazy:
    """A module imported on first use; a test that uses it where it is not installed is skipped."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("_") or attr == "pytestmark":  # what pytest's collection looks for
            raise AttributeError(attr)
        try:
            module = __import__(self._name, fromlist=["_"])
        except ImportError:
            pytest.skip(f"needs {self._name} (the reference implementation)")
        return getattr(module, attr)


torch = _Lazy("torch")
F = _Lazy("torch.nn.functional")


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
    """Output of ``fn(*tensors)`` and the gradients of ``sum(upstream * output)`` w.r.t. each array, in float64."""
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = fn(*ts)
    if out.dim() == 0:
        out.backward()
    else:
        out.backward(torch.tensor(upstream, dtype=torch.float64))
    return out.detach().numpy(), [t.grad.numpy() for t in ts]


def write_idx(path, array, magic_type=0x08, gz=True):
    data = struct.pack(">BBBB", 0, 0, magic_type, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.astype(">u1" if magic_type == 0x08 else ">i4").tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)
    return data


def fake_fashion(folder, n_train=12, n_test=5, gz=True):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
              "train-labels-idx1-ubyte": np.arange(n_train) % 10,
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
              "t10k-labels-idx1-ubyte": np.arange(n_test) % 10}
    for stem, a in arrays.items():
        write_idx(folder / (stem + (".gz" if gz else "")), a, gz=gz)
    return arrays


def cifar_batch(rng, n):
    return {b"batch_label": b"x", b"labels": rng.integers(0, 10, n).tolist(),
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), b"filenames": [b"f"] * n}


def fake_cifar(folder, n=4):
    rng = np.random.default_rng(1)
    batches = {f"data_batch_{i}": cifar_batch(rng, n) for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(rng, n)
    root = folder / "cifar-10-batches-py"
    root.mkdir(parents=True)
    for name, batch in batches.items():
        (root / name).write_bytes(pickle.dumps(batch, protocol=2))
    with tarfile.open(folder / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(root, arcname="cifar-10-batches-py")
    return batches
