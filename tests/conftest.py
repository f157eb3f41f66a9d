"""Shared fixtures. The shared torch references and fake data files live in :mod:`tests.helpers`.

Every test imports seqnet, which needs its own dependencies (``[project] dependencies`` in
``pyproject.toml``). Where one is missing (pytest run before ``pip install -e .``), the test
modules are not collected, and :mod:`tests.test_dependencies` says what to install, instead of
every module failing to import.
"""
import importlib.util
from pathlib import Path

import pytest

#: seqnet's dependencies by the name they are imported under (pyproject.toml's, checked by a test)
REQUIRED = {"numpy": "numpy", "scipy": "scipy", "h5py": "h5py", "matplotlib": "matplotlib", "tqdm": "tqdm",
            "threadpoolctl": "threadpoolctl", "pillow": "PIL"}
MISSING = [distribution for distribution, module in REQUIRED.items() if importlib.util.find_spec(module) is None]
HERE = Path(__file__).parent


def pytest_ignore_collect(collection_path, config):
    """Without seqnet's dependencies only the check that names them is collected."""
    if MISSING and collection_path != HERE and collection_path != HERE / "test_dependencies.py":
        return True
    return None


@pytest.fixture
def rng():
    import numpy as np
    return np.random.default_rng(1234)


@pytest.fixture
def torch_float64():
    """torch with float64 as its default dtype for one test (the float64 references), put back after."""
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)
