"""Form-style sheets (帳票, issue 17): a label in one cell, its value beside or below it.

Japanese paperwork in Excel (源泉徴収票, 扶養控除等申告書, 申込書, 健康診断票) is no list with
a header row: 「個人番号」 stands in a cell, often merged over two or three columns, and the
number in the cell to its right or in the row below, sometimes written 4-4-4 over three
cells or one digit a box over twelve. The row and column readers (`tables`, `columns`)
never put such a label in front of such a value, so every identifier that needs its label
(`numbers`: "under a label, the label's type is tried first") went unread.

Here every cell that is an identifier's label (`tables.column_kind`, the words column
headers use) is paired with its value:

- right: the first filled cell after the label (its merged range included), past at most
  MAX_GAP empty cells, on each row the label spans;
- below: the first filled cell in the row under the label, within the label's columns (and
  the cell after them when the label's row is empty there: a value indented one cell);

and the value is read on: adjacent cells of short digit runs (boxes, 4-4-4) join into one
value, empty cells between them allowed (a box merged over two columns). A pair is then
scanned exactly as a table cell under its column label is ("個人番号\\x1f1234…"), so the
value still has to validate: a label beside 「記入不要」 or an invalid check digit gives
nothing. An account number is read with the cells after and below it, where its holder
stands: a company's account (カ）…, an invoice's 振込先) is no personal data. Only
identifiers are taken from a pair; what the row reader finds is its own.

Bounded: each label looks at a fixed number of cells, and each cell's kind is asked once
per distinct text, so the work is linear in the cells (a sheet of 100,000 labels included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..account_holders import HOLDER_LABEL, is_holder_header
from ..message import Table
from .ledger import Ledger, Place
from .scanner import Scanner
from .tables import LABEL_FOR, column_kind, holder_columns, labelled, row_holder

# The kinds whose values need their label: what a pair may yield.
LABELLED = frozenset(
    {
        "my_number",
        "drivers_license",
        "passport",
        "pension_number",
        "health_insurance",
        "residence_card",
        "resident_code",
        "bank_account",
        "credit_card",
    }
)
MAX_GAP = 6  # empty cells between a label and its value (a label merged over columns)
MAX_BOX_GAP = 2  # empty cells between two boxes of one value (a box merged over columns)
MAX_VALUE_CELLS = 20  # cells joined into one value at most (12 boxes, 4-4-4, 4-6)
MAX_LABEL_CHARS = 30
# A label's merged range as far as it is followed: a range merged further (a crafted file may
# merge every label over the whole sheet, the ranges overlapping) is looked at this far.
MAX_SPAN_ROWS = 4
MAX_SPAN_COLS = 12
PAIRS_PER_SCAN = 1000
HOLDER_CELLS = 8  # cells read around an account number for its holder
_BOX = re.compile(r"^[0-9０-９]{1,6}$")
_DIGIT = re.compile(r"[0-9０-９]")


@dataclass(frozen=True)
class Pair:
    """A label's kind and the value read beside or below it: rows[row][first_col..last_col]."""

    kind: str
    row: int
    first_col: int
    last_col: int
    text: str


def read(table: Table, scanner: Scanner, ledger: Ledger) -> None:
    """The identifiers of the table's label→value pairs, into the ledger with their cells."""
    pairs = list(pairs_of(table))
    for first in range(0, len(pairs), PAIRS_PER_SCAN):
        block = pairs[first : first + PAIRS_PER_SCAN]
        values = [
            (LABEL_FOR[p.kind], p.text + _holder(table.rows, p) if p.kind == "bank_account" else p.text)
            for p in block
        ]
        for i, hit in labelled(scanner, values, dates=False):
            if hit.strong and hit.kind in LABELLED:
                pair = block[i]
                place = Place(
                    where=table.where,
                    table=table,
                    row=pair.row,
                    first_col=pair.first_col,
                    last_col=pair.last_col,
                )
                ledger.add(hit.kind, hit.value, place)


def _holder(rows: tuple, pair: Pair) -> str:
    """What follows an account number as a reader sees it: the rest of its row and the next
    filled row (口座名義 | カ）ナルミテクノサービス), HOLDER_CELLS either side at most, then a
    holder labelled in the rows above. The scanner reads the holder there (the nearest after
    first), and a company's account (an invoice's 振込先) is none. A holder column headed
    beside the number's own header (口座名義 | 銀行名 | 口座番号, values below) decides alone."""
    row = rows[pair.row]
    lo, hi = max(0, pair.first_col - HOLDER_CELLS), pair.last_col + 1 + HOLDER_CELLS
    header = rows[pair.row - 1] if pair.row > 0 else ()
    if pair.first_col < len(header) and column_kind(str(header[pair.first_col] or "")) == "bank_account":
        heads = tuple(lo + c for c in holder_columns(header[lo:hi]))
        holder = row_holder(row, heads, pair.first_col, pair.last_col)
        if holder:
            return holder
    rest = " ".join(str(v or "").strip() for v in row[pair.last_col + 1 : hi])
    following = next(
        (text for below in rows[pair.row + 1 : pair.row + 4] if (text := _filled(below[lo:hi]))), ""
    )
    above = next(
        (h for r in range(pair.row - 1, max(-1, pair.row - 4), -1) if (h := _labelled(rows[r][lo:hi]))), ""
    )
    return f" {rest}" + (f"\n{following}" if following else "") + (f"\n{above}" if above else "")


