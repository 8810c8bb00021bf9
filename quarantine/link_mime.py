"""Attachments taken out of a message and a download link put in their place (issue 19).

`split` takes the attachments the inspectors list (Summary.attachments) out of the MIME
tree, which stays intact around the holes; `with_links` adds the link block
(quarantine/link_block.py) to every body part, in that part's own charset and transfer
encoding. Both re-serialise as quarantine/rebuild.py does (compat32, CRLF), so headers and
the parts left alone keep their bytes as far as the email package allows.

Emptied containers: a multipart left without children is dropped from its parent; a root
multipart left without children gets one empty text/plain UTF-8 part, and a root that was
itself the attachment becomes one: the template is valid MIME on its own (RFC 2046 wants a
part in every multipart) and has a body part for the block.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from inspectors.charsets import decode_bytes
from inspectors.extract.mail import (
    _decode_8bit_parameters,
    _is_attachment,
    _message_bytes,
    _parts_without_boundary,
    filename,
)
from inspectors.extract.parser import declared_type, read_message
from inspectors.extract.payload import payload_bytes
from inspectors.extract.text import html_charset
from inspectors.limits import Limits

from .errors import QuarantineError
from .link_block import LinkBlock, as_html, plain
from .rebuild import _POLICY

__all__ = ["LinkBlock", "LinkMimeError", "SharedFile", "split", "with_links"]

_DEPTH = Limits().max_multipart_depth  # the inspectors read no deeper: neither does split
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


class LinkMimeError(QuarantineError, ValueError):
    """A message the email package could not take apart or write again."""


@dataclass(frozen=True, kw_only=True)
class SharedFile:
    name: str  # as the parser reads it (inspectors.extract.mail.filename)
    content_type: str  # declared, lower-case
    data: bytes  # decoded payload, byte-identical to what the sender attached
    part: str  # MIME part path, "1.2", numbered as inspectors.message and rebuild._prune


def split(raw: bytes) -> tuple[bytes, tuple[SharedFile, ...]]:
    """(the message without its attachments, the attachments); (raw, ()) when it has none."""
    try:
        message = read_message(raw)
        files: list[SharedFile] = []
        _collect(message, "1", 0, False, files)
        if not files:
            return raw, ()
        taken = {f.part for f in files}
        if "1" in taken:
            _empty_text(message)
        elif not _prune(message, "1", taken):
            message.set_payload([_text_part()])
        return _flatten(message), tuple(files)
    except (RecursionError, LookupError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise LinkMimeError(f"cannot split the message: {type(exc).__name__}") from exc


def with_links(template: bytes, block: LinkBlock) -> bytes:
    """The template with the link block at the end of every text/plain and text/html body
    part; a message without one gets a text/plain part."""
    try:
        message = read_message(template)
        bodies: list[Message] = []
        _bodies(message, 0, bodies)
        if not bodies:
            bodies.append(_add_text_part(message))
        for part in bodies:
            _append(part, block)
        return _flatten(message)
    except (RecursionError, LookupError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise LinkMimeError(f"cannot add the links: {type(exc).__name__}") from exc


def _collect(part: Message, path: str, depth: int, related: bool, out: list[SharedFile]) -> None:
    """The attachments as inspectors.extract.mail._Walk finds them."""
    ctype = declared_type(part)
    if getattr(part, "opaque", "") == "depth":
        return
    if ctype.startswith("message/"):
        if ctype != "message/delivery-status":  # read as text, a body
            _decode_8bit_parameters(part)
            name = filename(part) or f"message-{path}.eml"
            out.append(SharedFile(name=name, content_type=ctype, data=_message_bytes(part), part=path))
        return
    if ctype.startswith("multipart/") and _parts_without_boundary(part):
        ctype = "text/plain"  # no boundary: the inspectors read it as text
    elif part.is_multipart():
        if depth >= _DEPTH:
            return
        children = part.get_payload()
        for i, child in enumerate(children if isinstance(children, list) else [], 1):
            if isinstance(child, Message):
                _collect(child, f"{path}.{i}", depth + 1, ctype == "multipart/related", out)
        return
    if not (filename(part) or _is_attachment(part, ctype)):
        return
    if related and part.get("Content-ID") and _disposition(part) != "attachment":
        return  # a picture the HTML shows (a signature's logo): it stays
    _decode_8bit_parameters(part)
    name = filename(part) or f"part-{path}"
    out.append(SharedFile(name=name, content_type=ctype, data=payload_bytes(part), part=path))


def _disposition(part: Message) -> str:
    return str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()


def _prune(part: Message, path: str, taken: set[str]) -> bool:
    """Remove the taken parts below `part`, and multiparts they leave empty; False when
    `part` itself has nothing left."""
    if not part.is_multipart():
        return True
    children = part.get_payload()
    kept = []
    for i, child in enumerate(children, 1):
        child_path = f"{path}.{i}"
        if child_path in taken:
            continue
        forward = not isinstance(child, Message) or declared_type(child).startswith("message/")
        if not forward and not _prune(child, child_path, taken):
            continue
        kept.append(child)
    if len(kept) != len(children):
        part.set_payload(kept)
    return bool(kept)


def _empty_text(message: Message) -> None:
    """The root turned into an empty UTF-8 text part, its other headers as they were."""
    for name in ("Content-Disposition", "Content-Transfer-Encoding", "Content-ID", "Content-Description"):
        del message[name]
    if "Content-Type" in message:
        message.replace_header("Content-Type", 'text/plain; charset="utf-8"')
    else:
        message["Content-Type"] = 'text/plain; charset="utf-8"'
    message.set_payload("")
    message.preamble = message.epilogue = None


def _bodies(part: Message, depth: int, out: list[Message]) -> None:
    """The body parts: text/plain and text/html leaves that are not attachments (parts of
    forwarded messages are the forward's, not this message's)."""
    ctype = declared_type(part)
    if getattr(part, "opaque", "") == "depth" or ctype.startswith("message/"):
        return
    if part.is_multipart():
        if depth < _DEPTH:
            for child in part.get_payload():
                if isinstance(child, Message):
                    _bodies(child, depth + 1, out)
        return
    if ctype in ("text/plain", "text/html") and not (filename(part) or _is_attachment(part, ctype)):
        out.append(part)


def _text_part() -> Message:
    text = Message()
    text["Content-Type"] = 'text/plain; charset="utf-8"'
    text["Content-Transfer-Encoding"] = "7bit"
    text.set_payload("")
    return text


def _add_text_part(message: Message) -> Message:
    text = _text_part()
    if message.is_multipart() and declared_type(message).startswith("multipart/"):
        message.get_payload().insert(0, text)  # type: ignore[union-attr]  # a list when multipart
        return text
    # A single-part root (or message/*): its content headers move into a part of a new multipart/mixed.
    inner = Message()
    for name, value in message.items():
        if name.lower().startswith("content-"):
            inner[name] = value
    inner.set_payload(message._payload)  # type: ignore[attr-defined]  # as parsed, still encoded
    for name in {n for n in message if n.lower().startswith("content-")}:
        del message[name]
    message["Content-Type"] = "multipart/mixed"
    message.set_payload([text, inner])
    return text


def _codec(charset: str) -> codecs.CodecInfo | None:
    """The charset's codec when it writes ASCII as ASCII (the block is appended as bytes)."""
    try:
        info = codecs.lookup(
            {"shift_jis": "cp932", "windows-31j": "cp932", "x-sjis": "cp932"}.get(charset, charset)
        )
    except LookupError:
        return None
    try:
        return info if info.encode("<a>\n")[0] == b"<a>\n" else None
    except (UnicodeError, LookupError):
        return None


