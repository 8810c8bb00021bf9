"""Whom a text is about (issue 17): the persons next to a sensitive word, found with the
personal-data scanner (inspectors.pii.scanner), within one message's budget.

A person here is a data subject: an identifier, or a name with an honorific or a label, in a
table row or in the prose, but not the reader in the greeting nor the writer in the signature
(inspectors.letter), and not an organisation written with 様 (健診機関様). The keyword
dictionaries with `near: person` ask it (inspectors.keywords).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from .letter import greeting_end, outside, signature_spans
from .message import Table
from .pii.scanner import BARRIER, Hit, Scanner

# What makes a person identifiable next to a word: names and identifiers, not contact data
# (a business phone or address stands next to 診療時間 on a clinic's page).
PERSON_KINDS = frozenset(
    {
        "person_name",
        "my_number",
        "birth_date",
        "passport",
        "drivers_license",
        "pension_number",
        "health_insurance",
        "residence_card",
        "resident_code",
    }
)
# What a "name" with 様 ends in when it is an organisation or a department, not a person.
ORGANISATION = re.compile(
    r"(?:機関|会社|病院|医院|クリニック|事務所|センター|協会|組合|法人|部|課|室|店|社|院|局|庁|署|校|所|御中)"
    r"[ 　]*(?:様|殿|さま)?$"
)
MAX_SCANNED_CHARS = 2_000_000  # per message: proximity scans past this count as near (fail closed)
MAX_ROWS = 5_000  # rows of one table looked at for people; the rest count as near (fail closed)


class Subjects:
    """The persons of a message's texts and tables, scanned within one budget per message: a
    text past it is not scanned, and its words count as near a person (fail closed)."""

    def __init__(self, scanner: Scanner) -> None:
        self._scanner = scanner
        self._budget = MAX_SCANNED_CHARS

    def scan(self, text: str) -> list[tuple[int, bool]] | None:
        """(character offset, is a name) of the persons in `text`; None when the budget is
        spent."""
        if len(text) > self._budget:
            return None
        self._budget -= len(text)
        data = text.encode("utf-8")
        starts = sorted((h.start, h.kind == "person_name") for h in self._scanner.scan(data) if is_subject(h))
        offsets, last, chars = [], 0, 0
        for s, name in starts:  # byte offsets to character offsets, one decode at most
            chars += len(data[last:s].decode("utf-8", "replace"))
            offsets.append((chars, name))
            last = s
        return offsets

    def rows_with_people(self, table: Table) -> set[int]:
        """Rows with a person, each read with its column headings as labels (氏名：…)."""
        header = table.rows[0]
        found: set[int] = set()
        for r, row in enumerate(table.rows[:MAX_ROWS]):
            labelled = [
                f"{header[c]}：{cell}" if r and c < len(header) else cell for c, cell in enumerate(row)
            ]
            text = BARRIER.join(labelled)
            if len(text) > self._budget:
                return set(range(len(table.rows)))  # fail closed: every row counts as a person's
            self._budget -= len(text)
            if any(h.kind in PERSON_KINDS for h in self._scanner.scan(text.encode("utf-8"))):
                found.add(r)
        if len(table.rows) > MAX_ROWS:
            found.update(range(MAX_ROWS, len(table.rows)))
        return found


class People:
    """Where the persons of one text are, scanned once it is asked: the whole text while the
    message's scan budget holds it, else a window around each word (a 5 MB document with one
    既往歴 costs one window). A name in the greeting or the signature is the reader or the
    writer, not a person the text is about (inspectors.letter)."""

    def __init__(self, text: str, subjects: Subjects) -> None:
        self._text, self._subjects_of = text, subjects
        self._offsets: list[int] | None = None
        self._whole: bool | None = None  # decided at the first question
        self._letter: tuple[int, list[tuple[int, int]]] | None = None

    def outside(self, offset: int) -> bool:
        """Whether `offset` is outside the greeting and the signature blocks."""
        if self._letter is None:
            self._letter = (greeting_end(self._text), signature_spans(self._text))
        return outside(offset, *self._letter)

    def _subjects(self, found: list[tuple[int, bool]], base: int) -> list[int]:
        return [o + base for o, name in found if not name or self.outside(o + base)]

    def near(self, low: int, high: int) -> bool | None:
        low, high = max(low, 0), min(high, len(self._text))
        if self._whole is None:
            found = self._subjects_of.scan(self._text)
            self._whole = found is not None
            self._offsets = self._subjects(found or [], 0)
        if self._whole:
            return _within(self._offsets or [], low, high)
        window = self._subjects_of.scan(self._text[low:high])
        return None if window is None else bool(self._subjects(window, low))


def is_subject(hit: Hit) -> bool:
    """A person a text may be about: an identifier, or a name with an honorific or a label
    (a bare surname is how a writer signs) that is not an organisation's (健診機関様)."""
    if hit.kind != "person_name":
        return hit.kind in PERSON_KINDS
    return hit.strong and ORGANISATION.search(hit.value) is None


def _within(offsets: Sequence[int], low: int, high: int) -> bool:
    i = bisect_left(offsets, low)
    return i < len(offsets) and offsets[i] <= high
