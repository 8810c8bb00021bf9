"""CSV and TSV files as tables: CP932 as first-class as UTF-8 (Excel's "CSV" on Japanese
Windows is CP932; its "CSV UTF-8" has a BOM; its "Unicode text" is UTF-16 with tabs).

The sniffers live here too: which delimiter a file uses, whether a .txt is a tab table, and
whether a text chunk the detectors read (inspectors.pii.delimited) is a table at all."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from operator import methodcaller

from ..charsets import decode_bytes
from ..limits import Limits
from .pieces import Piece, Table, TextChunk
from .technical import recognise

_SNIFF_LINES = 20  # every sniffer here looks at the first lines only
# Lines one record may span: a quoted cell holds a few line breaks (an address); more is a
# quote left open, and those lines are read one by one.
_RECORD_LINES = 100
_PLAIN_CHUNK = 1 << 20  # characters split into lines at once


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    # DOS end-of-file marks stripped; no name kept here, so that table_of can let it go.
    yield from table_of(decode_bytes(data).rstrip("\x1a"), limits)


def table_of(text: str, limits: Limits, delimiter: str | None = None) -> Iterator[Piece]:
    """The rows, all of them: a record the csv module cannot take (an overlong field, a
    stray quote that would swallow the lines after it) is read line by line instead, and
    reading goes on after it. A text that still gives no rows is kept as text. A file of a
    technical format that libmagic took for CSV (a log's "09:00:01,379") is read as its
    format; a log stays a table (its fields may be columns) that says it is a log."""
    recognised = recognise(text)
    if recognised and recognised != "log":
        yield TextChunk(where="", text=text, format=recognised)
        return
    delimiter = delimiter or delimiter_of(text)
    # No cell limit: unlike a spreadsheet's used range, a CSV's rows are as many as its
    # bytes allow, and smtp.max_message_size bounds those.
    rows = tuple(_records(text, delimiter, len(text) + 1))
    if not rows:
        if text.strip():
            yield TextChunk(where="", text=text)
        return
    del text  # the cells hold it all again: the text goes before the detectors read them
    yield Table(where="", rows=rows, format=recognised)  # or measurements: extraction tells


class _Lines:
    """lines_of() that remembers the lines of the record being read."""

    def __init__(self, text: str) -> None:
        self._lines = lines_of(text)
        self.record: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _records(text: str, delimiter: str, field_limit: int) -> Iterator[tuple[str, ...]]:
    if '"' not in text and text.count("\r") == text.count("\r\n") and "\x00" not in text:
        yield from _plain_records(text, delimiter)
        return
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    # The module's limit (128 KiB a field) is process-wide; it is raised for this read only.
    previous = csv.field_size_limit(max(field_limit, csv.field_size_limit()))
    try:
        while True:
            lines.record = []
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                row = None
            if row is not None and len(lines.record) <= _RECORD_LINES:
                yield tuple(row)
            else:  # a quote left open runs on over the lines of other records
                yield from (_split(line, delimiter) for line in lines.record)
    finally:
        csv.field_size_limit(previous)


def _plain_records(text: str, delimiter: str) -> Iterator[tuple[str, ...]]:
    """Without a quote (nor a lone CR, nor NUL) the csv module's rows are the lines split at
    the delimiter: split in C, a chunk of lines at a time (so the lines are never all held)."""
    start = 0
    while start < len(text):
        cut = text.find("\n", start + _PLAIN_CHUNK)
        cut = len(text) if cut < 0 else cut + 1
        lines = text[start:cut].replace("\r\n", "\n").split("\n")
        if lines[-1] == "":
            lines.pop()  # the chunk ends with a line end
        if "" in lines:  # a blank line is an empty row, as csv reads it
            yield from (tuple(line.split(delimiter)) if line else () for line in lines)
        else:
            yield from map(tuple, map(methodcaller("split", delimiter), lines))
        start = cut


def _split(line: str, delimiter: str) -> tuple[str, ...]:
    return tuple(cell.strip('"') for cell in line.rstrip("\r\n").split(delimiter))


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


def table_delimiter(text: str, named: bool) -> str:
    """The delimiter of a text that is a table (a chunk handed to the detectors), or "" for
    one that is not: the same count of commas (tabs, semicolons) on most of the first lines;
    three columns on nine lines in ten unless `named` (a .csv/.tsv/.tab file's chunk)."""
    lines = [line for line in text[:8192].splitlines()[:_SNIFF_LINES] if line.strip()]
    if len(lines) < 2:
        return ""
    for delimiter in (",", "\t", ";"):
        counts = [line.count(delimiter) for line in lines[:-1] or lines]
        common = max(set(counts), key=counts.count)
        if named and common >= 1 and counts.count(common) >= 0.8 * len(counts):
            return delimiter
        if common >= 2 and len(lines) >= 5 and counts.count(common) >= 0.9 * len(counts):
            return delimiter
    return ""


def delimiter_of(text: str) -> str:
    """Tab when tabs outnumber commas in the first lines, else comma (semicolon for
    European exports that have neither)."""
    head = text[:20_000].splitlines()[:_SNIFF_LINES]
    counts = {d: sum(line.count(d) for line in head) for d in ("\t", ",", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","
