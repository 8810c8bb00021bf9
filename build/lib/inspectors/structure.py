"""A look at a raw message's MIME structure before it is parsed, in a few passes of C code.

Two shapes of message cost the parser far more than their size: a MIME header field whose
parameters the stdlib parses in quadratic time (300 KB of ';' in one quoted file name runs
for minutes, and the feed parser itself does it for a multipart's boundary, before any
limit of ours could apply), and a flood of tiny parts (each one identified by content).
Neither is honest mail: a Content-Type or Content-Disposition field of a few hundred bytes
and a handful of parameters, a few dozen parts. When either limit is passed the message is not parsed at all, and the
pipeline reports it as an inspection that did not happen (fail closed).

Messages nested inside encodings or archives (a base64 message/rfc822, an attached .eml)
are not visible here; the extraction walk applies the same check to each before parsing it
(inspectors/extract/mail.py), and one over a limit is an unscannable attachment.
"""

from __future__ import annotations

import re

from .limits import Limits

_FIELD_AT_START = re.compile(rb"(?:content-type|content-disposition):", re.I)
_FIELD = re.compile(rb"\n(?:content-type|content-disposition):", re.I)
_BOUNDARY = re.compile(rb'boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.I)
_DASH_LINE = re.compile(rb"^--([^\r\n]{1,200}?)(?:--)?[ \t]*\r?$", re.M)


def over_limit(raw: bytes, limits: Limits) -> str | None:
    """The limit `raw` passes ("limit: ..."), or None when it may be parsed."""
    if _parts(raw) > limits.max_mime_parts:
        return limits.reason("max_mime_parts")
    size, separators = _largest_field(raw)
    if size > limits.max_mime_header_bytes:
        return limits.reason("max_mime_header_bytes")
    if separators > limits.max_mime_parameters:
        return limits.reason("max_mime_parameters")
    return None


def _parts(raw: bytes) -> int:
    """Boundary lines, an upper bound on the parts. Counting lines that start with "--" is
    one pass; only when those alone pass the limit are they matched against the declared
    boundaries (a text body may have many "-- " lines of its own)."""
    dashes = raw.count(b"\n--") + raw.startswith(b"--")
    if dashes <= 1000:
        return dashes
    declared = {a or b for a, b in _BOUNDARY.findall(raw)}
    return sum(1 for m in _DASH_LINE.finditer(raw) if m.group(1) in declared)


def _largest_field(raw: bytes) -> tuple[int, int]:
    """The largest size and the most ';' of any Content-Type or Content-Disposition field,
    folded lines included (RFC 5322 §2.2.3), found wherever a header section may be: in
    every part. The parameter parser's cost grows with the product of the two. Searched in
    `raw` itself: a lower-cased copy of a 25 MB message would be two more copies of it at
    the start of every inspection."""
    starts = [0] if _FIELD_AT_START.match(raw) else []
    starts += [m.start() + 1 for m in _FIELD.finditer(raw)]
    size = separators = 0
    for start in starts:
        end = _field_end(raw, start)
        size = max(size, end - start)
        separators = max(separators, raw.count(b";", start, end))
    return size, separators


def _field_end(text: bytes, start: int) -> int:
    """Where the field beginning at `start` ends: at a line break not followed by a space
    or tab."""
    end = text.find(b"\n", start)
    while end >= 0 and text[end + 1 : end + 2] in (b" ", b"\t"):
        end = text.find(b"\n", end + 1)
    return len(text) if end < 0 else end
