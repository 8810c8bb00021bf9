"""Outlook .msg files for tests (MS-OXMSG), written from plain values.

tests/compound_file.py writes the compound file underneath (MS-CFB), and this module lays the
message out in it: the property stream
(__properties_version1.0), one __substg1.0_XXXXYYYY stream per variable-size property,
recipient and attachment storages, embedded messages in PR_ATTACH_DATA_OBJ storages.
Strings are Unicode (type 001F, UTF-16LE), or 8-bit (001E) in the message's code page when
it has one (PR_MESSAGE_CODEPAGE, as older Outlook in Japan writes cp932). olefile reads what
it writes (tests/test_extract_msg.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import compressed_rtf

from .compound_file import Tree, compound_file

UNICODE, STRING8, BINARY, LONG, OBJECT, MULTI_UNICODE = 0x001F, 0x001E, 0x0102, 0x0003, 0x000D, 0x101F
PR_MESSAGE_CODEPAGE = 0x3FFD
_READABLE_WRITABLE = 0x6
PR_MESSAGE_CLASS, PR_SUBJECT, PR_BODY, PR_HTML, PR_RTF_COMPRESSED = 0x001A, 0x0037, 0x1000, 0x1013, 0x1009
PR_SENDER_NAME, PR_SENDER_EMAIL = 0x0C1A, 0x0C1F
PR_DISPLAY_TO, PR_DISPLAY_CC, PR_DISPLAY_BCC = 0x0E04, 0x0E03, 0x0E02
PR_RECIPIENT_TYPE, PR_DISPLAY_NAME, PR_EMAIL_ADDRESS, PR_SMTP_ADDRESS = 0x0C15, 0x3001, 0x3003, 0x39FE
PR_ATTACH_DATA, PR_ATTACH_FILENAME, PR_ATTACH_METHOD = 0x3701, 0x3704, 0x3705
PR_ATTACH_LONG_FILENAME, PR_ATTACH_MIME_TAG, PR_ATTACH_NUM = 0x3707, 0x370E, 0x0E21
BY_VALUE, EMBEDDED = 1, 5
TO, CC, BCC = 1, 2, 3


@dataclass(frozen=True)
class Attached:
    """A file (`data`) or a message (`message`) attached to a message."""

    name: str
    data: bytes = b""
    mime: str = "application/octet-stream"
    message: Msg | None = None


@dataclass(frozen=True)
class Msg:
    subject: str = ""
    body: str | None = None
    html: str | None = None
    rtf: str | None = None  # stored compressed (MS-OXRTFCP), as Outlook keeps it
    sender: tuple[str, str] = ("", "")  # display name, address
    to: tuple[tuple[str, str], ...] = ()
    cc: tuple[tuple[str, str], ...] = ()
    bcc: tuple[tuple[str, str], ...] = ()  # kept in the sender's copy (Sent Items)
    attachments: tuple[Attached, ...] = ()
    message_class: str = "IPM.Note"
    extra: dict[int, str] = field(default_factory=dict)  # more Unicode properties by id
    multi: dict[int, tuple[str, ...]] = field(default_factory=dict)  # multi-valued Unicode ones
    codepage: int | None = None  # strings 8-bit (001E) in this code page: 932 for Shift_JIS


class _Properties:
    """One property stream and the substreams its variable-size values live in."""

    def __init__(self, codec: str | None = None) -> None:
        self.entries: list[bytes] = []
        self.streams: dict[str, bytes] = {}
        self.codec = codec

    def text(self, pid: int, value: str | None) -> None:
        if value is None:  # the size counts the terminator, the stream holds none
            return
        if self.codec:
            self.variable(pid, STRING8, value.encode(self.codec), terminator=1)
        else:
            self.variable(pid, UNICODE, value.encode("utf-16-le"), terminator=2)

    def texts(self, pid: int, values: tuple[str, ...]) -> None:
        """A multi-valued string: the lengths in one stream, each value in a stream "-N"."""
        encoded = [value.encode("utf-16-le") + b"\x00\x00" for value in values]
        self.variable(pid, MULTI_UNICODE, b"".join(struct.pack("<I", len(v)) for v in encoded))
        tag = pid << 16 | MULTI_UNICODE
        for n, value in enumerate(encoded):
            self.streams[f"__substg1.0_{tag:08X}-{n:08X}"] = value

    def binary(self, pid: int, value: bytes | None) -> None:
        if value is not None:
            self.variable(pid, BINARY, value)

    def variable(self, pid: int, kind: int, data: bytes, terminator: int = 0) -> None:
        tag = pid << 16 | kind
        self.entries.append(struct.pack("<IIII", tag, _READABLE_WRITABLE, len(data) + terminator, 0))
        self.streams[f"__substg1.0_{tag:08X}"] = data

    def long(self, pid: int, value: int) -> None:
        self.entries.append(struct.pack("<IIQ", pid << 16 | LONG, _READABLE_WRITABLE, value))

    def object(self, pid: int) -> None:
        self.entries.append(struct.pack("<IIII", pid << 16 | OBJECT, _READABLE_WRITABLE, 0xFFFFFFFF, 0))

    def write(self, storage: Tree, header: bytes) -> None:
        storage["__properties_version1.0"] = header + b"".join(self.entries)
        storage.update(self.streams)


def msg_bytes(message: Msg) -> bytes:
    """The .msg file of `message`."""
    names = dict.fromkeys(("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"), b"")
    root: Tree = {"__nameid_version1.0": dict(names)}
    _message(root, message, top=True)
    return compound_file(root)


def _message(storage: Tree, message: Msg, top: bool) -> None:
    codec = f"cp{message.codepage}" if message.codepage else None
    props = _Properties(codec)
    if message.codepage:
        props.long(PR_MESSAGE_CODEPAGE, message.codepage)
    props.text(PR_MESSAGE_CLASS, message.message_class)
    props.text(PR_SUBJECT, message.subject)
    props.text(PR_BODY, message.body)
    props.binary(PR_HTML, None if message.html is None else message.html.encode())
    if message.rtf is not None:
        props.binary(PR_RTF_COMPRESSED, compressed_rtf.compress(message.rtf.encode("ascii")))
    props.text(PR_SENDER_NAME, message.sender[0] or None)
    props.text(PR_SENDER_EMAIL, message.sender[1] or None)
    props.text(PR_DISPLAY_TO, "; ".join(name for name, _ in message.to) or None)
    props.text(PR_DISPLAY_CC, "; ".join(name for name, _ in message.cc) or None)
    props.text(PR_DISPLAY_BCC, "; ".join(name for name, _ in message.bcc) or None)
    for pid, value in message.extra.items():
        props.text(pid, value)
    for pid, values in message.multi.items():
        props.texts(pid, values)
    people = [(TO, p) for p in message.to] + [(CC, p) for p in message.cc] + [(BCC, p) for p in message.bcc]
    n_recip, n_attach = len(people), len(message.attachments)
    # Top level: 8 reserved, next recipient id, next attachment id, counts, 8 reserved;
    # an embedded message's header lacks the last 8 bytes.
    header = struct.pack("<8xIIII", n_recip, n_attach, n_recip, n_attach) + (b"\x00" * 8 if top else b"")
    props.write(storage, header)
    for i, (kind, (name, address)) in enumerate(people):
        recipient = _Properties(codec)
        recipient.long(PR_RECIPIENT_TYPE, kind)
        recipient.text(PR_DISPLAY_NAME, name)
        recipient.text(PR_EMAIL_ADDRESS, address)
        recipient.text(PR_SMTP_ADDRESS, address)
        recipient.write(child := {}, b"\x00" * 8)
        storage[f"__recip_version1.0_#{i:08X}"] = child
    for i, attached in enumerate(message.attachments):
        storage[f"__attach_version1.0_#{i:08X}"] = _attachment(i, attached, codec)


def _attachment(number: int, attached: Attached, codec: str | None = None) -> Tree:
    storage: Tree = {}
    props = _Properties(codec)
    props.long(PR_ATTACH_NUM, number)
    props.text(PR_DISPLAY_NAME, attached.name)
    if attached.message is None:
        props.long(PR_ATTACH_METHOD, BY_VALUE)
        props.text(PR_ATTACH_LONG_FILENAME, attached.name)
        props.text(PR_ATTACH_FILENAME, attached.name[-12:])
        props.text(PR_ATTACH_MIME_TAG, attached.mime)
        props.binary(PR_ATTACH_DATA, attached.data)
        props.write(storage, b"\x00" * 8)
        return storage
    props.long(PR_ATTACH_METHOD, EMBEDDED)
    props.object(PR_ATTACH_DATA)
    props.write(storage, b"\x00" * 8)
    inner: Tree = {}
    _message(inner, attached.message, top=False)
    storage[f"__substg1.0_{PR_ATTACH_DATA << 16 | OBJECT:08X}"] = inner
    return storage


def nested(depth: int, innermost: Msg) -> Msg:
    """`innermost` forwarded inside `depth` messages, one inside the other."""
    message = innermost
    for level in range(depth):
        message = Msg(
            subject=f"FW: {level}", body="転送します。", attachments=(Attached("fw.msg", message=message),)
        )
    return message
