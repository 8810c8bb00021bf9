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

import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from .. import patterns as P
from ..freemail import FreemailDomains
from ..message import Table
from .normaliser import ascii_form, header_form
from .signs import BLOCK_ROWS, COMPANY, DIGITS, PREMISES, block_rows, number_block, personal
from .tables import looks_like_name

HEADINGS = frozenset(header_form(w) for w in (
    "拠点", "拠点名", "支店名", "支社名", "店舗名", "店名", "事業所名", "営業所名", "物件名", "施設名", "ビル名",
    "建物名称", "拠点所在地", "会社名", "社名", "取引先名"))
# Name headings that may hold a company as well as a person; every other name heading holds persons.
_AMBIGUOUS_NAMES = frozenset(header_form(w) for w in ("顧客名", "name", "取引先", "お客様名"))
_CONTACTS = frozenset({"phone", "org_phone", "address", "postal_code", "email_address"})
BLOCK_WORD = "代表番号帯"
_ADDRESS_STARTS = ("〒", *P.PLACE_STARTS)
_INTERNATIONAL = re.compile(r"^81", re.MULTILINE)     # +81 3 …: the national form's 0
_PREFIX = re.compile(r"^(.+)..$", re.MULTILINE)


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
    columns = [_column(table, start, c) for c in range(width)]
    kinds_of = [{t: _shape(t) for t in dict.fromkeys(texts) if t} if heads is None else
                dict.fromkeys(texts, kinds[c]) for c, texts in enumerate(columns)]
    for kind_of in kinds_of:
        kind_of.pop("", None)
    for c, texts in enumerate(columns):
        _words(texts, kinds_of[c], heads[c] if heads is not None else "", said, start)
    for i in _block_rows(columns, kinds_of, n):
        said.setdefault(start + i, BLOCK_WORD)
    if not said:
        return NONE
    rows = sorted(r - start for r in said)
    judged = _judged(columns, kinds_of, heads, rows, freemail)
    places_ = {start + i: said[start + i] for i in judged}
    return Verdict(frozenset(places_), places_) if places_ else NONE


def _judged(columns: list[list[str]], kinds_of: list[dict[str, str]], heads: list[str] | None,
            rows: list[int], freemail: FreemailDomains | None) -> list[int]:
    """The candidate `rows` that hold contact data and nothing personal, column by column:
    each distinct value judged once."""
    uncontacted, personal_rows = set(rows), set()
    for c, texts in enumerate(columns):
        kind_of, head = kinds_of[c], heads[c] if heads is not None else ""
        cells = {t: None for t in map(texts.__getitem__, rows) if t}
        persons = {t for t in cells if personal(_personal_kind(kind_of[t], head, t), t, freemail)}
        if persons:
            personal_rows.update(i for i in rows if texts[i] in persons)
        if uncontacted and any(kind_of[t] in _CONTACTS for t in cells):
            uncontacted.difference_update([i for i in uncontacted if texts[i] and kind_of[texts[i]] in _CONTACTS])
    return [i for i in rows if i not in uncontacted and i not in personal_rows]


def _block_rows(columns: list[list[str]], kinds_of: list[dict[str, str]], n: int) -> list[int]:
    """The rows (from the first data row) whose landline, the first in the row, is in an
    organisation's number block (`signs.block_rows`). Each distinct phone text is read once,
    and the numbering plan is asked only when some block may be shared at all."""
    digits_of: list[dict[str, str]] = []
    for kind_of in kinds_of:
        phones = [t for t, k in kind_of.items() if k in ("phone", "org_phone")]
        digits = ascii_form("\n".join(phones)).translate(DIGITS).split("\n") if phones else []
        if len(digits) != len(phones):         # a line break inside a cell
            digits = [ascii_form(t).translate(DIGITS) for t in phones]
        digits_of.append(dict(zip(phones, digits)))
    # number_block(d) is d's national form less two digits, or nothing: no prefix in BLOCK_ROWS
    # cells (a row counts once per phone column: an upper bound), no block shared.
    prefixes: Counter = Counter()
    for texts, kind_of, m in zip(columns, kinds_of, digits_of):
        if not m:
            continue
        repeated = len(texts) - texts.count("") > len(kind_of)       # then count rows, not texts
        joined = "\n".join([m[t] for t in texts if t in m] if repeated else m.values())
        prefixes.update(_PREFIX.findall(_INTERNATIONAL.sub("0", joined)))
    if not any(k >= BLOCK_ROWS for k in prefixes.values()):
        return []
    blocks_of = [{t: number_block(d) for t, d in m.items()} for m in digits_of]
    blocks = [""] * n
    for texts, block_of in zip(columns, blocks_of):
        if block_of:
            for i, t in enumerate(texts):
                if not blocks[i] and (b := block_of.get(t)):
                    blocks[i] = b
    return block_rows(blocks)


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
    if text.startswith(_ADDRESS_STARTS):
        return "address"
    if "@" in text or "＠" in text:
        return "email_address"
    if not (text[0].isdigit() or text[0] in "+(（＋"):
        return "other"
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
    distinct, and never from an address or a person's name column. Each distinct value is
    searched once, after one search of them all joined."""
    heading = head in HEADINGS
    kinds = set(kind_of.values())
    naming = kinds if heading else {k for k in kinds if _names(k, head)}
    eligible = list(kind_of) if naming == kinds else [t for t, k in kind_of.items() if k in naming]
    if not eligible or not heading and PREMISES.search("\n".join(eligible).replace("\r", " ")) is None:
        return
    if heading:
        word_of = {t: _word(t) or head for t in eligible}
    else:
        named = set(eligible)
        cells = sum(1 for t in texts if t in named)
        if 2 * len(named) < cells:             # a category repeated over the rows
            return
        word_of = {t: w for t in eligible if (w := _word(t))}
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
    first = PREMISES.search(text)
    if first is None:
        return ""
    word = first.group().strip()
    if word not in COMPANY:
        return word
    return next((w for w in map(str.strip, PREMISES.findall(text, first.end())) if w not in COMPANY), word)