def _append(part: Message, block: LinkBlock) -> None:
    """The block added to one body part, in its charset and transfer encoding; a charset
    that cannot write it (or that the body does not really use) turns the part to UTF-8."""
    data = payload_bytes(part)
    html = declared_type(part) == "text/html"
    charset = (part.get_content_charset() or (html_charset(data) if html else None) or "us-ascii").lower()
    newline = "\n" if b"\n" in data and b"\r\n" not in data else "\r\n"
    text = as_html(block) if html else plain(block, newline)
    codec = _codec(charset)
    added = None
    if codec is not None:
        try:
            codec.decode(data)
            added = codec.encode(text)[0]
        except (UnicodeError, ValueError):
            added = None
    if codec is None or added is None:
        data = decode_bytes(data, charset).encode("utf-8")
        added = text.encode("utf-8")
        part.set_param("charset", "utf-8")
    if codec is not None and codec.name == "iso2022_jp" and b"\x1b" in data:
        added = b"\x1b(B" + added  # back to ASCII, should the body have ended in kanji
    end = _BODY_END.search(data) if html else None
    if end is not None:
        *_, end = _BODY_END.finditer(data)  # the last one
        data = data[: end.start()] + added + data[end.start() :]
    else:
        data += added
    _set_body(part, data)


def _set_body(part: Message, data: bytes) -> None:
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable", "8bit", "binary") and not data.isascii():
        cte = "quoted-printable"  # 7bit (declared or implied) cannot carry the new bytes
        if "Content-Transfer-Encoding" in part:
            part.replace_header("Content-Transfer-Encoding", cte)
        else:
            part["Content-Transfer-Encoding"] = cte
    if cte == "base64":
        encoded = base64.encodebytes(data).decode("ascii")
    elif cte == "quoted-printable":
        encoded = binascii.b2a_qp(data, istext=True).decode("ascii")
    else:
        encoded = data.decode("ascii", "surrogateescape")
    part.set_payload(encoded)


def _flatten(message: Message) -> bytes:
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(message)
    return out.getvalue()
