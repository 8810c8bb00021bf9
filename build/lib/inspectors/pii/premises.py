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

A row whose naming column (left of the person) names premises other than by a company form
alone (札幌営業所, not 株式会社…), and whose person (under a staff role's heading: 拠点長,
担当者; not a tenant's, 契約者) has a name and at most an organisation's
mail address besides the premises' landline and address — no mobile, birth date, identifier
or free-mail —, is `staffed`: a branch list with its managers is business contact data. It
is the organisation's of its mail address (`lists`), else a place. A customer list with a
shop column fails it: the shop repeats (no naming column), or the name stands first.

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
from .signs import (
    BLOCK_ROWS,
    COMPANY,
    DIGITS,
    PREMISES,
    STAFF_ROLE,
    block_rows,
    has_mobile,
    number_block,
    personal,
    personal_name,
)
from .tables import looks_like_name

HEADINGS = frozenset(
    header_form(w)
    for w in (
        "拠点",
        "拠点名",
        "支店名",
        "支社名",
        "店舗名",
        "店名",
        "事業所名",
        "営業所名",
        "物件名",
        "施設名",
        "ビル名",
        "建物名称",
        "拠点所在地",
        "会社名",
        "社名",
        "取引先名",
    )
)
# Name headings that may hold a company as well as a person; every other name heading holds persons.
_AMBIGUOUS_NAMES = frozenset(header_form(w) for w in ("顧客名", "name", "取引先", "お客様名"))
_CONTACTS = frozenset({"phone", "org_phone", "address", "postal_code", "email_address"})
_PERSON_HEADINGS = frozenset(
    header_form(w)
    for w in ("宛名", "顧客", "お客様", "会員", "名義", "オーナー", "生徒", "学生", "患者", "お名前(漢字)")
)
_TO_ORGANISATIONS = frozenset({"御中", "各位", "ご担当者様", "ご担当者", "担当者様"})  # 宛名 to no one
_PERSON_ENDS = ("者", "様", "人", "長", "主")  # 契約者, お客様, 名義人, 所長, 世帯主
BLOCK_WORD = "代表番号帯"
_ADDRESS_STARTS = ("〒", *P.PLACE_STARTS)
_INTERNATIONAL = re.compile(r"^81", re.MULTILINE)  # +81 3 …: the national form's 0
_PREFIX = re.compile(r"^(.+)..$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """The data rows that are places (table row indexes), each with the word that said so;
    `staffed`: rows naming premises with their contact person (`_staffed`), words in `words`."""

    rows: frozenset[int]
    words: dict[int, str]
    staffed: frozenset[int] = frozenset()


NONE = Verdict(frozenset(), {})


def places(
    table: Table, header_row: int | None, kinds: list[str] | None, freemail: FreemailDomains | None
) -> Verdict:
    if header_row is None or not kinds:
        start, heads = 0, None
        width = max((len(r) for r in table.rows), default=0)
    else:
        start = header_row + 1
        heads = [header_form(str(c or "")) for c in table.rows[header_row]]
        width = min(len(kinds), len(heads))
    n = len(table.rows) - start
    said: dict[int, str] = {}
    said_in: dict[int, int] = {}  # row -> the column its word came from
    columns = [_column(table, start, c) for c in range(width)]
    kinds_of = [
        {t: _shape(t) for t in dict.fromkeys(texts) if t}
        if heads is None or kinds is None  # heads are read only where kinds are
        else dict.fromkeys(texts, kinds[c])
        for c, texts in enumerate(columns)
    ]
    for kind_of in kinds_of:
        kind_of.pop("", None)
    for c, texts in enumerate(columns):
        _words(texts, kinds_of[c], heads[c] if heads is not None else "", said, start, said_in, c)
    for i in _block_rows(columns, kinds_of, n):
        said.setdefault(start + i, BLOCK_WORD)
    if not said:
        return NONE
    rows = sorted(r - start for r in said)
    column_of = {r - start: said_in[r] for r in said if r in said_in and said[r] not in COMPANY}
    judged, staffed = _judged(columns, kinds_of, heads, rows, freemail, column_of)
    places_ = {start + i: said[start + i] for i in judged}
    staffed_ = frozenset(start + i for i in staffed)
    words = {**places_, **{r: said[r] for r in staffed_}}
    return Verdict(frozenset(places_), words, staffed_) if words else NONE


def _judged(
    columns: list[list[str]],
    kinds_of: list[dict[str, str]],
    heads: list[str] | None,
    rows: list[int],
    freemail: FreemailDomains | None,
    column_of: dict[int, int],
) -> tuple[list[int], list[int]]:
    """The candidate `rows` that hold contact data and nothing personal, column by column:
    each distinct value judged once; then those that are `_staffed`."""
    uncontacted, personal_rows, private_rows = set(rows), set(), set()
    contact_at: dict[int, int] = {}  # row -> the first column of its contact person
    for c, texts in enumerate(columns):
        kind_of, head = kinds_of[c], heads[c] if heads is not None else ""
        cells = {t: None for t in map(texts.__getitem__, rows) if t}
        persons = {t for t in cells if personal(_personal_kind(kind_of[t], head, t), t, freemail)}
        if persons:
            hit = [i for i in rows if texts[i] in persons]
            personal_rows.update(hit)
            contact = (
                _contacts({texts[i] for i in hit if i in column_of}, kind_of, head, freemail)
                if column_of and heads is not None
                else set()
            )
            private_rows.update([i for i in hit if texts[i] not in contact] if contact else hit)
            if contact and kind_of[next(iter(contact))] != "email_address":  # a name: where the person stands
                for i in hit:
                    if texts[i] in contact:
                        contact_at.setdefault(i, c)
        if uncontacted and any(kind_of[t] in _CONTACTS for t in cells):
            uncontacted.difference_update(
                [i for i in uncontacted if texts[i] and kind_of[texts[i]] in _CONTACTS]
            )
    judged = [i for i in rows if i not in uncontacted and i not in personal_rows]
    staffed = [
        i
        for i in rows
        if i in personal_rows
        and i not in private_rows
        and i not in uncontacted
        and i in column_of
        and column_of[i] < contact_at.get(i, -1)
    ]
    return judged, staffed


def _contacts(
    texts: set[str], kind_of: dict[str, str], head: str, freemail: FreemailDomains | None
) -> set[str]:
    """The `texts` of one column that may be a contact person's (`_contact_person`); mail
    addresses judged by their distinct domains, once each."""
    mails = {t for t in texts if kind_of[t] == "email_address"}
    out = {t for t in texts - mails if _contact_person(kind_of[t], head, t, freemail)}
    if mails and freemail is not None:
        domain_of = {t: ascii_form(t).strip().lower().rpartition("@")[2] for t in mails}
        free = {d for d in set(domain_of.values()) if d in freemail}
        out.update(t for t, d in domain_of.items() if d not in free)
    return out


def _contact_person(kind: str, head: str, text: str, freemail: FreemailDomains | None) -> bool:
    """Whether a personal value may be a contact person's of premises: a name under a staff
    role's heading (担当者, 拠点長; not 契約者, 入居者: a tenant), an organisation's mail address."""
    if kind in ("person_name", "name_kana", "other") and (has_mobile(text) or not STAFF_ROLE.search(head)):
        return False
    if kind in ("person_name", "name_kana"):
        return _personal_kind(kind, head, text) == kind
    if kind == "other":  # a name under a heading of its own (拠点長, 所長)
        return _personal_kind(kind, head, text) == "person_name" or personal_name(text)
    return (
        kind == "email_address"
        and freemail is not None
        and ascii_form(text).strip().lower().rpartition("@")[2] not in freemail
    )


def _block_rows(columns: list[list[str]], kinds_of: list[dict[str, str]], n: int) -> list[int]:
    """The rows (from the first data row) whose landline, the first in the row, is in an
    organisation's number block (`signs.block_rows`). Each distinct phone text is read once,
    and the numbering plan is asked only when some block may be shared at all."""
    digits_of: list[dict[str, str]] = []
    for kind_of in kinds_of:
        phones = [t for t, k in kind_of.items() if k in ("phone", "org_phone")]
        digits = ascii_form("\n".join(phones)).translate(DIGITS).split("\n") if phones else []
        if len(digits) != len(phones):  # a line break inside a cell
            digits = [ascii_form(t).translate(DIGITS) for t in phones]
        digits_of.append(dict(zip(phones, digits)))
    # number_block(d) is d's national form less two digits, or nothing: no prefix in BLOCK_ROWS
    # cells (a row counts once per phone column: an upper bound), no block shared.
    prefixes: Counter = Counter()
    for texts, kind_of, m in zip(columns, kinds_of, digits_of):
        if not m:
            continue
        repeated = len(texts) - texts.count("") > len(kind_of)  # then count rows, not texts
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
    may hold either (顧客名: 株式会社エー 本社) is no person's name; a name-like text with no
    premises word under a heading of a person (契約者, 拠点長) is one, whatever its surname."""
    if kind == "person_name":
        if not looks_like_name(text) or (head in _AMBIGUOUS_NAMES and PREMISES.search(text)):
            return "other"
    elif (
        kind == "other"
        and _of_a_person(head)
        and looks_like_name(text)
        and not PREMISES.search(text)
        and text not in _TO_ORGANISATIONS
    ):
        return "person_name"
    return "phone" if kind == "org_phone" else kind


def _of_a_person(head: str) -> bool:
    """Whether a heading the header reader left `other` names a person: 契約者, 申込者名,
    宛名, 拠点長, 受取人 — not a premises heading (店舗名) nor a contact's (担当店)."""
    return head not in HEADINGS and (
        head in _PERSON_HEADINGS or head.removesuffix("名").endswith(_PERSON_ENDS)
    )


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


def _words(
    texts: list[str],
    kind_of: dict[str, str],
    head: str,
    said: dict[int, str],
    start: int,
    said_in: dict[int, int],
    column: int,
) -> None:
    """Each row's premises word from this column (本社 rather than 株式会社: the evidence shows
    it), when the column names its rows: under a premises heading, or with values mostly
    distinct, and never from an address or a person's name column. Each distinct value is
    searched once, after one search of them all joined."""
    heading = head in HEADINGS
    kinds = set(kind_of.values())
    naming = kinds if heading else {k for k in kinds if _names(k, head)}
    eligible = list(kind_of) if naming == kinds else [t for t, k in kind_of.items() if k in naming]
    if not eligible or (not heading and PREMISES.search("\n".join(eligible).replace("\r", " ")) is None):
        return
    named = set(eligible)
    distinct = 2 * len(named) >= sum(1 for t in texts if t in named)  # else a category over the rows
    if heading:
        word_of = {t: _word(t) or head for t in eligible}
    elif not distinct:
        return
    else:
        word_of = {t: w for t in eligible if (w := _word(t))}
    if not word_of:
        return
    for i, t in enumerate(texts):
        word = word_of.get(t)
        if word:
            known = said.get(start + i)
            if known is None or (known in COMPANY and word not in COMPANY):
                said[start + i] = word
                if distinct and word != head:  # a naming column's own word names a staffed row
                    said_in[start + i] = column


def _names(kind: str, head: str) -> bool:
    """Whether a cell of this kind may name its row's premises."""
    return kind not in ("address", "email_address") and (kind != "person_name" or head in _AMBIGUOUS_NAMES)


def _word(text: str) -> str:
    """The text's premises word, a company form only when it has no other."""
    first = PREMISES.search(text)
    if first is None:
        return ""
    word = first.group().strip()
    if word not in COMPANY:
        return word
    return next((w for w in map(str.strip, PREMISES.findall(text, first.end())) if w not in COMPANY), word)
