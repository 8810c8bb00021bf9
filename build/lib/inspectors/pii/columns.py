"""Tables read column by column: a customer list is a few columns of one kind each.

Row-by-row reading scanned every cell under its column's label and validated every hit in
Python: 110,000 customers took seconds. What a cell yields depends only on its column's
label and its text (the scanner's matches never cross the cell barrier, and a label never
reaches past it), so each column's DISTINCT texts are read once, in bulk (`readings`), and
the ledger and pii.records then take whole columns at a time.

A table whose cells need their neighbours is left to `tables.read` (row by row): no header
row, ragged rows, adjacent numeric columns that may join (090|1234|5678), and bank words
anywhere (the account holder after an account number decides whether it is personal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

import re2

from .. import patterns as P
from ..message import Table
from . import readings as R
from .scanner import Scanner
from .tables import JOIN_DIGITS, LABEL_FOR, ROWS_PER_READ, birth_context, header

CACHE_TEXTS = 10_000  # readings kept per column while its texts repeat
_JOINED = frozenset({"address", "person_name", "name_kana"})
_BANK_WORDS = re2.compile(
    "|".join(f"(?i:{re2.escape(w)})" for cls in ("bank", "yucho") for w in P.CONTEXT_WORDS[cls]).encode()
)


@dataclass(frozen=True)
class Column:
    """One value per row: a sheet column, or adjacent columns always read together."""

    first_col: int
    last_col: int
    kind: str
    label: str


@dataclass(frozen=True)
class Block:
    """Rows first..first+len-1 of a table, column by column. A column's list holds, per
    row, None (nothing), or its plain value when `plain` names the column's (kind,
    attribute), else a `readings.Reading`. `kinds` and `attributes`: what the column can
    give (ledger kinds, pii.records attributes)."""

    first: int
    columns: tuple[Column, ...]
    readings: tuple[list, ...]
    plain: tuple[tuple[str, str] | None, ...]
    loose: tuple[bool, ...]  # a plain column's list holds a Name or a Free value
    kinds: tuple[frozenset[str], ...]
    attributes: tuple[frozenset[str], ...]


def plan(table: Table) -> tuple[int, list[str], tuple[Column, ...]] | None:
    """The header row, its kinds and the columns, or None when the table is to be read row
    by row."""
    header_row, kinds = header(table)
    if header_row is None or len(set(map(len, table.rows))) != 1 or not kinds:
        return None
    if len(kinds) != len(table.rows[0]) or "bank_account" in kinds:
        return None
    columns, c = [], 0
    while c < len(kinds):
        end = c + 1
        while end < len(kinds) and kinds[end] == kinds[c]:
            end += 1
        if end - c > 1 and kinds[c] in JOIN_DIGITS:
            return None  # 090|1234|5678: whether cells join depends on each row
        if kinds[c] in _JOINED:
            columns.append(Column(c, end - 1, kinds[c], LABEL_FOR.get(kinds[c], "")))
        else:
            columns += [Column(i, i, kinds[c], LABEL_FOR.get(kinds[c], "")) for i in range(c, end)]
        c = end
    return header_row, kinds, tuple(columns)


def read(table: Table, scanner: Scanner) -> Iterator[Block] | None:
    """The table's data rows in blocks of ROWS_PER_READ, or None (see `plan`)."""
    planned = plan(table)
    if planned is None:
        return None
    header_row, kinds, columns = planned
    texts = [_texts(table.rows, header_row + 1, column) for column in columns]
    if any(_BANK_WORDS.search("\n".join(dict.fromkeys(t)).encode()) for t in texts):
        return None
    dates = birth_context(table.rows[header_row + 1 :], kinds, LABEL_FOR)
    return _blocks(header_row + 1, columns, texts, scanner, dates)


def _blocks(
    start: int, columns: tuple[Column, ...], texts: list[list[str]], scanner: Scanner, dates: bool
) -> Iterator[Block]:
    reads = [_Reads(column, scanner, dates) for column in columns]
    count = len(texts[0]) if texts else 0
    for at in range(0, count, ROWS_PER_READ):
        parts = [
            read.block(column_texts[at : at + ROWS_PER_READ]) for read, column_texts in zip(reads, texts)
        ]
        yield Block(
            first=start + at,
            columns=columns,
            readings=tuple(p[0] for p in parts),
            plain=tuple(p[1] for p in parts),
            loose=tuple(p[2] for p in parts),
            kinds=tuple(r.kinds for r in reads),
            attributes=tuple(r.attributes for r in reads),
        )


class _Reads:
    """One column's readings so far, by text."""

    def __init__(self, column: Column, scanner: Scanner, dates: bool) -> None:
        self.column, self.scanner, self.dates = column, scanner, dates
        self.plain = R.PLAIN.get(column.kind)
        self.cache: dict[str, object] = {"": None}
        self.full: set[str] = set()  # texts whose reading is a Reading
        self.loose: set[str] = set()  # texts whose reading is a Name or a Free value
        self.kinds: frozenset[str] = frozenset()
        self.attributes: frozenset[str] = frozenset()

    def block(self, texts: list[str]) -> tuple[list, tuple[str, str] | None, bool]:
        """Each text's reading: plain values when all are, else Readings (and None)."""
        distinct = set(texts)
        new = distinct.difference(self.cache)  # each text's reading stands alone: any order
        if new:
            self._learn(R.read(self.column.kind, self.column.label, list(new), self.scanner, self.dates))
        values = list(map(self.cache.__getitem__, texts))
        block: tuple[list[object], tuple[str, str] | None, bool]
        if self.plain is not None and self.full.isdisjoint(texts):
            block = values, self.plain, not self.loose.isdisjoint(texts)
        else:
            block = [R.as_reading(v, self.plain) for v in values], None, False
        if len(self.cache) > CACHE_TEXTS and len(new) * 10 > len(distinct) * 9:
            self._forget()  # texts that never repeat (phones, mail addresses): not kept
        return block

    def _forget(self) -> None:
        self.cache = {"": None}
        self.full.clear()
        self.loose.clear()

    def _learn(self, read: tuple[dict[str, str | None], dict[str, object]]) -> None:
        shaped, odd = read
        self.cache.update(shaped)
        self.cache.update(odd)
        full = [r for t, r in odd.items() if isinstance(r, R.Reading)]
        self.full.update(t for t, r in odd.items() if isinstance(r, R.Reading))
        self.loose.update(t for t, r in odd.items() if r.__class__ in (R.Name, R.Free))
        if (
            self.plain is not None
            and self.plain[1] not in self.attributes
            and any(isinstance(r, str) for r in (*shaped.values(), *odd.values()))
        ):
            self.kinds |= {self.plain[0]} if self.plain[0] else set()
            self.attributes |= {self.plain[1]}
        self.kinds = self.kinds.union(k for r in full for k, _ in r.counted)
        self.attributes = self.attributes.union(*(r.values for r in full))


def _texts(rows: tuple, start: int, column: Column) -> list[str]:
    """Each data row's text in the column, stripped; adjacent columns joined as one value."""
    if column.first_col == column.last_col:
        values = list(map(itemgetter(column.first_col), rows[start:]))
        try:
            return list(map(str.strip, values))
        except TypeError:  # a reader that gave something else than text
            return [str(v or "").strip() for v in values]
    joiner = " " if column.kind in ("person_name", "name_kana") else ""
    cut = slice(column.first_col, column.last_col + 1)
    return [joiner.join(filter(None, (str(v or "").strip() for v in row[cut]))) for row in rows[start:]]
