"""Outlook .msg files (MS-OXMSG), via extract-msg: what Outlook attaches when a mail is
forwarded "as an attachment", or dragged out of a folder into another mail.

Yields the message's headers (subject, sender, recipients) and bodies, and its own
attachments as members, which the caller opens in turn: a file as its bytes, a message
embedded in it as a .msg of its own (so a .msg inside a .msg is read, and limited, like a
zip inside a zip).

extract-msg trusts the compound file: it opens every embedded message when the attachments
are listed, and its body properties convert RTF through a parser of its own. The directory is
therefore walked with olefile first, and a file whose streams claim more than it holds, or
that nests messages past the depth limit, or holds more attachments or bytes than an archive
may, is refused before extract-msg reads it. The bodies are read from their streams here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..charsets import decode_bytes
from ..limits import Limits
from .kind import suffix
from .pieces import (
    UNSCANNABLE,
    Encrypted,
    LimitReached,
    Member,
    Piece,
    Problem,
    TextChunk,
    Unscannable,
    is_interrupt,
)
from .rtf import rtf_text
from .text import html_charset, html_to_text

# extract-msg logs each attachment it cannot read, with its properties: reported as findings instead.
logging.getLogger("extract_msg").setLevel(logging.CRITICAL)

_EMBEDDED = "__substg1.0_3701000D"  # PR_ATTACH_DATA_OBJ: a message inside a message
_STRING = re.compile(r"__SUBSTG1\.0_([0-9A-F]{4})(001F|001E)")
# Property ids read as headers or bodies, or with nothing a reader sees (message class,
# subject prefix and topic, transport headers, address types, message ids).
_SHOWN = frozenset(
    (0x001A, 0x0037, 0x003D, 0x0070, 0x0E1D, 0x1000, 0x1013, 0x0C1A, 0x0C1F, 0x5D01, 0x0E04, 0x0E03)
    + (0x007D, 0x0C1E, 0x0064, 0x0065, 0x1035, 0x1039, 0x1042)
)
_PEOPLE_AND_FILES = ("__recip_version1.0_#", "__attach_version1.0_#")
# Properties of one message, recipient or attachment: Outlook writes some tens to a few
# hundred; extract-msg looks each name up among all of them (olefile scans the storage).
_WIDEST = 2_000
_OUTLOOK = "application/vnd.ms-outlook"
# S/MIME in Outlook: "IPM.Note.SMIME" carries an encrypted (or opaque-signed) PKCS #7 blob;
# ".MultipartSigned" carries the signed MIME message readably, as its one attachment.
_SMIME, _SIGNED = "ipm.note.smime", "ipm.note.smime.multipartsigned"


@dataclass(frozen=True)
class Shape:
    """What the compound file's directory says, before anything is read."""

    total_bytes: int
    members: int  # attachments and recipients: extract-msg makes an object of each
    nesting: int  # messages embedded one inside another
    widest: int  # entries in one storage, recipients and attachments left out


