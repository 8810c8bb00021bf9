"""A block of table columns into the ledger, a column at a time.

The ledger must end up exactly as if the rows had been read one by one (`personal_data`'s row reader): for
each kind, the same values in the same order (evidence shows the first ones), the same first
and last row and the same columns for `where`. Row-by-row reading adds, per block of rows,
every hit row by row and left to right, then the name cells no hit named; so does this, with
whole columns: a column's values are already in row order, and only values of one kind from
several columns are interleaved by row.
"""

from __future__ import annotations

from ..message import Table
from .columns import Block, Column
from .ledger import Ledger, Place
from .readings import Name

# A column's values of one kind: per row of the block, None, a value, or a tuple of values.
Part = tuple[Column, list]


def add(table: Table, block: Block, ledger: Ledger, skipped: frozenset[str], names: bool) -> None:
    """The block's values, but none of the `skipped` kinds; name cells too when `names`."""
    found: dict[str, list[Part]] = {}
    for column, readings, plain, loose, kinds in zip(
        block.columns, block.readings, block.plain, block.loose, block.kinds
    ):
        for kind in kinds - skipped:
            if plain is None:
                values = [None if r is None else _of_kind(r.counted, kind) for r in readings]
            elif kind != plain[0]:
                continue  # what else the column gave stands in other blocks
            else:
                values = [v if v.__class__ is str else None for v in readings] if loose else readings
            found.setdefault(kind, []).append((column, values))
    named = _names(block) if names else []
    for kind, parts in found.items():
        _add(table, ledger, block.first, kind, parts, named if kind == "person_name" else [])
    if named and "person_name" not in found:
        _add(table, ledger, block.first, "person_name", [], named)


def _of_kind(counted: tuple[tuple[str, str], ...], kind: str) -> str | tuple[str, ...] | None:
    values = tuple(v for k, v in counted if k == kind)
    return values[0] if len(values) == 1 else values or None


def _names(block: Block) -> list[Part]:
    """The name column cells no hit named (row-by-row reading adds them after the hits)."""
    parts = []
    for column, readings, plain, loose in zip(block.columns, block.readings, block.plain, block.loose):
        if column.kind != "person_name" or (plain is not None and not loose):
            continue
        if plain is not None:
            values = [str(v) if v.__class__ is Name else None for v in readings]
        else:
            values = [None if r is None else r.name for r in readings]
        parts.append((column, values))
    return parts


def _add(table: Table, ledger: Ledger, first: int, kind: str, *groups: list[Part]) -> None:
    """Each group's values in reading order, one group after the other."""
    values: list[str] = []
    rows: list[int] = []
    for parts in groups:
        group_values, group_rows = _in_order(parts)
        values += group_values
        rows += group_rows
    if not values:
        return
    if kind == "email_address" and not ledger.ignored_addresses.isdisjoint(values):
        _add_each(table, ledger, first, kind, groups)  # the sender's own address is in the list
        return
    left = min(c.first_col for parts in groups for c, _ in parts)
    right = max(c.last_col for parts in groups for c, _ in parts)
    ledger.add_all(
        kind,
        values,
        Place(where=table.where, table=table, row=first + min(rows), first_col=left, last_col=right),
        Place(where=table.where, table=table, row=first + max(rows), first_col=left, last_col=right),
    )


def _in_order(parts: list[Part]) -> tuple[list[str], list[int]]:
    """The parts' values in reading order, and the first and last row that holds one."""
    if len(parts) == 1:
        values = parts[0][1]
        top = next((i for i, v in enumerate(values) if v is not None), None)
        if top is None:
            return [], []
        bottom = len(values) - 1 - next(i for i, v in enumerate(reversed(values)) if v is not None)
        flat = [v for v in values if v is not None]
        return (_flat(flat) if tuple in set(map(type, flat)) else flat), [top, bottom]
    cells = _cells(parts)
    return _flat([v for _, _, _, v in cells]), [cells[0][0], cells[-1][0]] if cells else []


def _cells(parts: list[Part]) -> list[tuple[int, int, int, object]]:
    """(row, first_col, last_col, value or values) of every cell, row by row, left to right."""
    return sorted(
        (
            (i, c.first_col, c.last_col, v)
            for c, values in parts
            for i, v in enumerate(values)
            if v is not None
        ),
        key=lambda cell: (cell[0], cell[1]),
    )


def _flat(values: list) -> list[str]:
    return [x for v in values for x in (v if v.__class__ is tuple else (v,))]


def _add_each(table: Table, ledger: Ledger, first: int, kind: str, groups) -> None:
    """Cell by cell, as row-by-row reading adds them (the ledger drops ignored addresses)."""
    for parts in groups:
        for row, first_col, last_col, value in _cells(parts):
            place = Place(
                where=table.where, table=table, row=first + row, first_col=first_col, last_col=last_col
            )
            for v in value if value.__class__ is tuple else (value,):
                ledger.add(kind, v, place)


def attribute_rows(block: Block, ledger: Ledger, rows: list[int]) -> None:
    """The values of the block's `rows` (from its first) are an organisation's or premises':
    the ledger counts them, but not as third parties'. Column by column, in bulk."""
    if not rows:
        return
    for readings, plain in zip(block.readings, block.plain):
        values = [v for v in map(readings.__getitem__, rows) if v is not None]
        if plain is not None:
            if plain[0]:
                ledger.attribute_all(plain[0], [v for v in values if v.__class__ is str])
            ledger.attribute_all("person_name", [str(v) for v in values if v.__class__ is Name])
            continue
        for reading in values:
            for kind, value in reading.counted:
                ledger.attribute(kind, value)
            if reading.name is not None:
                ledger.attribute("person_name", reading.name)


def emails_at(block: Block, row: int) -> list[str]:
    """Every mail address the block's `row` (from its first) holds, in any column."""
    found: list[str] = []
    for readings, plain, kinds in zip(block.readings, block.plain, block.kinds):
        value = readings[row]
        if value is None or "email_address" not in kinds:
            continue
        if plain is not None:
            if value.__class__ is str and plain[0] == "email_address":
                found.append(value)
        else:
            found += [v for k, v in value.counted if k == "email_address"]
    return found
