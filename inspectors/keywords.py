"""Keyword dictionaries (issue 17): `keyword.<id>` for the words and patterns an admin listed,
and for the shipped dictionaries of sensitive personal data (要配慮個人情報) and
confidentiality marks.

Every dictionary's words go into one Aho-Corasick automaton, in every form a text may spell
them (inspectors.keyword_dictionary), so a thousand words cost one pass; patterns are one RE2
program per dictionary. A word counts only as its dictionary says:

- `near: none`: wherever it stands;
- `near: mark`: only standing as a mark (inspectors.letter): a line or a cell of its own, in
  mark brackets, the subject, a file name, a document's header or footer; not in a sentence,
  in quotation brackets or in a signature's disclaimer;
- `near: person`: a person's name or identifier (what pii.scanner finds: a name with an
  honorific or a label, a My Number, a birth date ...) within `window` characters in prose,
  or in the same row of a table; a word heading a column counts once for every row that has
  a person and a value in that column (a table of 既往歴 per employee);
- `near: people_table`: inside a table with three or more rows about people.

Findings carry counts, places and the words themselves; never the text around them, which is
where the person is.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate, islice

import ahocorasick

from .base import Finding
from .codes import KEYWORD
from .data_subjects import People, Subjects
from .keyword_dictionary import KeywordDictionary, compile_patterns, text_form, word_forms
from .letter import is_mark
from .message import MessageView, Table, TextChunk, read_view
from .pii import delimited
from .pii.scanner import Scanner

PEOPLE_ROWS = 3  # rows with a person that make a table a list of people
MAX_PLACES = 10
MAX_MATCHES = 250_000  # per text and per pattern program: the match list stays some 30 MB
FIRST_MATCHES = 100  # past MAX_MATCHES, a dictionary still keeps this many (one word hides none)
# Where a whole text is a title: a mark anywhere in it marks the document.
TITLES = re.compile(r"(?:^|!)(?:header|footer)\d+$")
PATTERN = "(pattern)"  # the evidence of a pattern's match
CUT = "(not read)"  # the evidence of matches past MAX_MATCHES
HIDDEN = "(word)"  # the evidence of a dictionary with show_words: false
UNLESS = "\x00"  # marks an exception among a dictionary's words in the automaton
MAX_SAMPLES = 5


@dataclass
class _Tally:
    count: int = 0
    words: Counter[str] = field(default_factory=Counter)
    places: list[str] = field(default_factory=list)
    unchecked: int = 0  # counted as near without a scan (a budget ran out)

    def add(self, word: str, where: str, n: int = 1) -> None:
        self.count += n
        self.words[word] += n
        if where not in self.places and len(self.places) < MAX_PLACES:
            self.places.append(where)


class Keywords:
    """The keyword inspector; `today` bounds birth dates as in personal_data."""

    name = "keywords"

    def __init__(
        self, dictionaries: Iterable[KeywordDictionary], *, today: datetime.date | None = None
    ) -> None:
        self.dictionaries = tuple(d for d in dictionaries if d.enabled)
        self._today = today  # None: the day of each inspection
        self._patterns = tuple(compile_patterns(d.patterns) for d in self.dictionaries)
        entries: dict[str, dict[tuple[int, str], None]] = {}  # form -> (dictionary, word), once
        for index, d in enumerate(self.dictionaries):
            for word in (*d.words, *(UNLESS + w for w in d.unless)):
                for key in word_forms(word.removeprefix(UNLESS)):
                    entries.setdefault(key, {})[(index, word)] = None
        self._automaton = None
        if entries:
            self._automaton = ahocorasick.Automaton()
            for key, owners in entries.items():
                self._automaton.add_word(key, (len(key), key.isascii(), tuple(owners)))
            self._automaton.make_automaton()

    def reader(self, message: MessageView) -> _Reader:
        return _Reader(self, Scanner(self._today or datetime.date.today()))

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        return read_view(self.reader(message), message)

    def matches(self, text: str, cut: Counter[int] | None = None) -> list[tuple[int, int, int, str]]:
        """(dictionary, start, end, word as listed) of every match in `text`, outermost per
        dictionary (健康診断結果 is not also 診断結果). Past MAX_MATCHES a dictionary keeps
        only its FIRST_MATCHES; the matches it drops are counted in `cut` (fail closed)."""
        folded = text_form(text)
        found: list[tuple[int, int, int, str]] = []
        kept: Counter[int] = Counter()
        dropped = Counter[int]() if cut is None else cut
        if self._automaton is not None:
            for last, (length, ascii_word, owners) in self._automaton.iter(folded):
                start = last + 1 - length
                if ascii_word and not _bounded(folded, start, last + 1):
                    continue
                for index, word in owners:
                    if len(found) < MAX_MATCHES or kept[index] < FIRST_MATCHES:
                        found.append((index, start, last + 1, word))
                        kept[index] += 1
                    else:  # a text of nothing but 極秘: counted, not looked at
                        dropped[index] += 1
        for index, program in enumerate(self._patterns):
            if program is not None:
                # The pattern, not what it matched: that may be the personal data itself.
                hits = list(islice(program.finditer(folded), MAX_MATCHES + 1))
                if len(hits) > MAX_MATCHES:
                    dropped[index] += 1  # at least one more, not counted further
                found.extend((index, m.start(), m.end(), PATTERN) for m in hits[:MAX_MATCHES])
        # An exception shadows the words inside it, then goes itself.
        return [m for m in _outermost(found) if not m[3].startswith(UNLESS)]


def _bounded(text: str, start: int, end: int) -> bool:
    """An English word stands alone: "confidential" is not inside "nonconfidentiality"."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _outermost(found: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    out: list[tuple[int, int, int, str]] = []
    reach: dict[int, int] = {}
    for m in sorted(found, key=lambda m: (m[0], m[1], -m[2])):
        if m[2] > reach.get(m[0], -1):
            out.append(m)
            reach[m[0]] = m[2]
    return out


