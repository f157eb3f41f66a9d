"""Where data sets are looked for and fetched, and the error their files raise."""
from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.request
from pathlib import Path

from .._files import ordinary_mode, temporary_beside
from .._safety import LIMITS


class DatasetError(ValueError):
    """A data file that is missing, damaged or not in the expected format."""


def data_dirs() -> list[Path]:
    """Where loaders look for data sets when given no path, in order."""
    dirs = [Path(os.environ["SEQNET_DATA"])] if os.environ.get("SEQNET_DATA") else []
    return dirs + [Path.home() / ".seqnet" / "datasets", Path("/usr/share/datasets")]


def download(url: str, target: Path, md5: str | None = None, sha256: str | None = None,
             size: int | None = None) -> None:
    """Fetch ``url`` into ``target`` (standard library only), keeping it only if its MD5 (or
    SHA-256) matches: an interrupted or wrong download leaves nothing at ``target``.

    ``size`` is the file's known size: a server that announces or sends more is cut off there.
    The whole download must finish within ``seqnet.limits.download_seconds``. The file is hashed
    as it streams in, and partial files of downloads that were killed are removed by the next.
    """
    fd, tmp = temporary_beside(target)
    kind, expected = ("sha256", sha256) if sha256 else ("md5", md5)
    digest, cap = hashlib.new(kind), LIMITS.array_bytes if size is None else size
    deadline = time.monotonic() + LIMITS.download_seconds
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                announced = response.headers.get("Content-Length")
                if announced is not None and announced.isdigit() and int(announced) > cap:
                    raise DatasetError(f"{url} announces {int(announced):,} bytes; the file is {cap:,}; nothing "
                                       f"was kept")
                got = 0
                while chunk := response.read1(2**20):
                    got += len(chunk)
                    if got > cap:
                        raise DatasetError(f"{url} sent more than the file's {cap:,} bytes; nothing was kept")
                    if time.monotonic() > deadline:
                        raise DatasetError(f"downloading {url} took more than {LIMITS.download_seconds} s "
                                           f"(seqnet.limits.download_seconds); nothing was kept")
                    digest.update(chunk)
                    out.write(chunk)
                if announced is not None and announced.isdigit() and got != int(announced):
                    raise http.client.IncompleteRead(b"", int(announced) - got)
        except (OSError, http.client.HTTPException) as err:  # URLError, a dropped connection, a cut-off body
            raise DatasetError(f"could not download {url}: {err}; nothing was kept. Without a network, fetch that "
                               f"file another way and pass path=FILE (or put it in a folder named by $SEQNET_DATA)"
                               ) from None
        if digest.hexdigest() != expected:
            raise DatasetError(f"downloaded {url} has {kind.upper()} {digest.hexdigest()}, expected {expected}; not "
                               f"keeping it")
        os.chmod(tmp, ordinary_mode())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
