"""Tables (sheets, CSV, docx and HTML tables): header row, columns, cells split across columns.

The header row is the row among the first ten that names the most personal-data columns
(xlsx lists often start with a title and a date). Each column takes the kind its header
names; a header cell left empty right after a numeric kind (a merged 電話番号 over three
cells) continues it, and adjacent cells of one kind are read as one value: 090|1234|5678 is
a phone, four 4-digit cells a card, 都道府県|市区町村|番地 an address, 姓|名 a name.

Every cell is then scanned with its column's label in front of it ("マイナンバー\x1f1234…"),
so a column heading is context exactly as a label in prose is, and a value still has to
validate: a column headed 電話 full of "なし" adds nothing. A header with no data rows is a
blank template and yields nothing.

An account number is scanned with its row's holder column (口座名義, 受取人, Beneficiary …,
before or after it) set after it as a labelled holder, read as context only: the holder
decides, as in prose (`AccountHolders`), so a company's account on an invoice is no one's.

`read` reads row by row. A list with a header row is read column by column instead
(`columns`), to the same findings; `read` stays for the tables that need it, and as what the
column reader is compared with.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .. import patterns as P
from ..account_holders import HOLDER_LABEL, is_holder_header
from ..message import Table
from .normaliser import header_form
from .scanner import BARRIER, KEYVAL, Hit, Scanner, speaks_of_birth

HEADER_ROWS = 10
ROWS_PER_READ = 1000
HOLDER_COLUMNS = 3  # holder columns looked at per account number (漢字, カナ, English)
# The label a cell is scanned under: one context word of the class the column kind needs.
LABEL_FOR = {
    "my_number": "マイナンバー",
    "drivers_license": "免許証",
    "passport": "旅券",
    "pension_number": "基礎年金番号",
    "health_insurance": "被保険者番号",
    "residence_card": "在留カード",
    "resident_code": "住民票コード",
    "credit_card": "カード番号",
    "bank_account": "口座番号",
    "birth_date": "生年月日",
    "phone": "電話",
    "postal_code": "郵便番号",
    "order": "注文番号",
    "org_phone": "代表",
    "person_name": "氏名",
    "name_kana": "",
    "email_address": "",
    "address": "",
    "gender": "",
    "other": "",
}
JOIN_DIGITS = frozenset(
    {"phone", "credit_card", "postal_code", "my_number", "drivers_license", "bank_account", "org_phone"}
)
_SHORT_DIGITS = re.compile(r"^[0-9０-９]{1,6}$")
_NAME_CELL = re.compile(r"^[^\d０-９@＠,、。:：/／]{1,24}$")
_EXACT = {header_form(w): c.kind for c in reversed(P.HEADERS) for w in c.words}
_PARTIAL = sorted(
    ((header_form(w), c.kind) for c in P.HEADERS for w in c.words if len(w) >= 3),
    key=lambda pair: -len(pair[0]),
)


@dataclass(frozen=True)
class Cell:
    """One value as read: a cell, or adjacent cells of one kind read together."""

    row: int  # index into Table.rows
    first_col: int
    last_col: int
    kind: str  # the column's kind, "other" when its header names none
    text: str


@dataclass(frozen=True)
class ReadTable:
    """A block of a table's rows, as read."""

    cells: tuple[Cell, ...]
    hits: tuple[tuple[Cell, Hit], ...]


def column_kind(header: str) -> str:
    """The kind a header cell names; "" for a value (digits, @), "other" for other words."""
    form = header_form(header)
    if not form or "@" in form or sum(c.isdigit() for c in form) >= 3 or len(form) > 30:
        return ""
    if form in _EXACT:
        return _EXACT[form]
    return next((kind for word, kind in _PARTIAL if word in form), "other")


def read(table: Table, scanner: Scanner) -> Iterator[ReadTable]:
    """The table read ROWS_PER_READ rows at a time, so that the cells and hits of a sheet of
    40,000 rows are never all held at once (they took three times the message's size)."""
    header_row, kinds = header(table)
    start = 0 if header_row is None else header_row + 1
    label_of = LABEL_FOR if header_row is not None else {}
    holders = holder_columns(table.rows[header_row]) if header_row is not None else ()
    dates = birth_context(table.rows[start:], kinds, label_of)
    for first in range(start, len(table.rows), ROWS_PER_READ):
        rows = range(first, min(first + ROWS_PER_READ, len(table.rows)))
        cells = tuple(cell for r in rows for cell in _cells(table.rows[r], r, kinds))
        tails = [
            row_holder(table.rows[cell.row], holders, cell.first_col, cell.last_col)
            if cell.kind == "bank_account" and holders
            else ""
            for cell in cells
        ]
        found = labelled(scanner, [(label_of.get(cell.kind, ""), cell.text) for cell in cells], dates, tails)
        yield ReadTable(cells=cells, hits=tuple((cells[i], h) for i, h in found))


def holder_columns(header_row: tuple) -> tuple[int, ...]:
    """The columns headed as the account holder (口座名義, Beneficiary …), the first few: a
    crafted header of a thousand of them must not be looked through for every number."""
    return tuple(c for c, v in enumerate(header_row) if is_holder_header(str(v or "")))[:HOLDER_COLUMNS]


