"""OpenDocument text and presentations (odt, odp, and their flat or template variants),
as LibreOffice and public offices write them; spreadsheets (ods) go to calamine.

An OpenDocument file is a zip of XML (ISO/IEC 26300): content.xml holds the body, its
tables, frames and notes; styles.xml the page headers and footers; meta.xml the properties.
Paragraphs are read as lines and each table as a Table, streamed, so a large part is never
held as a tree: what has been read is dropped from it. A part is compressed XML (a 71 KB file
held 20 million repeated cells): what it yields is bounded by the cells per sheet, and the
text repeated cells make up by what an archive may unpack; a part cut short is a problem
naming the limit. Tracked changes, comments and hidden text are read in places of their own
(extract/odf_markup.py).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

from ..limits import Limits
from .archive import MEMBER_ERRORS, check_package, open_zip, read_member
from .odf_markup import LINES as _LINES
from .odf_markup import Markup
from .package import closed_elements, xml_events
from .pieces import UNSCANNABLE, LimitReached, Member, Piece, Problem, Property, Table, TextChunk

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TABLE, _ROW, _CELL = (f"{{{_TABLE_NS}}}{t}" for t in ("table", "table-row", "table-cell"))
_COVERED = f"{{{_TABLE_NS}}}covered-table-cell"
_META = {
    "title": "title",
    "subject": "subject",
    "initial-creator": "author",
    "creator": "last_modified_by",
    "keywords": "keywords",
    "description": "comments",
}
MAX_REPEAT = 63  # a cell repeated across columns is read this many times at most


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    package = check_package(open_zip(data), limits)
    for part, where in (("content.xml", ""), ("styles.xml", "styles")):
        if part in package.namelist():
            yield from _part(package, part, where, limits)
    if "meta.xml" in package.namelist():
        yield from _meta(package, limits)
    yield from _objects(package, limits)


def _objects(package: zipfile.ZipFile, limits: Limits) -> Iterator[Piece]:
    """What is embedded in the document, shown in it, and was passed over in silence: a
    chart or a Calc sheet is a document of its own in "Object 1/" (its content.xml holds
    the table of values and labels); an OLE object (an Excel sheet) is the file "Object 2",
    opened like an attachment, as an Office package's embedded files are."""
    for info in package.infolist():
        folder, _, leaf = info.filename.rpartition("/")
        inside = all(step.startswith("Object ") for step in folder.split("/"))  # "Object 1/Object 2"
        if folder and inside and leaf == "content.xml":
            yield from _part(package, info.filename, folder, limits)
        elif (inside or not folder) and leaf.startswith("Object ") and not info.is_dir():
            data = yield from read_member(package, info, limits.max_uncompressed_bytes, limits)
            if data is not None:
                yield Member(name=leaf, data=data)


def _part(package: zipfile.ZipFile, name: str, where: str, limits: Limits) -> Iterator[Piece]:
    reader = _Reader(limits)
    try:
        with package.open(name) as stream:
            for event, element in xml_events(stream, limits):
                reader.take(event, element)
    except LimitReached as exc:  # what was read before the limit is still yielded
        yield Problem(code=UNSCANNABLE, where=name, reason=limits.reason(exc.limit))
    except (ElementTree.ParseError, *MEMBER_ERRORS) as exc:
        yield Problem(code=UNSCANNABLE, where=name, reason=f"corrupt: {type(exc).__name__}")
    yield from reader.pieces(where)


class _Reader:
    """Lines outside tables, and tables (those inside a cell count as the cell's text)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._cells = self._chars = 0
        self._elements: list = []  # the elements open, innermost last
        self._paragraphs = 0  # paragraphs open
        self.lines: list[str] = []
        self.tables: list[list[tuple[str, ...]]] = []
        self._open: list[list[tuple[str, ...]]] = []  # tables being read, innermost last
        self._row: list[str] | None = None
        self._cell: list[str] = []
        self.markup = Markup()  # tracked changes, comments, hidden text

    def take(self, event: str, element) -> None:
        tag = element.tag
        if event == "start":
            self._elements.append(element)
            self._paragraphs += tag in _LINES
            self.markup.start(element)
            if tag == _TABLE:
                self._open.append([])
            return
        self._elements.pop()
        self.markup.end(element, self._elements[-1] if self._elements else None)
        if tag in _LINES:
            self._paragraphs -= 1
            text, visible = self.markup.paragraph(element)
            element.clear()  # read: not again with a paragraph holding it (a text box's)
            # A deletion's or a comment's paragraph is read in its own place (Markup), not here.
            if visible and self._open:
                self._cell.append(text)  # counted with its cell, as often as it is repeated
            elif visible:
                self._count(0, len(text))
                self.lines.append(text)
        elif tag in (_CELL, _COVERED) and self._open:
            repeat = max(
                min(int(element.get(f"{{{_TABLE_NS}}}number-columns-repeated", "1") or 1), MAX_REPEAT), 1
            )
            text = "\n".join(self._cell)
            self._count(repeat, len(text) * repeat)
            self._row = self._row if self._row is not None else []
            self._row.extend([text] * repeat)  # in place: a row of 160,000 cells was quadratic
            self._cell = []
        elif tag == _ROW and self._open:
            self._open[-1].append(tuple(self._row or ()))
            self._row = None
        elif tag == _TABLE and self._open:
            rows = self._open.pop()
            if self._open:  # a table inside a cell: its text joins the cell's
                self._cell.extend("\t".join(row) for row in rows)
            else:
                self.tables.append(rows)
        # Read, outside a paragraph (whose spans its end reads): dropped from the tree, with
        # the siblings before it (read by now); 5 million empty elements held 520 MB.
        if self._elements and not self._paragraphs:
            del self._elements[-1][:]

    def _count(self, cells: int, chars: int) -> None:
        self._cells += cells
        self._chars += chars + 1
        if self._cells > self.limits.max_sheet_cells:
            raise LimitReached("max_sheet_cells")
        # Repeated cells multiply text without bytes behind it: it may come to no more than
        # an archive may unpack.
        if self._chars > self.limits.max_uncompressed_bytes:
            raise LimitReached("max_uncompressed_bytes")

    def pieces(self, where: str) -> Iterator[Piece]:
        # A table still open is one a limit cut short: its rows so far are read too.
        for number, rows in enumerate(self.tables + self._open[:1], 1):
            name = f"{where}!table{number}" if where else f"table{number}"
            yield Table(where=name, rows=tuple(rows))
        if any(line.strip() for line in self.lines):
            yield TextChunk(where=where, text="\n".join(self.lines))
        yield from self.markup.pieces(where)


def _meta(package: zipfile.ZipFile, limits: Limits) -> Iterator[Piece]:
    """Streamed too: a 20 KB file's meta.xml of 5 million elements held 520 MB as a tree."""
    found = []
    try:
        with package.open("meta.xml") as stream:
            for local, element in closed_elements(stream, limits):
                value = (element.text or "").strip()
                if local in _META and value:
                    found.append(Property(name=_META[local], value=value))
    except LimitReached as exc:
        yield Problem(code=UNSCANNABLE, where="meta.xml", reason=limits.reason(exc.limit))
    except (ElementTree.ParseError, *MEMBER_ERRORS) as exc:
        yield Problem(code=UNSCANNABLE, where="meta.xml", reason=f"corrupt: {type(exc).__name__}")
        return
    yield from found
