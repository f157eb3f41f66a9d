"""The assignment's ``neural_networks.utils``: ``grad_check`` and ``data_structures``."""
from . import data_structures, grad_check

__all__ = ["data_structures", "grad_check"]
