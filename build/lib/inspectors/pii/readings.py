"""What the distinct values of one table column yield, read in bulk (see `columns`).

A value's reading depends only on its column's label and its text, so each distinct text
is read once:

- texts of a plain shape in a phone, mail-address or postal-code column are validated in
  bulk: one fullmatch of the column's joined numbers against the numbering plan, and the
  shapes the scanner would take whole (090-1234-5678, user@example.jp, 123-4567);
- texts in katakana alone (readings of names) hold no value;
- every other text (names, addresses, free text, odd shapes) goes to the scanner, all of a
  column's new texts in one RE2 pass, each as the row reader scans a cell.

A reading is kept in its smallest form: None when the text yields nothing, the value itself
when it yields exactly what its column's kind promises (one value of that kind, which is
also the person's attribute; or the text as a `Name` or a `Free` attribute), a `Reading`
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, cast

import phonenumbers

from .. import patterns as P
from .records import attribute, free_text_attribute
from .scanner import BARRIER, KEYVAL, Scanner
from .tables import looks_like_name
from .validators import PhonePlan

# Shapes the scanner matches whole and reads by the rules alone (tests/test_table_columns.py
# compares the column reader with the row reader on values of every shape).
# Each is matched against a column's texts joined by line ends: a text with a line end of its
# own only yields lines that are texts of that shape, read as they would be on their own.
_PHONE_LINES = re.compile(
    r"^(?=(?:[0-9]-?){10,11}$)(?:0[0-9]{1,4}-[0-9]{1,4}-[0-9]{1,4}|0[0-9]{9,10})$", re.MULTILINE
)
_MAIL_LINES = re.compile(
    r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$", re.MULTILINE
)
# A lower-case mail address whose local part, or its part before "+", is a role mailbox.
_ROLE_LINES = re.compile(
    "^(?:" + "|".join(map(re.escape, sorted(P.ROLE_MAILBOXES))) + r")(?:\+[^@\n]*)?@.*$", re.MULTILINE
)
_POSTAL_LINES = re.compile(r"^[0-9]{3}-?[0-9]{4}$", re.MULTILINE)
# Katakana and spaces (a reading column): the scanner finds no value in them, at most a
# context word (checked by tests/test_table_columns.py against every pattern word).
_KANA = re.compile("[\u30a0-\u30ff\uff66-\uff9f \u3000]+")
_KANA_LINES = re.compile(f"^{_KANA.pattern}$", re.MULTILINE)
# Column kind -> (the ledger kind of its values, their attribute in pii.records); a reading
# in kana is no value the ledger counts, only the person's name.
PLAIN = {
    "phone": ("phone", "phone"),
    "email_address": ("email_address", "email_address"),
    "postal_code": ("postal_code", "address"),
    "address": ("address", "address"),
    "person_name": ("person_name", "person_name"),
    "name_kana": ("", "person_name"),
}


def _personal_numbers() -> re.Pattern:
    """National numbers ("0" + the significant number) of the plan's personal types, one
    per line: PhonePlan.kind's verdict (personal or not) for a whole column in one pass."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("JP")
    patterns = [
        desc.national_number_pattern
        for name in PhonePlan.PERSONAL
        if (desc := getattr(meta, name, None)) is not None and desc.national_number_pattern
    ]
    return re.compile("^0(?:" + "|".join(f"(?:{p})" for p in patterns) + ")$", re.MULTILINE)


_PERSONAL_NUMBER = _personal_numbers()


class Reading(NamedTuple):
    """What one distinct cell text yields when it is more than one plain value."""

    counted: tuple[tuple[str, str], ...]  # (kind, value) of the hits the ledger takes
    name: str | None  # the cell itself as a name (a name column)
    values: dict[str, str]  # attribute -> the value pii.records keys it by
    hit_values: dict[str, str]  # the same from hits alone (least of each)


class Name(str):
    """A name column's text taken as a name by itself (no hit named it): the ledger adds it
    after the block's hits, and it is no hit when columns of one attribute are merged."""

    __slots__ = ()


