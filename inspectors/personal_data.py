"""Personal data in the text and tables a message carries (DESIGN.md: pii.*; issue 4).

How it works (the pieces live in `inspectors.pii`, the pattern catalogue in
`inspectors.patterns`):

1. Every text chunk is split into prose and tables (a CSV attachment is a table; so are the
   tab-separated rows an HTML table becomes). `MessageView.tables` are read as tables too.
2. One RE2 scan per text finds every candidate value and every context word in order;
   candidates are then validated (check digits, numbering plan, calendars) and read by the
   nearest label before them. Table cells are scanned with their column heading as label.
3. Ordinary mail stays quiet by layout, not by thresholds: values in the sender's signature
   and in signatures of a quoted thread are never counted; values in quoted text are not
   counted as phone, mail address, postal code, address, birth date or name, so a rule on
   "≥ 10 distinct phones/addresses/…" sees only what the sender wrote. Organisation numbers
   (toll-free, navi-dial, lines labelled 代表/FAX/窓口…), shared mailboxes (info@, support@…),
   the sender's and visible recipients' own addresses, and company bank accounts (a カ）or
   株式会社 account holder) are not personal data and are not counted either.
4. pii.records counts people in lists: table rows with two or more personal attributes under
   a detected header row, and runs of three or more such people in line-oriented text.

Findings carry distinct-value counts, locations and masked evidence only; raw values never
leave the ledger of one `inspect` call.
"""
from __future__ import annotations

import datetime
from typing import Iterable

from .base import Finding
from .message import MessageView, Table, TextChunk, read_view
from .pii import columns, delimited, records, tables, tally
from .pii.layout import Layout
from .pii.ledger import Ledger, Place
from .pii.scanner import Scanner
from .pii.validators import my_number_is_valid
from .pii import zengin

__all__ = ["PersonalData", "my_number_is_valid", "CONTACT_KINDS"]

# Values a reader would not call leaked when they stand in quoted text or a signature.
CONTACT_KINDS = frozenset({"phone", "email_address", "postal_code", "address", "birth_date", "person_name"})
_TOPIC_KINDS = frozenset({"corporate_number"})   # public: informational only


class PersonalData:
    name = "personal_data"

    def __init__(self, *, today: datetime.date | None = None) -> None:
        self._today = today          # None: the day of each inspection (birth dates lie before it)

    def reader(self, message: MessageView) -> "_Reader":
        """Reads one message's text and tables as extraction gives them (message: its
        envelope and headers)."""
        return _Reader(Scanner(self._today or datetime.date.today()), message)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        return read_view(self.reader(message), message)


class _Reader:
    """The ledger of one message; raw values live here and nowhere else."""

    def __init__(self, scanner: Scanner, message: MessageView) -> None:
        self._scanner = scanner
        ignored = frozenset(a.lower() for a in (message.envelope.mail_from, *message.envelope.rcpt_tos,
                                                *message.header_from, *message.visible_recipients) if a)
        self._ledger = Ledger(ignored_addresses=ignored)
        _read_subject(message.subject, scanner, self._ledger)

    def text(self, chunk: TextChunk) -> None:
        rest = zengin.read(chunk.where, chunk.text, self._ledger)   # 全銀 transfer files: by layout
        if rest is not None:
            chunk = TextChunk(where=chunk.where, text=rest)
        pieces = delimited.split(chunk.where, chunk.text)
        layout = Layout(chunk.text.encode("utf-8", "replace")) if len(pieces) > 1 else None
        for piece in pieces:
            if isinstance(piece, delimited.Block):
                _read_table(piece.table, self._scanner, self._ledger,
                            quoted=bool(layout and layout.quoted(piece.start)))
            else:
                _read_prose(piece, self._scanner, self._ledger, layout)
        if len(pieces) > 1 or isinstance(pieces[0], delimited.Block):   # a table was read
            self._ledger.release_tables()

    def table(self, table: Table) -> None:
        if zengin.read_table(table, self._ledger):
            return
        _read_table(table, self._scanner, self._ledger)
        self._ledger.release_tables()

    def findings(self, message: MessageView) -> Iterable[Finding]:
        return self._ledger.findings()


