"""Outlook .msg files (MS-OXMSG), read with olefile: what Outlook attaches when a mail is
forwarded "as an attachment", or dragged out of a folder into another mail.

Yields the message's headers (subject, sender, recipients) and bodies, and its own
attachments as members, which the caller opens in turn: a file as its bytes, a message
embedded in it as a .msg of its own (so a .msg inside a .msg is read, and limited, like a
zip inside a zip).

An embedded message is a storage of the same compound file (PR_ATTACH_DATA_OBJ). It is
exported, not read in place: its storage is copied into a compound file of its own
(extract.compound), with the outer file's named-property map and the top-level header, as
Outlook's "Save as" would. Reading it in place would need a second path for everything the
caller does with a member: type detection, its own record and where, the depth and member
budgets, the CPU deadline; exported, it is one more member. The copy costs its bytes once
per level, and levels are bounded by the depth limit, checked before anything is read.

The directory is walked first: a file whose streams claim more than it holds, or that nests
messages past the depth limit, or holds more attachments, recipients or bytes than an
archive may, or more properties in one storage than Outlook writes, is refused before a
property is read. RTF bodies are decompressed with compressed_rtf (MIT).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..charsets import decode_bytes
from ..limits import Limits
from .compound import compound_file
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
from .storage import EMBEDDED, ITEM, OBJECT, PROPERTIES, STORAGE, STREAM, TOP, Storage
from .text import html_charset, html_to_text

_EMBEDDED = f"__substg1.0_3701{OBJECT:04X}"  # PR_ATTACH_DATA_OBJ: a message inside a message
_NAMES = "__nameid_version1.0"
# Top-level text properties; a multi-valued one (101F/101E) keeps each value in a stream "-N".
_STRING = re.compile(r"__SUBSTG1\.0_([0-9A-F]{4})(001F|001E|101F-[0-9A-F]{8}|101E-[0-9A-F]{8})")
# Property ids read as headers or bodies, or with nothing a reader sees (message class,
# subject prefix and topic, transport headers, address types, message ids).
_SHOWN = frozenset(
    (0x001A, 0x0037, 0x003D, 0x0070, 0x0E1D, 0x1000, 0x1013, 0x0C1A, 0x0C1F, 0x5D01, 0x0E04, 0x0E03)
    + (0x007D, 0x0C1E, 0x0064, 0x0065, 0x1035, 0x1039, 0x1042)
)
_RECIPIENTS, _ATTACHMENTS = "__recip_version1.0_#", "__attach_version1.0_#"
_PEOPLE_AND_FILES = (_RECIPIENTS, _ATTACHMENTS)
# Properties of one message, recipient or attachment: Outlook writes some tens to a few hundred.
_WIDEST = 2_000
_OUTLOOK = "application/vnd.ms-outlook"
# S/MIME in Outlook: "IPM.Note.SMIME" carries an encrypted (or opaque-signed) PKCS #7 blob;
# ".MultipartSigned" carries the signed MIME message readably, as its one attachment.
_SMIME, _SIGNED = "ipm.note.smime", "ipm.note.smime.multipartsigned"
_TO, _CC, _BCC = 1, 2, 3  # PR_RECIPIENT_TYPE (MS-OXOMSG 2.2.3.1)
_BY_WEB_REFERENCE = 7  # a link to a file in the cloud: no bytes in the message


@dataclass(frozen=True)
class Shape:
    """What the compound file's directory says, before anything is read."""

    total_bytes: int
    members: int  # attachments and recipients
    nesting: int  # messages embedded one inside another
    widest: int  # entries in one storage, recipients and attachments left out


def shape(ole: Any, size: int) -> Shape:
    """The directory's counts, in one walk over the tree olefile loaded. Unscannable when a
    stream claims more bytes than the file (`size`) has (olefile would follow the claim
    sector by sector)."""
    total = members = nesting = widest = 0
    todo = [(ole.root, 0)]
    while todo:
        storage, depth = todo.pop()
        nesting = max(nesting, depth)
        own = 0
        for kid in storage.kids:
            if kid.entry_type == STREAM:
                if kid.size > size:
                    raise Unscannable("corrupt .msg: a stream larger than the file")
                total += kid.size
            if kid.name.startswith(_PEOPLE_AND_FILES):
                members += 1
            else:
                own += 1
            if kid.entry_type == STORAGE:
                todo.append((kid, depth + (kid.name == _EMBEDDED)))
        widest = max(widest, own)
    return Shape(total_bytes=total, members=members, nesting=nesting, widest=widest)


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
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:
        if is_interrupt(exc):
            raise
        raise Unscannable(f"corrupt .msg: {type(exc).__name__}") from None
    try:
        check(shape(ole, len(data)), limits)
        if PROPERTIES not in {kid.name for kid in ole.root.kids}:
            raise Unscannable("corrupt .msg: no property stream")
        message = Storage(ole, ole.root, TOP)
        kind = message.text(0x001A).lower()
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
        ole.close()


