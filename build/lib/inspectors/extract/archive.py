"""Zip archives, opened member by member within the limits; 7-Zip only as far as telling
whether it is encrypted.

Member names: the UTF-8 flag is honoured; names without it are what Windows Explorer wrote,
CP932 on a Japanese PC, which zipfile has decoded as CP437, so they are decoded again.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from ..limits import Limits
from .pieces import UNSCANNABLE, Encrypted, LimitReached, Member, Piece, Problem, Unscannable, Unsupported

_ENCRYPTED = 0x1
_STRONG_ENCRYPTION = 0x40
_UTF8 = 0x800
_WINZIP_AES = 99
_UNICODE_PATH = 0x7075  # Info-ZIP extra field: the name again, in UTF-8
_READ = 1 << 20
_SEVENZIP_AES = b"\x06\xf1\x07\x01"  # 7-Zip's coder id of AES-256 + SHA-256
# What reading one member of a damaged package raises: a bad header or CRC, a truncated or
# corrupt deflate stream (zlib.error, which zipfile lets through), a wrong password.
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError)


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    archive = open_zip(data)
    files = [info for info in archive.infolist() if not _folder(info)]
    check_declared(files, limits)
    locked = [info for info in files if info.flag_bits & _ENCRYPTED]
    unpacked = 0
    for count, info in enumerate(f for f in files if not f.flag_bits & _ENCRYPTED):
        if count >= limits.max_archive_members:
            raise LimitReached("max_archive_members")
        content = yield from read_member(archive, info, limits.max_uncompressed_bytes - unpacked, limits)
        if content is not None:
            unpacked += len(content)
            yield Member(name=member_name(info), data=content)
    if locked:
        raise Encrypted(_encryption(locked))


def _folder(info: zipfile.ZipInfo) -> bool:
    """A folder entry holds no data. One named like a folder ("x/") that does carry bytes
    (more than deflate's 2-byte empty stream) is a file to Info-ZIP and is read as one."""
    return info.is_dir() and info.file_size == 0 and info.compress_size <= 2


def open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        # The central directory can itself be encrypted (PKWARE strong encryption);
        # the first local header still says so.
        if data[:4] == b"PK\x03\x04" and len(data) >= 8 and struct.unpack_from("<H", data, 6)[0] & _ENCRYPTED:
            raise Encrypted("password-protected zip (encrypted directory)") from None
        raise Unscannable("corrupt zip") from None


def check_package(archive: zipfile.ZipFile, limits: Limits) -> zipfile.ZipFile:
    """An Office package (xlsx, docx, pptx) is a zip too: its parts must not unpack beyond
    the limit. Their declared sizes can be trusted here, because zipfile and calamine both
    stop a part at its declared size."""
    check_declared(archive.infolist(), limits)
    return archive


def check_declared(files: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse before unpacking what says it unpacks beyond the limits (declared sizes can
    lie the other way too, which reading in read_member catches)."""
    declared = sum(info.file_size for info in files)
    if declared > limits.max_uncompressed_bytes:
        raise LimitReached("max_uncompressed_bytes")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int, limits: Limits):
    """The member's bytes, or None after yielding why it could not be read. Read in chunks
    so that a bomb stops at the limit instead of being inflated whole."""
    ceiling = max(info.compress_size, 1) * limits.max_compression_ratio
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_READ):
                size += len(chunk)
                if size > room:
                    raise LimitReached("max_uncompressed_bytes")
                if size > ceiling and size > limits.ratio_floor_bytes:
                    reason = limits.reason("max_compression_ratio")
                    yield Problem(code=UNSCANNABLE, reason=reason, where=member_name(info))
                    return None
                chunks.append(chunk)
    except NotImplementedError:
        reason = f"unsupported compression: method {info.compress_type}"
    except MEMBER_ERRORS as exc:
        reason = f"corrupt member: {type(exc).__name__}"
    else:
        return b"".join(chunks)
    yield Problem(code=UNSCANNABLE, reason=reason, where=member_name(info))
    return None


def member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & _UTF8:
        return info.filename
    unicode_path = _unicode_path(info.extra)
    if unicode_path:
        return unicode_path
    raw = info.orig_filename.encode("cp437", errors="replace")
    for codec in ("utf-8", "cp932"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unicode_path(extra: bytes) -> str:
    offset = 0
    while offset + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + size]
        if tag == _UNICODE_PATH and size > 5 and body[0] == 1:
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return ""
        offset += 4 + size
    return ""


def _encryption(locked: list[zipfile.ZipInfo]) -> str:
    if any(info.compress_type == _WINZIP_AES for info in locked):
        return "password-protected zip (AES)"
    if any(info.flag_bits & _STRONG_ENCRYPTION for info in locked):
        return "password-protected zip (PKWARE strong encryption)"
    return "password-protected zip (ZipCrypto)"


def extract_7z(data: bytes, limits: Limits) -> Iterator[Piece]:
    """No 7-Zip reader is installed: the archive is reported, encrypted when its header
    names the AES coder in the clear (it does when the names or the data are encrypted and
    the header itself is not compressed)."""
    if len(data) >= 32:
        offset, size = struct.unpack_from("<QQ", data, 12)
        header = data[32 + offset : 32 + offset + size] if offset < len(data) else b""
        if _SEVENZIP_AES in header:
            raise Encrypted("password-protected 7-Zip archive")
    raise Unsupported("unsupported archive: 7-Zip")
    yield  # a generator like every extractor
