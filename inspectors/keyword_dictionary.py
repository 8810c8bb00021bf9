"""A keyword dictionary (issue 17): the admin's words and patterns as plain frozen data.

The rules layer reads dictionaries from the rule files and validates them (rules/loader.py);
the inspectors receive them at construction, as ClientMismatch receives the client directory,
so that this package imports nothing from the policy layer. The caps bound what a hostile or
careless rule file can make every inspection cost: the automaton's size, each pattern's
compiled program, and the proximity scans of one message.

Text and words meet in one folded form: half-width ASCII, lower case, hiragana for katakana
(half-width kana included) and the ideographic space as a space. The fold is one
`str.translate`, one character for one, so positions in the folded text are positions in the
text itself (proximity windows are counted there); only a text with half-width voiced marks
(ｶﾞ) is composed afterwards, and shifts by one character per such mark.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import re2

NEAR = ("none", "person", "people_table")

MAX_DICTIONARIES = 200
MAX_WORDS = 10_000  # per dictionary
MAX_TOTAL_WORDS = 50_000  # over all dictionaries: the automaton stays a few MB
MAX_WORD_CHARS = 100
MAX_PATTERNS = 50  # per dictionary
MAX_PATTERN_CHARS = 500
MAX_WINDOW = 1_000  # characters either side of a word
PATTERN_MEMORY = 8 << 20  # RE2's budget for one dictionary's compiled patterns


@dataclass(frozen=True, kw_only=True)
class KeywordDictionary:
    id: str  # [a-z0-9_-]: the finding is keyword.<id>
    words: tuple[str, ...] = ()  # as written; folded when the automaton is built
    patterns: tuple[str, ...] = ()  # RE2, matched against the folded text
    # Longer phrases that contain a word and are not it: 宗教法人 (a client's legal form)
    # for 宗教, 社外秘ではありません for 社外秘. A word inside one of them does not count.
    unless: tuple[str, ...] = ()
    near: str = "none"  # one of NEAR: what must stand near a word for it to count
    window: int = 40  # characters either side, for near: person
    min_count: int = 1  # fewer matches than this: no finding
    description: str = ""
    enabled: bool = True


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[cp] = chr(cp - 0xFEE0).lower()
    for cp in range(0x30A1, 0x30F7):  # katakana ァ..ヶ -> hiragana
        table[cp] = chr(cp - 0x60)
    for cp in range(0xFF61, 0xFFA0):  # half-width kana and marks: NFKC, then as above
        wide = unicodedata.normalize("NFKC", chr(cp))
        if len(wide) == 1:
            table[cp] = table.get(ord(wide), wide)
    table[0x3000] = " "
    return table


FOLD = _fold_table()
_MARKS = ("\u3099", "\u309a")  # what ﾞ and ﾟ become: combined with the kana before them


def fold(text: str) -> str:
    """The text as words are compared: see the module's docstring."""
    folded = text.translate(FOLD)
    if _MARKS[0] in folded or _MARKS[1] in folded:
        folded = unicodedata.normalize("NFC", folded)
    return folded


def fold_word(word: str) -> str:
    """A dictionary word in the folded form (NFKC first: ㈱, ｶﾞ and the like as written)."""
    return fold(unicodedata.normalize("NFKC", word)).strip()


def fold_pattern(pattern: str) -> str:
    """A pattern's kana as hiragana. Only kana: the width fold would turn （ into (, a group."""
    return "".join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in pattern)


def compile_patterns(patterns: tuple[str, ...]) -> Any:
    """One RE2 program for a dictionary's patterns, case-insensitive (None without any);
    re2.error for a pattern RE2 refuses or whose program outgrows PATTERN_MEMORY."""
    if not patterns:
        return None
    options = re2.Options()
    options.max_mem = PATTERN_MEMORY
    options.case_sensitive = False
    options.never_capture = True
    options.log_errors = False  # the loader reports it, naming the key
    return re2.compile("|".join(f"(?:{fold_pattern(p)})" for p in patterns), options)
