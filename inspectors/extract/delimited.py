"""CSV and TSV files as tables: CP932 as first-class as UTF-8 (Excel's "CSV" on Japanese
Windows is CP932; its "CSV UTF-8" has a BOM; its "Unicode text" is UTF-16 with tabs)."""
from __future__ import annotations

import csv
from typing import Iterator

from ..charsets import decode_bytes
from ..limits import Limits
from .pieces import LimitReached, Piece, Table

_SNIFF_LINES = 20


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    yield from table_of(decode_bytes(data), limits)


def table_of(text: str, limits: Limits, delimiter: str | None = None) -> Iterator[Piece]:
    reader = csv.reader(lines_of(text), delimiter=delimiter or delimiter_of(text), strict=False)
    rows: list[tuple[str, ...]] = []
    cells = chars = 0
    try:
        for row in reader:
            cells += len(row)
            chars += sum(map(len, row)) + len(row)
            if cells > limits.max_sheet_cells or chars > limits.max_text_chars:
                break   # beyond the text budget the rows would only be dropped
            rows.append(tuple(row))
    except csv.Error:
        pass   # a stray NUL or an overlong field: what was read before it stays
    if rows:
        yield Table(where="", rows=tuple(rows))
    if cells > limits.max_sheet_cells:
        raise LimitReached("max_sheet_cells")
    if chars > limits.max_text_chars:
        raise LimitReached("max_text_chars")


def lines_of(text: str) -> Iterator[str]:
    """The lines one at a time, ends kept (csv joins quoted multi-line fields itself);
    a StringIO would hold the text again at 4 bytes a character."""
    end_of_line = "\n" if "\n" in text[:65536] or "\r" not in text[:65536] else "\r"
    start = 0
    while start < len(text):
        end = text.find(end_of_line, start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def looks_tabular(text: str) -> bool:
    """Tab-separated lines with the same number of tabs: Excel's "Unicode text" export,
    saved as .txt."""
    lines = [line for line in text[:20_000].splitlines()[:_SNIFF_LINES] if line.strip()]
    tabs = {line.count("\t") for line in lines}
    return len(lines) >= 2 and len(tabs) == 1 and tabs != {0}


def delimiter_of(text: str) -> str:
    """Tab when tabs outnumber commas in the first lines, else comma (semicolon for
    European exports that have neither)."""
    head = text[:20_000].splitlines()[:_SNIFF_LINES]
    counts = {d: sum(line.count(d) for line in head) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","
