"""Messages: the top-level one, attached .eml files and message/* forwards.

Text parts that are not attachments are the message's bodies ("body" for the first, then
"body:<part path>"); every other leaf, and every message/* part (rfc822, global, news, ...),
is a Member that the caller identifies by content and opens in turn. Each part is read on
its own: one that fails becomes a problem naming it and the walk goes on with the next.
"""

from __future__ import annotations

import email.policy
import io
import re
from collections.abc import Iterator
from email.generator import BytesGenerator
from email.message import Message
from email.utils import getaddresses

from ..charsets import decode_bytes, decode_header_value, undo_surrogates
from ..limits import Limits
from ..structure import over_limit
from .parser import PARSE_DEPTH, StandIns, declared_type, read_lazily
from .payload import payload_bytes
from .pieces import UNSCANNABLE, Member, Piece, Problem, TextChunk, Unscannable, is_interrupt
from .text import html_charset, html_to_text

_SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    """An attached message: its headers as text (a forward's subject and people are
    content too), then its parts. The relay's pre-parse limits (inspectors/structure.py)
    saw only the outer message; one that came in base64 or inside an archive is checked
    here, before the parser's quadratic paths could run on it."""
    too_costly = over_limit(data, limits)
    if too_costly:
        raise Unscannable(too_costly)
    message, stand_ins = read_lazily(data)
    lines = [
        f"{name}: {decode_header_value(value)}"
        for name, value in raw_headers(message)
        if name.title() in _SHOWN_HEADERS
    ]
    if lines:
        yield TextChunk(where="headers", text="\n".join(lines))
    yield from parts(message, limits, stand_ins)


def parts(message: Message, limits: Limits, stand_ins: StandIns | None = None) -> Iterator[Piece]:
    """Every part's pieces; the bodies of a message read lazily (read_lazily) are put back
    part by part."""
    return _Walk(limits, stand_ins).part(message, "1", 0)


def raw_headers(message: Message) -> list[tuple[str, str]]:
    """Header values as received: 8-bit bytes kept (as surrogate escapes) for the charset
    detector, instead of the replacement characters compat32 would turn them into."""
    return [(name, value if isinstance(value, str) else str(value)) for name, value in message.raw_items()]


def addresses(message: Message, name: str) -> tuple[str, ...]:
    # Raw 8-bit addresses (SMTPUTF8 mail, or a mailer's raw CP932) are decoded first: the
    # recipients' addresses are compared with the envelope's, which are real text.
    values = [
        decode_header_value(value) for key, value in raw_headers(message) if key.lower() == name.lower()
    ]
    try:
        pairs = getaddresses(values)
    except Exception:  # getaddresses is lenient; a last resort for pathological headers
        return ()
    return tuple(addr for _, addr in pairs if "@" in addr)


class _Walk:
    """One walk over one message; remembers whether the first body has been seen."""

    def __init__(self, limits: Limits, stand_ins: StandIns | None = None) -> None:
        self.limits = limits
        self.bodies = 0
        self.stand_ins = stand_ins

    def part(self, part: Message, path: str, depth: int) -> Iterator[Piece]:
        """This part's pieces; a part that fails is a problem naming it, not the end of
        the walk (its siblings, and the parts after it, are still read)."""
        try:
            if self.stand_ins is not None:  # this part's body back, its parts' when they come
                self.stand_ins.put_back(
                    part, whole=not _read_part_by_part(part), keep_sole=_decoded_as_leaf(part)
                )
            yield from self._part(part, path, depth)
        except Exception as exc:  # hostile headers or bodies: this part only
            if is_interrupt(exc):
                raise
            yield Problem(code=UNSCANNABLE, reason=f"corrupt: {type(exc).__name__}", where=f"part:{path}")

    def _part(self, part: Message, path: str, depth: int) -> Iterator[Piece]:
        ctype = declared_type(part)
        if getattr(part, "opaque", "") == "depth":
            reason = f"limit: MIME nesting > {PARSE_DEPTH}"
            yield Problem(code=UNSCANNABLE, reason=reason, where=f"part:{path}")
        elif ctype.startswith("message/"):
            yield from self._forward(part, path, ctype)
        elif ctype.startswith("multipart/") and _parts_without_boundary(part):
            # No boundary declared: the parser reads it as one leaf, and the parts a mail
            # program may still find in it ("--X" lines) are not decoded.
            yield Problem(code=UNSCANNABLE, reason="multipart without its boundary", where=f"part:{path}")
            yield from self._leaf(part, path, "text/plain")
        elif part.is_multipart():
            if depth >= self.limits.max_multipart_depth:
                reason = self.limits.reason("max_multipart_depth")
                yield Problem(code=UNSCANNABLE, reason=reason, where=f"part:{path}")
                return
            payload = part.get_payload()
            for i, child in enumerate(payload if isinstance(payload, list) else [], 1):
                if isinstance(child, Message):
                    yield from self.part(child, f"{path}.{i}", depth + 1)
            yield from _outside_parts(part, path)
        else:
            yield from self._leaf(part, path, ctype)

    def _forward(self, part: Message, path: str, ctype: str) -> Iterator[Piece]:
        """Every message/* part is a message to read (rfc822, global, news, x-...): its
        headers and body may carry anything a message does."""
        if ctype == "message/delivery-status":
            # RFC 3464: blocks of status fields, which mail programs show as text; a
            # Diagnostic-Code may quote anything.
            text = decode_bytes(_blocks_bytes(part), None)
            if text.strip():
                yield TextChunk(where=f"body:{path}", text=text)
            return
        _decode_8bit_parameters(part)
        if ctype == "message/partial":
            # RFC 2046 §5.2.2: the other fragments travel in other messages.
            yield Problem(
                code=UNSCANNABLE, reason="message/partial: fragment of a message", where=f"part:{path}"
            )
        data = _message_bytes(part)
        name = filename(part) or f"message-{path}.eml"
        part.set_payload(None)  # type: ignore[call-overload]  # drops the body; typeshed wants one
        yield Member(name=name, data=data, declared_type=ctype, part=path)

    def _leaf(self, part: Message, path: str, ctype: str) -> Iterator[Piece]:
        _decode_8bit_parameters(part)
        name = filename(part)
        data = payload_bytes(part, self.stand_ins)
        # The decoded bytes are all that is needed from here on; the parsed text goes now
        # so that a large message is not held twice.
        part.set_payload(None)  # type: ignore[call-overload]  # typeshed wants a payload
        if name or _is_attachment(part, ctype):
            yield Member(name=name or f"part-{path}", data=data, declared_type=ctype, part=path)
            return
        charset = part.get_content_charset() or (html_charset(data) if ctype == "text/html" else None)
        text = decode_bytes(data, charset)
        if ctype in ("text/html", "text/xml", "application/xhtml+xml"):
            text = html_to_text(text)
        if text.strip():
            self.bodies += 1
            yield TextChunk(where="body" if self.bodies == 1 else f"body:{path}", text=text)


