"""Outlook's winmail.dat (TNEF) via tnefparse: the body it carries and its attachments."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..charsets import decode_bytes
from ..limits import Limits
from .mapi import check_counts
from .pieces import UNSCANNABLE, Member, Piece, Problem, TextChunk
from .rtf import rtf_text
from .text import html_to_text

# tnefparse logs a warning per property it cannot find, and file content in some; what it
# could not read is reported as a finding instead.
logging.getLogger("tnefparse").setLevel(logging.CRITICAL)


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    from tnefparse import TNEF

    check_counts(data)
    tnef = TNEF(data, do_checksum=False)
    subject = [str(p.data) for p in tnef.msgprops if p.name == TNEF.ATTSUBJECT and p.data]
    if subject:
        yield TextChunk(where="headers", text=f"Subject: {subject[0]}")
    yield from _body(tnef)
    for i, attachment in enumerate(tnef.attachments, 1):
        name = _text(attachment.long_filename(), tnef.codepage).strip("\x00").strip()
        yield Member(name=name or f"attachment-{i}", data=bytes(attachment.data))


def _body(tnef) -> Iterator[Piece]:
    """Every body it carries: Outlook writes the HTML one beside the plain one, and what the
    recipient's program shows may be either (a table, say, is only in the HTML)."""
    if tnef.body:
        yield TextChunk(where="body", text=_text(tnef.body, tnef.codepage))
    if tnef.htmlbody:
        html = html_to_text(_text(tnef.htmlbody, tnef.codepage))
        yield TextChunk(where="body:html" if tnef.body else "body", text=html)
    elif not tnef.body and tnef.has_body():
        yield from _rtf_body(tnef)


def _rtf_body(tnef) -> Iterator[Piece]:
    """Only an RTF body (Outlook's "Rich Text" format): tnefparse inflates it."""
    try:
        rtf = tnef.rtfbody  # inflated here: compressed-rtf raises on a bad checksum
        text = rtf_text(rtf) if rtf else ""
    except Exception as exc:  # a broken body: the attachments are still read
        yield Problem(code=UNSCANNABLE, reason=f"corrupt RTF body: {type(exc).__name__}", where="body")
        return
    if text.strip():
        yield TextChunk(where="body", text=text)


def _text(value, codepage: str | None) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), codepage)
    return str(value or "")
