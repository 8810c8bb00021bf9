"""Opening a message's files one inside another: the reader is chosen by content, the
limits are applied, and every text and table read goes to a Sink as it is produced (the
detectors, in a pipeline worker), so that the message's text is never held whole.

Nothing is skipped silently: a file that cannot be read, or can be read only in part,
leaves a problem naming it: attachment.unscannable (begun, not all read), .unsupported (a
format with text that no reader here knows), .encrypted, .type_mismatch.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import time
from collections.abc import Iterator
from types import MappingProxyType
from typing import Protocol

from ..finding import Finding
from ..limits import Limits
from . import (
    archive,
    delimited,
    document,
    mail,
    opendocument,
    outlook,
    pdf,
    presentation,
    rtf,
    tarball,
    text,
    tnef,
    workbook,
)
from .kind import Kind, TypeDetector, claims_readable, mismatch
from .pieces import (
    ENCRYPTED,
    TYPE_MISMATCH,
    UNSCANNABLE,
    Attachment,
    ExtractionError,
    LimitReached,
    Member,
    Piece,
    Problem,
    Property,
    Table,
    TextChunk,
    is_interrupt,
)
from .pieces import UNSUPPORTED as UNSUPPORTED_CODE
from .properties import properties_text
from .technical import measurements

READERS = MappingProxyType(
    {
        "xlsx": workbook.extract,
        "xlsb": workbook.extract,
        "xls": workbook.extract,
        "ods": workbook.extract,
        "docx": document.extract,
        "pptx": presentation.extract,
        "pdf": pdf.extract,
        "zip": archive.extract,
        "7z": archive.extract_7z,
        "eml": mail.extract,
        "tnef": tnef.extract,
        "msg": outlook.extract,
        "html": text.extract_html,
        "xml": text.extract_html,
        "csv": delimited.extract,
        "text": text.extract,
        "rtf": rtf.extract,
        "gzip": tarball.extract("gzip"),
        "bzip2": tarball.extract("bzip2"),
        "xz": tarball.extract("xz"),
        "tar": tarball.extract("tar"),
        "opendocument": opendocument.extract,
    }
)
# Formats that carry text but have no reader here: reported, never passed over.
UNSUPPORTED = MappingProxyType(
    {
        "doc": "Word 97-2003 document",
        "ppt": "PowerPoint 97-2003 presentation",
        "ole": "OLE compound file",
        "rar": "RAR archive",
        "lzh": "LZH archive",
        "cab": "cabinet archive",
    }
)
# Files that unpack members: what they unpack is charged to the top-level attachment's
# archive budgets (an Office package counts the files embedded in it).
ARCHIVES = frozenset({"zip", "tar", "gzip", "bzip2", "xz", "docx", "pptx", "xlsx", "opendocument", "msg"})
MAX_WHERE = 50  # places listed in one problem finding; its count says how many in all


class _OutOfTime(Exception):
    """The CPU budget of the top-level attachment being read is spent."""


class Sink(Protocol):
    """Where the text and tables read go, each once, as they are read (a table is not also
    given as its text). It must not raise: a detector's error is the detector's."""

    def text(self, chunk: TextChunk) -> None: ...

    def table(self, table: Table) -> None: ...


class Extraction:
    """One message's files, opened in turn; what they hold goes to `sink`."""

    def __init__(self, limits: Limits, sink: Sink) -> None:
        self.limits = limits
        self.sink = sink
        self.detector = TypeDetector()
        self.attachments: list[Attachment] = []
        self._problems: dict[tuple[str, str], list[str]] = {}
        self._part_of: dict[str, str] = {}  # attachment where -> its MIME part path
        self._formats: dict[str, str] = {}  # attachment where -> the technical format of its content
        # Unpacking budgets of the top-level attachment being read (nested archives add up).
        self._unpacked = 0
        self._members = 0
        # CPU spent in the sink (detection), which the attachment's reading budget leaves out.
        self._sink_cpu = 0.0

    def read(
        self,
        pieces: Iterator[Piece],
        where: str,
        depth: int,
        *,
        deadline: float | None = None,
        archive: bool = False,
    ) -> list[Property]:
        """Take one file's pieces as they come; returns its properties."""
        properties: list[Property] = []
        try:
            for piece in pieces:
                if deadline is not None and self._reading_cpu() > deadline:
                    raise _OutOfTime()
                if archive and isinstance(piece, Member):
                    self._count_unpacked(piece)
                self._take(piece, where, depth, deadline, properties)
                del piece  # a member's bytes go before the next member is decoded
        except _OutOfTime:
            raise
        except LimitReached as exc:
            self.problem(UNSCANNABLE, where, self.limits.reason(exc.limit))
        except ExtractionError as exc:
            self.problem(exc.code, where, str(exc))
        except Exception as exc:  # whatever a reader raises on a hostile file: that file only
            if is_interrupt(exc):
                raise
            self.problem(UNSCANNABLE, where, f"corrupt: {type(exc).__name__}")
        finally:
            getattr(pieces, "close", lambda: None)()
        return properties

    def _take(
        self, piece: Piece, where: str, depth: int, deadline: float | None, properties: list[Property]
    ) -> None:
        if isinstance(piece, Table):  # readings, whichever reader gave them: a CSV, a sheet, a Word table
            piece = dataclasses.replace(piece, format=measurements(piece.rows) or piece.format)
        if isinstance(piece, (TextChunk, Table)) and piece.format:
            self._formats.setdefault(where, piece.format)  # a fact of the file (its first table's, a sheet's)
        if isinstance(piece, TextChunk):
            self.add_text(inside(where, piece.where), piece.text, piece.format)
        elif isinstance(piece, Table):
            self._give(self.sink.table, dataclasses.replace(piece, where=inside(where, piece.where)))
        elif isinstance(piece, Member):
            self.open(piece, where, depth + 1, deadline)
        elif isinstance(piece, Property):
            properties.append(piece)
        elif isinstance(piece, Problem):
            self.problem(piece.code, inside(where, piece.where), piece.reason)

    def open(self, member: Member, parent: str, depth: int, deadline: float | None) -> None:
        """Identify a file by its content and read it with the reader for that content."""
        where = f"{parent}!{member.name}" if parent else f"attachment:{member.name}"
        kind = self.detector.detect(member.data, member.name, member.declared_type)
        index = len(self.attachments)
        part = member.part or self._part_of.get(parent, "")
        self._part_of[where] = part
        self.attachments.append(_attachment(member, where, parent, part, kind))
        reason = mismatch(member.name, kind)
        if reason:
            self.problem(TYPE_MISMATCH, where, reason)
        if self._refused(kind, member.name, where, depth):
            return
        owner = deadline is None  # a top-level attachment: its budgets start here
        if owner:
            deadline = self._reading_cpu() + self.limits.cpu_seconds_per_attachment
            self._unpacked = self._members = 0
        try:
            properties = self.read(
                READERS[kind.name](member.data, self._limits_for(kind)),
                where,
                depth,
                deadline=deadline,
                archive=kind.name in ARCHIVES,
            )
        except _OutOfTime:
            if not owner:
                raise
            self.problem(UNSCANNABLE, where, self.limits.reason("cpu_seconds_per_attachment"))
            return
        if where in self._formats:
            self.attachments[index] = dataclasses.replace(
                self.attachments[index], format=self._formats[where]
            )
        if properties:
            pairs = tuple((p.name, p.value) for p in properties)
            self.attachments[index] = dataclasses.replace(self.attachments[index], properties=pairs)
            self.add_text(f"{where}!properties", properties_text(properties))

    def _refused(self, kind: Kind, name: str, where: str, depth: int) -> bool:
        """True (with the reason recorded) when this file is not to be read."""
        if kind.encrypted:
            self.problem(ENCRYPTED, where, "password-protected document")
        elif kind.name in UNSUPPORTED:
            self.problem(UNSUPPORTED_CODE, where, f"unsupported format: {UNSUPPORTED[kind.name]}")
        elif kind.name not in READERS and kind.name != "empty" and claims_readable(name, set(READERS)):
            # Named as something with text, but no reader knows the bytes: never passed over.
            self.problem(UNSCANNABLE, where, f"unreadable content: {kind.mime}")
        elif kind.name not in READERS:
            return True  # images, media, executables, unknown binaries: no text to read
        elif depth > self.limits.max_depth:
            self.problem(UNSCANNABLE, where, self.limits.reason("max_depth"))
        else:
            return False
        return True

    def _limits_for(self, kind: Kind) -> Limits:
        """What a reader may still unpack: for an archive, the bytes and members its
        top-level attachment has left (nested bombs add up instead of multiplying)."""
        if kind.name not in ARCHIVES:
            return self.limits
        return dataclasses.replace(
            self.limits,
            max_uncompressed_bytes=max(0, self.limits.max_uncompressed_bytes - self._unpacked),
            max_archive_members=max(0, self.limits.max_archive_members - self._members),
        )

    def _count_unpacked(self, member: Member) -> None:
        self._unpacked += len(member.data)
        self._members += 1
        if self._unpacked > self.limits.max_uncompressed_bytes:
            raise LimitReached("max_uncompressed_bytes")
        if self._members > self.limits.max_archive_members:
            raise LimitReached("max_archive_members")

    def add_text(self, where: str, content: str, format: str = "") -> None:
        if content.strip():
            self._give(self.sink.text, TextChunk(where=where, text=content, format=format))

    def _give(self, take, piece: TextChunk | Table) -> None:
        started = time.process_time()
        take(piece)
        self._sink_cpu += time.process_time() - started

    def _reading_cpu(self) -> float:
        return time.process_time() - self._sink_cpu

    def problem(self, code: str, where: str, reason: str) -> None:
        places = self._problems.setdefault((code, reason), [])
        if (where or "message") not in places:
            places.append(where or "message")

    def findings(self) -> tuple[Finding, ...]:
        """One finding per kind of problem, naming every file it concerns."""
        return tuple(
            Finding(code=code, count=len(places), where=tuple(places[:MAX_WHERE]), evidence=(reason,))
            for (code, reason), places in self._problems.items()
        )


def inside(where: str, sub: str) -> str:
    """The where of something at `sub` within the file at `where` ("" is the message)."""
    if not where:
        return sub
    return f"{where}!{sub}" if sub else where


def _attachment(member: Member, where: str, parent: str, part: str, kind: Kind) -> Attachment:
    declared = member.declared_type or mimetypes.guess_type(member.name)[0] or "application/octet-stream"
    return Attachment(
        where=where,
        filename=member.name,
        content_type=declared,
        size=len(member.data),
        part=part,
        detected_type=kind.mime,
        kind=kind.name,
        parent=parent,
    )
