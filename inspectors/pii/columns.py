"""Tables read column by column: a customer list is a few columns of one kind each.

Row-by-row reading scanned every cell under its column's label and validated every hit in
Python: 110,000 customers took seconds. What a cell yields depends only on its column's
label and its text (the scanner's matches never cross the cell barrier, and a label never
reaches past it), so each column's DISTINCT values are read once:

- values of a plain shape in a phone, mail-address or postal-code column are validated in
  bulk: one fullmatch of the column's joined text against the numbering plan, the shapes
  the scanner would take whole (090-1234-5678, user@example.jp, 123-4567);
- every other distinct value (names, addresses, free text, odd shapes) goes to the scanner,
  all of a column's new values in one RE2 pass.

A table whose cells need their neighbours is left to `tables.read` (row by row): no header
row, ragged rows, adjacent numeric columns that may join (090|1234|5678), and bank words
anywhere (the account holder after an account number decides whether it is personal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterator

import phonenumbers

from .. import patterns as P
from ..message import Table
from .records import attribute, free_text_attribute
from .scanner import BARRIER, KEYVAL, Scanner
from .tables import _JOIN_DIGITS, LABEL_FOR, ROWS_PER_READ, _header, _speaks_of_birth, looks_like_name
from .validators import PhonePlan

_JOINED = frozenset({"address", "person_name", "name_kana"})
_BANK_WORDS = re.compile("|".join(re.escape(w) for cls in ("bank", "yucho") for w in P.CONTEXT_WORDS[cls]),
                         re.IGNORECASE)
# Shapes the scanner matches whole and reads by the rules alone (checked cell for cell
# against the scanner by tests/test_table_columns.py).
_PHONE_SHAPE = re.compile(r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{1,4}|0[0-9]{9,10}")
_MAIL_SHAPE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_POSTAL_SHAPE = re.compile(r"[0-9]{3}-?[0-9]{4}")


def _personal_numbers() -> re.Pattern:
    """National numbers ("0" + the significant number) of the plan's personal types, one
    per line: PhonePlan.kind's verdict for a whole column in one pass."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    patterns = [desc.national_number_pattern for name in PhonePlan.PERSONAL
                if (desc := getattr(meta, name, None)) is not None and desc.national_number_pattern]
    return re.compile("^0(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$", re.MULTILINE)


_PERSONAL_NUMBER = _personal_numbers()


@dataclass(frozen=True)
class Column:
    """One value per row: a sheet column, or adjacent columns always read together."""
    first_col: int
    last_col: int
    kind: str
    label: str


@dataclass(frozen=True)
class Reading:
    """What one distinct cell text of a column yields."""
    hits: tuple[tuple[str, str, bool], ...]     # (kind, value, strong), in the cell's order
    name: str | None                            # the cell itself as a name (a name column)
    attributes: tuple[tuple[str, str], ...]     # (attribute, value) for pii.records, from hits
    free: tuple[str, str] | None                # (attribute, value) judged from the text alone


@dataclass(frozen=True)
class Block:
    """Rows first..first+len-1 of a table: per column, each row's Reading (None: empty)."""
    first: int
    columns: tuple[Column, ...]
    readings: tuple[list, ...]


def plan(table: Table) -> tuple[int, list[str], tuple[Column, ...]] | None:
    """The header row, its kinds and the columns, or None when the table is to be read row
    by row."""
    header_row, kinds = _header(table)
    if header_row is None or len(set(map(len, table.rows))) != 1 or not kinds:
        return None
    if len(kinds) != len(table.rows[0]) or "bank_account" in kinds:
        return None
    columns, c = [], 0
    while c < len(kinds):
        end = c + 1
        while end < len(kinds) and kinds[end] == kinds[c]:
            end += 1
        if end - c > 1 and kinds[c] in _JOIN_DIGITS:
            return None         # 090|1234|5678: whether cells join depends on each row
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
    if any(_BANK_WORDS.search("\n".join(dict.fromkeys(t))) for t in texts):
        return None
    dates = _speaks_of_birth(table.rows[header_row + 1:], kinds, LABEL_FOR)
    return _blocks(header_row + 1, columns, texts, scanner, dates)