class _Reader:
    def __init__(self, keywords: Keywords, scanner: Scanner) -> None:
        self._k = keywords
        self._subjects = Subjects(scanner)
        self._tallies = [_Tally() for _ in keywords.dictionaries]

    def text(self, chunk: TextChunk) -> None:
        for piece in delimited.split(chunk.where, chunk.text):
            if isinstance(piece, delimited.Block):
                self.table(piece.table)
            else:
                self._prose(piece.where, piece.text)

    def _prose(self, where: str, text: str, title: bool = False) -> None:
        people = People(text, self._subjects)
        cut: Counter[int] = Counter()
        for index, start, end, word in self._k.matches(text, cut):
            d = self._k.dictionaries[index]
            if d.near == "people_table":
                continue
            marked = title or TITLES.search(where) or (is_mark(text, start, end) and people.outside(start))
            if d.near == "mark" and not marked:
                continue
            if d.near == "person":
                near = people.near(start - d.window, end + d.window)
                if near is None:  # the scan budget is spent: counted, and said (fail closed)
                    self._tallies[index].unchecked += 1
                elif not near:
                    continue
            self._tallies[index].add(word, where)
        self._cut(cut, where)

    def _cut(self, cut: Counter[int], where: str) -> None:
        for index, n in cut.items():  # not looked at: counted, and said (fail closed)
            self._tallies[index].unchecked += n
            self._tallies[index].add(CUT, where, n)

    def table(self, table: Table) -> None:
        """Each cell a line of one text (a mark alone in a cell is alone on its line): one
        pass for the whole table, and the matches mapped back to their cells."""
        cells = [value for row in table.rows for value in row]
        whole = "\n".join(cells)
        cut: Counter[int] = Counter()
        found = self._k.matches(whole, cut)
        matched = []
        if found:  # the cells' offsets only for a table with a match (most have none)
            starts = list(accumulate((len(v) + 1 for v in cells), initial=0))
            row_first = list(accumulate((len(row) for row in table.rows), initial=0))
            for index, start, end, word in found:
                at = bisect_right(starts, start) - 1
                if self._k.dictionaries[index].near == "mark" and not is_mark(whole, start, end):
                    continue  # a mark is a cell of its own, or bracketed in a title cell
                if end <= starts[at] + len(cells[at]):  # not across two cells
                    r = bisect_right(row_first, at) - 1
                    matched.append((r, at - row_first[r], index, word))
        self._cut(cut, table.where)
        if not matched:
            return
        rows = table.rows
        people = self._subjects.rows_with_people(table)
        column_rows = {
            c: [r for r in people if c < len(rows[r]) and rows[r][c].strip()] for _, c, _, _ in matched
        }
        for r, c, index, word in matched:
            n = _weight(self._k.dictionaries[index].near, r, people, column_rows[c])
            if n:
                self._tallies[index].add(word, f"{table.where}!{table.ref(r, c)}", n)

    def findings(self, message: MessageView) -> Iterable[Finding]:
        # The subject and the file names, which no extractor yields: 【社外秘】価格表.xlsx is marked.
        for where, text in (
            ("subject", message.subject),
            *((a.where, a.filename) for a in message.attachments),
        ):
            if text:
                self._prose(where, text, title=True)
        out = []
        for d, tally in zip(self._k.dictionaries, self._tallies, strict=True):
            if tally.count and tally.count >= d.min_count:
                out.append(_finding(d, tally))
        return out


def _weight(near: str, row: int, people: set[int], column: list[int]) -> int:
    """How many times a word in a table counts: once, or once per person under a heading."""
    if near in ("none", "mark") or (near == "people_table" and len(people) >= PEOPLE_ROWS):
        return 1
    if near != "person":
        return 0
    if row in people:
        return 1
    return len(column) if row == 0 else 0  # a column's heading: every person with a value


def _finding(d: KeywordDictionary, tally: _Tally) -> Finding:
    samples = tuple(
        f"{word if d.show_words or word in (PATTERN, CUT) else HIDDEN} ×{n}"
        for word, n in tally.words.most_common(MAX_SAMPLES)
    )
    extra = (f"unchecked={tally.unchecked}",) if tally.unchecked else ()
    return Finding(
        code=f"{KEYWORD}{d.id}",
        count=tally.count,
        where=tuple(tally.places),
        evidence=(*samples, *extra),
    )
