"""What an extractor yields, one piece at a time, and the errors it may raise.

Extractors are generators: the caller consumes each piece before the next is produced, so an
archive's members are unpacked one by one and a limit hit half-way keeps what came before.
A piece's `where` is relative to the file being read ("Sheet1", "page3", a member's name);
the caller prefixes the attachment's own where.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import ENCRYPTED, TYPE_MISMATCH, UNSCANNABLE, UNSUPPORTED
from ..errors import InspectorError

__all__ = ["ENCRYPTED", "TYPE_MISMATCH", "UNSCANNABLE", "UNSUPPORTED"]  # the extractors' codes


@dataclass(frozen=True, kw_only=True)
class TextChunk:
    where: str  # "body", "body:2", "attachment:見積.txt", "attachment:a.pdf!page2"
    text: str
    format: str = ""  # a technical format recognised in it: "step", "log" ... (extract.technical)


@dataclass(frozen=True, kw_only=True)
class Table:
    """Rows of cells as the detectors need them: header rows, columns, coordinates."""

    where: str  # "attachment:顧客.xlsx!Sheet1", "attachment:a.docx!table1"
    rows: tuple[tuple[str, ...], ...]
    first_row: int = 1  # the sheet's row number of rows[0]
    first_col: int = 1  # the sheet's column number of rows[r][0]
    format: str = ""  # "measurements": a table of numbers (extract.technical)
    # Merged ranges as (top, left, bottom, right) indexes into rows: a form's label merged over
    # cells (pii.forms); the value stands in the top-left cell, the others read empty.
    merged: tuple[tuple[int, int, int, int], ...] = ()

    def ref(self, row: int, col: int) -> str:
        """A1-style reference of rows[row][col], e.g. "D2"."""
        n, letters = self.first_col + col, ""
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(65 + rem) + letters
        return f"{letters}{self.first_row + row}"

    def text(self) -> str:
        """The rows as tab-separated lines, for detectors that read only text."""
        return "\n".join("\t".join(row) for row in self.rows)


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """A file the message carries, directly or inside another one."""

    where: str  # "attachment:見積.xlsx", "attachment:顧客.zip!名簿.xlsx"
    filename: str
    content_type: str  # as declared: the MIME header; for archive members, the name's type
    size: int  # decoded bytes
    part: str  # MIME part path, e.g. "1.2" (the enclosing part's, for members)
    detected_type: str = ""  # what libmagic says the bytes are
    kind: str = ""  # the reader chosen for them: "xlsx", "pdf", "zip", "image", ...
    properties: tuple[tuple[str, str], ...] = ()  # ("company", "株式会社エー"), ("title", ...)
    parent: str = ""  # where of the file containing it; "" for the message's own parts
    format: str = ""  # the technical format its content was recognised as (extract.technical.FORMATS)


@dataclass(frozen=True, kw_only=True)
class Member:
    """A file inside the file being read: a MIME part, an archive member, a TNEF attachment."""

    name: str
    data: bytes
    declared_type: str = ""  # what the container says it is (MIME Content-Type), if anything
    part: str = ""  # MIME part path, for parts of a message


@dataclass(frozen=True, kw_only=True)
class Property:
    """Document metadata: author, company, title ... (who a document belongs to)."""

    name: str
    value: str


@dataclass(frozen=True, kw_only=True)
class Problem:
    """Something unreadable that does not stop the rest of the file being read."""

    code: str
    reason: str  # never content: "limit: cells per sheet > 1000000"
    where: str = ""


Piece = TextChunk | Table | Member | Property | Problem


class ExtractionError(InspectorError):
    """The file cannot be read (further). str(error) is the reason, never content."""

    code = UNSCANNABLE


class Unscannable(ExtractionError):
    code = UNSCANNABLE


class Unsupported(ExtractionError):
    code = UNSUPPORTED


class Encrypted(ExtractionError):
    code = ENCRYPTED


class LimitReached(Unscannable):
    """A limit stops the reading. The reader names the Limits field; the caller, which
    knows the configured value (a reader may be handed what is left of a budget), words it."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


def is_interrupt(exc: BaseException) -> bool:
    """An exception the caller's timer raised into a reader (the inspection pool's alarm),
    or the worker's memory limit (MemoryError, which says nothing about the file): it must
    reach the caller, never become a problem. (It would better derive from BaseException,
    as KeyboardInterrupt does; until then, by name.)"""
    return isinstance(exc, (TimeoutError, MemoryError)) or type(exc).__name__ == "InspectionTimeout"
