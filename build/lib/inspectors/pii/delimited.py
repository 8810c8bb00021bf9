"""Tables that arrive as text: CSV/TSV attachments and the tab-separated rows of HTML tables.

A CSV attachment is a table (header row, columns) even while it reaches the detector as a
text chunk; so is a run of three or more lines with tabs in an HTML body (the parser turns
<td> into tabs), quoted ("> ") or not: one table reads the same wherever it stands. Sniffing
looks at the first lines only, and a chunk without a tab or a comma costs one `in` test:
prose pays nothing for this.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import re2

from ..extract.delimited import table_delimiter
from ..message import Table

# Three or more lines of three or more columns, apart by tabs or two spaces or more (lists
# typed or extracted from PDF); a blank line allowed after each (HTML tables come out so),
# quoted too ("> row", ">", "> row": a reply quotes the blank lines with the rows).
_GAP = "(?:\\t| {2,}|\u3000{2,})"
_TAB_BLOCK = re2.compile(
    f"(?m)(?:^[^\\n]*?{_GAP}[^\\n]*?{_GAP}[^\\n]*\\n(?:(?:[ \\t\\r>]|＞)*\\n)?){{3,}}".encode()
)
_CELL_GAP = re.compile(_GAP)
_CSV_NAMES = (".csv", ".tsv", ".tab")
# A quoted table ("> 氏名\t電話") is the same table: its cells do not begin with the marks.
_QUOTE_MARKS = re.compile("^[ \t]*(?:[>＞][ \t]?)+", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """A table found in a text, with where it starts in the text's UTF-8 bytes."""

    table: Table
    start: int


@dataclass(frozen=True)
class Prose:
    where: str
    text: str
    first_line: int = 1  # the chunk's line number of the text's first line
    start: int = 0  # where it starts in the chunk's UTF-8 bytes


def split(where: str, text: str) -> list[Prose | Block]:
    """The chunk as prose and tables, in order; a CSV chunk is one table."""
    named = where.lower().endswith(_CSV_NAMES)
    delimiter = table_delimiter(text, named)
    if delimiter:
        quotable = not named
        return [Block(Table(where=where, rows=_rows(text, delimiter, quotable)), 0)]
    if "\t" not in text and "  " not in text and "\u3000\u3000" not in text:
        return [Prose(where=where, text=text)]
    return _tab_blocks(where, text)


def _rows(text: str, delimiter: str, quotable: bool = False) -> tuple[tuple[str, ...], ...]:
    """`quotable`: a mail text, whose lines may be quoted ("> "); a file's are not."""
    if quotable and _QUOTE_MARKS.search(text) is not None:
        text = _QUOTE_MARKS.sub("", text)
    reader = csv.reader(text.lstrip("\ufeff").splitlines(), delimiter=delimiter)
    try:
        return tuple(tuple(row) for row in reader)
    except csv.Error:  # an unbalanced quote: read it as plain split lines instead
        return tuple(tuple(line.split(delimiter)) for line in text.splitlines())


def _tab_blocks(where: str, text: str) -> list[Prose | Block]:
    data = text.encode()
    pieces: list[Prose | Block] = []
    last = 0
    for n, m in enumerate(_TAB_BLOCK.finditer(data), 1):
        if m.start() > last:
            pieces.append(
                Prose(
                    where=where,
                    text=data[last : m.start()].decode(),
                    first_line=data.count(b"\n", 0, last) + 1,
                    start=last,
                )
            )
        rows = tuple(
            tuple(c.strip() for c in _CELL_GAP.split(_QUOTE_MARKS.sub("", line)))
            for line in m.group().decode().splitlines()
            if _QUOTE_MARKS.sub("", line).strip()
        )
        pieces.append(Block(Table(where=f"{where}!table{n}", rows=rows), m.start()))
        last = m.end()
    if last < len(data):
        pieces.append(
            Prose(
                where=where, text=data[last:].decode(), first_line=data.count(b"\n", 0, last) + 1, start=last
            )
        )
    return pieces
