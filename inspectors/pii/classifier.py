"""What a scanned span is: a context word, or a candidate to validate into a value.

Rules (issue 4), all by the nearest label before the span (`Labels`):
- a 12-digit number is a My Number only under a My Number label and with its check digit, a
  licence number only under a licence label; under an order, invoice or product label it is
  nothing. A validated value renews its label, so a list under one heading keeps it.
- phones are validated against the numbering plan; toll-free, navi-dial and numbers under
  代表/FAX/窓口-style labels are organisation lines and are not personal data.
- cards need Luhn and a brand prefix and a card-like grouping; T + 13 digits and labelled
  13-digit numbers with a valid check digit are corporate numbers.
- bank accounts need a bank label and stop being personal under a corporate account holder.
"""

from __future__ import annotations

import datetime
import re

from .. import patterns as P
from ..account_holders import BY_FORM, AccountHolders
from . import validators as V
from .normaliser import address_form, ascii_form, digits_of
from .numbers import phone_kind, read_number

# Context words by their UTF-8 bytes (ASCII ones lower-cased): a lookup, no decoding.
LABEL_OF = {
    (w.lower() if w.isascii() else w).encode(): cls for cls, words in P.CONTEXT_WORDS.items() for w in words
}
LABEL_OF[b"\x1e"] = "barrier"
_DATE_MARK = re.compile("[/年月日.．／]")
_LETTER_DATE_MARK = re.compile("[/.．／-]")
_SURNAMES = tuple(sorted((s for s in P.SURNAMES if len(s) >= 2), key=len, reverse=True))
_SURNAME_SET = frozenset(P.SURNAMES)
# A header row read as text ("氏名\t生年月日") must not make 生年月日 a name.
_HEADER_WORDS = re.compile(
    "|".join(
        sorted(
            {re.escape(w) for column in P.HEADERS for w in column.words if len(w) >= 2}
            | {re.escape(w) for words in P.CONTEXT_WORDS.values() for w in words if len(w) >= 2},
            key=len,
            reverse=True,
        )
    )
)
_NAME_LABELS = tuple(sorted(P.NAME_LABELS, key=len, reverse=True))
_HONORIFICS = tuple(P.HONORIFICS)
_PREF_STARTS = P.PLACE_STARTS
_NUMBER_START = frozenset(b"0123456789+") | {0xEF}  # 0xEF: full-width digits, ＋
_FW_DIGIT = tuple(range(0x90, 0x9A))
_MEI = "名".encode()  # 氏 before 名 is 氏名, a label, not an honorific
_ERAS = ("明治", "大正", "昭和", "平成", "令和")
# First characters of the word candidates other than names: a span starting otherwise is a
# name candidate (the commonest kind in prose) and skips the prefix tests.
_WORD_FIRST = frozenset(w[0] for w in (*_ERAS, "記号", *_PREF_STARTS, *P.NAME_LABELS))


def _inner_name(base: str) -> str:
    """The name inside a run of kanji: from a known surname, else after a department word."""
    inner = next((base.index(s) for s in _SURNAMES if s in base), None)
    if inner is not None:
        return base[inner:]
    cut = max(base.rfind(c) for c in "部課室係社店所局")
    return base[cut + 1 :] if len(base) - cut > 2 else base


def _name_in(text: str, after_kanji: bool, before_mei: bool) -> tuple[str | None, bool]:
    """The name a name candidate holds (None: none) and whether it carries an honorific."""
    base = text.rstrip()
    honorific = next((h for h in _HONORIFICS if base.endswith(h)), "") if base.endswith(_HONORIFICS) else ""
    if honorific == "氏" and before_mei:
        return None, False
    base = base[: len(base) - len(honorific)].replace(" ", "").replace("\u3000", "")
    if after_kanji:
        base = _inner_name(base)  # 営業部鬼頭様 matched from the middle of a word
    if not (len(base) >= 2 or base in _SURNAME_SET) or base in P.NOT_NAMES or base[-2:] in P.NOT_NAMES:
        return None, False
    return base, bool(honorific)


class Labels:
    """The nearest label before the scan position, and the last table-cell boundary."""

    __slots__ = ("barrier", "chained", "cls", "end")

    def __init__(self) -> None:
        self.cls, self.end, self.barrier, self.chained = "", -1, 0, False

    def near(self, start: int, reach: int = 0) -> str:
        """The label class in reach of `start`: a word's reach, or a list's when a value renewed it."""
        reach = reach or (P.CHAIN_BYTES if self.chained else P.CONTEXT_BYTES)
        if self.end >= self.barrier and start - self.end <= reach:
            return self.cls
        return ""

    def renew(self, cls: str, end: int, chained: bool = False) -> None:
        self.cls, self.end, self.chained = cls, end, chained

    def see(self, cls: str, end: int) -> None:
        """A context word, or the cell boundary of a table's text."""
        if cls == "barrier":
            self.barrier = end
        else:
            self.cls, self.end, self.chained = cls, end, False


