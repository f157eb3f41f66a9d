"""The PyTorch Lightning mirror of seqnet: the same architectures on GPUs, weights handed both ways."""
from .bridge import FlattenNHWC, GlobalAvgPool, copy_to_seqnet, to_seqnet, to_torch
from .data import CIFAR10DataModule, FashionMNISTDataModule
from .module import LitClassifier

__all__ = ["to_torch", "to_seqnet", "copy_to_seqnet", "FlattenNHWC", "GlobalAvgPool", "LitClassifier",
           "FashionMNISTDataModule", "CIFAR10DataModule"]
