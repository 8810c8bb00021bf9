"""What else calamine takes on trust in a workbook, checked before it is given one: a
sharedStrings count it reserves up front, and an xls workbook's declared and actual
ranges (see `dimensions` for xlsx sheets)."""

from __future__ import annotations

import io
import re
import struct
import zipfile

from .dimensions import FAR, Range

_SST = re.compile(rb"""<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*["']\s*([0-9]+)""")
_UNIQUE_COUNT = re.compile(rb"""\suniqueCount\s*=\s*["'][^"']*["']""")


def shared_strings_capped(archive: zipfile.ZipFile, data: bytes) -> bytes:
    """The package, with a sharedStrings uniqueCount that its part cannot hold removed:
    calamine reserves that many strings up front (uniqueCount="4294967295" aborts the
    process). Every string takes some bytes of the part, so a true count never exceeds its
    size. The package is rebuilt only in that case."""
    info = next((i for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")), None)
    if info is None:
        return data
    with archive.open(info) as stream:
        head = stream.read(4096)
    m = _SST.search(head)
    if not m or int(m.group(1)[:12]) <= info.file_size:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in archive.infolist():
            body = archive.read(member)
            if member is info:
                end = body.find(b">", m.start()) + 1
                body = body[: m.start()] + _UNIQUE_COUNT.sub(b"", body[m.start() : end], count=1) + body[end:]
            target.writestr(member, body)
    return out.getvalue()


# BIFF8 records (MS-XLS 2.4) that put a value in a cell; each starts with row, column.
_XLS_CELLS = frozenset({0x0006, 0x00BD, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})
_XLS_BOF, _XLS_EOF, _XLS_DIMENSIONS = 0x0809, 0x000A, 0x0200


def xls_cells(data: bytes) -> int:
    """The largest range calamine would allocate for a sheet of an xls workbook: the one
    its DIMENSIONS record declares or the one its cells span (calamine trusts both; a
    cell at column 0xFFFF aborts the process). 0 when it is no xls it can read."""
    stream = _workbook_stream(data)
    largest, pos, cells = 0, 0, Range()
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + size]
        if kind in (_XLS_BOF, _XLS_EOF):
            largest, cells = max(largest, cells.cells()), Range()
        elif kind == _XLS_DIMENSIONS and size >= 14:
            top, bottom, left, right = struct.unpack_from("<IIHH", body)
            largest = max(
                largest,
                max(bottom - top, 0 if bottom >= top else FAR)
                * max(right - left, 0 if right >= left else FAR),
            )
        elif kind in _XLS_CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, size - 2)[0] if kind == 0x00BD and size >= 6 else col
            for c in (col, last):
                cells.top, cells.bottom = min(cells.top, row), max(cells.bottom, row)
                cells.left, cells.right = min(cells.left, c), max(cells.right, c)
        pos += 4 + size
    return max(largest, cells.cells())


def _workbook_stream(data: bytes) -> bytes:
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        return b""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            name = next(
                (n for n in ole.listdir() if len(n) == 1 and n[0].lower() in ("workbook", "book")), None
            )
            return ole.openstream(name).read() if name else b""
    except Exception:  # a broken container: calamine reports it
        return b""