def _filled(cells: tuple) -> str:
    return " ".join(filter(None, (str(v or "").strip() for v in cells)))


def _labelled(cells: tuple) -> str:
    """A holder labelled in a row of cells (口座名義 | カ）ナルミテクノサービス), as prose labels it."""
    for c, cell in enumerate(cells):
        if is_holder_header(str(cell or "")) and (value := _filled(cells[c + 1 : c + 1 + MAX_GAP])):
            return f"{HOLDER_LABEL}{value}"
    return ""


def pairs_of(table: Table) -> Iterator[Pair]:
    """Every label's value to its right and below (each pair once)."""
    rows = table.rows
    spans = _spans(table)
    kinds: dict[str, str] = {}
    seen: set[tuple[int, int]] = set()
    below = _digits(rows[0]) if rows else []
    for r, row in enumerate(rows):
        # A label needs a value with a digit in reach: cells of text alone are passed over
        # without asking what they name (a sheet of a million distinct words costs a scan).
        here, below = below, _digits(rows[r + 1]) if r + 1 < len(rows) else []
        if not any(here) and not any(below):
            continue
        for c, value in enumerate(row):
            if here[c] or not value:
                continue
            bottom, right = spans.get((r, c), (r, c))
            # A value below may be indented one cell (氏名 in A3, the name in B4) when nothing
            # stands beside the label; beside it, that cell is the next field's.
            reach = right + 1 if right + 1 < len(row) and not row[right + 1] else right
            if (
                not any(here[right + 1 : right + MAX_GAP + 2])
                and not any(below[c : reach + 1])
                and bottom == r
            ):
                continue
            kind = _kind(kinds, str(value).strip())
            if kind not in LABELLED:
                continue
            starts = (*((rr, right + 1, MAX_GAP) for rr in range(r, bottom + 1)), (bottom + 1, c, reach - c))
            for start in starts:
                pair = _value(rows, kinds, kind, *start)
                if pair is not None and (pair.row, pair.first_col) not in seen:
                    seen.add((pair.row, pair.first_col))
                    yield pair


def _digits(row: tuple) -> list[bool]:
    """Whether each cell holds a digit (a value may; a label does not)."""
    return [bool(v) and _DIGIT.search(str(v)) is not None for v in row]


def _kind(kinds: dict[str, str], text: str) -> str:
    """The kind a cell names as a label ("" for a value or nothing), asked once per text."""
    if not text or len(text) > MAX_LABEL_CHARS or _DIGIT.search(text):
        return ""
    kind = kinds.get(text)
    if kind is None:
        kind = kinds[text] = column_kind(text)
    return kind


def _spans(table: Table) -> dict[tuple[int, int], tuple[int, int]]:
    """Each merged range's top-left cell -> its bottom row and right column (indexes into
    rows), cut to MAX_SPAN_ROWS x MAX_SPAN_COLS."""
    return {
        (top, left): (min(bottom, top + MAX_SPAN_ROWS - 1), min(right, left + MAX_SPAN_COLS - 1))
        for top, left, bottom, right in table.merged
        if bottom >= top and right >= left
    }


def _value(rows: tuple, kinds: dict[str, str], kind: str, r: int, c: int, gap: int) -> Pair | None:
    """The value starting at the first filled cell of rows[r][c..c+gap], boxes joined; None
    when there is none or the first filled cell is another label."""
    if r >= len(rows):
        return None
    row = rows[r]
    for at in range(c, min(len(row), c + gap + 1)):
        text = str(row[at] or "").strip()
        if not text:
            continue
        if _kind(kinds, text) not in ("", "other"):
            return None  # a label: a header row or the next field, not this one's value
        return _joined(row, r, at, kind, text)
    return None


def _joined(row: tuple, r: int, at: int, kind: str, text: str) -> Pair:
    """The value at row[at], with the boxes after it when it is a box: 1|2|…|8 or 1234|5678|9012."""
    if not _BOX.match(text):
        return Pair(kind, r, at, at, text)
    boxes, last, c = [text], at, at + 1
    while c < len(row) and c - last <= MAX_BOX_GAP + 1 and len(boxes) < MAX_VALUE_CELLS:
        cell = str(row[c] or "").strip()
        if cell:
            if not _BOX.match(cell):
                break
            boxes.append(cell)
            last = c
        c += 1
    joiner = "" if all(len(b) == 1 for b in boxes) else "-"
    return Pair(kind, r, at, last, joiner.join(boxes))