def _read_table(table: Table, scanner: Scanner, ledger: Ledger, quoted: bool = False) -> None:
    """A table's values and people; a table in quoted text adds its people, not its contacts.
    A list with a header row is read column by column (pii.columns), others row by row."""
    blocks = columns.read(table, scanner)
    if blocks is None:
        _read_rows(table, scanner, ledger, quoted)
        return
    first = last = None
    attributes: set[str] = set()
    count = 0
    for block in blocks:
        tally.add(table, block, ledger, CONTACT_KINDS if quoted else frozenset(), names=not quoted)
        listed = records.column_people(block)
        if listed is not None:
            ledger.add_keys(listed.keys)
            first = listed.first if first is None else first
            last = listed.last
            attributes.update(listed.attributes)
            count += len(listed.keys)
    _add_list(table, ledger, first, last, attributes, count)


def _add_list(table: Table, ledger: Ledger, first: int | None, last: int | None,
              attributes: set[str], count: int) -> None:
    if count:
        width = max(len(r) for r in table.rows)
        ledger.add_list(Place(where=table.where, table=table, row=first, first_col=0, last_col=0),
                        Place(where=table.where, table=table, row=last, first_col=width - 1,
                              last_col=width - 1), frozenset(attributes), count)


def _read_rows(table: Table, scanner: Scanner, ledger: Ledger, quoted: bool) -> None:
    """Row by row (tables.read): the tables pii.columns leaves, such as a form without a
    header row, ragged rows, numbers split over cells, bank details."""
    first = last = None
    attributes: set[str] = set()
    count = 0
    for read in tables.read(table, scanner):
        for cell, hit in read.hits:
            if (hit.strong or cell.kind == "person_name") and not (quoted and hit.kind in CONTACT_KINDS):
                ledger.add(hit.kind, hit.value, _cell_place(table, cell))
        named = {(cell.row, cell.first_col) for cell, hit in read.hits if hit.kind == "person_name"}
        for cell in read.cells:
            if cell.kind == "person_name" and (cell.row, cell.first_col) not in named and not quoted \
                    and tables.looks_like_name(cell.text):
                ledger.add("person_name", cell.text.replace(" ", "").replace("\u3000", ""), _cell_place(table, cell))
        people = records.table_people(read)
        ledger.add_people(people)
        if people:
            first = people[0].row if first is None else first
            last = people[-1].row
            attributes.update(*(p.attributes for p in people))
            count += len(people)
    _add_list(table, ledger, first, last, attributes, count)


def _cell_place(table: Table, cell) -> Place:
    return Place(where=table.where, table=table, row=cell.row, first_col=cell.first_col, last_col=cell.last_col)


def _read_subject(subject: str, scanner: Scanner, ledger: Ledger) -> None:
    """The subject is read for identifiers (a My Number, a card, an account): a name, a date
    or a phone number in a subject ("山田様 10/3 打合せ") is the mail's topic, not a list."""
    for hit in scanner.scan(subject.encode("utf-8", "replace")):
        if hit.strong and hit.kind not in CONTACT_KINDS | _TOPIC_KINDS:
            ledger.add(hit.kind, hit.value, Place(where="subject", line=1))


def _read_prose(piece: delimited.Prose, scanner: Scanner, ledger: Ledger,
                chunk_layout: Layout | None = None) -> None:
    """`chunk_layout` is the whole chunk's when the prose is a piece of it (a table stood
    between): a quote header or signature above the table still covers the text below it."""
    data = piece.text.encode("utf-8", "replace")
    layout, at = (chunk_layout, piece.start) if chunk_layout else (Layout(data), 0)
    located = []
    line, pos = piece.first_line, 0
    place = Place(where=piece.where, line=line)      # one per line that holds values, not per value
    signature, quoted, count = layout.signature, layout.quoted, data.count
    for hit in scanner.scan(data):
        contact = hit.kind in CONTACT_KINDS
        if contact and hit.strong and signature(at + hit.start):   # weak names count only in lists
            continue
        line += count(b"\n", pos, hit.start)       # counted on from the last value kept
        pos = hit.start
        located.append((line, hit))
        if hit.strong and not (contact and quoted(at + pos)):
            if place.line != line:
                place = Place(where=piece.where, line=line)
            ledger.add(hit.kind, hit.value, place)
    people = records.text_people(data, located, layout.spacing)
    in_lists = {n for p in people for n in range(p.row, p.last_row + 1)}
    for person_line, hit in located:       # a bare surname counts where it stands in a list
        if not hit.strong and person_line in in_lists and not layout.quoted(at + hit.start):
            ledger.add(hit.kind, hit.value, Place(where=piece.where, line=person_line))
    ledger.add_people(people)
    if people:
        ledger.add_list(Place(where=piece.where, line=people[0].row),
                        Place(where=piece.where, line=people[-1].last_row),
                        frozenset().union(*(p.attributes for p in people)), len(people))
