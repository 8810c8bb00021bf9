"""What calamine will allocate, measured before it is given a workbook.

calamine builds a sheet as one dense block from its top-left to its bottom-right value, so
a single value far away (XFD1048576) makes it ask for 2^34 cells and the allocator abort the
process: no exception to catch. The worksheet XML is therefore streamed and the cell
references of cells that hold something are bounded first: a sheet written in order (as
every writer writes) is bounded by its last cells in a few passes in C, any other is
measured cell by cell. xls workbooks and sharedStrings counts: `declarations`. (ods is
capped by calamine itself; xlsb is binary and is not measured.)
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

# Row and cell start tags, with what follows them: "</" right after, or a "/>" end, is an
# element with no value (formatting only, which calamine ignores). calamine takes a cell's
# reference however it is written (r='..', r = "..", lowercase) and, without one, the next
# column of the row, and a row without r the next row: all are measured here.
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(\s[^>]*)?>(</)?")
_REF = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_A1 = re.compile(rb"\s*\$?([A-Za-z]*)\s*\$?([0-9]*)")
# A value-holding cell with its reference, however quoted or spaced; and a cell tag with no
# reference at all.
_CELL = re.compile(rb"""\sr\s*=\s*["']\s*\$?([A-Za-z]+)\s*\$?([0-9]+)\s*["'][^>]*(?<!/)>(?!</)""")
_MAYBE_NO_REF = re.compile(rb"""[<:]c(?!\s+r\s*=)[\s/>][^>]*""")  # r written first: the usual case
_REF_ATTR = re.compile(rb"""\sr\s*=""")
_TAG_START = re.compile(rb"<(?:[\w.-]+:)?(?:row|c)\s")
# The usual writing: every <c> tag starts with r="A1" (calamine reads no other tag's r).
_CELL_OPEN = re.compile(rb"<c[\s/>]")
_PLAIN_REF = re.compile(rb'<c r="[A-Za-z]{1,8}[0-9]{1,12}"')
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]{1,8})([0-9]{1,12})"(?:[^>]*[^/>])?>(?:[^<]|<[^/])')
# Any cell tag not written <c r="B7"; and a plain reference's parts.
_NOT_PLAIN = re.compile(rb'<c(?: r="(?![A-Za-z]{1,8}[0-9]{1,12}")|[\t\n\r\x0b\x0c/>]| (?!r="))')
_PLAIN_A1 = re.compile(rb"([A-Za-z]{1,8})([0-9]{1,12})")
# What the counting above cannot see: a cell or row tag with a namespace prefix, a reference
# in single quotes. Either sends the sheet to the exact measurement.
_UNUSUAL = re.compile(rb"""<[\w.-]+:(?:c|row)[\s/>]|\sr\s*=\s*'""")
FAR = 1 << 40  # a reference too long to be real: as far as it gets
_CHUNK = 4 << 20
_WORKSHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$")


def oversized_sheets(archive: zipfile.ZipFile, max_cells: int) -> set[str]:
    """Names of the sheets whose used range exceeds max_cells. A worksheet part that no
    sheet name points to is named by its part path."""
    by_path = {path: name for name, path in _sheet_paths(archive).items()}
    oversized = set()
    for info in archive.infolist():
        if (
            _WORKSHEET.search(info.filename)
            and not _within(archive, info, max_cells)
            and used_cells(archive, info) > max_cells
        ):
            oversized.add(by_path.get(info.filename, info.filename))
    return oversized


class Range:
    """The bounds of the cells that hold something, as the sheet XML streams past."""

    def __init__(self) -> None:
        self.row = self.col = 0
        self.top = self.left = FAR
        self.bottom = self.right = -1

    def take(self, tag: bytes, attrs: bytes, closed: bytes) -> None:
        ref = _REF.search(attrs)
        a1 = _A1.match(ref.group(1)) if ref else None  # _A1 matches any text: all of it is optional
        letters, digits = a1.groups() if a1 else (b"", b"")
        if tag == b"row":
            self.row, self.col = (_number(digits) if digits else self.row + 1), 0
            return
        self.col = _column(letters) if letters else self.col + 1
        self.row = _number(digits) if digits else self.row
        if not closed and not attrs.endswith(b"/"):
            self.top, self.bottom = min(self.top, self.row), max(self.bottom, self.row)
            self.left, self.right = min(self.left, self.col), max(self.right, self.col)

    def cells(self) -> int:
        if self.bottom < 0:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def _within(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_cells: int) -> bool:
    """Whether the sheet surely fits: every cell tag is written <c r="B7" ...> and none lies
    beyond a bound drawn from each chunk's last cell and last row's end (rows and columns
    are written in order), so rows x columns from A1 to the bound is at most max_cells. Found with a few
    passes in C and no object per cell; False means only that the sheet must be measured."""
    rows = cols = 0
    for buffer in _chunks(archive, info):
        if (
            _NOT_PLAIN.search(buffer)
            or _UNUSUAL.search(buffer)
            or buffer.count(b' r="') != buffer.count(b'<c r="') + buffer.count(b'<row r="')
        ):
            return False
        last = buffer.rfind(b'<c r="')
        if last < 0:
            continue
        row_end = buffer.rfind(b"</row>")  # a row's last cell has its greatest column
        end_cell = buffer.rfind(b'<c r="', 0, row_end) if row_end > 0 else -1
        last_column = _PLAIN_A1.match(buffer, (end_cell if end_cell >= 0 else last) + 6)
        last_row = _PLAIN_A1.match(buffer, last + 6)
        if last_column is None or last_row is None:  # not so: _NOT_PLAIN found every <c r=" plain
            return False
        letters, digits = last_column.group(1), last_row.group(2)
        top_letter, top_digit = letters[:1].upper(), digits[:1]
        if top_digit == b"0" or _beyond(letters, top_letter, digits, top_digit).search(buffer):
            return False
        rows = max(rows, int(top_digit + b"9" * (len(digits) - 1)))
        cols = max(cols, _column(top_letter + b"Z" * (len(letters) - 1)))
    return rows * cols <= max_cells


