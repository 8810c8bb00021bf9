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
class Ledger:
    ignored_addresses: frozenset[str] = frozenset()     # the sender's and visible recipients'
    values: dict[str, dict[str, None]] = field(default_factory=dict)
    places: dict[str, list[Place]] = field(default_factory=dict)
    people: dict[tuple, None] = field(default_factory=dict)
    lists: list[tuple[Place, Place, frozenset[str], int]] = field(default_factory=list)

    def add(self, kind: str, value: str, place: Place) -> None:
        if kind == "email_address" and value in self.ignored_addresses:
            return
        self.values.setdefault(kind, {})[value] = None
        self.places.setdefault(kind, []).append(place)

    def add_list(self, first: Place, last: Place, people) -> None:
        """A table's or a text's people: counted once per key across the message."""
        if not people:
            return
        attributes = frozenset().union(*(p.attributes for p in people))
        self.lists.append((first, last, attributes, len(people)))
        for person in people:
            self.people[person.key] = None

    def findings(self) -> list[Finding]:
        out = [Finding(code=f"pii.{kind}", count=len(self.values[kind]),
                       where=_where(self.places[kind]),
                       evidence=tuple(mask(kind, v) for v in list(self.values[kind])[:MAX_EVIDENCE]))
               for kind in CODES if self.values.get(kind)]
        if self.people:
            out.append(Finding(code="pii.records", count=len(self.people),
                               where=tuple(_span(a, b) for a, b, _, _ in self.lists)[:MAX_WHERE],
                               evidence=tuple(f"{n} people: {'+'.join(sorted(attrs))}"
                                              for _, _, attrs, n in self.lists)[:MAX_EVIDENCE]))
        return out


def _where(places: list[Place]) -> tuple[str, ...]:
    """One entry per text chunk or table: its line or lines, or the range of its cells."""
    grouped: dict[tuple[str, bool], list[Place]] = {}
    for place in places:
        grouped.setdefault((place.where, place.table is None), []).append(place)
    return tuple(_span(min(g, key=_order), max(g, key=_order), g) for g in grouped.values())[:MAX_WHERE]


def _order(place: Place) -> tuple[int, int]:
    return (place.line, place.row)


def _span(first: Place, last: Place, group: list[Place] | None = None) -> str:
    if first.table is not None:
        cols = [p.first_col for p in group or (first, last)] + [p.last_col for p in group or (first, last)]
        top, bottom = first.table.ref(first.row, min(cols)), first.table.ref(last.row, max(cols))
        return f"{first.where}!{top}" if top == bottom else f"{first.where}!{top}:{bottom}"
    if first.line == last.line:
        return f"{first.where}!line {first.line}"
    return f"{first.where}!lines {first.line}-{last.line}"