def _decoded_as_leaf(part: Message) -> bool:
    """A part the walk decodes as a body or a file (`_Walk._leaf`)."""
    return (
        not part.is_multipart()
        and not getattr(part, "opaque", "")
        and not declared_type(part).startswith(("message/", "multipart/"))
    )


def _read_part_by_part(part: Message) -> bool:
    """A multipart the walk reads part by part (a message/* part is flattened whole)."""
    return part.is_multipart() and declared_type(part).startswith("multipart/")


def _outside_parts(part: Message, path: str) -> Iterator[Piece]:
    """RFC 2046 §5.1.1: mail programs are to ignore the preamble and the epilogue, yet they
    travel with the message and a raw view shows them: whatever is written there is read."""
    for name in ("preamble", "epilogue"):
        text = getattr(part, name, None)
        if text and text.strip():
            yield TextChunk(where=f"body:{path}!{name}", text=undo_surrogates(text))


def _message_bytes(part: Message) -> bytes:
    """The enclosed message: flattened again when the parser read it, decoded when it came
    in a transfer encoding (kept opaque by the parser)."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return payload_bytes(part)
    inner = payload[0] if payload else None
    if not isinstance(inner, Message):
        return b""
    buffer = io.BytesIO()
    BytesGenerator(buffer, mangle_from_=False, policy=email.policy.compat32).flatten(inner)
    return buffer.getvalue()


def _parts_without_boundary(part: Message) -> bool:
    """A multipart that declares no boundary, whose body has "--" lines a mail program may
    take for one and parts in a transfer encoding: read as one text, those stay encoded.
    (Plain text parts in it are read with the rest.)"""
    if part.is_multipart() or part.get_boundary() is not None:
        return False
    body = part.get_payload()
    return (
        isinstance(body, str)
        and (body.startswith("--") or "\n--" in body)
        and _ENCODED_PART.search(body) is not None
    )


def _blocks_bytes(part: Message) -> bytes:
    """A message/delivery-status part: the parser reads its blocks as header-only messages."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return payload_bytes(part)
    return b"\r\n".join(block.as_bytes() for block in payload if isinstance(block, Message))


def _decode_8bit_parameters(part: Message) -> None:
    """compat32 turns raw 8-bit bytes in a header into replacement characters before its
    parameters are parsed; a file name written in raw CP932 is decoded first instead."""
    for name in ("Content-Type", "Content-Disposition"):
        raw = next((v for k, v in raw_headers(part) if k.lower() == name.lower()), None)
        if raw is not None and not raw.isascii():
            part.replace_header(name, undo_surrogates(raw))


def _is_attachment(part: Message, ctype: str) -> bool:
    disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or not ctype.startswith("text/")


def filename(part: Message) -> str:
    """The part's file name: RFC 2231 (any charset, continuations), RFC 2047 inside quotes
    as Japanese mailers write it, or raw 8-bit bytes. Directories are dropped."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        try:
            value = part.get_param(param, None, header)
        except Exception:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
            charset, _, text = value
            raw = str(text).encode("latin-1", "surrogateescape") if _latin1(text) else str(text).encode()
            value = decode_bytes(raw, charset or None)
        if value:
            name = decode_header_value(str(value))
            return name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return ""


def _latin1(text) -> bool:
    return all(ord(c) < 256 or 0xDC80 <= ord(c) <= 0xDCFF for c in str(text))


_ENCODED_PART = re.compile(r"(?im)^content-transfer-encoding:[ \t]*(base64|quoted-printable)")
