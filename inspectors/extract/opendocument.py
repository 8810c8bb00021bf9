"""OpenDocument text and presentations (odt, odp, and their flat or template variants),
as LibreOffice and public offices write them; spreadsheets (ods) go to calamine.

An OpenDocument file is a zip of XML (ISO/IEC 26300): content.xml holds the body, its
tables, frames and notes; styles.xml the page headers and footers; meta.xml the properties.
Paragraphs are read as lines and each table as a Table, streamed, so a large part is never
held as a tree.
"""
from __future__ import annotations

import zipfile
from typing import Iterator
from xml.etree import ElementTree

from ..limits import Limits
from .archive import check_package, open_zip
from .pieces import UNSCANNABLE, Piece, Problem, Property, Table, TextChunk

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_LINES = {f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"}
_TAB, _BREAK, _SPACE = (f"{{{_TEXT_NS}}}{t}" for t in ("tab", "line-break", "s"))
_TABLE, _ROW, _CELL = (f"{{{_TABLE_NS}}}{t}" for t in ("table", "table-row", "table-cell"))
_COVERED = f"{{{_TABLE_NS}}}covered-table-cell"
_META = {"title": "title", "subject": "subject", "initial-creator": "author", "creator": "last_modified_by",
         "keywords": "keywords", "description": "comments"}
MAX_REPEAT = 63   # a cell repeated across columns is read this many times at most


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    package = check_package(open_zip(data), limits)
    for part, where in (("content.xml", ""), ("styles.xml", "styles")):
        if part in package.namelist():
            yield from _part(package, part, where)
    if "meta.xml" in package.namelist():
        yield from _meta(package)


def _part(package: zipfile.ZipFile, name: str, where: str) -> Iterator[Piece]:
    reader = _Reader()
    try:
        with package.open(name) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                reader.take(event, element)
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        yield Problem(code=UNSCANNABLE, where=name, reason=f"corrupt: {type(exc).__name__}")
    yield from reader.pieces(where)


class _Reader:
    """Lines outside tables, and tables (those inside a cell count as the cell's text)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tables: list[list[tuple[str, ...]]] = []
        self._open: list[list[tuple[str, ...]]] = []   # tables being read, innermost last
        self._row: list[str] | None = None
        self._cell: list[str] = []

    def take(self, event: str, element) -> None:
        tag = element.tag
        if event == "start":
            if tag == _TABLE:
                self._open.append([])
            return
        if tag in _LINES:
            text = _paragraph(element)
            if self._open:
                self._cell.append(text)
            else:
                self.lines.append(text)
            element.clear()
        elif tag in (_CELL, _COVERED) and self._open:
            repeat = min(int(element.get(f"{{{_TABLE_NS}}}number-columns-repeated", "1") or 1), MAX_REPEAT)
            self._row = (self._row or []) + ["\n".join(self._cell)] * max(repeat, 1)
            self._cell = []
        elif tag == _ROW and self._open:
            self._open[-1].append(tuple(self._row or ()))
            self._row = None
        elif tag == _TABLE and self._open:
            rows = self._open.pop()
            if self._open:        # a table inside a cell: its text joins the cell's
                self._cell.extend("\t".join(row) for row in rows)
            else:
                self.tables.append(rows)

    def pieces(self, where: str) -> Iterator[Piece]:
        for number, rows in enumerate(self.tables, 1):
            name = f"{where}!table{number}" if where else f"table{number}"
            yield Table(where=name, rows=tuple(rows))
        if any(line.strip() for line in self.lines):
            yield TextChunk(where=where, text="\n".join(self.lines))


def _paragraph(element) -> str:
    """A paragraph's text in document order, its tabs, breaks and runs of spaces (text:s)
    included; walked with a stack, so hostile nesting costs no recursion."""
    out: list[str] = []
    stack: list = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if item.tag == _TAB:
            out.append("\t")
        elif item.tag == _BREAK:
            out.append("\n")
        elif item.tag == _SPACE:
            out.append(" " * min(int(item.get(f"{{{_TEXT_NS}}}c", "1") or 1), 100))
        elif item.text:
            out.append(item.text)
        for child in reversed(item):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return "".join(out)


def _meta(package: zipfile.ZipFile) -> Iterator[Piece]:
    try:
        root = ElementTree.fromstring(package.read("meta.xml"))
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        yield Problem(code=UNSCANNABLE, where="meta.xml", reason=f"corrupt: {type(exc).__name__}")
        return
    for element in root.iter():
        local = element.tag.rpartition("}")[2]
        if local in _META and (element.text or "").strip():
            yield Property(name=_META[local], value=element.text.strip())
