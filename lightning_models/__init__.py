"""The PyTorch Lightning mirror of seqnet: the same architectures on GPUs, weights handed both ways.

The names below are imported on first use, so that ``python -m lightning_models.train`` can say
what to install when torch or Lightning is missing instead of failing on import.
"""
from importlib import import_module

_WHERE = {"to_torch": "bridge", "to_seqnet": "bridge", "copy_to_seqnet": "bridge", "FlattenNHWC": "bridge",
          "GlobalAvgPool": "bridge", "LitClassifier": "module", "Lookahead": "module", "FashionMNISTDataModule": "data",
          "CIFAR10DataModule": "data"}

__all__ = list(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'lightning_models' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
