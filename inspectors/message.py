"""MessageView: one parse of the raw message that every inspector reads.

Everything the message carries is read: every text part decoded (Japanese charsets as they
are really used), every attachment identified by content and turned into text and tables,
archives, forwarded messages and winmail.dat opened in turn (inspectors/extract/). Parsing
never raises on bad input: what cannot be read becomes a `problem` finding
(attachment.encrypted / .unscannable / .unsupported / .type_mismatch) so that rules see it.

Two ways to read: `parse()` keeps the text and tables in the view (tests, tools); `stream()`
gives each to the content readers as it is read and keeps none, so a message's text is never
held whole (a pipeline worker reads every byte of a 25 MB message that way).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .charsets import decode_header_value
from .extract import mail
from .extract.extraction import Extraction, Sink
from .extract.pieces import UNSCANNABLE, Attachment, Table, TextChunk, is_interrupt
from .extract.text import html_to_text
from .finding import Finding
from .limits import Limits
from .view import Envelope, MessageView

__all__ = [
    "Attachment",
    "ContentReader",
    "Limits",
    "MessageView",
    "Readers",
    "Summary",
    "Table",
    "TextChunk",
    "html_to_text",
    "parse",
    "read_view",
    "stream",
]


@dataclass(frozen=True, kw_only=True)
class Summary:
    """What the pages show about a message besides its findings: no body text."""

    subject: str = ""
    header_to: tuple[str, ...] = ()
    header_cc: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str, int, str], ...] = ()  # filename, content type, size, MIME part
    # (an attachment's filename, the technical format of it or of a file in it: "step" ...),
    # so that the page can say where bare numbers were not read as phones or cards.
    formats: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, view: MessageView) -> Summary:
        """The message's own attachments (what the sender attached), not their contents."""
        return cls(
            subject=view.subject,
            header_to=view.header_to,
            header_cc=view.header_cc,
            attachments=tuple(
                (a.filename, a.content_type, a.size, a.part) for a in view.attachments if not a.parent
            ),
            formats=_formats(view),
        )

    def to_dict(self) -> dict:
        return {
            "subject": self.subject,
            "header_to": list(self.header_to),
            "header_cc": list(self.header_cc),
            "attachments": [list(a) for a in self.attachments],
            "formats": [list(f) for f in self.formats],
        }

    @classmethod
    def from_dict(cls, d: dict) -> Summary:
        return cls(
            subject=d.get("subject", ""),
            header_to=tuple(d.get("header_to", ())),
            header_cc=tuple(d.get("header_cc", ())),
            attachments=tuple(
                (a[0], a[1], int(a[2]), a[3] if len(a) > 3 else "") for a in d.get("attachments", ())
            ),
            formats=tuple((str(f[0]), str(f[1])) for f in d.get("formats", ())),
        )


def _formats(view: MessageView) -> tuple[tuple[str, str], ...]:
    """(the message's own attachment, a format recognised in it), each pair once."""
    by_where = {a.where: a for a in view.attachments}
    found: dict[tuple[str, str], None] = {}
    for a in view.attachments:
        if a.format:
            top = a
            while top.parent in by_where:
                top = by_where[top.parent]
            found[(top.filename, a.format)] = None
    return tuple(found)


class ContentReader(Protocol):
    """One content inspector's reading of one message (the plug-in seam for detectors that
    read text and tables). Fed each text chunk and each table once, in the message's order;
    `findings` is asked once at the end, with the view of everything but the content
    (attachments, with their document properties, and problems)."""

    def text(self, chunk: TextChunk) -> None: ...

    def table(self, table: Table) -> None: ...

    def findings(self, message: MessageView) -> Iterable[Finding]: ...


class ContentInspector(Protocol):
    name: str

    def reader(self, message: MessageView) -> ContentReader:
        """A reader for the message whose headers and envelope `message` holds."""


def parse(raw: bytes, envelope: Envelope, limits: Limits = Limits()) -> MessageView:
    """Read everything `raw` carries, within `limits`, keeping its text and tables in the
    view (each table also as its text). Never raises."""
    collected = _Collected()
    view = stream(raw, envelope, limits, lambda _: collected)
    return dataclasses.replace(view, texts=tuple(collected.texts), tables=tuple(collected.tables))


def stream(
    raw: bytes, envelope: Envelope, limits: Limits, open_sink: Callable[[MessageView], Sink]
) -> MessageView:
    """Read everything `raw` carries, within `limits`; `open_sink` is given the view of the
    headers and returns what takes the text and tables as they are read. The view returned
    holds no content. Never raises."""
    try:
        return _parse(raw, envelope, limits, open_sink)
    except BaseException as exc:  # every reader is guarded; this is the contract's last resort
        # (a Rust library's panic arrives as a BaseException; interrupts must go on up)
        if is_interrupt(exc) or isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return MessageView(
            envelope=envelope,
            size=len(raw),
            problems=(
                Finding(
                    code=UNSCANNABLE,
                    count=1,
                    where=("message",),
                    evidence=(f"unparseable: {type(exc).__name__}",),
                ),
            ),
        )