def _beyond(letters: bytes, top_letter: bytes, digits: bytes, top_digit: bytes) -> re.Pattern:
    """A cell reference with more letters or digits than the given ones, or as many with a
    greater first letter or digit (a leading zero only makes it look further)."""
    more_letters = rb"[%c-Z%c-z]" % (top_letter[0] + 1, top_letter[0] + 33) if top_letter != b"Z" else b"(?!)"
    more_digits = rb"[%c-9]" % (top_digit[0] + 1) if top_digit != b"9" else b"(?!)"
    n, m = len(letters), len(digits)
    return re.compile(
        rb'<c r="(?:[A-Za-z]{%d}|%s[A-Za-z]{%d}[0-9])|<c r="[A-Za-z]{1,8}(?:[0-9]{%d}|%s[0-9]{%d}")'
        % (n + 1, more_letters, n - 1, m + 1, more_digits, m - 1)
    )


def used_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Rows x columns from the first to the last non-empty cell, as calamine will allocate."""
    quick = _quick_cells(archive, info)
    return quick if quick is not None else _exact_cells(archive, info)


def _quick_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """The used range when every cell carries its reference (all writers do); None when
    some cell has none, and positions must be counted."""
    top = left = FAR
    bottom = right = -1
    for buffer in _chunks(archive, info):
        found = _plain_cells(buffer)
        if found is None:
            if any(not _REF_ATTR.search(m.group()) for m in _MAYBE_NO_REF.finditer(buffer)):
                return None
            found = _CELL.findall(buffer)
        if found:
            letters, digits = zip(*found)
            try:
                rows = list(map(int, digits))
            except ValueError:  # more digits than int() takes: as far as it gets
                rows = [FAR]
            cols = [_column(c) for c in set(letters)]
            top, bottom = min(top, min(rows)), max(bottom, max(rows))
            left, right = min(left, min(cols)), max(right, max(cols))
    return 0 if bottom < 0 else (bottom - top + 1) * (right - left + 1)


def _plain_cells(buffer: bytes) -> list[tuple[bytes, bytes]] | None:
    """_CELL.findall(buffer) when every cell tag is written as every writer writes it,
    <c r="B7" ...>, found by counting in C instead of matching each tag; None otherwise."""
    refs = buffer.count(b'<c r="')
    if (
        _UNUSUAL.search(buffer)
        or refs != len(_CELL_OPEN.findall(buffer))
        or refs != len(_PLAIN_REF.findall(buffer))
        or buffer.count(b' r="') != refs + buffer.count(b'<row r="')
    ):
        return None
    return _PLAIN_CELL.findall(buffer)


def _exact_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    bounds = Range()
    for buffer in _chunks(archive, info):
        for tag, attrs, closed in _TAG.findall(buffer):
            bounds.take(tag, attrs, closed)
    return bounds.cells()


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part in chunks that each end before a row or cell tag (none is cut in two)."""
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            cut = _last_cell_start(buffer) if chunk else len(buffer)
            yield buffer[:cut]
            if not chunk:
                return
            tail = buffer[cut:]


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else FAR


def _last_cell_start(buffer: bytes) -> int:
    window = max(0, len(buffer) - 65536)
    starts = [m.start() for m in _TAG_START.finditer(buffer, window)]
    return starts[-1] if starts else window


def _column(letters: bytes) -> int:
    if len(letters) > 8:
        return FAR
    n = 0
    for c in letters.upper():
        n = n * 26 + c - 64
    return n


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part path, from xl/workbook.xml and its relationships."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    paths = {}
    for element in book.iter():
        if element.tag.rpartition("}")[2] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == "id"), None)
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        paths[element.get("name", "")] = posixpath.normpath(path)
    return paths
