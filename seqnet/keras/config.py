"""``keras.config``: the settings Sequential code reads, and where the lines seqnet prints while it
trains go (:mod:`seqnet.messages`: standard output, or the ``seqnet`` logger at INFO level once
interactive logging is off)."""
from __future__ import annotations

from ..messages import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled
from ._missing import missing
from .backend import backend, epsilon, floatx, image_data_format

__all__ = ["backend", "floatx", "epsilon", "image_data_format", "enable_interactive_logging",
           "disable_interactive_logging", "is_interactive_logging_enabled"]


__getattr__ = missing(__name__)
