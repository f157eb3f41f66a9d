"""Shared fixtures. The shared torch references and fake data files live in :mod:`tests.helpers`."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def torch_float64():
    """torch with float64 as its default dtype for one test (the float64 references), put back after."""
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)
