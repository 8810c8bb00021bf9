"""Rows of a table that are about premises, not people (pii.places; issue 14).

A list of our offices (〒, address, main line), a client's branch list (札幌営業所, 大阪支店 …)
or a list of buildings with addresses and rents holds contact data of no one: addresses
without anyone living there. A data row is a place when

- it names premises: a premises word (本社, 支店, 営業所, 工場, 倉庫, ビル, 店 …) or a company
  name (株式会社…, (株)) in a cell that is not an address, or any value under a premises
  heading (拠点名, 支店名, 店舗名, 物件名 …); or its phone shares one organisation's number
  block (area code and exchange, all but the last two digits: 03-1234-56xx) with two other
  rows of the table;
- and nothing in it speaks of a person: no personal name, no birth date, no mobile number
  (070/080/090), no free-mail or ISP mail address. A contact person column makes a row a
  person's; so does a name under a personal heading (氏名, 担当者 …) even when a sender
  appends 店 to it. That is what keeps a customer list from passing as a list of shops.

Decided from the table's cells and its header's kinds alone, so that the column reader and
the row reader agree. The cost is per column (one search of its joined texts) while no row
is a candidate; only candidate rows are looked at cell by cell.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from .. import patterns as P
from ..freemail import FreemailDomains
from ..message import Table
from .normaliser import ascii_form, header_form
from .tables import looks_like_name

_COMPANY = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "（株）", "㈱", "(有)", "（有）", "㈲")
_WORDS = ("本社", "本店", "支社", "支店", "営業所", "出張所", "事業所", "事務所", "工場", "倉庫", "物流センター",
          "センター", "店舗", "ビル", "営業店", "研究所", "データセンター")
_SUFFIXES = ("店", "館", "棟")       # too short to stand anywhere in a cell: only at its end
PREMISES = re.compile("|".join([*map(re.escape, sorted(_COMPANY + _WORDS, key=len, reverse=True)),
                                f"(?:{'|'.join(_SUFFIXES)})\\s*$"]), re.MULTILINE)
HEADINGS = frozenset(header_form(w) for w in (
    "拠点", "拠点名", "支店名", "支社名", "店舗名", "店名", "事業所名", "営業所名", "物件名", "施設名", "ビル名",
    "建物名称", "拠点所在地", "会社名", "社名", "取引先名"))
# Name headings that may hold a company as well as a person; every other name heading holds persons.
_AMBIGUOUS_NAMES = frozenset(header_form(w) for w in ("顧客名", "name", "取引先", "お客様名"))
_MOBILE = re.compile(r"(?<!\d)(?:0|81)[789]0\d{8}(?!\d)")     # in a cell's text without separators
_DIGITS = str.maketrans("", "", "-‐－―ー−() （）　 +")
_SURNAMES = tuple(sorted((s for s in P.SURNAMES if len(s) >= 2), key=len, reverse=True))
_NAME_CHARS = re.compile("[一-龥々ヶぁ-んァ-ヶー]+")
# A landline of 10 digits (0 + area code + exchange + line; mobiles and 050 are no block)
# and its number block: all but the last two digits.
_LANDLINE = re.compile(r"^(?!0[5789]0)(0\d{7})\d\d$", re.MULTILINE)
BLOCK_ROWS = 3             # rows sharing a number block before it is one organisation's


@dataclass(frozen=True)
class Verdict:
    """The data rows that are places (table row indexes), each with the word that said so."""
    rows: frozenset[int]
    words: dict[int, str]


NONE = Verdict(frozenset(), {})


def places(table: Table, header_row: int | None, kinds: list[str] | None,
           freemail: FreemailDomains | None) -> Verdict:
    if header_row is None or not kinds:
        return _headerless(table, freemail)
    start = header_row + 1
    heads = [header_form(str(c or "")) for c in table.rows[header_row]]
    width = min(len(kinds), len(heads))
    said: dict[int, str] = {}
    for c in range(width):
        if kinds[c] == "address" and heads[c] not in HEADINGS:
            continue
        if kinds[c] == "person_name" and heads[c] not in _AMBIGUOUS_NAMES:
            continue
        texts = _column(table, start, c)
        _words(texts, start, said)
        if heads[c] in HEADINGS:
            said.update((start + i, heads[c]) for i, t in enumerate(texts) if t and i + start not in said)
    _blocks(table, start, [c for c in range(width) if kinds[c] in ("phone", "org_phone")], said)
    if not said:
        return NONE
    rows = {r: w for r, w in said.items() if _premises_only(table.rows[r], kinds, heads, freemail)}
    return Verdict(frozenset(rows), rows) if rows else NONE


def _headerless(table: Table, freemail: FreemailDomains | None) -> Verdict:
    """The same for a table without a header row (read row by row, so cell by cell here
    too): each cell's kind is told by its shape — an address starts with 〒 or a place
    name, a phone is ten or eleven digits, a mail address has @ — and the rest is text."""
    said: dict[int, str] = {}
    kinds_of: dict[int, list[str]] = {}
    blocks: dict[int, str] = {}
    for r, row in enumerate(table.rows):
        cells = [str(c or "").strip() for c in row]
        kinds = kinds_of[r] = [_shape(c) for c in cells]
        found = PREMISES.search("\n".join(c for c, k in zip(cells, kinds) if k == "other"))
        if found:
            said[r] = found.group().strip()
        elif prefix := next((m.group(1) for c, k in zip(cells, kinds) if k == "phone"
                             and (m := _LANDLINE.match(ascii_form(c).translate(_DIGITS)))), ""):
            blocks[r] = prefix
    shared = {p for p, n in Counter(blocks.values()).items() if n >= BLOCK_ROWS}
    said.update((r, "代表番号帯") for r, p in blocks.items() if p in shared)
    rows = {r: w for r, w in said.items()
            if _premises_only(table.rows[r], kinds_of[r], [""] * len(kinds_of[r]), freemail)}
    return Verdict(frozenset(rows), rows) if rows else NONE


def _shape(text: str) -> str:
    if not text:
        return ""
    if text.startswith(("〒", *P.PLACE_STARTS)):
        return "address"
    if "@" in text or "＠" in text:
        return "email_address"
    digits = ascii_form(text).translate(_DIGITS)
    return "phone" if digits.isdigit() and 10 <= len(digits) <= 11 else "other"


def _column(table: Table, start: int, c: int) -> list[str]:
    """The column's texts, stripped (in C while every row reaches it with text)."""
    rows = table.rows[start:]
    try:
        return list(map(str.strip, map(itemgetter(c), rows)))
    except (TypeError, IndexError):
        return [str(row[c] or "").strip() if c < len(row) else "" for row in rows]


