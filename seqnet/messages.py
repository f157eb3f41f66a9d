"""Where seqnet's lines for the user go while it trains, evaluates and predicts (the epoch lines,
the callbacks' ``verbose`` lines): to the terminal by default, or, with interactive logging off
(as on a server, or in Keras's ``keras.config.disable_interactive_logging()``), to the ``seqnet``
logger at level INFO."""
from __future__ import annotations

import logging
import sys
from typing import Any

LOGGER = logging.getLogger("seqnet")
_interactive = True


def enable_interactive_logging() -> None:
    """Lines go to standard output (the default)."""
    global _interactive
    _interactive = True


def disable_interactive_logging() -> None:
    """Lines go to the ``seqnet`` logger at level INFO instead of standard output."""
    global _interactive
    _interactive = False


def is_interactive_logging_enabled() -> bool:
    return _interactive


def say(message: str, stream: Any = None) -> None:
    """Write one line for the user: to ``stream`` (standard output by default) or to the logger."""
    if _interactive:
        print(message, file=stream if stream is not None else sys.stdout, flush=True)
    else:
        LOGGER.info(message)
