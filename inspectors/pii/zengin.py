"""全銀協 (Zengin) transfer files: the payees of a bank transfer, read from their fixed layout.

A 全銀協規定形式 file (総合振込 種別コード 21, 給与振込 11/71, 賞与振込 12/72) is a run of
120-byte records in JIS/CP932 half-width characters, with no labels at all: numbers right-
aligned and zero-filled, text left-aligned and blank-filled (全銀協制定ファイルフォーマット
【総合振込】 as the banks' EB manuals reproduce it, e.g. 京都銀行 "京銀インターネットEBサービス
ご利用マニュアル" (ファイルフォーマット), https://www.chushin.co.jp/biz_web/Contents_bizsol/manual/bsl3002.html):

    header  1 | 種別(2) | コード区分(1) | 委託者コード(10) | 依頼人名(40) | 振込指定日 MMDD(4) |
              仕向銀行(4) 銀行名(15) | 支店(3) 支店名(15) | 預金種目(1) | 口座番号(7) | ダミー(17)
    data    2 | 被仕向銀行(4) 銀行名(15) | 支店(3) 支店名(15) | 手形交換所(4) | 預金種目(1) |
              口座番号(7) | 受取人名(30) | 振込金額(10) | 新規コード(1) | 顧客コード1(10) |
              顧客コード2(10) | EDI/振込区分(1) | 識別表示(1) | ダミー(7)
    trailer 8 | 合計件数(6) | 合計金額(12) | ダミー(101)
    end     9 | ダミー(119)

Files come with CRLF or LF after each record (122/121 bytes) or none (one long line), with
trailing blanks cut by an editor, or an EOF 0x1A at the end (extraction strips it). CP932
half-width katakana and ASCII are one byte each, so the decoded text keeps the byte offsets.

The records are found by the data record's layout, which nothing else has: digits exactly
where the codes, the account and the amount stand, and the Zengin character set (half-width
kana, upper-case letters, digits, a few symbols) in the name fields. A run counts as a transfer
file with its header right before it, or from three data records on; a damaged record (119
bytes, garbage) is skipped and reading goes on at the next record found near it, so a file
unreadable past some record still reports what it read. The header's own account (依頼人) is
ours and is not read. Every payee's account counts as pii.bank_account, a company's too: unlike
an invoice's 振込先 line, the file is a payment instruction for the whole batch, and a vendor
batch sent outside is as much an incident as a payroll file. Payees whose name marks a company
(ｶ), (ｶ, ﾕ) ...) or is one the guard was given (ours, a client's: `AccountHolders`) are not
people, though, and stay out of pii.records, as in prose. Findings
place payees by record number in the file ("records 2-13"; the header is record 1), whether
it has line breaks or not. Records this pattern cannot read (a byte changed in each, full-
width names, EBCDIC) are read by their byte layout (`transfer_layout`).
"""

from __future__ import annotations

import re

from ..account_holders import BY_FORM, AccountHolders
from ..message import Table
from . import transfer_layout
from .ledger import Ledger, Place
from .records import Person
from .transfer_layout import NAMED as _NAMED
from .transfer_layout import RECORD, Payee, Transfer

# 半角カナ (U+FF61-FF9F), 英数字, space and the symbols the format allows: ( ) . , - / \ ¥ 「」.
_C = "[0-9A-Za-z \uff61-\uff9f().,\\-/\\\\¥]"
_TAIL = "(?:[^\r\n]{%d}|[^\r\n]{0,%d}(?=[\r\n]|$))"  # trailing blanks may have been cut
_DATA = re.compile(
    f"2(?P<bank>[0-9]{{4}}){_C}{{15}}(?P<branch>[0-9]{{3}}){_C}{{15}}[0-9 ]{{4}}(?P<type>[1-9])"
    f"(?P<account>[0-9]{{7}})(?P<name>{_C}{{30}})[0-9]{{10}}" + _TAIL % (30, 29)
)
_HEADER = re.compile(
    f"1(?:11|12|21|71|72)[0-9 ]{{11}}{_C}{{40}}[0-9 ]{{8}}{_C}{{15}}[0-9 ]{{3}}{_C}{{15}}[0-9 ]{{8}}"
    + _TAIL % (17, 16)
)
_TRAILER = re.compile("8[0-9]{18}" + _TAIL % (101, 101))
_END = re.compile("9" + _TAIL % (119, 119))
_BREAK = re.compile("\r\n|\n|\r")
# A paragraph whose first line starts like a header or data record and was cut short of 120.
_WRAPPED = re.compile(r"(?m)^[12][0-9]{4}[^\n]{55,118}\n(?:[^\n]+(?:\n|$))+")
_RESYNC = 2 * RECORD + 4  # how far past a damaged record the next one is looked for
_WITHOUT_HEADER = 3  # data records that make a file without its header
_ATTRIBUTES = frozenset({"bank_account", "person_name"})


def read(where: str, text: str, ledger: Ledger, holders: AccountHolders = BY_FORM) -> str | None:
    """Adds the payees of the transfer files in a text chunk to the ledger; returns the text
    left around them (to be read as usual), or None when there is no transfer file."""
    if len(text) < RECORD or ("2" not in text and "@" not in text):  # @: an EBCDIC blank
        return None
    transfers = find(text)
    if not transfers or any(t.damaged for t in transfers):  # every record damaged, or some
        by_bytes, rest = _by_layout(text)
        if sum(len(t.payees) for t in by_bytes) > sum(len(t.payees) for t in transfers):
            for transfer in by_bytes:
                _report(where, transfer, ledger, holders)
            return rest
    if not transfers:
        return _read_wrapped(where, text, ledger, holders)
    for transfer in transfers:
        _report(where, transfer, ledger, holders)
    return without(text, [(t.start, t.end) for t in transfers])


def _by_layout(text: str) -> tuple[list[Transfer], str]:
    """The transfer files found by byte layout, in CP932 or EBCDIC, and the text left (EBCDIC: none)."""
    raw = text.encode("cp932", "replace")
    transfers = transfer_layout.from_bytes(raw, "cp932")
    if transfers:
        spans = [
            (len(raw[: t.start].decode("cp932", "replace")), len(raw[: t.end].decode("cp932", "replace")))
            for t in transfers
        ]
        return transfers, without(text, spans)
    decoded = transfer_layout.ebcdic(text)
    return (transfer_layout.from_bytes(decoded, "latin-1"), "") if decoded is not None else ([], text)


def _read_wrapped(where: str, text: str, ledger: Ledger, holders: AccountHolders) -> str | None:
    """A file pasted in a body that the mail client wrapped (at 72, 76, 78 columns: RFC 5322
    §2.1.1's 78): its paragraph, lines joined back, is the run of records."""
    spans = []
    for m in _WRAPPED.finditer(text):
        transfers = find("".join(m.group().splitlines()))
        for transfer in transfers:
            _report(where, transfer, ledger, holders)
        if transfers:
            spans.append(m.span())
    return without(text, spans) if spans else None


def read_table(table: Table, ledger: Ledger, holders: AccountHolders = BY_FORM) -> bool:
    """A transfer file the CSV reader took for a table (a .csv name, a comma in a payee's
    name): one record a row. True if it was one, and was read."""
    if not table.rows or len(table.rows[0]) > 3:  # a real CSV: columns, not one record a row
        return False
    first = "\t".join(table.rows[0])
    if len(first) < RECORD - 30 or first[:1] not in "12" or (len(first) > RECORD and len(table.rows) > 1):
        return False
    text = table.text().replace("\t", " ")  # cells joined back; the delimiter was one character
    transfers = find(text)
    for transfer in transfers:
        _report(table.where, transfer, ledger, holders)
    return bool(transfers)


def _report(where: str, transfer: Transfer, ledger: Ledger, holders: AccountHolders) -> None:
    """pii.bank_account per payee account and pii.records per payee that is a person (not a
    company by its form or by a name the guard was given, `holders`); `where` by record number."""
    places = [Place(where=where, line=p.record, unit="record") for p in transfer.payees]
    for payee, place in zip(transfer.payees, places):
        ledger.add("bank_account", payee.account_key, place)
    persons = [
        (p, place)
        for p, place in zip(transfer.payees, places)
        if not transfer_layout.is_company(p.name, holders)
    ]
    if not persons:
        return
    people = {(("bank_account", p.account_key), ("person_name", p.name)): place for p, place in persons}
    ledger.add_people(
        Person(key=key, attributes=_ATTRIBUTES, row=place.line, last_row=place.line)
        for key, place in people.items()
    )
    ledger.add_list(persons[0][1], persons[-1][1], _ATTRIBUTES, len(people))


def find(text: str) -> list[Transfer]:
    """Every transfer file in `text`, in order (usually one: a whole attachment)."""
    found: list[Transfer] = []
    pos = 0
    while (first := _DATA.search(text, pos)) is not None:
        transfer = _transfer(text, first)
        if transfer is None:
            pos = first.start() + 1
            continue
        if transfer.payees:  # records of digits alone are a numeric file, not payees
            found.append(transfer)
        pos = max(transfer.end, first.end())
    return found


def without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the transfer files' (start, end) spans blanked out, its line breaks kept
    (so the values around a pasted file keep their line numbers)."""
    parts, pos = [], 0
    for start, end in spans:
        parts += [text[pos:start], "\n" * text.count("\n", start, end)]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _transfer(text: str, first: re.Match) -> Transfer | None:
    header = _header_before(text, first.start())
    records, damaged, end = _data_records(text, first)
    if header is None and len(records) < _WITHOUT_HEADER:
        return None
    end = _after(text, end, _TRAILER)
    end = _after(text, end, _END)
    start = header.start() if header else first.start()
    kind = header.group()[1:3] if header else ""
    payees = tuple(_payee(m, n) for n, m in _numbered(text, start, records) if _NAMED.search(m["name"]))
    return Transfer(kind=kind, payees=payees, start=start, end=end, damaged=damaged)


def _header_before(text: str, data_start: int) -> re.Match | None:
    """The header record ending right before the first data record (a line break between)."""
    for gap in (0, 1, 2):
        at = data_start - gap - RECORD
        if at < 0 or text[at + RECORD : data_start] not in ("", "\n", "\r", "\r\n"):
            continue
        for width in range(RECORD, RECORD - 18, -1):  # trailing blanks may have been cut
            start = data_start - gap - width
            m = _HEADER.match(text, start) if start >= 0 else None
            if m is not None and m.end() == data_start - gap:
                return m
    return None


def _data_records(text: str, first: re.Match) -> tuple[list[re.Match], int, int]:
    """The data records from `first` on, skipping damaged ones; (records, damaged, end)."""
    records, damaged, end = [first], 0, first.end()
    while True:
        pos = _skip_break(text, end)
        m = _DATA.match(text, pos)
        if m is None:
            if _TRAILER.match(text, pos) or _END.match(text, pos):
                break
            m = _DATA.search(text, pos + 1, min(len(text), pos + _RESYNC + RECORD))
            if m is None or m.start() > pos + _RESYNC:
                break
            damaged += 1
        records.append(m)
        end = m.end()
    return records, damaged, end


def _skip_break(text: str, pos: int) -> int:
    m = _BREAK.match(text, pos)
    return m.end() if m else pos


def _after(text: str, end: int, record: re.Pattern) -> int:
    m = record.match(text, _skip_break(text, end))
    return m.end() if m else end


def _numbered(text: str, start: int, records: list[re.Match]) -> list[tuple[int, re.Match]]:
    """Each record with its 1-based number from `start` (the header, when there is one): by
    line when the file has line breaks, else by offset. Counted on from record to record:
    a 10 MB file has 80,000 of them."""
    newline = "\n" if "\n" in text[start : records[-1].start() + 1] else "\r"
    lines = newline in text[start : records[-1].start() + 1]
    numbered, n, pos = [], 0, start
    for m in records:
        n = n + text.count(newline, pos, m.start()) if lines else (m.start() - start) // RECORD
        pos = m.start()
        numbered.append((n + 1, m))
    return numbered


def _payee(m: re.Match, record: int) -> Payee:
    name = " ".join(m["name"].split())
    return Payee(record=record, bank=m["bank"], branch=m["branch"], account=m["account"], name=name)
