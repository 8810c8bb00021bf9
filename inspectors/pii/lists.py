"""A table into the ledger: its values, its people and its places (issues 4, 13, 14).

A list with a header row is read column by column (`columns`, `tally`), the others row by
row (`tables.read`); both leave the ledger alike (tests/test_table_columns.py). Rows about
premises (`premises`) are places, not people; the values of places and of an
organisation's people (`owners`: rows of business contact data alone, `whole`) are counted,
but not as third parties'.
"""

from __future__ import annotations

from collections.abc import Collection

from ..message import Table
from . import columns, forms, premises, records, tables, tally
from .ledger import CONTACT_KINDS, Ledger, Place
from .scanner import Scanner


def read_table(table: Table, scanner: Scanner, ledger: Ledger, quoted: bool = False) -> None:
    """A table's values and people. `quoted`: a quoted table that is no list (a signature
    laid out in table cells, a form; personal_data._quoted_form) gives its people, not its
    contacts, as quoted prose does; a quoted list counts as it would unquoted. A list with
    a header row is read column by column (pii.columns), others row by row.
    Rows about premises (pii.premises) are places, not people; the values of places and of
    people of an organisation (pii.owners) are counted, but not as third parties'."""
    forms.read(table, scanner, ledger)  # labels beside or above their values (帳票)
    verdict = premises.places(table, *tables.header(table), ledger.owners.freemail)
    blocks = columns.read(table, scanner)
    if blocks is None:
        read_rows(table, scanner, ledger, quoted, verdict)
        return
    first = last = None
    attributes: set[str] = set()
    count = 0
    staffed_places: list[int] = []
    for block in blocks:
        tally.add(table, block, ledger, CONTACT_KINDS if quoted else frozenset(), names=not quoted)
        listed = records.column_people(block, verdict.rows)
        places = (
            [r - block.first for r in verdict.rows if 0 <= r - block.first < len(block.readings[0])]
            if verdict.rows and block.readings
            else []
        )
        if listed is not None:
            staffed = {i for i, r in enumerate(listed.rows) if block.first + r in verdict.staffed}
            owned = whole(
                ledger,
                ledger.owners_of(listed.keys),
                lambda i, block=block, rows=listed.rows: tally.emails_at(block, rows[i]),
                lambda i, listed=listed, staffed=staffed: listed.private(
                    i, PREMISES_DATA if i in staffed else NOTHING
                ),
            )
            keep, owned = unowned_staff(len(listed.keys), staffed, owned)
            ledger.add_keys([listed.keys[i] for i in keep], owned)
            rows = [listed.rows[i] for i in keep]
            dropped = sorted(set(listed.rows).difference(rows))
            places += dropped
            staffed_places += [block.first + r for r in dropped]
            if rows:
                first = block.first + rows[0] if first is None else first
                last = block.first + rows[-1]
                attributes.update(
                    listed.attributes if len(rows) == len(listed.rows) else listed.present(rows)
                )
                count += len(rows)
            places += [rows[i] for i, _ in owned]  # an organisation's people
        tally.attribute_rows(block, ledger, places)
    _add_list(table, ledger, first, last, attributes, count)
    _add_places(table, ledger, verdict, staffed_places)


# What a staffed premises' row (premises.Verdict.staffed) holds of the premises, not the person.
PREMISES_DATA = frozenset({"address"})
NOTHING: frozenset[str] = frozenset()