class Free(str):
    """A value judged from the text alone (an address no pattern read, a reading in kana):
    an attribute of the row's person, not a value the ledger counts."""

    __slots__ = ()


def read(
    kind: str, label: str, texts: list[str], scanner: Scanner, dates: bool
) -> tuple[dict[str, str | None], dict[str, object]]:
    """The readings of the distinct `texts` of a column: those read by their shape (None or
    a plain value), and the others (None, a plain value, a Name, a Free value or a Reading)."""
    shaped = _by_shape(kind, texts)
    plain = PLAIN.get(kind)
    left = [t for t in texts if t not in shaped] if shaped else texts
    kana = _kana(left)
    odd = _kana_names(kana) if kind == "name_kana" else {t: _of_hits(kind, t, (), plain) for t in kana}
    rest = [t for t in left if t not in kana] if kana else left
    if rest:
        odd.update(_of_scans(kind, _scanned(label, rest, scanner, dates), plain))
    return shaped, odd


def _kana(texts: list[str]) -> set[str]:
    """The texts in katakana alone, found in one pass over the joined texts (a line of a
    text with a line end of its own is no text, unless some text is that line alone)."""
    if not texts:
        return set()
    lines = _KANA_LINES.findall("\n".join(texts))
    return set(lines).intersection(texts) if lines else set()


def _kana_names(texts: set[str]) -> dict[str, object]:
    """_of_hits("name_kana", t, (), ...) of texts in katakana: a reading of a name when
    looks_like_name (no digit or punctuation in kana: at most 24 characters, two besides
    spaces), as a Free value; None otherwise."""
    ordered = list(texts)
    values = "\n".join(ordered).replace(" ", "").replace("\u3000", "").split("\n")
    return {t: Free(v) if len(t) <= 24 and len(v) >= 2 else None for t, v in zip(ordered, values)}


def _of_scans(kind: str, scanned: dict[str, list], plain: tuple[str, str] | None) -> dict[str, object]:
    """_of_hits of each scanned text; a text with one hit that is plainly the column's value
    (an address in an address column) is taken without the call."""
    weak = kind == "person_name"
    single = plain is not None and plain[0] != "" and attribute(plain[0]) == plain[1]
    out: dict[str, object] = {}
    for t, hits in scanned.items():
        if single and plain is not None and len(hits) == 1:  # single: plain is given
            hit_kind, value, strong = hits[0]
            if hit_kind == plain[0] and (strong or weak):
                out[t] = value  # free_text_attribute of a PLAIN kind is "" or plain[1]
                continue
        out[t] = _of_hits(kind, t, hits, plain)
    return out


def as_reading(value: object, plain: tuple[str, str] | None) -> Reading | None:
    """A plain value in the full form (for a block whose column also holds other readings)."""
    if not isinstance(value, str):
        return cast("Reading | None", value)  # a column's values: plain text, Readings or None
    if plain is None:  # unpacking it would fail the same way
        raise TypeError("a plain value in a column without a plain kind")
    kind, attr = plain
    if value.__class__ is Name:
        return Reading(counted=(), name=str(value), values={attr: str(value)}, hit_values={})
    if value.__class__ is Free:
        return Reading(counted=(), name=None, values={attr: str(value)}, hit_values={})
    return Reading(counted=((kind, value),), name=None, values={attr: value}, hit_values={attr: value})


def _by_shape(kind: str, texts: list[str]) -> dict[str, str | None]:
    """The values of the texts whose shape the scanner would read by the rules alone, each
    column's texts matched, split and validated as one text, line by line."""
    if kind == "phone":
        plain = _PHONE_LINES.findall("\n".join(texts))
        digits = "\n".join(plain).replace("-", "").split("\n") if plain else []
        valid = {d: d for d in _PERSONAL_NUMBER.findall("\n".join(digits))}
        return dict(zip(plain, map(valid.get, digits)))
    if kind == "email_address":
        found = _MAIL_LINES.findall("\n".join(texts))
        if not found or any(t.startswith(".") for t in found):
            return {t: _mail(t) for t in found}
        values = "\n".join(found).lower().split("\n")  # _mail, the whole column at once
        roles = set(_ROLE_LINES.findall("\n".join(values)))
        return {t: None if v in roles else v for t, v in zip(found, values)}
    if kind == "postal_code":
        plain = _POSTAL_LINES.findall("\n".join(texts))
        return dict(zip(plain, "\n".join(plain).replace("-", "").split("\n"))) if plain else {}
    return {}