def row_holder(row: tuple, columns: tuple[int, ...], first_col: int, last_col: int) -> str:
    """The row's holder, labelled as prose labels it, to be scanned after the account number
    in first_col..last_col: the holder column decides, before or after the number; "" when
    the row has none."""
    for c in columns:
        if not first_col <= c <= last_col and c < len(row) and (text := str(row[c] or "").strip()):
            return f"\t{HOLDER_LABEL}{text}"
    return ""


def labelled(
    scanner: Scanner, values: list[tuple[str, str]], dates: bool | None, tails: list[str] | None = None
) -> list[tuple[int, Hit]]:
    """Each (label, text) scanned as one cell under its label, in one scan: the hits with
    the index of the value they were found in. A value's tail (its row's account holder) is
    read as its context only: no hit is taken from it."""
    parts, offsets, ends, size = [], [], [], 0
    for i, (label, text) in enumerate(values):
        head = f"{BARRIER}{label}{KEYVAL}{text}".encode()
        piece = head + f"{tails[i] if tails else ''}\n".encode()
        offsets.append(size)
        ends.append(size + len(head))
        parts.append(piece)
        size += len(piece)
    hits = scanner.scan(b"".join(parts), dates) if parts else []
    found = ((bisect_right(offsets, h.start) - 1, h) for h in hits)
    return [(i, h) for i, h in found if h.start < ends[i]]


def birth_context(rows: tuple, kinds: list[str] | None, label_of: dict[str, str]) -> bool:
    """Whether the table, read whole, would be a text that speaks of birth (the scanner looks
    for dates only in such a text): a birth-date column with values, or a birth word in the
    cells. Asked once, so that every block is scanned as the whole table would be."""
    for c, kind in enumerate(kinds or ()):
        if speaks_of_birth(label_of.get(kind, "").encode()) and any(
            c < len(row) and str(row[c] or "").strip() for row in rows
        ):
            return True
    return any(
        speaks_of_birth(_text(rows[i : i + ROWS_PER_READ]).encode())
        for i in range(0, len(rows), ROWS_PER_READ)
    )


def _text(rows: tuple) -> str:
    """The rows as lines of space-joined cells (joined in C when every cell is text)."""
    try:
        return "\n".join(map(" ".join, rows))
    except TypeError:
        return "\n".join(" ".join(str(v or "") for v in row) for row in rows)


def header(table: Table) -> tuple[int | None, list[str] | None]:
    """The row among the first ten naming the most personal columns (two at least, or one
    when no row names two): its index and the kind of each column."""
    scored = [
        (sum(1 for k in kinds if k not in ("", "other")), r, kinds)
        for r, kinds in (
            (r, [column_kind(str(c or "")) for c in row]) for r, row in enumerate(table.rows[:HEADER_ROWS])
        )
    ]
    best: tuple[int, int | None, list[str]] = max(scored, key=lambda s: (s[0], -s[1]), default=(0, None, []))
    down = sum(1 for row in table.rows[:40] if row and column_kind(str(row[0] or "")) not in ("", "other"))
    if best[0] == 0 or down >= max(2, best[0] + 1):  # 氏名|山田, 住所|…: a form, read row by row
        return None, None
    return best[1], _continued(best[2])


def _continued(kinds: list[str]) -> list[str]:
    """An empty header right after a numeric kind continues it (a merged header cell)."""
    out = list(kinds)
    for i in range(1, len(out)):
        if not out[i] and out[i - 1] in JOIN_DIGITS:
            out[i] = out[i - 1]
    return [k or "other" for k in out]


def _cells(row: tuple[str, ...], r: int, kinds: list[str] | None) -> list[Cell]:
    if kinds is None:  # no header: the row is read as a line, its first cells as labels
        text = " ".join(str(v or "").strip() for v in row if str(v or "").strip())
        return (
            [Cell(row=r, first_col=0, last_col=max(0, len(row) - 1), kind="other", text=text)] if text else []
        )
    cells: list[Cell] = []
    c = 0
    while c < len(row):
        kind = kinds[c] if c < len(kinds) else "other"
        end = c + 1
        while end < len(row) and end < len(kinds) and kinds[end] == kind and _joins(kind, row[c : end + 1]):
            end += 1
        text = _joined(kind, [str(v or "").strip() for v in row[c:end]])
        if text:
            cells.append(Cell(row=r, first_col=c, last_col=end - 1, kind=kind, text=text))
        c = end
    return cells


def _joins(kind: str, values) -> bool:
    if kind in JOIN_DIGITS:
        return all(_SHORT_DIGITS.match(str(v or "").strip()) for v in values)
    return kind in ("address", "person_name", "name_kana")


def _joined(kind: str, values: list[str]) -> str:
    if kind in JOIN_DIGITS:
        return "-".join(v for v in values if v)
    return (" " if kind in ("person_name", "name_kana") else "").join(v for v in values if v)


def looks_like_name(text: str) -> bool:
    return bool(_NAME_CELL.match(text)) and len(text.replace(" ", "").replace("\u3000", "")) >= 2
