"""File permissions: what seqnet writes through a temporary file gets the mode of an ordinary file."""
from __future__ import annotations

import os


def ordinary_mode() -> int:
    """``0o666`` less the user's umask: the mode ``open(path, "w")`` would give a new file."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask
