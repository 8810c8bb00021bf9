"""Personal data in the text and tables a message carries (DESIGN.md: pii.*; issues 4, 14).

How it works (the pieces live in `inspectors.pii`, the pattern catalogue in
`inspectors.patterns`):

1. Every text chunk is split into prose and tables (a CSV attachment is a table; so are the
   tab-separated rows an HTML table becomes). `MessageView.tables` are read as tables too.
2. One RE2 scan per text finds every candidate value and every context word in order;
   candidates are then validated (check digits, numbering plan, calendars) and read by the
   nearest label before them. Table cells are scanned with their column heading as label.
3. Ordinary mail stays quiet by layout, not by thresholds: values in the sender's signature
   and in signatures of a quoted thread are never counted; values in quoted prose are not
   counted as phone, mail address, postal code, address, birth date or name, so a rule on
   "≥ 10 distinct phones/addresses/…" sees only what the sender wrote. A table counts the
   same wherever it stands, quoted or not: one table, one set of findings. Organisation numbers
   (toll-free, navi-dial, lines labelled 代表/FAX/窓口…), shared mailboxes (info@, support@…),
   the sender's and visible recipients' own addresses, and company bank accounts (a holder with
   a corporate form, カ）, 株式会社, Co., Ltd. …, or one of the configured organisation and client
   names: `AccountHolders`) are not personal data and are not counted either.
4. pii.records counts people in lists: table rows with two or more personal attributes under
   a detected header row, and runs of three or more such people in line-oriented text.
   Rows and entries about premises (`pii.premises`, `pii.entries`) are pii.places instead;
   each person is the recipients' organisation's, ours or a third party's (`pii.owners`),
   and the findings say how many are third parties'.

Findings carry distinct-value counts, locations and masked evidence only; raw values never
leave the ledger of one `inspect` call.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import replace

from .account_holders import BY_FORM, AccountHolders
from .base import Finding
from .codes import UNSCANNABLE
from .freemail import FreemailDomains
from .message import MessageView, Table, TextChunk, read_view
from .pii import delimited, entries, records, transfer_layout, zengin
from .pii.layout import Layout
from .pii.ledger import CONTACT_KINDS, Ledger, Place
from .pii.lists import read_table as _read_table
from .pii.lists import whole
from .pii.owners import Owners, owners_for
from .pii.scanner import Scanner
from .pii.technical import TechnicalScanner
from .pii.validators import my_number_is_valid

__all__ = ["CONTACT_KINDS", "PersonalData", "my_number_is_valid"]
TRIAL_ROWS = 60  # rows of a quoted table read first to tell a list (its header and three people)
HEAD_ROWS = 3  # a quoted table's first rows, read with each further chunk: its header is there

# CONTACT_KINDS (pii.ledger): values a reader would not call leaked in quoted prose or a signature.
_TOPIC_KINDS = frozenset({"corporate_number"})  # public: informational only


class PersonalData:
    name = "personal_data"

    def __init__(
        self,
        *,
        today: datetime.date | None = None,
        internal_domains: Iterable[str] = (),
        freemail: FreemailDomains | None = None,
        holders: AccountHolders = BY_FORM,
    ) -> None:
        self._today = today  # None: the day of each inspection (birth dates lie before it)
        self._holders = holders
        self._internal = tuple(internal_domains)
        self._freemail = freemail if freemail is not None else FreemailDomains()

    def reader(self, message: MessageView) -> _Reader:
        """Reads one message's text and tables as extraction gives them (message: its
        envelope and headers)."""
        owners = owners_for(message.envelope.rcpt_tos, self._internal, self._freemail)
        return _Reader(Scanner(self._today or datetime.date.today(), self._holders), message, owners)

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        return read_view(self.reader(message), message)


class _Reader:
    """The ledger of one message; raw values live here and nowhere else."""

    def __init__(self, scanner: Scanner, message: MessageView, owners: Owners) -> None:
        self._scanner = scanner
        ignored = frozenset(
            a.lower()
            for a in (
                message.envelope.mail_from,
                *message.envelope.rcpt_tos,
                *message.header_from,
                *message.visible_recipients,
            )
            if a
        )
        self._ledger = Ledger(ignored_addresses=ignored, owners=owners)
        self._unreadable: list[str] = []  # EBCDIC transfer files no codec here reads
        _read_subject(message.subject, scanner, self._ledger)

    def text(self, chunk: TextChunk) -> None:
        if chunk.format:  # a CAD file, a log ...: read as one text, bare numbers need evidence
            technical = TechnicalScanner(self._scanner.today, self._scanner.holders, format=chunk.format)
            _read_prose(delimited.Prose(where=chunk.where, text=chunk.text), technical, self._ledger)
            return
        rest = zengin.read(
            chunk.where, chunk.text, self._ledger, self._scanner.holders
        )  # 全銀 transfer files: by layout
        if rest is not None:
            chunk = TextChunk(where=chunk.where, text=rest)
        elif transfer_layout.unreadable(chunk.text):  # fail closed: reported, never passed over
            self._unreadable.append(chunk.where)
        pieces = delimited.split(chunk.where, chunk.text)
        layout = Layout(chunk.text.encode("utf-8", "replace")) if len(pieces) > 1 else None
        for piece in pieces:
            if isinstance(piece, delimited.Block):
                quoted = _quoted_form(piece, layout, self._scanner, self._ledger.owners)
                _read_table(piece.table, self._scanner, self._ledger, quoted=quoted)
            else:
                _read_prose(piece, self._scanner, self._ledger, layout)
        if len(pieces) > 1 or isinstance(pieces[0], delimited.Block):  # a table was read
            self._ledger.release_tables()

    def table(self, table: Table) -> None:
        if zengin.read_table(table, self._ledger, self._scanner.holders):
            return
        scanner = self._scanner
        if table.format:  # the company names travel with it: a company's account is no one's
            scanner = TechnicalScanner(scanner.today, scanner.holders, format=table.format)
        _read_table(table, scanner, self._ledger)
        self._ledger.release_tables()

    def findings(self, message: MessageView) -> Iterable[Finding]:
        unreadable = [
            Finding(
                code=UNSCANNABLE,
                count=1,
                where=(where,),
                evidence=("unreadable: EBCDIC transfer file",),
            )
            for where in self._unreadable
        ]
        return [*self._ledger.findings(), *unreadable]


def _quoted_form(block: delimited.Block, layout: Layout | None, scanner: Scanner, owners: Owners) -> bool:
    """A list (three people or more, as in a text list) counts the same quoted or not: one
    table, one set of findings. A quoted table that is no list — a signature laid out in
    table cells, a form — is quoted text like the prose around it. Told by reading it into a
    ledger of its own, TRIAL_ROWS rows first and then chunks four times larger, each after the
    table's first rows (its header), until three people stand: no fixed window that filler
    rows ahead of the people could fill. Rows already read are skipped (repeated filler costs
    nothing), so a list costs little more than its first people and only a quoted table that
    is no list is read twice."""
    if not (layout and layout.quoted(block.start)):
        return False
    trial = Ledger(owners=owners)
    rows, head = block.table.rows, block.table.rows[:HEAD_ROWS]
    seen: set[tuple[str, ...]] = set(head)
    at, size = 0, TRIAL_ROWS
    while at < len(rows) and len(trial.people) < records.MIN_RUN:
        fresh = [row for row in rows[at : at + size] if row not in seen]
        seen.update(fresh)
        if fresh:
            _read_table(replace(block.table, rows=(*head, *fresh)), scanner, trial)
        at, size = at + size, size * 4
    return len(trial.people) < records.MIN_RUN


def _read_subject(subject: str, scanner: Scanner, ledger: Ledger) -> None:
    """The subject is read for identifiers (a My Number, a card, an account): a name, a date
    or a phone number in a subject ("山田様 10/3 打合せ") is the mail's topic, not a list."""
    for hit in scanner.scan(subject.encode("utf-8", "replace")):
        if hit.strong and hit.kind not in CONTACT_KINDS | _TOPIC_KINDS:
            ledger.add(hit.kind, hit.value, Place(where="subject", line=1))


