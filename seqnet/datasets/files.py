"""Where data sets are looked for and fetched, and the error their files raise."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.request
from pathlib import Path

from .._files import ordinary_mode

class DatasetError(ValueError):
    """A data file that is missing, damaged or not in the expected format."""


def data_dirs() -> list[Path]:
    """Where loaders look for data sets when given no path, in order."""
    dirs = [Path(os.environ["SEQNET_DATA"])] if os.environ.get("SEQNET_DATA") else []
    return dirs + [Path.home() / ".seqnet" / "datasets", Path("/usr/share/datasets")]


def download(url: str, target: Path, md5: str) -> None:
    """Fetch ``url`` into ``target`` (standard library only), keeping it only if its MD5 matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, out)
        digest = hashlib.md5(Path(tmp).read_bytes()).hexdigest()
        if digest != md5:
            raise DatasetError(f"downloaded {url} has MD5 {digest}, expected {md5}; not keeping it")
        os.chmod(tmp, ordinary_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