def unowned_staff(
    n: int, staffed: set[int], owned: list[tuple[int, int]]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Of `n` people, the indexes that stay people, and `owned` renumbered among them: a
    staffed premises' row is its organisation's person when `owned`, else a place."""
    if not staffed:
        return list(range(n)), owned
    drop = staffed.difference(i for i, _ in owned)
    keep = [i for i in range(n) if i not in drop]
    index = {old: new for new, old in enumerate(keep)}
    return keep, [(index[i], t) for i, t in owned]


def whole(ledger: Ledger, owned: list[tuple[int, int]], mails, private) -> list[tuple[int, int]]:
    """The people of an organisation (`owned`, by the address they are keyed by) whose row
    holds business contact data alone (`private(i)` false) and whose every mail address is
    that organisation's: a customer row does not become the client's by an added client
    address, nor does an HR row (birth date, home address) by an internal one."""
    of = ledger.owners.of
    return [(i, t) for i, t in owned if not private(i) and all(of(m) == t for m in mails(i))]


def _row_mails(read) -> dict[int, list[str]]:
    mails: dict[int, list[str]] = {}
    for cell, hit in read.hits:
        if hit.kind == "email_address":
            mails.setdefault(cell.row, []).append(hit.value)
    return mails


def _add_places(
    table: Table, ledger: Ledger, verdict: premises.Verdict, staffed: Collection[int] = ()
) -> None:
    if verdict.rows or staffed:
        rows = sorted(verdict.rows.union(staffed))
        width = max(len(r) for r in table.rows)
        keys = [tuple(str(c or "").strip() for c in table.rows[r]) for r in rows]
        ledger.add_premises(
            keys,
            [verdict.words[r] for r in rows],
            Place(where=table.where, table=table, row=rows[0], first_col=0, last_col=0),
            Place(where=table.where, table=table, row=rows[-1], first_col=width - 1, last_col=width - 1),
        )


def _add_list(
    table: Table, ledger: Ledger, first: int | None, last: int | None, attributes: set[str], count: int
) -> None:
    if count and first is not None and last is not None:  # a counted row sets both
        width = max(len(r) for r in table.rows)
        ledger.add_list(
            Place(where=table.where, table=table, row=first, first_col=0, last_col=0),
            Place(where=table.where, table=table, row=last, first_col=width - 1, last_col=width - 1),
            frozenset(attributes),
            count,
        )


def read_rows(
    table: Table, scanner: Scanner, ledger: Ledger, quoted: bool, verdict: premises.Verdict | None = None
) -> None:
    """Row by row (tables.read): the tables pii.columns leaves, such as a form without a
    header row, ragged rows, numbers split over cells, bank details."""
    if verdict is None:
        verdict = premises.places(table, *tables.header(table), ledger.owners.freemail)
    first = last = None
    attributes: set[str] = set()
    count = 0
    staffed_places: list[int] = []
    for read in tables.read(table, scanner):
        people = [p for p in records.table_people(read) if p.row not in verdict.rows]
        mails = _row_mails(read)
        staffed = {i for i, p in enumerate(people) if p.row in verdict.staffed}
        owners = whole(
            ledger,
            ledger.owners_of([p.key for p in people]),
            # Called within whole(), in this iteration; bound here all the same (B023).
            lambda i, mails=mails, people=people: mails.get(people[i].row, []),
            lambda i, people=people, staffed=staffed: records.private(
                people[i], PREMISES_DATA if i in staffed else NOTHING
            ),
        )
        keep, owners = unowned_staff(len(people), staffed, owners)
        kept = set(keep)
        dropped = [p.row for i, p in enumerate(people) if i not in kept]
        staffed_places += dropped
        people = [people[i] for i in keep]
        ledger.add_people(people, owners)
        owned = verdict.rows.union(people[i].row for i, _ in owners).union(dropped)
        for cell, hit in read.hits:
            if (hit.strong or cell.kind == "person_name") and not (quoted and hit.kind in CONTACT_KINDS):
                ledger.add(hit.kind, hit.value, _cell_place(table, cell))
                if cell.row in owned:
                    ledger.attribute(hit.kind, hit.value)
        named = {(cell.row, cell.first_col) for cell, hit in read.hits if hit.kind == "person_name"}
        for cell in read.cells:
            if (
                cell.kind == "person_name"
                and (cell.row, cell.first_col) not in named
                and not quoted
                and tables.looks_like_name(cell.text)
            ):
                name = cell.text.replace(" ", "").replace("\u3000", "")
                ledger.add("person_name", name, _cell_place(table, cell))
                if cell.row in owned:
                    ledger.attribute("person_name", name)
        if people:
            first = people[0].row if first is None else first
            last = people[-1].row
            attributes.update(*(p.attributes for p in people))
            count += len(people)
    _add_list(table, ledger, first, last, attributes, count)
    _add_places(table, ledger, verdict, staffed_places)


def _cell_place(table: Table, cell) -> Place:
    return Place(
        where=table.where, table=table, row=cell.row, first_col=cell.first_col, last_col=cell.last_col
    )