def _parse(raw: bytes, envelope: Envelope, limits: Limits, open_sink) -> MessageView:
    message, stand_ins = mail.read_lazily(raw)
    problems = _Problems()
    headers = _headers(message, problems)
    extraction = Extraction(limits, open_sink(MessageView(envelope=envelope, size=len(raw), **headers)))
    problems.into(extraction)
    # Each part's payload is released as it is read, so the message is not held twice.
    extraction.read(mail.parts(message, limits, stand_ins), "", 0)
    return MessageView(
        envelope=envelope,
        size=len(raw),
        **headers,
        attachments=tuple(extraction.attachments),
        problems=extraction.findings(),
    )


def read_view(reader: ContentReader, message: MessageView) -> Iterable[Finding]:
    """A reader's findings on a parsed view: its texts, then its tables, each table once
    (parse() gives a table also as its text, for readers of text only)."""
    tables = {table.where for table in message.tables}
    for chunk in message.texts:
        if chunk.where not in tables:
            reader.text(chunk)
    for table in message.tables:
        reader.table(table)
    return reader.findings(message)


class _Collected:
    """The sink of parse(): keeps everything, tables also as text (for readers of text only)."""

    def __init__(self) -> None:
        self.texts: list[TextChunk] = []
        self.tables: list[Table] = []

    def text(self, chunk: TextChunk) -> None:
        self.texts.append(chunk)

    def table(self, table: Table) -> None:
        self.texts.append(TextChunk(where=table.where, text=table.text(), format=table.format))
        self.tables.append(table)


class Readers:
    """The content readers of one message, each fed every piece once. A reader that raises
    is set aside with its error (that inspector's inspector.error) and the others go on;
    the worker's timeout, MemoryError and interrupts go on up."""

    def __init__(self, inspectors: Sequence[ContentInspector], message: MessageView) -> None:
        self.readers: dict[str, ContentReader] = {}
        self.errors: dict[str, BaseException] = {}
        self.current = ""  # the inspector reading now, for a timeout's finding
        self._message = message
        for inspector in inspectors:
            self._run(inspector.name, self._start, inspector, message)

    def text(self, chunk: TextChunk) -> None:
        for name, reader in list(self.readers.items()):
            self._run(name, reader.text, chunk)

    def table(self, table: Table) -> None:
        for name, reader in list(self.readers.items()):
            self._run(name, reader.table, table)

    def findings(self, name: str, message: MessageView) -> list[Finding]:
        """The inspector's findings; raises the error that set its reader aside."""
        if name in self.errors:
            raise self.errors[name]
        self.current = name
        found = list(self.readers.pop(name).findings(message))
        self.current = ""
        return found

    def salvage(self) -> list[Finding]:
        """What the readers not yet asked had found when the inspection was cut short (the
        worker's timeout): kept, as findings made so far always were. A reader the cut left
        in an inconsistent state is passed over; the inspector.error holds the message anyway."""
        found: list[Finding] = []
        for reader in self.readers.values():
            try:
                found.extend(reader.findings(self._message))
            except Exception:
                continue
        self.readers.clear()
        return found

    def _start(self, inspector: ContentInspector, message: MessageView) -> None:
        self.readers[inspector.name] = inspector.reader(message)

    def _run(self, name: str, call: Callable[..., None], *args: Any) -> None:
        self.current = name  # left set when the worker's timeout interrupts it
        try:
            call(*args)
        except BaseException as exc:
            if is_interrupt(exc) or isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            self.errors[name] = exc
            self.readers.pop(name, None)
        self.current = ""


class _Problems:
    """Problems met before the extraction exists (a header that cannot be read)."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []

    def problem(self, code: str, where: str, reason: str) -> None:
        self.found.append((code, where, reason))

    def into(self, extraction: Extraction) -> None:
        for code, where, reason in self.found:
            extraction.problem(code, where, reason)


def _headers(message, problems: _Problems) -> dict:
    """Subject and address headers, each on its own: one that cannot be read is a problem
    naming it, and the parts are read all the same."""
    readers = {
        "subject": lambda: decode_header_value(
            next((v for k, v in mail.raw_headers(message) if k.lower() == "subject"), "")
        ),
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
            problems.problem(
                UNSCANNABLE, f"header:{key.removeprefix('header_')}", f"corrupt: {type(exc).__name__}"
            )
    return headers
