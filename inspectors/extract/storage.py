"""One storage of an Outlook .msg (MS-OXMSG) read with olefile: a message, a recipient or an
attachment, its properties by id.

Fixed-size values (a recipient's type, an attachment's method, the code page) sit in the
property stream, 16 bytes each after a header; variable-size ones in a stream each,
__substg1.0_PPPPTTTT: 001F is UTF-16LE, 001E 8-bit text in the message's code page
(PR_MESSAGE_CODEPAGE, else PR_INTERNET_CPID: cp932 in much Japanese mail), 0102 bytes.
Streams are opened from the directory entries olefile loaded, never by path: its lookup by
path scans the storage's entries each time.
"""

from __future__ import annotations

import struct
from typing import Any

from ..charsets import decode_bytes
from .compound import Tree
from .pieces import Unscannable, is_interrupt

PROPERTIES = "__properties_version1.0"
UNICODE, STRING8, BINARY, OBJECT = 0x001F, 0x001E, 0x0102, 0x000D
_LONG = 0x0003
_CODEPAGE, _INTERNET_CPID = 0x3FFD, 0x3FDE
_CHARSETS = {65001: "utf-8", 20127: "ascii", 50220: "iso2022_jp", 50221: "iso2022_jp", 50222: "iso2022_jp"}
_CHARSETS |= {51932: "euc_jp", 20932: "euc_jp", 1200: "utf-16-le", 1201: "utf-16-be"}
_CHARSETS |= {28590 + n: f"iso8859_{n}" for n in range(1, 16)}
# Bytes before the first property: top-level message, embedded message, recipient/attachment.
TOP, EMBEDDED, ITEM = 32, 24, 8
# Entries in one property stream: Outlook writes some hundreds. The stream's size is checked
# only against the file's, and 100 MB of entries would make a dict of six million.
MOST_PROPERTIES = 10_000
STORAGE, STREAM = 1, 2  # directory entry types (MS-CFB)


class Storage:
    """A message, recipient or attachment storage; `charset` is its message's, for 001E text."""

    def __init__(self, ole: Any, entry: Any, header: int, charset: str | None = None) -> None:
        self.ole, self.entry = ole, entry
        self.kids = {kid.name.upper(): kid for kid in entry.kids}
        props = self.read(PROPERTIES) or b""
        if len(props) > header + 16 * MOST_PROPERTIES:
            raise Unscannable(f"corrupt .msg: more than {MOST_PROPERTIES} properties in one place")
        self.fixed = {
            tag: value
            for tag, value in (
                struct.unpack_from("<I4x8s", props, at) for at in range(header, len(props) - 15, 16)
            )
        }
        self.charset = (
            charset if header == ITEM else _charset(self.long(_CODEPAGE) or self.long(_INTERNET_CPID))
        )

    def read(self, name: str) -> bytes | None:
        """The bytes of the stream `name` of this storage, None when there is none."""
        kid = self.kids.get(name.upper())
        return None if kid is None or kid.entry_type != STREAM else stream(self.ole, kid)

    def long(self, pid: int) -> int | None:
        value = self.fixed.get(pid << 16 | _LONG)
        return None if value is None else int(struct.unpack_from("<I", value)[0])

    def binary(self, pid: int) -> bytes | None:
        return self.read(f"__substg1.0_{pid:04X}{BINARY:04X}")

    def text(self, pid: int) -> str:
        """A string property, Unicode or 8-bit, "" when absent."""
        unicode = self.read(f"__substg1.0_{pid:04X}{UNICODE:04X}")
        if unicode is not None:
            return unicode.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
        return self.text8(self.read(f"__substg1.0_{pid:04X}{STRING8:04X}") or b"")

    def text8(self, data: bytes) -> str:
        return decode_bytes(data.split(b"\x00", 1)[0], self.charset)

    def storages(self, prefix: str) -> list[Any]:
        """The child storages whose names start with `prefix`, in the order of their numbers."""
        found = [kid for name, kid in self.kids.items() if name.startswith(prefix.upper())]
        return sorted((kid for kid in found if kid.entry_type == STORAGE), key=lambda kid: kid.name.upper())

    def tree(self, entry: Any) -> Tree:
        """The storage `entry` with everything under it, as a compound file writer takes it
        (walked with a list, not recursion: a crafted file may nest storages deeply)."""
        root: Tree = {}
        todo = [(entry, root)]
        while todo:
            storage, into = todo.pop()
            for kid in storage.kids:
                if kid.entry_type == STORAGE:
                    child: Tree = {}
                    into[kid.name] = child
                    todo.append((kid, child))
                elif kid.entry_type == STREAM:
                    into[kid.name] = stream(self.ole, kid)
        return root


def stream(ole: Any, entry: Any) -> bytes:
    """A stream's bytes, from its directory entry (olefile's own helper behind openstream,
    without the path lookup); a broken sector chain makes the .msg corrupt."""
    try:
        return bytes(ole._open(entry.isectStart, entry.size).read())
    except Exception as exc:
        if is_interrupt(exc):
            raise
        raise Unscannable(f"corrupt .msg: {type(exc).__name__}") from None


def _charset(codepage: int | None) -> str | None:
    if not codepage:
        return None
    return _CHARSETS.get(codepage, f"cp{codepage}")
