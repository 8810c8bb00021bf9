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

Names are the inspectors' (what the hold page showed): a file without one is "part-<path>",
a forward without one "message-<path>.eml". Hostile mail raises LinkMimeError (a ValueError)
and nothing else.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO

from inspectors.extract.mail import (
    _decode_8bit_parameters,
    _is_attachment,
    _message_bytes,
    _parts_without_boundary,
    filename,
)
from inspectors.extract.parser import declared_type, read_message
from inspectors.extract.payload import payload_bytes
from inspectors.limits import Limits

from .errors import QuarantineError
from .link_block import LinkBlock, write_block
from .link_inline import referenced, stays_inline
from .rebuild import _POLICY

__all__ = ["LinkBlock", "LinkMimeError", "SharedFile", "split", "with_links"]

_LINE_END = re.compile(rb"\r\n|\r(?!\n)|\n")  # as the email parser reads them
_HEAD_END = re.compile(rb"(?:\r\n|\r(?!\n)|\n){2}")
_FIELD = re.compile(rb"\r\n(?![ \t])")  # between two header fields
_DEPTH = Limits().max_multipart_depth  # where with_links looks for body parts


class LinkMimeError(QuarantineError, ValueError):
    """A message the email package could not take apart or write again."""


@dataclass(frozen=True, kw_only=True)
class SharedFile:
    name: str  # as the parser reads it (inspectors.extract.mail.filename)
    content_type: str  # declared, lower-case
    data: bytes  # decoded payload, byte-identical to what the sender attached
    part: str  # MIME part path, "1.2", numbered as inspectors.message and rebuild._prune


def split(raw: bytes, limits: Limits = Limits()) -> tuple[bytes, tuple[SharedFile, ...]]:
    """(the message without its attachments, the attachments); (raw, ()) when it has none.
    `limits`: the inspection's (inspection.limits): split reads as deep as the inspectors."""
    try:
        message = read_message(raw)
        files: list[SharedFile] = []
        _collect(message, "1", 0, None, files, limits.max_multipart_depth)
        if not files:
            return raw, ()
        taken = {f.part for f in files}
        if "1" in taken:
            _empty_text(message)
        elif not _prune(message, "1", taken):
            message.set_payload([_text_part()])
        return _flatten(message, raw), tuple(files)
    except MemoryError:
        raise  # not the message's fault
    except Exception as exc:  # hostile mail: whatever the email package or a codec raised
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
            write_block(part, block)
        return _flatten(message, template)
    except MemoryError:
        raise
    except Exception as exc:
        raise LinkMimeError(f"cannot add the links: {type(exc).__name__}") from exc


def _collect(
    part: Message, path: str, depth: int, cids: frozenset[str] | None, out: list[SharedFile], max_depth: int
) -> None:
    """The attachments as inspectors.extract.mail._Walk finds them. `cids`: inside a
    multipart/related, the Content-IDs its HTML shows."""
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
        if depth >= max_depth:
            return
        inner = referenced(part, depth, max_depth) if ctype == "multipart/related" else None
        children = part.get_payload()
        for i, child in enumerate(children if isinstance(children, list) else [], 1):
            if isinstance(child, Message):
                _collect(child, f"{path}.{i}", depth + 1, inner, out, max_depth)
        return
    if not (filename(part) or _is_attachment(part, ctype)):
        return
    if stays_inline(part, ctype, cids):
        return  # a picture the HTML shows (a signature's logo): it stays (link_inline.py)
    _decode_8bit_parameters(part)
    name = filename(part) or f"part-{path}"
    out.append(SharedFile(name=name, content_type=ctype, data=payload_bytes(part), part=path))


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
    """A text part for the block in a message without a body part: first in a
    multipart/mixed root, or with the root's content wrapped in a new multipart/mixed (its
    content headers and body move into a part, as they were)."""
    text = _text_part()
    if message.is_multipart() and declared_type(message) == "multipart/mixed":
        message.get_payload().insert(0, text)  # type: ignore[union-attr]  # a list when multipart
        return text
    inner = copy.copy(message)  # the same class, body, preamble and epilogue
    content = [(k, v) for k, v in message.items() if k.lower().startswith("content-")]
    inner._headers = content  # type: ignore[attr-defined]  # the stdlib's own list, ours now
    for name in {k for k, _ in content}:
        del message[name]  # rebinds the root's list: the inner part's stays
    message["Content-Type"] = "multipart/mixed"
    if "MIME-Version" not in message:
        message["MIME-Version"] = "1.0"
    message.preamble = message.epilogue = None
    message.set_payload([text, inner])
    return text


def _flatten(message: Message, raw: bytes) -> bytes:
    """The message's bytes, each header field as it came (only line ends made CRLF) when it
    still reads the same: the email package rewrites some fields (a space before a fold
    dropped, a stray line) and MIME changes only a few."""
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(message)
    data = out.getvalue()
    came, written = _HEAD_END.search(raw), _HEAD_END.search(data)
    if came is None or written is None:
        return data
    head = _LINE_END.sub(b"\r\n", raw[: came.start()])
    if message.get_unixfrom() is not None:  # an mbox "From " line: not a header, not sent
        head = head.partition(b"\r\n")[2]
    fields = [f for f in _FIELD.split(head) if f.strip()]
    before, after = _unfolded(read_message(head + b"\r\n\r\n")), _unfolded(message)
    if len(fields) != len(before):  # a line the parser did not read as a field
        return data
    if before == after:
        return head + data[written.start() :]
    generated = _FIELD.split(data[: written.start()])
    if len(generated) != len(after):
        return data
    unused: dict[tuple[str, str], list[bytes]] = {}
    for item, field in zip(before, fields, strict=True):
        unused.setdefault(item, []).append(field)
    kept = [
        unused[item].pop(0) if unused.get(item) else new for item, new in zip(after, generated, strict=True)
    ]
    return b"\r\n".join(kept) + data[written.start() :]


def _unfolded(message: Message) -> list[tuple[str, str]]:
    return [(name, re.sub(r"\r\n?", "\n", str(value))) for name, value in message.items()]
