"""What one message carries, value by value, turned into findings at the end.

The ledger is the only holder of raw values and lives for one `inspect` call. A finding gets
the number of distinct values (people, for pii.records), where they are (a text chunk's line
or lines, a table's cell range such as `attachment:顧客.xlsx!Sheet1!D2:D120`), and masked
samples only.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..base import Finding
from ..codes import PII_VALUE_KINDS, PLACES, RECORDS
from ..message import Table
from .masks import mask
from .owners import OWN, RECIPIENT, TALLIES, THIRD, Owners

MAX_WHERE = 10
MAX_EVIDENCE = 3
# Kinds whose findings state how many values are third parties' (not an organisation's or premises').
CONTACT_KINDS = frozenset({"phone", "email_address", "postal_code", "address", "birth_date", "person_name"})


@dataclass(frozen=True)
class Place:
    """A text chunk's line (or record, in a fixed-width file), or a table's cells."""

    where: str
    line: int = 0
    unit: str = "line"
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
        """Once per value found (330,000 times for 110,000 customers): plain comparisons only."""
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
    ignored_addresses: frozenset[str] = frozenset()  # the sender's and visible recipients'
    owners: Owners = field(default_factory=Owners)
    values: dict[str, _Distinct] = field(default_factory=dict)
    places: dict[str, dict[tuple[str, bool], _Spread]] = field(default_factory=dict)
    people: _Distinct = field(default_factory=lambda: _Distinct())
    lists: list[tuple[Place, Place, frozenset[str], int]] = field(default_factory=list)
    # The organisations' people (the rest are third parties'), values that are an organisation's
    # or premises', and the premises listed (pii.places): their keys, the words that named them.
    owned: dict[int, _Distinct] = field(default_factory=lambda: {RECIPIENT: _Distinct(), OWN: _Distinct()})
    attributed: dict[str, _Distinct] = field(default_factory=dict)
    premises: _Distinct = field(default_factory=lambda: _Distinct())
    premises_lists: list[tuple[Place, Place]] = field(default_factory=list)

    def add(self, kind: str, value: str, place: Place) -> None:
        if kind == "email_address":
            if value in self.ignored_addresses:
                return
            if self.owners.active and self.owners.of(value) != THIRD:
                self.attribute(kind, value)
        distinct = self.values.get(kind)
        if distinct is None:
            distinct = self.values[kind] = _Distinct()
            self.places[kind] = {}
        distinct.add(value, MAX_EVIDENCE)
        spreads = self.places[kind]
        group = (place.where, place.table is None)
        spread = spreads.get(group)
        if spread is None:
            spreads[group] = _Spread(place, place, place.first_col, place.last_col)
        else:
            spread.take(place)

    def add_all(self, kind: str, values: list[str], first: Place, last: Place) -> None:
        """add() for each of `values` in order, all standing between `first` and `last` (the
        top-left and bottom-right of a table's cells): a column's values in one call. The
        caller leaves out ignored addresses with their places (they must not widen `where`)."""
        if kind == "email_address":
            values = [v for v in values if v not in self.ignored_addresses]
            if self.owners.active:
                self.attribute_all(kind, [values[i] for i, _ in self.owners.owned(values)])
        if values:
            self.add(kind, values[0], first)
            self.values[kind].extend(values, MAX_EVIDENCE)  # all of them, in order, hashed in C
            self.add(kind, values[-1], last)

    def attribute(self, kind: str, value: str) -> None:
        """`value` (added or to be added) is an organisation's or premises': not a third party's."""
        self.attributed.setdefault(kind, _Distinct()).add(value, 0)

    def attribute_all(self, kind: str, values: list[str]) -> None:
        self.attributed.setdefault(kind, _Distinct()).extend(values, 0)

    def add_people(self, people, owned: Sequence[tuple[int, int]] = ()) -> None:
        self.add_keys([person.key for person in people], owned)

    def add_keys(self, keys: list[tuple], owned: Sequence[tuple[int, int]] = ()) -> None:
        """People (by records.key_of) counted once per key across the message; `owned`: (index,
        tally) of those that are an organisation's (owners_of, lists.whole), the rest third parties'."""
        self.people.extend(keys, 0)
        for tally, distinct in self.owned.items():
            distinct.extend([keys[i] for i, t in owned if t == tally], 0)

    def owners_of(self, keys: list[tuple]) -> list[tuple[int, int]]:
        """(index, tally) of the keys whose person is an organisation's by the mail address
        they are keyed by (records.key_of); the caller checks the person's other addresses."""
        if not self.owners.active:
            return []
        mailed = [i for i, key in enumerate(keys) if key[0] == "email_address"]
        return [(mailed[j], t) for j, t in self.owners.owned([keys[i][1] for i in mailed])]

    def add_premises(self, keys: list, words: list[str], first: Place, last: Place) -> None:
        """Rows or entries about premises (pii.places), known by `keys`; `words` name them
        (本社, 営業所 …: not personal data, the evidence shows them)."""
        if keys:
            self.premises.extend(keys, 0)
            samples = self.premises.samples
            samples += [w for w in dict.fromkeys(words) if w not in samples][: MAX_EVIDENCE - len(samples)]
            self.premises_lists.append((first, last))

    def add_list(self, first: Place, last: Place, attributes: frozenset[str], count: int) -> None:
        """A table's or a text's list of `count` people (added with add_people)."""
        if count:
            self.lists.append((first, last, attributes, count))

    def release_tables(self) -> None:
        """Keep of the tables read so far only what a cell reference needs: a streamed message's
        tables go once read, instead of living on in the places of their first and last values."""
        frames: dict[int, Table] = {}

        def light(place: Place) -> Place:
            table = place.table
            if table is None or not table.rows:
                return place
            frame = frames.setdefault(
                id(table),
                Table(where=table.where, rows=(), first_row=table.first_row, first_col=table.first_col),
            )
            return replace(place, table=frame)

        for spread in (s for spreads in self.places.values() for s in spreads.values()):
            spread.first, spread.last = light(spread.first), light(spread.last)
        self.lists = [(light(a), light(b), attrs, n) for a, b, attrs, n in self.lists]
        self.premises_lists = [(light(a), light(b)) for a, b in self.premises_lists]

    def findings(self) -> list[Finding]:
        out = [
            Finding(
                code=f"pii.{kind}",
                count=len(self.values[kind]),
                where=tuple(_span(g.first, g.last, g.min_col, g.max_col) for g in self.places[kind].values())[
                    :MAX_WHERE
                ],
                evidence=self._tallies(kind) + tuple(mask(kind, v) for v in self.values[kind].samples),
            )
            for kind in PII_VALUE_KINDS
            if self.values.get(kind)
        ]
        if self.people:
            recipient, own = len(self.owned[RECIPIENT]), len(self.owned[OWN])
            tallies = (len(self.people) - recipient - own, recipient, own)  # a key has one owner
            out.append(
                Finding(
                    code=RECORDS,
                    count=sum(tallies),
                    where=tuple(_span(a, b) for a, b, _, _ in self.lists)[:MAX_WHERE],
                    evidence=tuple(f"{name}={n}" for name, n in zip(TALLIES, tallies))
                    + tuple(f"{n} people: {'+'.join(sorted(attrs))}" for _, _, attrs, n in self.lists)[
                        :MAX_EVIDENCE
                    ],
                )
            )
        if self.premises:
            out.append(
                Finding(
                    code=PLACES,
                    count=len(self.premises),
                    where=tuple(_span(a, b) for a, b in self.premises_lists)[:MAX_WHERE],
                    evidence=(f"places={len(self.premises)}", *self.premises.samples),
                )
            )
        return out

    def _tallies(self, kind: str) -> tuple[str, ...]:
        """`third_parties=N` for a contact kind: its distinct values less the attributed ones."""
        if kind not in CONTACT_KINDS:
            return ()
        attributed = self.attributed.get(kind)
        third = (
            len(self.values[kind])
            if attributed is None
            else len(self.values[kind].hashes() - attributed.hashes())
        )
        return (f"third_parties={third}",)


class _Distinct:
    """Distinct values counted by their 64-bit hashes in a packed array, 8 bytes a value
    against about 70 for a set of strings: a 25 MB message of customer lists is read whole.
    Repeats are folded away whenever the array has doubled. Only the first few distinct
    values themselves are kept, for the masked evidence."""

    def __init__(self) -> None:
        self._hashes = array("q")
        self._fold_at = 1 << 16
        self.samples: list = []

    def add(self, value, keep: int) -> None:
        self._hashes.append(hash(value))
        if len(self.samples) < keep and value not in self.samples:
            self.samples.append(value)
        if len(self._hashes) > self._fold_at:
            self._fold()

    def extend(self, values: list, keep: int) -> None:
        """add() for each of `values`, in order: the hashing in C."""
        self._hashes.extend(map(hash, values))
        for value in values:
            if len(self.samples) >= keep:
                break
            if value not in self.samples:
                self.samples.append(value)
        if len(self._hashes) > self._fold_at:
            self._fold()

    def _fold(self) -> None:
        self._hashes = array("q", set(self._hashes))
        self._fold_at = 2 * len(self._hashes) + (1 << 16)

    def __len__(self) -> int:
        self._fold()
        return len(self._hashes)

    def hashes(self) -> set[int]:
        return set(self._hashes)

    def __bool__(self) -> bool:
        return bool(self._hashes)


def _span(first: Place, last: Place, min_col: int | None = None, max_col: int | None = None) -> str:
    if first.table is not None:
        cols = (first.first_col, last.first_col, first.last_col, last.last_col)
        top = first.table.ref(first.row, min(cols) if min_col is None else min_col)
        bottom = first.table.ref(last.row, max(cols) if max_col is None else max_col)
        return f"{first.where}!{top}" if top == bottom else f"{first.where}!{top}:{bottom}"
    if first.line == last.line:
        return f"{first.where}!{first.unit} {first.line}"
    return f"{first.where}!{first.unit}s {first.line}-{last.line}"
