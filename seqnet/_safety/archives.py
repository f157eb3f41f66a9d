"""Zip and tar archives read in memory, member by member, each member and header through a cap.

Nothing is ever extracted to disk. A zip member is read through the smaller of the member limit
and 100 times its compressed size (weights and images compress far less, a bomb far more). A tar
is read by :class:`_CheckedTarInfo`, which refuses a pax or GNU long-name header larger than
:data:`LIMITS.tar_header_bytes` before ``tarfile`` reads it whole, and an archive of more members
than :data:`LIMITS.archive_members`.
"""
from __future__ import annotations

import tarfile
import zipfile
import zlib
from typing import Any, BinaryIO, Iterator

from .files import ClosesStream, open_regular
from .limits import LIMITS


def read_capped(stream: BinaryIO, limit: int, where: str, error: type[Exception]) -> bytes:
    """All of ``stream``, or ``error`` once it passes ``limit`` bytes (a decompression bomb)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise error(f"{where} is larger than {limit:,} bytes once decompressed; refusing to read it whole")
    return data


class _ZipFile(ClosesStream, zipfile.ZipFile):
    """A zip archive over a stream the gate opened, closing the stream with it."""


class _TarFile(ClosesStream, tarfile.TarFile):
    """A tar archive over a stream the gate opened, closing the stream with it."""


def open_zip(path: Any, error: type[Exception], what: str = "zip archive") -> zipfile.ZipFile:
    """The regular file ``path`` opened as a zip archive of at most :data:`LIMITS.archive_members`."""
    stream = open_regular(path, error, what)
    try:
        archive = _ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
        stream.close()
        raise error(f"'{path}' is not a readable zip archive ({err})") from None
    archive._stream = stream
    if len(archive.infolist()) > LIMITS.archive_members:
        archive.close()
        raise error(f"'{path}' holds {len(archive.infolist()):,} members, more than the "
                    f"{LIMITS.archive_members:,} seqnet reads")
    return archive


def zip_member(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, where: str, error: type[Exception],
               limit: int | None = None) -> bytes:
    """One member of a zip archive, read through a cap: the smaller of ``limit`` (the member limit
    by default) and 100 times its compressed size."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    limit = min(LIMITS.member_bytes if limit is None else limit, 100 * info.compress_size + 2**20)
    name = f"{where} (its {info.filename})"
    if info.file_size > limit:
        raise error(f"{name} declares {info.file_size:,} bytes from {info.compress_size:,} compressed; refusing to "
                    f"decompress more than {limit:,}")
    try:
        with archive.open(info) as stream:
            return read_capped(stream, limit, name, error)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as err:
        if isinstance(err, error):
            raise
        raise error(f"{name} cannot be read: {err}") from None


class _CheckedTarInfo(tarfile.TarInfo):
    """A tar member header that refuses to make ``tarfile`` read a huge header before it does so."""

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        carries_data = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                        tarfile.GNUTYPE_LONGLINK)
        if self.type in carries_data and self.size > LIMITS.tar_header_bytes:
            raise tarfile.TarError(f"a member's extended header declares {self.size:,} bytes, more than the "
                                   f"{LIMITS.tar_header_bytes:,} seqnet reads")
        if len(tarfile_.members) >= LIMITS.archive_members:
            raise tarfile.TarError(f"it holds more than {LIMITS.archive_members:,} members")
        return super()._proc_member(tarfile_)


def open_tar(path: Any, error: type[Exception], mode: str = "r:*", what: str = "tar archive") -> tarfile.TarFile:
    """The regular file ``path`` opened as a tar archive (``mode``: ``"r:*"``, ``"r:gz"``, or ``"r:"`` to seek)."""
    stream = open_regular(path, error, what)
    try:
        archive = _TarFile.open(fileobj=stream, mode=mode, tarinfo=_CheckedTarInfo)
    except (tarfile.TarError, OSError, EOFError) as err:
        stream.close()
        raise error(f"'{path}' is not a readable tar archive ({err})") from None
    archive._stream = stream
    return archive


def tar_members(archive: tarfile.TarFile, where: str, error: type[Exception]) -> Iterator[tarfile.TarInfo]:
    """The archive's members in order, refusing one name given twice (a file and a link of that
    name, say: tar would extract the last of them, and which one is meant is not for seqnet to guess)."""
    seen: set[str] = set()
    try:
        for member in archive:  # in archive order: no seeking inside a compressed stream
            name = member.name.rstrip("/")
            if name in seen:
                raise error(f"{where} holds the member {member.name!r} twice (a file and a link of that name, "
                            f"say); seqnet reads an archive only where each name is one file")
            seen.add(name)
            yield member
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise error(f"{where} is a damaged archive ({err})") from None


def tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, where: str, error: type[Exception],
               limit: int | None = None) -> bytes:
    """The bytes of one regular-file member, if it declares at most ``limit`` (the member limit)."""
    limit = LIMITS.member_bytes if limit is None else limit
    if not member.isfile():
        raise error(f"{where}: {member.name} is not a regular file; seqnet reads only files from an archive")
    if member.size > limit:
        raise error(f"{where}: {member.name} is {member.size:,} bytes, more than the {limit:,} seqnet reads "
                    f"for one member")
    try:
        return read_capped(archive.extractfile(member), limit, f"{where}: {member.name}", error)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise error(f"{where} is a damaged archive ({err})") from None

