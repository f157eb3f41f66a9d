"""seqnet: neural networks from scratch in numpy, with a Keras-style ``Sequential`` API."""
from . import (activations, callbacks, datasets, gradcheck, initializers, layers, losses, metrics,
               optimizers, schedulers)
from .ops.parallel import get_num_threads, set_num_threads
from .saving import ModelFileError, load_model
from .sequential import Sequential
from ._version import __version__
from ._safety.limits import LIMITS as limits
from .keras import files as _keras_files  # noqa: F401  (registers Keras's file formats: load_model reads them)

__all__ = ["Sequential", "load_model", "ModelFileError", "limits", "get_num_threads", "set_num_threads", "activations",
           "callbacks", "datasets", "gradcheck", "initializers", "layers", "losses", "metrics", "optimizers",
           "schedulers", "__version__"]
