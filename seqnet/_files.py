"""The gate every byte to a file passes through: written whole or not at all, never through a link.

:func:`atomic_write` writes to a temporary file in the target's folder and moves it into place
with ``os.replace``, refusing a link or anything but a regular file at the destination; an error
names the file and says the old one is intact. A writer's temporary files carry its process id,
so that files left by a writer that was killed are removed by the next one (:func:`remove_stale`).
"""
from __future__ import annotations

import contextlib
import csv
import errno
import io
import glob
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def ordinary_mode() -> int:
    """``0o666`` less the user's umask: the mode ``open(path, "w")`` would give a new file."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it over ``path``.

    The temporary file is removed if ``write`` fails, so ``path`` is either the complete new
    file or untouched. Its name holds the writer's process id: several processes may save the same
    file at once (the last to finish wins, whole), and only temporary files of writers that are no
    longer running are cleaned up.
    """
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):  # a link would send the words elsewhere
        kind = "a link" if path.is_symlink() else "not a regular file"
        raise OSError(f"could not write '{path}': it is {kind}; seqnet writes only regular files it replaces "
                      f"whole (remove it, or choose another name)")
    fd, tmp = temporary_beside(path)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, ordinary_mode())  # mkstemp makes it 0600; a saved model is an ordinary file
        os.replace(tmp, path)
    except (OSError, RuntimeError) as err:
        _discard(tmp)
        if isinstance(err, RuntimeError) and not _is_write_failure(err):
            raise
        raise _write_error(path, err) from err
    except BaseException:
        _discard(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (:func:`atomic_write`), never through a link."""
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (:func:`atomic_write`), never through a link."""
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))


def write_csv(path: str | os.PathLike, rows: list[list] | Any) -> None:
    """Write ``rows`` as CSV (``\\n`` line ends) to ``path``, whole or not at all."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    write_text(path, text.getvalue())


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder, named for this process: ``(fd, its path)``;
    temporary files of ``path`` whose writers have ended are removed first."""
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale(path)
    return tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder)


def remove_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` left by writers that were killed (a save, a download)."""
    folder = path.parent if str(path.parent) else Path(".")
    for stale in folder.glob(f".{glob.escape(path.name)}.*.tmp"):
        if _writer_is_gone(stale.name[len(path.name) + 2:]):
            with contextlib.suppress(OSError):
                stale.unlink()


def _discard(tmp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def _writer_is_gone(rest: str) -> bool:
    """Whether the process whose id starts ``rest`` (``"<pid>.<random>.tmp"``) has ended."""
    pid = rest.split(".", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False  # another writer's name, or one of this process's own threads
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def _is_write_failure(err: Exception) -> bool:
    """h5py reports a full disk as a RuntimeError ("Can't decrement id ref count (unable to extend file
    properly, errno = 27, error message = 'File too large')") when it closes the file."""
    text = str(err).lower()
    return "errno =" in text or "too large" in text or "no space" in text


def _write_error(path: Path, err: Exception) -> OSError:
    """An OSError that says which file could not be written, why, and that the old one is intact."""
    code = getattr(err, "errno", None)
    text = str(err).lower()
    if code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or "too large" in text or "no space" in text:
        why = f"the disk is full or the file grew too large ({err})"
    else:
        why = getattr(err, "strerror", None) or str(err)
    message = f"could not write '{path}': {why}; the previous file, if any, is intact"
    return OSError(code, message) if code else OSError(message)
