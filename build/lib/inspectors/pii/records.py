"""People in lists (pii.records): table rows and line-oriented text lists.

A person is a row, or a run of values in text, holding two or more personal attributes (a
postal code and an address are one attribute, a name and its reading are one). In text,
values form one person until an attribute repeats (but a postal code and its address on one
line are one address), a blank line passes, or three lines pass
without a value; and only runs of three or more such people, each within five lines of the
last, are a list. That is what keeps a thread quiet: its signatures are dropped by
`layout` first, and the few that slip through stand alone, never three in a row.

People are keyed by mail address, else phone, else all their values, so one person read from
a CSV attachment and from its copy in the body is counted once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import repeat
from operator import add, is_not
from typing import TYPE_CHECKING

from .. import patterns as P
from .scanner import Hit
from .tables import ReadTable, looks_like_name

if TYPE_CHECKING:
    from .columns import Block

MIN_RUN = 3  # people in a row before text is a list
MAX_GAP_LINES = 3  # lines without a value inside one person
RUN_GAP_LINES = 5  # lines between two people of one list (a heading, a blank, an ID line)
_BLANK = {1: re.compile(rb"\n[ \t\r]*\n"), 2: re.compile(rb"\n[ \t\r]*\n[ \t\r]*\n")}  # by spacing
# A person's business contact data (issue 14): what an organisation hands out about its staff.
# Everything else a row may hold (a birth date, a home address, a gender, any identifier) is
# private, and the person stays a third party whoever employs them.
BUSINESS = frozenset({"person_name", "phone", "email_address"})
_GENDERS = frozenset(["男", "女", "男性", "女性", "m", "f", "male", "female", "他", "その他"])


@dataclass(frozen=True)
class Person:
    key: tuple
    attributes: frozenset[str]
    row: int = -1  # table row index, or the first line in text
    last_row: int = -1


def attribute(kind: str) -> str:
    kind = P.ATTRIBUTE_OF.get(kind, kind)
    return kind if kind in P.PERSON_ATTRIBUTES else ""


def key_of(values: dict[str, set[str]], shared: frozenset[str] = frozenset()) -> tuple:
    """A person's key: their least mail address, else phone, else My Number, else all values.
    A least address in `shared` (every person's of one list on several of them: an account
    manager's, a shared mailbox) identifies none of them and keys no one."""
    for kind in ("email_address", "phone", "my_number"):
        if values.get(kind):
            least = min(values[kind])
            if kind != "email_address" or least not in shared:
                return (kind, least)
    return tuple(sorted((k, min(v)) for k, v in values.items()))


def shared_mails(units) -> frozenset[str]:
    """The least mail addresses (key_of's) of `units` (each a dict kind -> values) that
    more than one of them has."""
    counts = Counter(min(mails) for values in units if (mails := values.get("email_address")))
    return frozenset(m for m, n in counts.items() if n > 1)


def table_people(read: ReadTable) -> list[Person]:
    rows: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for cell, hit in read.hits:
        kind = attribute(hit.kind)
        if kind and (hit.strong or cell.kind in ("person_name", "other")):
            rows[cell.row][kind].add(hit.value)
    for cell in read.cells:
        kind = free_text_attribute(cell.kind, cell.text)
        if kind and not rows[cell.row].get(kind):
            rows[cell.row][kind].add(cell.text.replace(" ", "").replace("\u3000", ""))
    people = [(r, values) for r, values in sorted(rows.items()) if len(values) >= 2]
    shared = shared_mails(v for _, v in people)
    return [
        Person(key=key_of(values, shared), attributes=frozenset(values), row=r, last_row=r)
        for r, values in people
    ]


@dataclass(frozen=True)
class Listed:
    """The people of a block of table rows: their keys, first and last rows, attributes."""

    keys: list[tuple]
    first: int
    last: int
    attributes: frozenset[str]
    rows: list[int]  # each person's row, from the block's first
    private_values: tuple = ()  # the values (one list per attribute, by row) that are not BUSINESS
    private_kinds: tuple = ()  # their attributes
    values: tuple = ()  # (attribute, its values by row) of every attribute

    def present(self, rows: list[int]) -> frozenset[str]:
        """The attributes that some of `rows` (block rows, among self.rows) hold."""
        return frozenset(kind for kind, values in self.values if any(values[r] is not None for r in rows))

    def private(self, i: int, allowed: frozenset[str] = frozenset()) -> bool:
        """Whether the `i`th person's row holds anything but business contact data (and the
        `allowed` attributes: a staffed premises' address)."""
        row = self.rows[i]
        return any(
            values[row] is not None
            for kind, values in zip(self.private_kinds, self.private_values)
            if kind not in allowed
        )


def private(person: Person, allowed: frozenset[str] = frozenset()) -> bool:
    """Whether a person holds anything but business contact data (and `allowed`)."""
    return not person.attributes <= BUSINESS | allowed


_KEY_KINDS = ("email_address", "phone", "my_number")


def column_people(block: Block, places: frozenset[int] = frozenset()) -> Listed | None:
    """table_people for a block read column by column: per attribute, the value each row is
    keyed by (the least hit, else the first free-text cell), then rows with two or more;
    never the rows that are `places` (table row indexes: premises, not people)."""
    sources: dict[str, list[int]] = {}
    for j, attributes in enumerate(block.attributes):
        for kind in attributes:
            sources.setdefault(kind, []).append(j)
    names = sorted(sources)
    columns = [
        _attribute_values([(block.readings[j], block.plain[j]) for j in sources[kind]], kind)
        for kind in names
    ]
    if not columns:
        return None
    counts = [0] * len(columns[0])
    for values in columns:
        counts = list(map(add, counts, map(is_not, values, repeat(None))))
    rows = [i for i, n in enumerate(counts) if n >= 2]
    if places:
        rows = [i for i in rows if block.first + i not in places]
    if not rows:
        return None
    keys = _keys(names, columns, rows)
    present = frozenset(
        kind for kind, values in zip(names, columns) if any(values[i] is not None for i in rows)
    )
    return Listed(
        keys=keys,
        first=block.first + rows[0],
        last=block.first + rows[-1],
        attributes=present,
        rows=rows,
        private_values=tuple(v for kind, v in zip(names, columns) if kind not in BUSINESS),
        private_kinds=tuple(kind for kind in names if kind not in BUSINESS),
        values=tuple(zip(names, columns)),
    )


def _keys(names: list[str], columns: list[list], rows: list[int]) -> list[tuple]:
    """key_of for each of the rows: mail address, else phone, else My Number, else all."""
    keys: list = [None] * len(rows)
    for kind in _KEY_KINDS:
        if kind in names:
            values = columns[names.index(kind)]
            if kind == "email_address":  # an address on several rows keys none of them (key_of)
                counts = Counter(values[i] for i in rows)
                if any(n > 1 for v, n in counts.items() if v is not None):
                    values = [None if v is None or counts[v] > 1 else v for v in values]
            keys = [key or (None if values[i] is None else (kind, values[i])) for key, i in zip(keys, rows)]
    return [
        key or tuple((kind, values[i]) for kind, values in zip(names, columns) if values[i] is not None)
        for key, i in zip(keys, rows)
    ]


def _attribute_values(columns: list[tuple[list, tuple[str, str] | None]], kind: str) -> list[str | None]:
    """Each row's value of one attribute, from the (readings, plain) columns that can give it."""
    if len(columns) == 1:
        readings, plain = columns[0]
        if plain is not None:
            return readings if plain[1] == kind else [None] * len(readings)
        return [None if r is None else r.values.get(kind) for r in readings]
    if all(plain is not None and plain[1] == kind for _, plain in columns):
        if len(columns) == 2:  # a name and its reading: the usual pair
            return list(map(_merged_pair, columns[0][0], columns[1][0]))
        return [_merged(values) for values in zip(*(readings for readings, _ in columns))]
    out: list[str | None] = []
    for cells in zip(*(_value_maps(readings, plain, kind) for readings, plain in columns)):
        hits = [hit[kind] for _, hit in filter(None, cells) if kind in hit]
        out.append(min(hits) if hits else next((v[kind] for v, _ in filter(None, cells) if kind in v), None))
    return out


def _merged(values: tuple) -> str | None:
    """Plain values of one attribute in one row: the least hit, else the first other."""
    hits = [v for v in values if v.__class__ is str]
    return min(hits) if hits else next(filter(None, values), None)


def _merged_pair(a: str | None, b: str | None) -> str | None:
    """_merged((a, b)) without building the lists."""
    if a.__class__ is str:
        return a if b.__class__ is not str or a <= b else b
    if b.__class__ is str:
        return b
    return a or b or None


def _value_maps(readings: list, plain: tuple[str, str] | None, kind: str) -> list:
    """Per row, None or (values, hit_values) as a Reading has them; a plain value is a hit's
    value unless it is a Name or a Free value (str subclasses)."""
    if plain is None:
        return [None if r is None else (r.values, r.hit_values) for r in readings]
    if plain[1] != kind:
        return [None] * len(readings)
    return [None if v is None else ({kind: v}, {kind: v} if v.__class__ is str else {}) for v in readings]


def free_text_attribute(kind: str, text: str) -> str:
    """Columns whose values cannot be validated, only judged plausible."""
    if kind in ("person_name", "name_kana") and looks_like_name(text):
        return "person_name"
    if kind == "address" and len(text) >= 2 and not text.isascii():
        return "address"
    if kind == "gender" and text.strip().lower() in _GENDERS:
        return "gender"
    return ""


def text_people(data: bytes, located: list[tuple[int, Hit]], spacing: int = 1) -> list[Person]:
    """People in line-oriented text; `located` is (line, hit) in text order. `spacing` 2 is
    text with a blank line after every line (HTML mail): gaps count double there."""
    blank, gap = _BLANK[spacing], MAX_GAP_LINES * spacing
    units: list[tuple[int, int, dict[str, set[str]]]] = []
    current: dict[str, set[str]] = {}
    first = last = end = -1
    for line, hit in located:
        kind = attribute(hit.kind)
        if not kind:
            continue
        if current and (
            (kind in current and not (kind == "address" and line == last))
            or line - last >= gap
            or blank.search(data, end, hit.start)
        ):
            units.append((first, last, current))
            current = {}
        if not current:
            first = line
        current.setdefault(kind, set()).add(hit.value)
        last, end = line, hit.end
    if current:
        units.append((first, last, current))
    return _in_runs([u for u in units if len(u[2]) >= 2], RUN_GAP_LINES * spacing)


def _in_runs(units: list[tuple[int, int, dict[str, set[str]]]], gap: int) -> list[Person]:
    people: list[Person] = []
    run: list = []
    for unit in units + [None]:
        if unit is not None and (not run or unit[0] - run[-1][1] <= gap):
            run.append(unit)
            continue
        if len(run) >= MIN_RUN:
            shared = shared_mails(v for _, _, v in run)
            people += [
                Person(key=key_of(v, shared), attributes=frozenset(v), row=a, last_row=b) for a, b, v in run
            ]
        run = [unit] if unit is not None else []
    return people
