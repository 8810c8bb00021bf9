"""MessageView: one parse of the raw message that every inspector reads.

Parsing never raises on bad input: what cannot be read becomes a `problem` finding
(`attachment.unscannable`) so that rules see it instead of it being skipped.
"""
from __future__ import annotations

import email
import email.policy
import html.parser
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from .base import Envelope, Finding
from .charsets import decode_bytes, decode_header_value

# message/rfc822 inside message/rfc822 inside ... : bounded so a hostile nesting cannot recurse
# without end (issue 3 makes this configurable).
MAX_DEPTH = 10


@dataclass(frozen=True, kw_only=True)
class TextChunk:
    where: str      # "body", "body:2", "attachment:見積.txt"
    text: str


@dataclass(frozen=True, kw_only=True)
class Table:
    """Rows of cells as the detectors need them: header rows, columns, coordinates."""
    where: str                            # "attachment:顧客.xlsx!Sheet1", "attachment:a.docx!table1"
    rows: tuple[tuple[str, ...], ...]
    first_row: int = 1                    # the sheet's row number of rows[0]
    first_col: int = 1                    # the sheet's column number of rows[r][0]

    def ref(self, row: int, col: int) -> str:
        """A1-style reference of rows[row][col], e.g. "D2"."""
        n, letters = self.first_col + col, ""
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{letters}{self.first_row + row}"


@dataclass(frozen=True, kw_only=True)
class Attachment:
    where: str            # "attachment:見積.xlsx"
    filename: str
    content_type: str     # as declared in the MIME header
    size: int             # decoded bytes
    part: str             # MIME part path, e.g. "1.2"


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
    attachments: tuple[tuple[str, str, int], ...] = ()   # filename, content type, size

    @classmethod
    def of(cls, view: MessageView) -> "Summary":
        return cls(subject=view.subject, header_to=view.header_to, header_cc=view.header_cc,
                   attachments=tuple((a.filename, a.content_type, a.size) for a in view.attachments))

    def to_dict(self) -> dict:
        return {"subject": self.subject, "header_to": list(self.header_to),
                "header_cc": list(self.header_cc), "attachments": [list(a) for a in self.attachments]}

    @classmethod
    def from_dict(cls, d: dict) -> "Summary":
        return cls(subject=d.get("subject", ""), header_to=tuple(d.get("header_to", ())),
                   header_cc=tuple(d.get("header_cc", ())),
                   attachments=tuple((a[0], a[1], int(a[2])) for a in d.get("attachments", ())))


def parse(raw: bytes, envelope: Envelope) -> MessageView:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # the stdlib parser is lenient; this is a last resort
        return MessageView(envelope=envelope, size=len(raw), problems=(
            Finding(code="attachment.unscannable", count=1, where=("message",),
                    evidence=(f"unparseable: {type(exc).__name__}",)),))
    walker = _Walker()
    walker.walk(msg, "1", 0)
    return MessageView(
        envelope=envelope,
        size=len(raw),
        subject=decode_header_value(msg.get("Subject", "")),
        header_from=_addresses(msg, "From"),
        header_to=_addresses(msg, "To"),
        header_cc=_addresses(msg, "Cc"),
        texts=tuple(walker.texts),
        attachments=tuple(walker.attachments),
        problems=tuple(walker.problems),
    )


def _addresses(msg: Message, name: str) -> tuple[str, ...]:
    values = [decode_header_value(v) for v in msg.get_all(name, [])]
    return tuple(addr for _, addr in getaddresses(values) if "@" in addr)


class _Walker:
    def __init__(self) -> None:
        self.texts: list[TextChunk] = []
        self.attachments: list[Attachment] = []
        self.problems: list[Finding] = []

    def walk(self, part: Message, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self._unscannable(f"part:{path}", "nesting too deep")
            return
        ctype = part.get_content_type()
        if part.is_multipart():
            payload = part.get_payload()
            for i, child in enumerate(payload if isinstance(payload, list) else [], 1):
                if isinstance(child, Message):
                    self.walk(child, f"{path}.{i}", depth + 1)
            return
        filename = _filename(part)
        data = _payload_bytes(part)
        if filename or _is_attachment(part, ctype):
            name = filename or f"part-{path}"
            where = f"attachment:{name}"
            self.attachments.append(Attachment(where=where, filename=name, content_type=ctype,
                                               size=len(data), part=path))
            if ctype.startswith("text/"):
                self._text(where, part, data, ctype)
            return
        body_where = "body" if not self.texts else f"body:{path}"
        self._text(body_where, part, data, ctype)

    def _text(self, where: str, part: Message, data: bytes, ctype: str) -> None:
        text = decode_bytes(data, part.get_content_charset())
        if ctype == "text/html":
            text = html_to_text(text)
        if text.strip():
            self.texts.append(TextChunk(where=where, text=text))

    def _unscannable(self, where: str, reason: str) -> None:
        self.problems.append(Finding(code="attachment.unscannable", count=1,
                                     where=(where,), evidence=(reason,)))


def _is_attachment(part: Message, ctype: str) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return disposition == "attachment" or not (ctype.startswith("text/") or ctype == "message/rfc822")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        return ""
    if isinstance(name, tuple):  # RFC 2231 value that the stdlib left undecoded
        name = email.utils.collapse_rfc2231_value(name, fallback_charset="cp932")
    return decode_header_value(str(name))


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


class _HTMLText(html.parser.HTMLParser):
    _SKIP = {"script", "style", "head", "title"}
    _BREAK = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "td", "th", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BREAK:
            self.out.append("\n" if tag not in ("td", "th") else "\t")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        pass
    return "".join(parser.out)
