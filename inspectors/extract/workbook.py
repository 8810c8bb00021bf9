"""Spreadsheets via calamine (xlsx, xlsm, xlsb, xls, ods): every sheet, hidden ones too, as
tables whose first_row/first_col give real cell references."""

from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from collections.abc import Iterator
from itertools import chain

import python_calamine

from ..limits import Limits
from .archive import MEMBER_ERRORS, check_package
from .declarations import shared_strings_capped, xls_cells
from .dimensions import oversized_sheets
from .package import embedded, text_parts
from .pieces import (
    UNSCANNABLE,
    Encrypted,
    LimitReached,
    Piece,
    Problem,
    Table,
    TextChunk,
    Unscannable,
    is_interrupt,
)
from .properties import ooxml_properties

LOAD_FACTOR = 2


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    archive = _zip(data)
    if archive:
        check_package(archive, limits)
        data = shared_strings_capped(archive, data)
    # calamine allocates a sheet's whole used range at once (32 bytes a cell): one stray
    # value at XFD1048576 asks for 17 billion cells and aborts the process. Sheets are
    # measured first; up to LOAD_FACTOR times the cell limit is loaded and cut to the limit.
    # An xls workbook is loaded whole when opened: one oversized sheet refuses it all.
    oversized = oversized_sheets(archive, limits.max_sheet_cells * LOAD_FACTOR) if archive else set()
    if not archive and xls_cells(data) > limits.max_sheet_cells * LOAD_FACTOR:
        raise LimitReached("max_sheet_cells")
    workbook, sheets = _open(data)
    with workbook:
        for meta in sheets:
            if meta.typ == python_calamine.SheetTypeEnum.ChartSheet:
                continue  # a chart: its numbers are those of the sheets it plots
            if meta.name in oversized:
                yield _over_limit(meta.name, limits)
            else:
                yield from _sheet(workbook, meta.name, limits)
    if archive:
        yield from _notes(archive)
        yield from text_parts(archive, "xlsx", limits)
        yield from ooxml_properties(archive)
        yield from embedded(archive, limits)


# Parts of an xlsx that carry text calamine does not read: notes (comments) and the text
# boxes and shapes of drawings.
# (Threaded comments are also written to the legacy commentsN.xml.)
_NOTE_PARTS = (("xl/comments", "comments"), ("xl/drawings/drawing", "text boxes"))
_TEXT_NODE = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")


def _notes(archive: zipfile.ZipFile) -> Iterator[Piece]:
    """The text of every note and text box, by part (the package's sizes were checked)."""
    for info in archive.infolist():
        where = next(
            (
                label
                for prefix, label in _NOTE_PARTS
                if info.filename.startswith(prefix) and info.filename.endswith(".xml")
            ),
            None,
        )
        if where is None:
            continue
        try:
            part = archive.read(info)
        except (*MEMBER_ERRORS, NotImplementedError) as exc:
            # a damaged notes part, not the workbook: its sheets were read
            yield Problem(code=UNSCANNABLE, where=info.filename, reason=f"corrupt: {type(exc).__name__}")
            continue
        texts = [html.unescape(m.decode("utf-8", "replace")) for m in _TEXT_NODE.findall(part)]
        if any(text.strip() for text in texts):
            yield TextChunk(where=f"{where}:{info.filename.rsplit('/', 1)[-1]}", text="\n".join(texts))


def _open(data: bytes):
    """The workbook and its sheets' metadata, or the reason it cannot be read."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook, list(workbook.sheets_metadata)
    except python_calamine.PasswordError:
        raise Encrypted("password-protected document") from None
    except BaseException as exc:  # pyo3's PanicException is no Exception
        if not calamine_failed(exc):
            raise
        raise Unscannable(f"corrupt: {type(exc).__name__}") from None


def calamine_failed(exc: BaseException) -> bool:
    """Whether calamine raised `exc` (an error, or a Rust panic that pyo3 raises as a
    BaseException), rather than the caller's interrupts passing through it: the pool's
    InspectionTimeout, KeyboardInterrupt, SystemExit must reach their handlers."""
    return not (is_interrupt(exc) or isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)))


def _sheet(workbook, name: str, limits: Limits) -> Iterator[Piece]:
    try:
        sheet = workbook.get_sheet_by_name(name)
        height, width = sheet.height, sheet.width
        if not height or not width:
            return
        truncated = height * width > limits.max_sheet_cells
        nrows = max(1, limits.max_sheet_cells // width) if truncated else None
        rows = sheet.to_python(skip_empty_area=True, nrows=nrows)
        start = sheet.start or (0, 0)
    except python_calamine.PasswordError:
        raise Encrypted("password-protected document") from None
    except BaseException as exc:  # calamine's errors and panics concern this sheet only
        if not calamine_failed(exc):
            raise
        yield Problem(code=UNSCANNABLE, reason=f"corrupt sheet: {type(exc).__name__}", where=name)
        return
    table = _texts(rows)
    del rows
    yield Table(
        where=name,
        rows=tuple(table),
        first_row=start[0] + 1,
        first_col=start[1] + 1,
        merged=_merged(sheet, start, len(table)),
    )
    if truncated:
        yield _over_limit(name, limits)


def _merged(sheet, start: tuple[int, int], height: int) -> tuple[tuple[int, int, int, int], ...]:
    """The sheet's merged ranges within the rows read, relative to the table (pii.forms).
    A merged range holds at least two cells, so there are fewer than the cells read."""
    try:
        ranges = sheet.merged_cell_ranges or ()
    except BaseException as exc:  # no merges is a sheet still read, not a sheet lost
        if not calamine_failed(exc):
            raise
        return ()
    top, left = start
    return tuple(
        (r0 - top, c0 - left, r1 - top, c1 - left)
        for (r0, c0), (r1, c1) in ranges
        if 0 <= r0 - top < height and c0 >= left
    )


def _texts(rows: list[list]) -> list[tuple[str, ...]]:
    """Each row's cells as text; a row of text alone (the usual customer list) as it is."""
    if set(map(type, chain.from_iterable(rows))) <= {str}:
        return list(map(tuple, rows))
    return [tuple(map(cell_text, row)) for row in rows]


def _over_limit(name: str, limits: Limits) -> Problem:
    return Problem(code=UNSCANNABLE, reason=limits.reason("max_sheet_cells"), where=name)


def cell_text(value) -> str:
    """A cell as Excel shows it by default: whole numbers without ".0" (so a 12-digit number
    stored as a float reads as its digits), dates in ISO form, booleans as TRUE/FALSE."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _zip(data: bytes) -> zipfile.ZipFile | None:
    """The package of xlsx/xlsm/xlsb/ods; None for xls (OLE) or a broken package."""
    if not data.startswith(b"PK"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
