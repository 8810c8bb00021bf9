"""MessageView: one parse of the raw message that every inspector reads.

Everything the message carries is read: every text part decoded (Japanese charsets as they
are really used), every attachment identified by content and turned into text and tables,
archives, forwarded messages and winmail.dat opened in turn (inspectors/extract/). Parsing
never raises on bad input: what cannot be read becomes a `problem` finding
(attachment.encrypted / .unscannable / .type_mismatch) so that rules see it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .base import Envelope, Finding
from .charsets import decode_header_value
from .extract import mail
from .extract.extraction import Extraction
from .extract.pieces import UNSCANNABLE, Attachment, Table, TextChunk, is_interrupt
from .extract.text import html_to_text
from .limits import Limits

__all__ = ["Attachment", "Limits", "MessageView", "Summary", "Table", "TextChunk",
           "html_to_text", "parse"]


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


@dataclass(frozen=True, kw_only=True)
class Summary:
    """What the pages show about a message besides its findings: no body text."""
    subject: str = ""
    header_to: tuple[str, ...] = ()
    header_cc: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str, int, str], ...] = ()   # filename, content type, size, MIME part

    @classmethod
    def of(cls, view: MessageView) -> "Summary":
        """The message's own attachments (what the sender attached), not their contents."""
        return cls(subject=view.subject, header_to=view.header_to, header_cc=view.header_cc,
                   attachments=tuple((a.filename, a.content_type, a.size, a.part)
                                     for a in view.attachments if not a.parent))

    def to_dict(self) -> dict:
        return {"subject": self.subject, "header_to": list(self.header_to),
                "header_cc": list(self.header_cc), "attachments": [list(a) for a in self.attachments]}

    @classmethod
    def from_dict(cls, d: dict) -> "Summary":
        return cls(subject=d.get("subject", ""), header_to=tuple(d.get("header_to", ())),
                   header_cc=tuple(d.get("header_cc", ())),
                   attachments=tuple((a[0], a[1], int(a[2]), a[3] if len(a) > 3 else "")
                                     for a in d.get("attachments", ())))


def parse(raw: bytes, envelope: Envelope, limits: Limits = Limits()) -> MessageView:
    """Read everything `raw` carries, within `limits`. Never raises."""
    try:
        return _parse(raw, envelope, limits)
    except BaseException as exc:  # every reader is guarded; this is the contract's last resort
        # (a Rust library's panic arrives as a BaseException; interrupts must go on up)
        if is_interrupt(exc) or isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return MessageView(envelope=envelope, size=len(raw), problems=(
            Finding(code="attachment.unscannable", count=1, where=("message",),
                    evidence=(f"unparseable: {type(exc).__name__}",)),))


def _parse(raw: bytes, envelope: Envelope, limits: Limits) -> MessageView:
    message = mail.read_message(raw)
    extraction = Extraction(limits)
    headers = _headers(message, extraction)
    # Each part's payload is released as it is read, so the message is not held twice.
    extraction.read(mail.parts(message, limits), "", 0)
    return MessageView(envelope=envelope, size=len(raw), **headers, texts=tuple(extraction.texts),
                       tables=tuple(extraction.tables), attachments=tuple(extraction.attachments),
                       problems=extraction.findings())


def _headers(message, extraction: Extraction) -> dict:
    """Subject and address headers, each on its own: one that cannot be read is a problem
    naming it, and the parts are read all the same."""
    readers = {
        "subject": lambda: decode_header_value(
            next((v for k, v in mail.raw_headers(message) if k.lower() == "subject"), "")),
        "header_from": lambda: mail.addresses(message, "From"),
        "header_to": lambda: mail.addresses(message, "To"),
        "header_cc": lambda: mail.addresses(message, "Cc"),
    }
    headers = {}
    for key, read in readers.items():
        try:
            headers[key] = read()
        except Exception as exc:
            if is_interrupt(exc):
                raise
            extraction.problem(UNSCANNABLE, f"header:{key.removeprefix('header_')}",
                               f"corrupt: {type(exc).__name__}")
    return headers