class Classifier:
    def __init__(self, data: bytes, today: datetime.date, holders: AccountHolders = BY_FORM) -> None:
        self.data, self.today, self.holders = data, today, holders
        # What a name or address candidate reads as, by its text: a list or a thread names
        # the same people and places again and again. Held for one scan only (raw data).
        self._names: dict[tuple[str, bool, bool], tuple[str | None, bool]] = {}
        self._addresses: dict[str, str] = {}
        self._phone_kinds: dict[str, str | None] = {}

    def classify(self, raw: bytes, start: int, end: int, labels: Labels):
        """(kind, value, strong) for the candidate data[start:end] (context words are `Labels.see`n)."""
        found = self._dispatch(raw, raw.decode("utf-8", "replace"), start, end, labels)
        for kind, _, strong in found:
            if strong and kind not in ("phone", "email_address", "person_name", "address"):
                labels.renew(_CLASS_OF.get(kind, kind), end, chained=True)  # a list keeps its heading
        return found

    def _dispatch(self, raw: bytes, text: str, start: int, end: int, labels: Labels):
        b0 = raw[0]
        if b"@" in raw or b"\xef\xbc\xa0" in raw:  # @ or ＠
            return self._email(text)
        if b0 in _NUMBER_START and (b0 != 0xEF or raw[2] in _FW_DIGIT or text[0] == "＋"):
            if _DATE_MARK.search(text):
                return self._date(text, start, labels)
            return read_number(self, text, start, end, labels)
        if b0 < 0x80 or "Ａ" <= text[0] <= "Ｚ":
            if self._glued(start, end):
                return ()
            if _LETTER_DATE_MARK.search(text):
                return self._date(text, start, labels)
            return self._letters(ascii_form(text), start, labels)
        if text[0] not in _WORD_FIRST:
            return self._name(text, start, end, labels)
        if text.startswith(_ERAS):
            return self._date(text, start, labels)
        if text.startswith("記号"):
            return self._symbol_number(text, start, labels)
        if text.startswith(_PREF_STARTS):
            value = self._addresses.get(text) or self._addresses.setdefault(text, address_form(text))
            return (("address", value, True),)
        if text.startswith(P.NAME_LABELS):
            return self._labelled_name(text)
        return self._name(text, start, end, labels)

    def _labelled_name(self, text: str):
        """氏名：鬼頭 健 — whatever stands after a name label is a name, in the dictionary or not."""
        label = next(w for w in _NAME_LABELS if text.startswith(w))
        base = "".join(text[len(label) :].lstrip(" \t\u3000:：").split())
        if len(base) < 2 or base in P.NOT_NAMES or _HEADER_WORDS.search(base):
            return ()
        return (("person_name", base, True),)

    def _glued(self, start: int, end: int) -> bool:
        """Letters+digits inside a longer code (AB1234567-01, XAB1234567) are part numbers."""
        before = self.data[start - 1 : start] if start else b""
        after = self.data[end : end + 1]
        return (before.isalnum() and before.isascii()) or (after.isalnum() and after.isascii())

    def _email(self, text: str):
        value = ascii_form(text).lower().strip(".")
        local = value.partition("@")[0]
        if local in P.ROLE_MAILBOXES or local.split("+")[0] in P.ROLE_MAILBOXES:
            return ()
        return (("email_address", value, True),)

    def _date(self, text: str, start: int, labels: Labels):
        if labels.near(start) != "birth" and not text.endswith(("生まれ", "生")):
            return ()
        value = V.birth_date(ascii_form(text), self.today)
        return (("birth_date", value.isoformat(), True),) if value else ()

    def _letters(self, text: str, start: int, labels: Labels):
        near = labels.near(start)
        if len(text) == 12:
            return (("residence_card", text, True),) if near == "residence" else ()
        if near in ("passport",):
            return (("passport", text, True),)
        return ()

    def _symbol_number(self, text: str, start: int, labels: Labels):
        near = labels.near(start)
        parts = [p for p in (digits_of(text.partition("番号")[0]), digits_of(text.partition("番号")[2])) if p]
        value = "-".join(parts) or digits_of(text)
        if near in ("yucho", "bank"):
            return (("bank_account", value, True),) if not self.corporate_holder(start) else ()
        if near == "health":
            return (("health_insurance", ascii_form(text.replace(" ", "")), True),)
        return ()

    def _name(self, text: str, start: int, end: int, labels: Labels):
        after_kanji = start >= 3 and 0xE4 <= self.data[start - 3] <= 0xE9  # a kanji (U+4E00-U+9FFF) before
        key = (text, after_kanji, self.data[end : end + 3] == _MEI)
        known = self._names.get(key)
        base, honorific = known if known is not None else self._names.setdefault(key, _name_in(*key))
        if base is None:
            return ()
        strong = honorific or labels.near(start, 40) == "name"
        return (("person_name", base, strong),)

    def phone_kind(self, digits: str) -> str | None:
        if digits not in self._phone_kinds:
            self._phone_kinds[digits] = phone_kind(digits)
        return self._phone_kinds[digits]

    def corporate_holder(self, end: int) -> bool:
        """The account holder (rest of the line, or a labelled holder line near it) is a company
        (`AccountHolders`): read in a window of a few lines around the number."""
        start = max(0, end - _HOLDER_WINDOW)
        before = self.data[start:end].decode("utf-8", "ignore")
        window = before + self.data[end : end + _HOLDER_WINDOW].decode("utf-8", "ignore")
        return self.holders.holder_is_company(window, len(before))


_HOLDER_WINDOW = 400  # bytes each side of an account number: its holder is a few lines away at most


_CLASS_OF = {
    "drivers_license": "license",
    "birth_date": "birth",
    "pension_number": "pension",
    "bank_account": "bank",
    "health_insurance": "health",
}
