"""Where data sets are looked for and fetched, and the error their files raise."""
from __future__ import annotations

import hashlib
import http.client
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


def download(url: str, target: Path, md5: str | None = None, sha256: str | None = None) -> None:
    """Fetch ``url`` into ``target`` (standard library only), keeping it only if its MD5 (or
    SHA-256) matches: an interrupted or wrong download leaves nothing at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                shutil.copyfileobj(response, out)
                expected_size = response.headers.get("Content-Length")
                if expected_size is not None and out.tell() != int(expected_size):
                    raise http.client.IncompleteRead(b"", int(expected_size) - out.tell())
        except (OSError, http.client.HTTPException) as err:  # URLError, a dropped connection, a cut-off body
            raise DatasetError(f"could not download {url}: {err}; nothing was kept. Without a network, fetch that "
                               f"file another way and pass path=FILE (or put it in a folder named by $SEQNET_DATA)"
                               ) from None
        kind, expected = ("sha256", sha256) if sha256 else ("md5", md5)
        digest = hashlib.new(kind, Path(tmp).read_bytes()).hexdigest()
        if digest != expected:
            raise DatasetError(f"downloaded {url} has {kind.upper()} {digest}, expected {expected}; not keeping it")
        os.chmod(tmp, ordinary_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


