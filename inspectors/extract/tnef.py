"""Outlook's winmail.dat (TNEF) via tnefparse: the body it carries and its attachments."""
from __future__ import annotations

import logging
from typing import Iterator

from ..charsets import decode_bytes
from ..limits import Limits
from .mapi import check_counts
from .pieces import UNSCANNABLE, Member, Piece, Problem, TextChunk
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
    if tnef.body:
        yield TextChunk(where="body", text=_text(tnef.body, tnef.codepage))
    elif tnef.htmlbody:
        yield TextChunk(where="body", text=html_to_text(_text(tnef.htmlbody, tnef.codepage)))
    elif tnef.has_body():
        # Only a compressed-RTF body, and no decompressor (compressed_rtf) is installed.
        yield Problem(code=UNSCANNABLE, reason="unsupported body: compressed RTF", where="body")


def _text(value, codepage: str | None) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value.rstrip(b"\x00"), codepage)
    return str(value or "")
