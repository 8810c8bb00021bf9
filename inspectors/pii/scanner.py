"""One RE2 pass over a text finds every candidate and every context word, in order.

Candidate-then-validate: the combined expression (no capture groups, so RE2 never runs its
slower submatch engine) only finds spans; `classifier.Classifier` tells what a span is and
validates it. Context words are alternatives of the same expression, so "the nearest label
before a candidate" is simply the last label seen: the scan keeps one `Labels` value, not a
second pass. Text is scanned as UTF-8 bytes (offsets are byte offsets), which spares the
wrapper's per-match character-offset arithmetic.

A chunk without any birth word is scanned without the date alternative: dates are the
commonest number in business mail and, without birth context, never personal data.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

import re2

from .. import patterns as P
from ..account_holders import BY_FORM, AccountHolders
from .classifier import LABEL_OF, Classifier, Labels

BARRIER = "\x1e"  # separates table cells in the text the table reader builds
KEYVAL = "\x1f"  # between a cell's header label and its value


class Hit(NamedTuple):
    """A validated value. `value` is raw personal data: it never leaves the package."""

    kind: str
    value: str
    start: int  # byte offsets in the scanned UTF-8 text
    end: int
    strong: bool = True  # False: a surname without honorific or label, kept for list lines


def _words(words) -> str:
    ordered = sorted(set(words), key=len, reverse=True)  # 口座番号 before 口座
    return "|".join(f"(?i:\\b{re2.escape(w)}\\b)" if w.isascii() else re2.escape(w) for w in ordered)


def _alternatives(with_dates: bool) -> list[str]:
    """Every candidate and context word (RE2 takes the longest match at each start)."""
    return _code_alternatives(with_dates) + _word_alternatives()


def _code_alternatives(with_dates: bool) -> list[str]:
    """Identifiers, mail addresses, dates and numbers."""
    d, ds = P.D, P.DATE_SEP
    alts = [
        f"[A-ZＡ-Ｚ]{{2}}{d}{{8}}[A-ZＡ-Ｚ]{{2}}",  # residence card
        f"[A-ZＡ-Ｚ]{{2}}{d}{{7}}",  # passport
        "[A-Za-z0-9._%+\\-Ａ-Ｚａ-ｚ０-９．＿]+[@＠][A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,}",
    ]
    if with_dates:
        alts.append(
            f"(?:(?:19|20){d}{{2}}\\s?(?:{ds}|年)|{P.ERA}\\s?(?:{d}{{1,2}}|元)\\s?(?:{ds}|年)|"
            f"[MTSHR]\\.?{d}{{1,2}}{ds})\\s?{d}{{1,2}}\\s?(?:{ds}|月)\\s?{d}{{1,2}}日?(?:生まれ|生)?"
        )
    return alts + [
        f"[+＋]?{d}(?:{P.SEP}{{0,2}}{d}){{6,22}}",  # every long number
        # 4 - 6 with blanks around the hyphen (基礎年金番号 "1234 - 567890"): three separators,
        # one more than a number may hold, so only in this one shape (the label decides).
        f"{d}{{4}}[ 　][-－‐−―ー‑–][ 　]{d}{{6}}",
        f"記号\\s*[:：]?\\s*[0-9A-Za-z０-９Ａ-Ｚａ-ｚ\\-－]{{1,10}}\\s*[・、,，/／\\s]*番号\\s*[:：]?\\s*{d}{{1,10}}",
    ]


def _word_alternatives() -> list[str]:
    """Addresses, names, context words and the table-cell barrier."""
    num, first = "[0-9０-９〇一二三四五六七八九十]", "[1-9１-９一二三四五六七八九十]"
    mark = "(?:丁目|番地|番|号|の|[-－‐−―ー])"
    stop = "[^\\s、。,，\\x1e\\x1f0-9０-９()（）「」]"
    kanji, name_char, hon = "[一-龥々ヶ]", "[一-龥々ヶァ-ヶー]", "|".join(P.HONORIFICS)
    return [
        f"(?:(?:{'|'.join(P.PREFECTURES)})\\s?{stop}{{0,12}}?[市区町村郡]|{'|'.join(P.DESIGNATED_CITIES)})"
        f"\\s?{stop}{{0,30}}{first}{num}*(?:{mark}{num}*)+",
        f"(?:{'|'.join(P.NAME_LABELS)})(?:[ 　\\t]*[:：][ 　\\t]*|[ 　\\t]+){name_char}{{1,6}}(?:[ 　]{name_char}{{1,6}})?",
        _words(w for words in P.CONTEXT_WORDS.values() for w in words),
        # a known surname with a given name or an honorific (a bare 山田 in 山田です is no one new)
        f"(?:{'|'.join(P.SURNAMES)})(?:[ 　]?{kanji}{{1,3}}(?:[ 　]?(?:{hon}))?|[ 　]?(?:{hon}))",
        f"{kanji}{{2,4}}[ 　]?(?:様|さん|殿|氏)",
        BARRIER,
    ]


def _compile(with_dates: bool):
    options = re2.Options()
    options.max_mem = 256 << 20  # the surname and prefecture lists need room for the DFA
    options.longest_match = True  # at one start the longest candidate wins: 普通預金 over 普通,
    #                                 a residence card over a passport; and the DFA is faster
    return re2.compile("|".join(_alternatives(with_dates)).encode(), options)


_SCAN = _compile(with_dates=False)
_SCAN_DATES = _compile(with_dates=True)
_BIRTH_WORDS = re2.compile(
    ("|".join(re2.escape(w) for w in P.CONTEXT_WORDS["birth"]) + "|(?i:\\bdob\\b)").encode()
)


def speaks_of_birth(data: bytes) -> bool:
    return _BIRTH_WORDS.search(data) is not None


@dataclass(frozen=True)
class Scanner:
    """Scans UTF-8 text; `today` bounds birth dates (passed in: inspectors stay pure)."""

    today: datetime.date
    holders: AccountHolders = BY_FORM  # companies by name, whose accounts are not personal

    def scan(self, data: bytes, dates: bool | None = None) -> list[Hit]:
        """Every hit in `data`. Dates are looked for in a text that speaks of birth: `dates`
        says whether it does when `data` is only part of that text (a block of a table)."""
        pattern = _SCAN_DATES if (speaks_of_birth(data) if dates is None else dates) else _SCAN
        classify = Classifier(data, self.today, self.holders).classify
        labels = Labels()
        hits: list[Hit] = []
        label_of = LABEL_OF
        new_hit = tuple.__new__  # Hit(...) without the namedtuple's Python-level __new__
        for start, end in _spans(pattern, data):
            raw = data[start:end]
            cls = label_of.get(raw) or (
                label_of.get(raw.lower()) if raw[0] > 0x40 and raw.isascii() else None
            )
            if cls is not None:  # a context word: half of all spans in prose, kept cheap
                if cls == "barrier":  # Labels.see, inlined
                    labels.barrier = end
                elif cls == "phone" and labels.cls == "org_phone" and start - labels.end <= P.ORG_LABEL_BYTES:
                    pass  # 代表TEL, FAX/TEL: the organisation's label stands
                else:
                    labels.cls, labels.end, labels.chained = cls, end, False
                continue
            for kind, value, strong in classify(raw, start, end, labels):
                hits.append(new_hit(Hit, (kind, value, start, end, strong)))
        return hits


def _spans(pattern, data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each match. The wrapper's `_regexp.Match` skips building a match
    object per hit (half the cost of a scan with many hits); `finditer` if it is gone.
    Each call costs about a microsecond of Python and pybind11, far more than RE2 spends
    between two spans of prose: this loop, not the automaton, bounds the scan's speed."""
    raw = getattr(pattern, "_regexp", None)
    if raw is None:
        return [m.span() for m in pattern.finditer(data)]
    match, unanchored, pos, end = raw.Match, re2._Anchor.UNANCHORED, 0, len(data)
    spans: list[tuple[int, int]] = []
    append = spans.append
    while pos <= end:
        span = match(unanchored, data, pos, end)[0]
        if span[0] < 0:
            break
        append(span)
        pos = span[1] if span[1] > span[0] else span[1] + 1
    return spans