def _read_prose(
    piece: delimited.Prose, scanner: Scanner, ledger: Ledger, chunk_layout: Layout | None = None
) -> None:
    """`chunk_layout` is the whole chunk's when the prose is a piece of it (a table stood
    between): a quote header or signature above the table still covers the text below it."""
    data = piece.text.encode("utf-8", "replace")
    layout, at = (chunk_layout, piece.start) if chunk_layout else (Layout(data), 0)
    located = []
    line, pos = piece.first_line, 0
    place = Place(where=piece.where, line=line)  # one per line that holds values, not per value
    signature, quoted, count = layout.signature, layout.quoted, data.count
    for hit in scanner.scan(data):
        contact = hit.kind in CONTACT_KINDS
        if contact and hit.strong and signature(at + hit.start):  # weak names count only in lists
            continue
        line += count(b"\n", pos, hit.start)  # counted on from the last value kept
        pos = hit.start
        located.append((line, hit))
        if hit.strong and not (contact and quoted(at + pos)):
            if place.line != line:
                place = Place(where=piece.where, line=line)
            ledger.add(hit.kind, hit.value, place)
    people = records.text_people(data, located, layout.spacing)
    in_lists = {n for p in people for n in range(p.row, p.last_row + 1)}
    for person_line, hit in located:  # a bare surname counts where it stands in a list
        if not hit.strong and person_line in in_lists and not layout.quoted(at + hit.start):
            ledger.add(hit.kind, hit.value, Place(where=piece.where, line=person_line))
    people = _text_places(piece, data, located, people, ledger)
    if people:
        ledger.add_list(
            Place(where=piece.where, line=people[0].row),
            Place(where=piece.where, line=people[-1].last_row),
            frozenset().union(*(p.attributes for p in people)),
            len(people),
        )


def _text_places(piece: delimited.Prose, data: bytes, located: list, people: list, ledger: Ledger) -> list:
    """The entries of a text list that are premises go to pii.places, the others to the
    people; the values of places and of an organisation's people are no third party's."""
    lone = entries.addressed(data, located, people)
    units = sorted(people + lone, key=lambda p: p.row) if lone else people
    said = entries.places(data, located, units, ledger.owners.freemail)
    places = [p for p in units if p.row in said]
    if places:
        ledger.add_premises(
            [p.key for p in places],
            [said[p.row] for p in places],
            Place(where=piece.where, line=places[0].row),
            Place(where=piece.where, line=places[-1].last_row),
        )
        people = [p for p in people if p.row not in said]
    by_line: dict[int, list[str]] = {}
    for line, hit in located:
        if hit.kind == "email_address":
            by_line.setdefault(line, []).append(hit.value)
    owners = whole(
        ledger,
        ledger.owners_of([p.key for p in people]),
        lambda i: [m for n in range(people[i].row, people[i].last_row + 1) for m in by_line.get(n, ())],
        lambda i: records.private(people[i]),
    )
    ledger.add_people(people, owners)
    owned = places + [people[i] for i, _ in owners]
    if owned:
        lines = {n for p in owned for n in range(p.row, p.last_row + 1)}
        for line, hit in located:
            if line in lines:
                ledger.attribute(hit.kind, hit.value)
    return people