def _words(texts: list[str], start: int, said: dict[int, str]) -> None:
    """A premises word of each row (本社 rather than 株式会社: the evidence shows it), from one
    search of the column's joined texts."""
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    if PREMISES.search(joined) is None:
        return
    line, pos = 0, 0
    for m in PREMISES.finditer(joined):
        line += joined.count("\n", pos, m.start())
        pos = m.start()
        word, known = m.group().strip(), said.get(start + line)
        if known is None or (known in _COMPANY and word not in _COMPANY):
            said[start + line] = word


def _blocks(table: Table, start: int, columns: list[int], said: dict[int, str]) -> None:
    """Rows whose landline shares its number block with BLOCK_ROWS - 1 other rows. The
    blocks are counted in one pass over the column's joined digits; rows are looked at only
    when a block is shared."""
    for c in columns:
        digits = "\n".join(_column(table, start, c)).translate(_DIGITS)
        counts = Counter(_LANDLINE.findall(digits))
        shared = {p for p, n in counts.items() if n >= BLOCK_ROWS}
        if shared:
            for i, line in enumerate(digits.split("\n")):
                found = _LANDLINE.fullmatch(line)
                if found and found.group(1) in shared:
                    said.setdefault(start + i, "代表番号帯")


_CONTACTS = frozenset({"phone", "org_phone", "address", "postal_code", "email_address"})


def _personal_name(text: str) -> bool:
    """A known surname, then a given name or an honorific, and no premises word: 山田 太郎, 鈴木様."""
    base = text.replace(" ", "").replace("\u3000", "")
    return 2 <= len(base) <= 8 and base.startswith(_SURNAMES) and _NAME_CHARS.fullmatch(base) is not None \
        and not PREMISES.search(base)


def _domain(text: str) -> str:
    return ascii_form(text).rpartition("@")[2].strip().lower()


def _premises_only(row: tuple, kinds: list[str], heads: list[str], freemail: FreemailDomains | None) -> bool:
    """Whether the row holds contact data and nothing in it speaks of a person."""
    contact = False
    for c, kind in enumerate(kinds):
        text = str(row[c] or "").strip() if c < len(row) else ""
        if not text:
            continue
        contact = contact or kind in _CONTACTS
        if kind == "person_name" and looks_like_name(text) and \
                (heads[c] not in _AMBIGUOUS_NAMES or not PREMISES.search(text)):
            return False
        if kind == "other" and _personal_name(text):
            return False          # a customer's name under 拠点名 is still a customer
        if kind == "birth_date":
            return False
        if kind in ("phone", "org_phone", "other") and _MOBILE.search(ascii_form(text).translate(_DIGITS)):
            return False
        if ("@" in text or "＠" in text) and (freemail is None or _domain(text) in freemail):
            return False          # without the list, no domain can be told an organisation's
    return contact
