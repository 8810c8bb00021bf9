"""What an inspector reads: the envelope, and the MessageView that one parse of the raw
message makes of it (inspectors/message.py builds it; inspectors/extract/ reads its parts).

A leaf: it imports only the finding and the pieces extraction yields, so that the Inspector
protocol (base.py), the parse (message.py) and the extraction can all name these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .extract.pieces import Attachment, Table, TextChunk
from .finding import Finding


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """The SMTP envelope: who really gets the message, whatever the headers say."""

    mail_from: str
    rcpt_tos: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class MessageView:
    envelope: Envelope
    size: int
    subject: str = ""
    header_from: tuple[str, ...] = ()
    header_to: tuple[str, ...] = ()
    header_cc: tuple[str, ...] = ()
    texts: tuple[TextChunk, ...] = ()
    tables: tuple[Table, ...] = ()
    # Every file, nested ones too (archive members, a forward's attachments): those of the
    # message itself have parent "".
    attachments: tuple[Attachment, ...] = ()
    problems: tuple[Finding, ...] = field(default=())

    @property
    def visible_recipients(self) -> tuple[str, ...]:
        return self.header_to + self.header_cc