def _mail(text: str) -> str | None:
    value = text.lower().strip(".")
    local = value.partition("@")[0]
    if local in P.ROLE_MAILBOXES or local.split("+")[0] in P.ROLE_MAILBOXES:
        return None
    return value


def _scanned(label: str, texts: list[str], scanner: Scanner, dates: bool) -> dict[str, list]:
    """Each text scanned as the row reader scans a cell, all in one pass."""
    head = f"{BARRIER}{label}{KEYVAL}".encode()
    pieces = [head + t.encode() + b"\n" for t in texts]
    ends, size = [], 0
    for piece in pieces:
        size += len(piece)
        ends.append(size)
    found: list[list] = [[] for _ in texts]
    i = 0
    for kind, value, start, _, strong in scanner.scan(b"".join(pieces), dates):
        while start >= ends[i]:
            i += 1
        found[i].append((kind, value, strong))
    return dict(zip(texts, found))


def _of_hits(kind: str, text: str, hits: Sequence, plain: tuple[str, str] | None) -> object:
    """_smallest(_reading(...)) for the usual cells (no hit, or one of the column's kind),
    without building the Reading."""
    if len(hits) > 1 or plain is None:
        return _smallest(_reading(kind, text, hits), plain)
    free = free_text_attribute(kind, text)
    if not hits:
        if not free:
            return None  # and no name either: a name column's text is free iff it looks like one
        value = text.replace(" ", "").replace("\u3000", "")
        return (
            Name(value)
            if kind == "person_name"
            else Free(value)
            if free == plain[1]
            else _smallest(_reading(kind, text, hits), plain)
        )
    ((hit_kind, value, strong),) = hits
    if (
        hit_kind == plain[0]
        and (strong or kind == "person_name")
        and attribute(hit_kind) == plain[1]
        and free in ("", plain[1])
    ):
        return value
    return _smallest(_reading(kind, text, hits), plain)


def _reading(kind: str, text: str, hits: Sequence) -> Reading:
    """As the row reader (personal_data) and records.table_people take a cell: its hits first, the text itself
    as a name or a free-text attribute when no hit gave that."""
    weak = kind == "person_name"
    counted = tuple((k, v) for k, v, strong in hits if strong or weak)
    name = None
    if weak and looks_like_name(text) and not any(h[0] == "person_name" for h in hits):
        name = text.replace(" ", "").replace("\u3000", "")
    weak = weak or kind == "other"
    hit_values: dict[str, str] = {}
    for k, v, strong in hits:
        if (a := attribute(k)) and (strong or weak) and (a not in hit_values or v < hit_values[a]):
            hit_values[a] = v
    free = free_text_attribute(kind, text)
    values = (
        hit_values
        if not free or free in hit_values
        else {**hit_values, free: text.replace(" ", "").replace("\u3000", "")}
    )
    return Reading(counted, name, values, hit_values)


def _smallest(reading: Reading, plain: tuple[str, str] | None) -> object:
    if not reading.counted and reading.name is None and not reading.values:
        return None
    if (
        plain == ("person_name", "person_name")
        and reading.name is not None
        and not reading.counted
        and reading.values == {"person_name": reading.name}
        and not reading.hit_values
    ):
        return Name(reading.name)
    if (
        plain is not None
        and not reading.counted
        and reading.name is None
        and not reading.hit_values
        and len(reading.values) == 1
        and plain[1] in reading.values
    ):
        return Free(reading.values[plain[1]])
    if plain is None or reading.name is not None or len(reading.counted) != 1:
        return reading
    ((kind, value),) = reading.counted
    if kind == plain[0] and reading.values == {plain[1]: value} and reading.hit_values == reading.values:
        return value
    return reading
