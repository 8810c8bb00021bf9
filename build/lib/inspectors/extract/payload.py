"""A MIME part's body, decoded as mail programs decode it: leniently (base64 padded line by
line, quoted-printable soft breaks followed by spaces), and without a second copy of a
large attachment (binascii reads the text itself, or the message's own bytes when the body
is a stand-in the parser left in place)."""

from __future__ import annotations

import binascii
import re
from email.message import Message

from .parser import StandIns

_QP_PADDED_BREAK = re.compile(r"=[ \t]+(?=\r?\n)")


def _base64_run(part: Message, data: bytes, start: int, end: int) -> bytes | None:
    """A base64 body decoded straight from the message's bytes; None when it is not one
    (another transfer encoding, or padding inside it, which payload_bytes reads on past)."""
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "base64":
        return None
    pad = data.find(b"=", start, end)
    if pad >= 0 and data[pad:end].strip(b"=\r\n\t "):
        return None
    try:
        return binascii.a2b_base64(memoryview(data)[start:end])
    except (binascii.Error, ValueError):
        return None


def _base64_in_pieces(raw: str) -> bytes:
    """Base64 with padding in its middle: each padded piece decoded on its own."""
    pieces = re.split(r"(?<==)(?=[^=\s])", "".join(raw.split()))
    out = []
    for piece in pieces:
        try:
            out.append(binascii.a2b_base64(piece + "=" * (-len(piece) % 4)))
        except (binascii.Error, ValueError):
            break
    return b"".join(out)


def payload_bytes(part: Message, stand_ins: StandIns | None = None) -> bytes:
    """The decoded body; the undecoded text when the transfer encoding is broken."""
    if stand_ins is not None and (run := stand_ins.sole(part)) is not None:
        data = _base64_run(part, stand_ins.data, *run)
        if data is not None:
            return data
        stand_ins.put_back(part)  # not plain base64 after all: read as any body is
    try:
        raw = part.get_payload()
    except (UnicodeError, LookupError):  # compat32 decodes 8-bit text with the declared charset
        raw = part._payload  # type: ignore[attr-defined]  # the stdlib's own, as stored
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if isinstance(raw, str) and encoding == "quoted-printable":
        # RFC 2045 §6.7 (3): white space after a soft line break's "=" is transport padding,
        # which the stdlib's decoder keeps (and with it the break).
        try:
            return binascii.a2b_qp(_QP_PADDED_BREAK.sub("=", raw).encode("ascii", "surrogateescape"))
        except (UnicodeError, binascii.Error, ValueError):
            pass
    if isinstance(raw, str) and encoding == "base64" and raw.isascii():
        # binascii reads the str itself: the stdlib would first copy it into bytes, a
        # second copy of the largest attachment at the moment memory peaks.
        try:
            data = binascii.a2b_base64(raw)
        except (binascii.Error, ValueError):
            pass
        else:
            # binascii stops at the first padding "=", mail programs read on: base64
            # padded line by line would otherwise be cut after its first line.
            pad = raw.find("=")
            return data if pad < 0 or not raw[pad:].strip("=\r\n\t ") else _base64_in_pieces(raw)
    try:
        decoded = part.get_payload(decode=True)
    except Exception:
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
