"""The used range of each worksheet of an xlsx package, measured without loading it.

calamine builds a sheet as one dense block from its top-left to its bottom-right value, so
a single value far away (XFD1048576) makes it ask for 2^34 cells and the allocator abort the
process: no exception to catch. The worksheet XML is therefore streamed once and the cell
references of cells that hold something are bounded first. (xls is bounded by its format,
65536 x 256; ods is capped by calamine itself; xlsb is binary and is not measured.)
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree import ElementTree

# The r="B12" reference of a cell that holds something: <c r=".." s="1"/> and <c ..></c>
# only carry formatting, which calamine ignores. (Row elements have digits-only r.)
_CELL = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>(?!</)')
_CELL_START = re.compile(rb"<(?:\w+:)?c\s")
_CHUNK = 4 << 20
_WORKSHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$")


def oversized_sheets(archive: zipfile.ZipFile, max_cells: int) -> set[str]:
    """Names of the sheets whose used range exceeds max_cells. A worksheet part that no
    sheet name points to is named by its part path."""
    by_path = {path: name for name, path in _sheet_paths(archive).items()}
    oversized = set()
    for info in archive.infolist():
        if _WORKSHEET.search(info.filename) and used_cells(archive, info) > max_cells:
            oversized.add(by_path.get(info.filename, info.filename))
    return oversized


def used_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Rows x columns from the first to the last non-empty cell, as calamine will allocate."""
    rows: set[int] = set()
    cols: set[bytes] = set()
    tail = b""
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            buffer = tail + chunk
            # The last cell tag may be cut: it is read whole with the next chunk.
            cut = _last_cell_start(buffer) if chunk else len(buffer)
            found = _CELL.findall(buffer, 0, cut)
            cols.update(c for c, _ in found)
            rows.update(map(int, (r for _, r in found)))
            if not chunk:
                break
            tail = buffer[cut:]
            rows = {min(rows), max(rows)} if rows else rows
    if not rows:
        return 0
    numbers = [_column(c) for c in cols]
    return (max(rows) - min(rows) + 1) * (max(numbers) - min(numbers) + 1)


def _last_cell_start(buffer: bytes) -> int:
    window = max(0, len(buffer) - 65536)
    starts = [m.start() for m in _CELL_START.finditer(buffer, window)]
    return starts[-1] if starts else window


def _column(letters: bytes) -> int:
    n = 0
    for c in letters:
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