def _headers(message: Storage) -> str:
    name = message.text(0x0C1A)
    address = message.text(0x5D01) or message.text(0x0C1F)
    sender = f"{name} <{address}>".strip() if address else name
    fields = (
        ("Subject", message.text(0x0037)),
        ("From", sender),
        ("To", _recipients(message, _TO) or message.text(0x0E04)),
        ("Cc", _recipients(message, _CC) or message.text(0x0E03)),
        # A .msg saved from Sent Items keeps its Bcc: forty customers' addresses, say.
        ("Bcc", _recipients(message, _BCC) or message.text(0x0E02)),
    )
    return "\n".join(f"{name}: {value}" for name, value in fields if value)


def _recipients(message: Storage, kind: int) -> str:
    people = []
    for entry in message.storages(_RECIPIENTS):
        person = Storage(message.ole, entry, ITEM, message.charset)
        if person.long(0x0C15) == kind:
            name, address = person.text(0x3001), person.text(0x39FE) or person.text(0x3003)
            shown = name and address and name != address  # Outlook names an unknown address by itself
            people.append(f"{name} <{address}>" if shown else name or address)
    return "; ".join(person for person in people if person)


def _fields(message: Storage) -> str:
    """The message's other text properties: a contact's phone numbers and addresses, a
    meeting's place, named properties; what the headers and bodies show is left out, and so
    are the transport headers (Received lines, DKIM signatures), ids and address types."""
    values = []
    for name in message.kids:
        found = _STRING.fullmatch(name)
        if found and int(found.group(1), 16) not in _SHOWN:
            raw = message.read(name) or b""
            unicode = found.group(2).startswith(("001F", "101F"))
            value = (
                raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0]
                if unicode
                else message.text8(raw)
            )
            if value.strip():
                values.append(value.strip())
    return "\n".join(dict.fromkeys(values))


def _bodies(message: Storage) -> Iterator[Piece]:
    """Every body it keeps: Outlook writes the HTML one beside the plain one, and what the
    reader's program shows may be either; the RTF one is read when it is all there is."""
    plain = message.text(0x1000)
    if plain:
        yield TextChunk(where="body", text=plain)
    html = message.binary(0x1013) or message.text(0x1013).encode()
    if html:
        text = html_to_text(decode_bytes(html, html_charset(html)))
        yield TextChunk(where="body:html" if plain else "body", text=text)
    elif not plain:
        yield from _rtf_body(message.binary(0x1009))


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


def _attachments(message: Storage, signed: bool) -> Iterator[Piece]:
    for i, entry in enumerate(message.storages(_ATTACHMENTS), 1):
        attachment = Storage(message.ole, entry, ITEM, message.charset)
        name = _name(attachment, i)
        data = attachment.binary(0x3701)
        inner = attachment.kids.get(_EMBEDDED.upper())
        if inner is not None and inner.entry_type == STORAGE:
            yield _embedded(message, attachment, inner, name)
        elif data is not None:
            if suffix(name) == "rpmsg":  # Information Rights Management: the content is encrypted
                raise Encrypted("rights-protected message (IRM)")
            declared = "message/rfc822" if signed else attachment.text(0x370E)
            yield Member(name=name, data=data, declared_type=declared)
        elif attachment.long(0x3705) != _BY_WEB_REFERENCE:
            reason = f"unreadable .msg attachment: no data (method {attachment.long(0x3705)})"
            yield Problem(code=UNSCANNABLE, reason=reason, where=name)


def _embedded(message: Storage, attachment: Storage, inner: Any, name: str) -> Piece:
    """The embedded message as a .msg of its own: its storage, the named-property map of
    the file it came from, and the header a message has at the top of a file."""
    tree = attachment.tree(inner)
    props = tree.get(PROPERTIES)
    if not isinstance(props, bytes):  # an OLE object (method 6) pasted into an RTF mail
        return Problem(code=UNSCANNABLE, reason="unreadable .msg attachment: OLE object", where=name)
    names = message.kids.get(_NAMES.upper())
    if names is not None:
        tree[_NAMES] = message.tree(names)
    tree[PROPERTIES] = props[:EMBEDDED] + bytes(TOP - EMBEDDED) + props[EMBEDDED:]
    name = name if suffix(name) == "msg" else f"{name}.msg"
    return Member(name=name, data=compound_file(tree), declared_type=_OUTLOOK)


def _name(attachment: Storage, number: int) -> str:
    for pid in (0x3707, 0x3704, 0x3001):  # long file name, 8.3 file name, display name
        value = attachment.text(pid).replace("\\", "/").rsplit("/", 1)[-1].strip()
        if value:
            return value
    return f"attachment-{number}"
