"""Rows of a table that are about premises, not people (pii.places; issue 14).

A list of our offices (〒, address, main line), a client's branch list (札幌営業所, 大阪支店 …)
or a list of buildings with addresses and rents holds contact data of no one: addresses
without anyone living there. A data row is a place when

- it names premises: a premises word (本社, 支店, 営業所, 工場, 倉庫, ビル, 店 …) or a company
  name (株式会社…, (株)) in a column that names its rows — one whose values are mostly
  distinct (a repeated 来店店舗 or 所属支店 is a category, and says nothing of what a row is
  about) and that is no address —, or any value under a premises heading (拠点名, 支店名,
  店舗名, 物件名 …); or its landline shares one organisation's number block (`signs`) with
  two other rows, the block holding at least half of the table's landline rows;
- and nothing in it speaks of a person (`signs.personal`). A contact person column makes a
  row a person's; so does a name under a personal heading (氏名, 担当者 …) even when a sender
  appends 店 to it. That is what keeps a customer list from passing as a list of shops.

Decided from the table's cells and its header's kinds alone, so that the column reader and
the row reader agree. A table without a header row is judged the same way, each cell's kind
told by its shape. The work is per distinct value of a column, mapped back to its rows: a
list of 60,000 customers of one shop searches that shop's name once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from .. import patterns as P
from ..freemail import FreemailDomains
from ..message import Table
from .normaliser import ascii_form, header_form
from .signs import COMPANY, DIGITS, PREMISES, block_rows, number_block, personal
from .tables import looks_like_name

HEADINGS = frozenset(header_form(w) for w in (
    "拠点", "拠点名", "支店名", "支社名", "店舗名", "店名", "事業所名", "営業所名", "物件名", "施設名", "ビル名",
    "建物名称", "拠点所在地", "会社名", "社名", "取引先名"))
# Name headings that may hold a company as well as a person; every other name heading holds persons.
_AMBIGUOUS_NAMES = frozenset(header_form(w) for w in ("顧客名", "name", "取引先", "お客様名"))
_CONTACTS = frozenset({"phone", "org_phone", "address", "postal_code", "email_address"})
BLOCK_WORD = "代表番号帯"


@dataclass(frozen=True)
class Verdict:
    """The data rows that are places (table row indexes), each with the word that said so."""
    rows: frozenset[int]
    words: dict[int, str]


NONE = Verdict(frozenset(), {})


def places(table: Table, header_row: int | None, kinds: list[str] | None,
           freemail: FreemailDomains | None) -> Verdict:
    if header_row is None or not kinds:
        start, heads = 0, None
        width = max((len(r) for r in table.rows), default=0)
    else:
        start = header_row + 1
        heads = [header_form(str(c or "")) for c in table.rows[header_row]]
        width = min(len(kinds), len(heads))
    n = len(table.rows) - start
    said: dict[int, str] = {}
    blocks: list[str] = [""] * n
    contact = [False] * n
    person = [False] * n
    for c in range(width):
        texts = _column(table, start, c)
        head = heads[c] if heads is not None else ""
        shape = (lambda t, k=kinds[c]: k) if heads is not None else _shape
        kind_of = {t: shape(t) for t in dict.fromkeys(texts) if t}
        _words(texts, kind_of, head, said, start)
        distinct = {t: (kind in _CONTACTS, personal(_personal_kind(kind, head, t), t, freemail),
                        number_block(ascii_form(t).translate(DIGITS)) if kind in ("phone", "org_phone") else "")
                    for t, kind in kind_of.items()}
        for i, t in enumerate(texts):
            if t:
                is_contact, is_person, block = distinct[t]
                contact[i] = contact[i] or is_contact
                person[i] = person[i] or is_person
                if block and not blocks[i]:
                    blocks[i] = block
    for i in block_rows(blocks):
        said.setdefault(start + i, BLOCK_WORD)
    rows = {r: w for r, w in said.items() if contact[r - start] and not person[r - start]}
    return Verdict(frozenset(rows), rows) if rows else NONE


def _personal_kind(kind: str, head: str, text: str) -> str:
    """The kind `signs.personal` judges a cell by: a company or branch under a heading that
    may hold either (顧客名: 株式会社エー 本社) is no person's name."""
    if kind == "person_name":
        if not looks_like_name(text) or (head in _AMBIGUOUS_NAMES and PREMISES.search(text)):
            return "other"
    return "phone" if kind == "org_phone" else kind


def _shape(text: str) -> str:
    """A header-less cell's kind by its shape: an address starts with 〒 or a place name, a
    phone is ten or eleven digits, a mail address has @; the rest is text."""
    if text.startswith(("〒", *P.PLACE_STARTS)):
        return "address"
    if "@" in text or "＠" in text:
        return "email_address"
    digits = ascii_form(text).translate(DIGITS)
    return "phone" if digits.isdigit() and 10 <= len(digits) <= 11 else "other"


def _column(table: Table, start: int, c: int) -> list[str]:
    """The column's texts, stripped (in C while every row reaches it with text)."""
    rows = table.rows[start:]
    try:
        return list(map(str.strip, map(itemgetter(c), rows)))
    except (TypeError, IndexError, AttributeError):
        return [str(row[c] or "").strip() if c < len(row) else "" for row in rows]


def _words(texts: list[str], kind_of: dict[str, str], head: str, said: dict[int, str], start: int) -> None:
    """Each row's premises word from this column (本社 rather than 株式会社: the evidence shows
    it), when the column names its rows: under a premises heading, or with values mostly
    distinct, and never from an address or a person's name column."""
    if head in HEADINGS:
        word_of = {t: head for t in kind_of}
        for t in kind_of:
            if found := _word(t):
                word_of[t] = found
    else:
        named = [t for t in texts if t and _names(kind_of[t], head)]
        if not named or 2 * len(set(named)) < len(named):
            return
        word_of = {t: w for t in dict.fromkeys(named) if (w := _word(t))}
    if not word_of:
        return
    for i, t in enumerate(texts):
        word = word_of.get(t)
        if word:
            known = said.get(start + i)
            if known is None or (known in COMPANY and word not in COMPANY):
                said[start + i] = word


def _names(kind: str, head: str) -> bool:
    """Whether a cell of this kind may name its row's premises."""
    return kind not in ("address", "email_address") and \
        (kind != "person_name" or head in _AMBIGUOUS_NAMES)


def _word(text: str) -> str:
    """The text's premises word, a company form only when it has no other."""
    found = PREMISES.findall(text.replace("\n", " "))
    words = [w.strip() for w in found]
    return next((w for w in words if w not in COMPANY), words[0] if words else "")
