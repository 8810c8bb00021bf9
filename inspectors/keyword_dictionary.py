"""A keyword dictionary (issue 17): the admin's words and patterns as plain frozen data.

The rules layer reads dictionaries from the rule files and validates them (rules/loader.py);
the inspectors receive them at construction, as ClientMismatch receives the client directory,
so that this package imports nothing from the policy layer. The caps bound what a hostile or
careless rule file can make every inspection cost: the automaton's size, each pattern's
compiled program, and the proximity scans of one message.

Folding is split between the two sides so that the text pays almost nothing (a per-character
`str.translate` over 7 MB of Japanese cost 1.2 s, three times the whole personal-data scan):
the text is only lower-cased, with its rare runs of full-width letters and digits made ASCII,
one character for one, so positions in it are positions in the text (proximity windows are
counted there). Each word instead enters the automaton in the few forms a text may spell it:
as written after NFKC and lower case, in hiragana, in katakana, in half-width katakana (ｶﾞ as two
characters, as it is typed; small kana written large, as the text's half-width kana are) and
with full-width punctuation and spaces: up to five forms, fewer when they coincide (a word of
kanji alone has one or two).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import re2

from .company_names import fold_halfwidth, fold_kana

NEAR = ("none", "person", "people_table", "mark")

MAX_DICTIONARIES = 200
MAX_WORDS = 10_000  # per dictionary
# Over all dictionaries, exceptions included. Each word enters the automaton in up to five
# forms, and every worker builds it: 200,000 characters are some 40 MB and a second at most
# (20,000 random 50-character words, 1 M characters, took 186 MB and 4 s).
MAX_TOTAL_WORDS = 20_000
MAX_TOTAL_CHARS = 200_000
MAX_WORD_CHARS = 50
MAX_PATTERNS = 50  # per dictionary
MAX_PATTERN_CHARS = 500
MAX_WINDOW = 1_000  # characters either side of a word
PATTERN_MEMORY = 8 << 20  # RE2's budget for one dictionary's compiled patterns


@dataclass(frozen=True, kw_only=True)
class KeywordDictionary:
    id: str  # [a-z0-9_-]: the finding is keyword.<id>
    words: tuple[str, ...] = ()  # as written; word_forms() when the automaton is built
    patterns: tuple[str, ...] = ()  # RE2, case-insensitive, matched against text_form()
    # Longer phrases that contain a word and are not it: 宗教法人 (a client's legal form)
    # for 宗教, 社外秘ではありません for 社外秘. A word inside one of them does not count.
    unless: tuple[str, ...] = ()
    near: str = "none"  # one of NEAR: what must stand near a word for it to count
    window: int = 40  # characters either side, for near: person
    min_count: int = 1  # fewer matches than this: no finding
    description: str = ""
    enabled: bool = True
    show_words: bool = True  # false: evidence says (word), for a watch-list of names


_WIDE_ALNUM = re.compile("[Ａ-Ｚａ-ｚ０-９]+")
_ASCII_WIDTH = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_HALF = {
    unicodedata.normalize("NFKC", chr(cp)): chr(cp)
    for cp in range(0xFF61, 0xFFA0)
    if len(unicodedata.normalize("NFKC", chr(cp))) == 1
}


def text_form(text: str) -> str:
    """The text as words and patterns are matched: lower case, full-width letters and digits
    as ASCII, half-width small kana written large (ﾃｨ is ﾃｲ, company_names.fold_halfwidth).
    Same length as the text but for the odd letter lower() lengthens (İ)."""
    text = fold_halfwidth(text)
    if _WIDE_ALNUM.search(text) is not None:
        text = _WIDE_ALNUM.sub(lambda m: m.group().translate(_ASCII_WIDTH), text)
    return text.lower()


def word_forms(word: str) -> set[str]:
    """Every form of a word the automaton holds (see the module's docstring); empty for a
    word that is only blanks."""
    base = unicodedata.normalize("NFKC", word).strip().lower()
    if not base:
        return set()
    hira = "".join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in base)
    kata = "".join(chr(ord(c) + 0x60) if 0x3041 <= ord(c) <= 0x3096 else c for c in base)
    # Half-width as the text is folded: small kana large, so ﾌﾟﾛｼﾞｪｸﾄ and ﾌﾟﾛｼﾞｴｸﾄ are one word.
    half = "".join(_HALF.get(c, c) for c in unicodedata.normalize("NFD", fold_kana(kata)))
    wide = "".join(
        "\u3000"
        if c == " "
        else chr(ord(c) + 0xFEE0)
        if c.isascii() and not c.isalnum() and c.isprintable()
        else c
        for c in base
    )
    return {base, hira, kata, half, wide}


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
    # One pattern as written, so that `a)|(?:b` alone is refused and not made whole.
    joined = patterns[0] if len(patterns) == 1 else "|".join(f"(?:{p})" for p in patterns)
    return re2.compile(joined, options)