def shape(data: bytes) -> Shape:
    """The directory's counts, in one walk over the tree olefile loaded (its lookups by
    path scan a storage's entries each time: a count per path would be quadratic).
    Unscannable when it is not a compound file or a stream claims more bytes than the file
    has (olefile would follow the claim sector by sector)."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:
        if is_interrupt(exc):
            raise
        raise Unscannable(f"corrupt .msg: {type(exc).__name__}") from None
    try:
        total = members = nesting = widest = 0
        todo = [(ole.root, 0)]
        while todo:
            storage, depth = todo.pop()
            nesting = max(nesting, depth)
            own = 0
            for kid in storage.kids:
                if kid.entry_type == olefile.STGTY_STREAM:
                    if kid.size > len(data):
                        raise Unscannable("corrupt .msg: a stream larger than the file")
                    total += kid.size
                if kid.name.startswith(_PEOPLE_AND_FILES):
                    members += 1
                else:
                    own += 1
                if kid.entry_type == olefile.STGTY_STORAGE:
                    todo.append((kid, depth + (kid.name == _EMBEDDED)))
            widest = max(widest, own)
        return Shape(total_bytes=total, members=members, nesting=nesting, widest=widest)
    finally:
        ole.close()


def check(found: Shape, limits: Limits) -> None:
    if found.nesting > limits.max_depth:  # each level is exported again for the next
        raise LimitReached("max_depth")
    if found.members > limits.max_archive_members:
        raise LimitReached("max_archive_members")
    if found.total_bytes > limits.max_uncompressed_bytes:
        raise LimitReached("max_uncompressed_bytes")
    if found.widest > _WIDEST:
        raise Unscannable(f"corrupt .msg: more than {_WIDEST} properties in one place")


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    check(shape(data), limits)
    # One attachment that extract-msg cannot read becomes a broken one, not the end.
    tolerant = (
        ErrorBehavior.ATTACH_NOT_IMPLEMENTED | ErrorBehavior.ATTACH_BROKEN | ErrorBehavior.STANDARDS_VIOLATION
    )
    try:
        message = extract_msg.Message(data, delayAttachments=True, errorBehavior=tolerant)
    except Exception as exc:
        if is_interrupt(exc):
            raise
        raise Unscannable(f"corrupt .msg: {type(exc).__name__}") from None
    try:
        kind = str(message.classType or "").lower()
        if kind.startswith(_SMIME) and kind != _SIGNED:
            raise Encrypted("encrypted message (S/MIME)")
        headers = _headers(message)
        if headers:
            yield TextChunk(where="headers", text=headers)
        yield from _bodies(message)
        fields = _fields(message)
        if fields:
            yield TextChunk(where="fields", text=fields)
        yield from _attachments(message, signed=kind == _SIGNED)
    finally:
        message.close()


def _headers(message) -> str:
    name = message.getStringStream("__substg1.0_0C1A") or ""
    address = message.getStringStream("__substg1.0_5D01") or message.getStringStream("__substg1.0_0C1F")
    sender = f"{name} <{address}>".strip() if address else name
    fields = (
        ("Subject", message.subject),
        ("From", sender),
        ("To", message.to),
        ("Cc", message.cc),
    )
    return "\n".join(f"{name}: {value}" for name, value in fields if value)


def _fields(message) -> str:
    """The message's other text properties: a contact's phone numbers and addresses, a
    meeting's place, named properties; what the headers and bodies show is left out, and so
    are the transport headers (Received lines, DKIM signatures), ids and address types."""
    values = []
    for path in message.listDir(streams=True, storages=False, includePrefix=False):
        found = _STRING.fullmatch(path[-1].upper()) if len(path) == 1 else None
        if found and int(found.group(1), 16) not in _SHOWN:
            value = message.getStringStream(path[-1][: -len(found.group(2))])
            if value and value.strip():
                values.append(value.strip())
    return "\n".join(dict.fromkeys(values))


def _bodies(message) -> Iterator[Piece]:
    """Every body it keeps: Outlook writes the HTML one beside the plain one, and what the
    reader's program shows may be either; the RTF one is read when it is all there is."""
    plain = message.getStringStream("__substg1.0_1000")
    if plain:
        yield TextChunk(where="body", text=plain)
    html = (
        message.getStream("__substg1.0_10130102")
        or (message.getStringStream("__substg1.0_1013") or "").encode()
    )
    if html:
        text = html_to_text(decode_bytes(html, html_charset(html)))
        yield TextChunk(where="body:html" if plain else "body", text=text)
    elif not plain:
        yield from _rtf_body(message.getStream("__substg1.0_10090102"))


def _rtf_body(compressed: bytes | None) -> Iterator[Piece]:
    if not compressed:
        return
    import compressed_rtf

    try:
        text = rtf_text(compressed_rtf.decompress(compressed))
    except Exception as exc:  # a broken body: the attachments are still read
        if is_interrupt(exc):
            raise
        yield Problem(code=UNSCANNABLE, reason=f"corrupt RTF body: {type(exc).__name__}", where="body")
        return
    if text.strip():
        yield TextChunk(where="body", text=text)


def _attachments(message, signed: bool) -> Iterator[Piece]:
    from extract_msg.attachments import Attachment, EmbeddedMsgAttachment, WebAttachment

    for i, attachment in enumerate(message.attachments, 1):
        name = _name(attachment, i)
        if isinstance(attachment, EmbeddedMsgAttachment):
            name = name if suffix(name) == "msg" else f"{name}.msg"
            yield Member(name=name, data=attachment.data.exportBytes(), declared_type=_OUTLOOK)
        elif isinstance(attachment, Attachment) and isinstance(attachment.data, bytes):
            if suffix(name) == "rpmsg":  # Information Rights Management: the content is encrypted
                raise Encrypted("rights-protected message (IRM)")
            declared = "message/rfc822" if signed else str(attachment.mimetype or "")
            yield Member(name=name, data=attachment.data, declared_type=declared)
        elif not isinstance(attachment, WebAttachment):  # a link has no bytes in the message
            reason = f"unreadable .msg attachment: {type(attachment).__name__}"
            yield Problem(code=UNSCANNABLE, reason=reason, where=name)


def _name(attachment, number: int) -> str:
    for candidate in ("longFilename", "shortFilename", "displayName", "name"):
        value = getattr(attachment, candidate, None)
        if isinstance(value, str):
            value = value.replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1].strip()
            if value:
                return value
    return f"attachment-{number}"