def _blocks(start: int, columns: tuple[Column, ...], texts: list[list[str]], scanner: Scanner,
            dates: bool) -> Iterator[Block]:
    caches: list[dict[str, Reading | None]] = [{"": None} for _ in columns]
    count = len(texts[0]) if texts else 0
    for at in range(0, count, ROWS_PER_READ):
        readings = []
        for column, column_texts, cache in zip(columns, texts, caches):
            part = column_texts[at:at + ROWS_PER_READ]
            new = [t for t in dict.fromkeys(part) if t not in cache]
            if new:
                cache.update(_readings(column, new, scanner, dates))
            readings.append(list(map(cache.__getitem__, part)))
        yield Block(first=start + at, columns=columns, readings=tuple(readings))


def _texts(rows: tuple, start: int, column: Column) -> list[str]:
    """Each data row's text in the column, stripped; adjacent columns joined as one value."""
    if column.first_col == column.last_col:
        return [str(v or "").strip() for v in map(itemgetter(column.first_col), rows[start:])]
    joiner = " " if column.kind in ("person_name", "name_kana") else ""
    cut = slice(column.first_col, column.last_col + 1)
    return [joiner.join(filter(None, (str(v or "").strip() for v in row[cut]))) for row in rows[start:]]


def _readings(column: Column, texts: list[str], scanner: Scanner, dates: bool) -> dict[str, Reading]:
    hits = _by_shape(column.kind, texts)
    rest = [t for t in texts if t not in hits]
    if rest:
        hits.update(_scanned(column.label, rest, scanner, dates))
    return {t: _reading(column.kind, t, hits[t]) for t in texts}


def _by_shape(kind: str, texts: list[str]) -> dict[str, tuple]:
    """Hits of the values whose shape the scanner would read by the rules alone."""
    if kind == "phone":
        plain = {t: t.replace("-", "") for t in texts if _PHONE_SHAPE.fullmatch(t)}
        plain = {t: d for t, d in plain.items() if 10 <= len(d) <= 11}
        valid = set(_PERSONAL_NUMBER.findall("\n".join(plain.values())))
        return {t: ((("phone", d, True),) if d in valid else ()) for t, d in plain.items()}
    if kind == "email_address":
        return {t: _mail(t) for t in texts if _MAIL_SHAPE.fullmatch(t)}
    if kind == "postal_code":
        return {t: (("postal_code", t.replace("-", ""), True),) for t in texts if _POSTAL_SHAPE.fullmatch(t)}
    return {}


def _mail(text: str) -> tuple:
    value = text.lower().strip(".")
    local = value.partition("@")[0]
    if local in P.ROLE_MAILBOXES or local.split("+")[0] in P.ROLE_MAILBOXES:
        return ()
    return (("email_address", value, True),)


def _scanned(label: str, texts: list[str], scanner: Scanner, dates: bool) -> dict[str, tuple]:
    """Each text scanned as the table reader scans a cell, all in one pass."""
    head = f"{BARRIER}{label}{KEYVAL}".encode()
    pieces = [head + t.encode() + b"\n" for t in texts]
    ends, size = [], 0
    for piece in pieces:
        size += len(piece)
        ends.append(size)
    found: list[list] = [[] for _ in texts]
    i = 0
    for hit in scanner.scan(b"".join(pieces), dates):
        while hit.start >= ends[i]:
            i += 1
        found[i].append((hit.kind, hit.value, hit.strong))
    return {t: tuple(f) for t, f in zip(texts, found)}


def _reading(kind: str, text: str, hits: tuple) -> Reading:
    named = any(h[0] == "person_name" for h in hits)
    name = text.replace(" ", "").replace("\u3000", "") \
        if kind == "person_name" and not named and looks_like_name(text) else None
    counted = kind in ("person_name", "other")
    attributes = tuple((a, v) for k, v, strong in hits if (a := attribute(k)) and (strong or counted))
    free = free_text_attribute(kind, text)
    return Reading(hits=hits, name=name, attributes=attributes,
                   free=(free, text.replace(" ", "").replace("\u3000", "")) if free else None)
