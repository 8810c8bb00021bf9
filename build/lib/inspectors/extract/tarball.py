"""gzip, bzip2 and xz files and tar archives (a .tar.gz of CSV exports, a .csv.gz), with the
standard library, within the same limits as zip archives.

A compressed file is inflated in chunks and stops at the uncompressed-size limit, or at the
compression-ratio limit past its floor, exactly as a zip member does; what comes out is one
member, or the members of the tar archive it holds.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from collections.abc import Callable, Iterator

from ..limits import Limits
from .pieces import UNSCANNABLE, LimitReached, Member, Piece, Problem, Unscannable

_READ = 1 << 20
MAX_NAME = 1024
_OPENERS: dict[str, Callable[[io.BytesIO], io.BufferedIOBase]] = {
    "gzip": lambda f: gzip.GzipFile(fileobj=f),
    "bzip2": bz2.BZ2File,
    "xz": lzma.LZMAFile,
}
_STREAM_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError, gzip.BadGzipFile)


def extract(kind: str):
    """The reader for one of "gzip", "bzip2", "xz", "tar"."""

    def read(data: bytes, limits: Limits) -> Iterator[Piece]:
        if kind == "tar":
            yield from _tar(data, limits)
            return
        content = _inflate(_OPENERS[kind](io.BytesIO(data)), len(data), limits)
        if _is_tar(content):
            yield from _tar(content, limits)
        else:
            yield Member(name=_gzip_name(data) if kind == "gzip" else "contents", data=content)

    return read


def _inflate(stream, packed: int, limits: Limits) -> bytes:
    ceiling = max(packed, 1) * limits.max_compression_ratio
    chunks, size = [], 0
    try:
        while chunk := stream.read(_READ):
            size += len(chunk)
            if size > limits.max_uncompressed_bytes:
                raise LimitReached("max_uncompressed_bytes")
            if size > ceiling and size > limits.ratio_floor_bytes:
                raise LimitReached("max_compression_ratio")
            chunks.append(chunk)
    except _STREAM_ERRORS as exc:
        raise Unscannable(f"corrupt compressed file: {type(exc).__name__}") from None
    return b"".join(chunks)


def _is_tar(data: bytes) -> bool:
    return len(data) >= 512 and data[257:262] == b"ustar"


def _tar(data: bytes, limits: Limits) -> Iterator[Piece]:
    """Members in archive order; a tar is not compressed, so its own size bounds them.

    A block that is not a header stopped tarfile, in silence, where GNU tar skips to the
    next header and extracts the members after it: tarfile is told to go on (ignore_zeros,
    which skips such blocks and lone zero blocks alike), and blocks skipped that were not
    zeros are reported. (What follows the last member is not: GNU tar stops at its end
    marker, and old tar programs leave what was in the buffer in the last record.)"""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:", ignore_zeros=True) as archive:
            members = unpacked = end = 0
            for info in archive:
                if data[end : info.offset].strip(b"\0"):
                    yield Problem(
                        code=UNSCANNABLE, where=_name(info), reason="corrupt tar: blocks skipped before it"
                    )
                end = info.offset_data + -(-info.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE
                if not info.isfile() and info.type in tarfile.SUPPORTED_TYPES:
                    continue  # directories, links, devices: no content of their own
                # A type tarfile does not know is a file to it and to GNU tar, which extracts
                # one "as normal file": it was passed over in silence.
                members += 1
                unpacked += info.size
                if members > limits.max_archive_members:
                    raise LimitReached("max_archive_members")
                if unpacked > limits.max_uncompressed_bytes:
                    raise LimitReached("max_uncompressed_bytes")
                if info.issparse():  # GNU sparse: a few bytes that read back as gigabytes of holes
                    yield Problem(
                        code=UNSCANNABLE, where=_name(info), reason="unsupported: sparse tar member"
                    )
                    continue
                stream = archive.extractfile(info)
                if stream is None:
                    yield Problem(code=UNSCANNABLE, where=_name(info), reason="unreadable tar member")
                    continue
                yield Member(name=_name(info), data=stream.read())
    except tarfile.TarError as exc:
        raise Unscannable(f"corrupt tar: {type(exc).__name__}") from None


def _name(info: tarfile.TarInfo) -> str:
    """A member's name, cut where a name is no longer one (a pax header's path is unbounded)."""
    return info.name[:MAX_NAME]


def _gzip_name(data: bytes) -> str:
    """The original file name a gzip header may carry (RFC 1952 §2.3.1, FNAME, Latin-1)."""
    flags, at = data[3] if len(data) > 3 else 0, 10
    if flags & 0x04 and len(data) >= 12:  # FEXTRA
        at += 2 + int.from_bytes(data[10:12], "little")
    if flags & 0x08:
        end = data.find(b"\x00", at, at + 1024)
        if end > at:
            return data[at:end].decode("latin-1").rsplit("/", 1)[-1]
    return "contents"
