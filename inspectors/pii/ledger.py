"""What one message carries, value by value, turned into findings at the end.

The ledger is the only holder of raw values and lives for one `inspect` call. A finding gets
the number of distinct values (people, for pii.records), where they are (a text chunk's line
or lines, a table's cell range such as `attachment:顧客.xlsx!Sheet1!D2:D120`), and masked
samples only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..base import Finding
from ..message import Table
from .masks import mask

CODES = ("my_number", "credit_card", "bank_account", "passport", "drivers_license", "pension_number",
         "health_insurance", "residence_card", "phone", "email_address", "postal_code", "address",
         "birth_date", "person_name", "corporate_number")
MAX_WHERE = 10
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class Place:
    """A text chunk's line, or a table's cells."""
    where: str
    line: int = 0
    table: Table | None = None
    row: int = 0
    first_col: int = 0
    last_col: int = 0


@dataclass
class _Spread:
    """Where one kind's values stand in one text chunk or table: the first and the last of
    them and the columns they cover, which is all a finding's `where` shows. A table of
    40,000 rows holds one of these, not a place per value."""
    first: Place
    last: Place
    min_col: int
    max_col: int

    def take(self, place: Place) -> None:
        """Called once per value found (330,000 times for a list of 110,000 customers): plain
        comparisons, no tuples."""
        first, last = self.first, self.last
        if place.line < first.line or (place.line == first.line and place.row < first.row):
            self.first = place
        if place.line > last.line or (place.line == last.line and place.row > last.row):
            self.last = place
        if place.first_col < self.min_col:
            self.min_col = place.first_col
        if place.last_col > self.max_col:
            self.max_col = place.last_col


@dataclass
class Ledger:
    ignored_addresses: frozenset[str] = frozenset()     # the sender's and visible recipients'
    values: dict[str, dict[str, None]] = field(default_factory=dict)
    places: dict[str, dict[tuple[str, bool], _Spread]] = field(default_factory=dict)
    people: dict[tuple, None] = field(default_factory=dict)
    lists: list[tuple[Place, Place, frozenset[str], int]] = field(default_factory=list)

    def add(self, kind: str, value: str, place: Place) -> None:
        if kind == "email_address" and value in self.ignored_addresses:
            return
        values = self.values.get(kind)
        if values is None:
            values = self.values[kind] = {}
            self.places[kind] = {}
        values[value] = None
        spreads = self.places[kind]
        group = (place.where, place.table is None)
        spread = spreads.get(group)
        if spread is None:
            spreads[group] = _Spread(place, place, place.first_col, place.last_col)
        else:
            spread.take(place)

    def add_people(self, people) -> None:
        """People counted once per key across the message."""
        for person in people:
            self.people[person.key] = None

    def add_list(self, first: Place, last: Place, attributes: frozenset[str], count: int) -> None:
        """A table's or a text's list of `count` people (added with add_people)."""
        if count:
            self.lists.append((first, last, attributes, count))

    def findings(self) -> list[Finding]:
        out = [Finding(code=f"pii.{kind}", count=len(self.values[kind]),
                       where=tuple(_span(g.first, g.last, g.min_col, g.max_col)
                                   for g in self.places[kind].values())[:MAX_WHERE],
                       evidence=tuple(mask(kind, v) for v in list(self.values[kind])[:MAX_EVIDENCE]))
               for kind in CODES if self.values.get(kind)]
        if self.people:
            out.append(Finding(code="pii.records", count=len(self.people),
                               where=tuple(_span(a, b) for a, b, _, _ in self.lists)[:MAX_WHERE],
                               evidence=tuple(f"{n} people: {'+'.join(sorted(attrs))}"
                                              for _, _, attrs, n in self.lists)[:MAX_EVIDENCE]))
        return out


def _span(first: Place, last: Place, min_col: int | None = None, max_col: int | None = None) -> str:
    if first.table is not None:
        cols = (first.first_col, last.first_col, first.last_col, last.last_col)
        top = first.table.ref(first.row, min(cols) if min_col is None else min_col)
        bottom = first.table.ref(last.row, max(cols) if max_col is None else max_col)
        return f"{first.where}!{top}" if top == bottom else f"{first.where}!{top}:{bottom}"
    if first.line == last.line:
        return f"{first.where}!line {first.line}"
    return f"{first.where}!lines {first.line}-{last.line}"
