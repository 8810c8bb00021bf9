"""Keyword dictionaries in the rule files (issue 17): the top-level `dictionaries:` list.

    dictionaries:
      - id: project_falcon              # the finding is keyword.project_falcon
        words: [ファルコン計画, Project Falcon]
        patterns: ['pf-\\d{4}']          # optional, RE2 over the folded text
        unless: [ファルコン計画書式]         # optional: phrases that contain a word and are not it
        near: none                      # none | person | people_table | mark
        window: 40                      # characters either side, only with near: person
        show_words: true                # false: evidence says (word), for a list of names
        min_count: 1
        description: 社内プロジェクト名

A dictionary whose id is already defined (the shipped ones) replaces it whole; `{id: ...,
enabled: false}` alone turns it off. Validated once, here: every error names the file and
the key (`dictionaries.<id>.<field>`), and the caps of inspectors.keyword_dictionary bound
what one file may ask of every inspection.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import re2

from inspectors import keyword_dictionary as kd
from inspectors.keyword_dictionary import KeywordDictionary

from .errors import RuleError

_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_KEYS = {
    "id",
    "words",
    "patterns",
    "unless",
    "near",
    "window",
    "min_count",
    "description",
    "enabled",
    "show_words",
}
MAX_DESCRIPTION = 500
# Texts on which a pattern that can match nothing shows it (x*, (?:), ^, \b, a?).
_SAMPLES = ("", "a", "あ", " a1 あ ")
_ONE_BYTE = re.compile(r"(?<!\\)(?:\\\\)*\\C")


def parse_dictionaries(
    items: Any, source: str, known: dict[str, KeywordDictionary]
) -> list[KeywordDictionary]:
    """The dictionaries of one file; one whose id is in `known` replaces (or switches) it."""
    if not isinstance(items, list):
        raise RuleError(source, None, "dictionaries", "must be a list")
    out: list[KeywordDictionary] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        d = _dictionary(item, source, n, known)
        if d.id in seen:
            raise RuleError(source, None, f"dictionaries.{d.id}.id", "defined twice in this file")
        seen.add(d.id)
        out.append(d)
    return out


def check_totals(dictionaries: list[KeywordDictionary], source: str) -> None:
    """The caps over every dictionary in force, once all files are read."""
    if len(dictionaries) > kd.MAX_DICTIONARIES:
        raise RuleError(source, None, "dictionaries", f"more than {kd.MAX_DICTIONARIES} dictionaries")
    words = [w for d in dictionaries for w in (*d.words, *d.unless)]
    if len(words) > kd.MAX_TOTAL_WORDS:
        raise RuleError(
            source, None, "dictionaries", f"{len(words)} words in all; at most {kd.MAX_TOTAL_WORDS}"
        )
    chars = sum(len(w) for w in words)
    if chars > kd.MAX_TOTAL_CHARS:
        raise RuleError(
            source, None, "dictionaries", f"{chars} characters of words in all; at most {kd.MAX_TOTAL_CHARS}"
        )


def _dictionary(item: Any, source: str, n: int, known: dict[str, KeywordDictionary]) -> KeywordDictionary:
    if not isinstance(item, dict):
        raise RuleError(source, None, f"dictionaries[{n}]", "each dictionary must be a mapping")
    ident = item.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        raise RuleError(source, None, f"dictionaries[{n}].id", f"must be 1-64 of a-z 0-9 _ -; got {ident!r}")
    key = f"dictionaries.{ident}"
    unknown = set(item) - _KEYS
    if unknown:
        raise RuleError(source, None, f"{key}.{sorted(unknown)[0]}", "unknown key")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError(source, None, f"{key}.enabled", f"must be true or false; got {enabled!r}")
    if ident in known and set(item) <= {"id", "enabled"}:
        return replace(known[ident], enabled=enabled)
    show_words = item.get("show_words", True)
    if not isinstance(show_words, bool):
        raise RuleError(source, None, f"{key}.show_words", f"must be true or false; got {show_words!r}")
    description = item.get("description", "")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise RuleError(
            source, None, f"{key}.description", f"must be text of at most {MAX_DESCRIPTION} characters"
        )
    d = KeywordDictionary(
        id=ident,
        words=_texts(item.get("words", []), f"{key}.words", source, kd.MAX_WORDS, kd.MAX_WORD_CHARS),
        patterns=_texts(
            item.get("patterns", []), f"{key}.patterns", source, kd.MAX_PATTERNS, kd.MAX_PATTERN_CHARS
        ),
        unless=_texts(item.get("unless", []), f"{key}.unless", source, kd.MAX_WORDS, kd.MAX_WORD_CHARS),
        near=_near(item.get("near", "none"), f"{key}.near", source),
        window=_whole(item.get("window", 40), f"{key}.window", source, 1, kd.MAX_WINDOW),
        min_count=_whole(item.get("min_count", 1), f"{key}.min_count", source, 1, 1_000_000),
        description=description,
        enabled=enabled,
        show_words=show_words,
    )
    if "window" in item and d.near != "person":
        raise RuleError(source, None, f"{key}.window", f"only with near: person; near is {d.near}")
    if not d.words and not d.patterns:
        raise RuleError(source, None, f"{key}.words", "a dictionary needs words or patterns")
    for field in ("words", "unless"):
        for i, w in enumerate(getattr(d, field)):
            if not kd.word_forms(w):
                raise RuleError(source, None, f"{key}.{field}", "an empty word would match everywhere")
            if not any(c.isalnum() for c in w):  # ・ or an invisible \u200b: everywhere, or nowhere
                raise RuleError(source, None, f"{key}.{field}[{i}]", "a word needs a letter or a digit")
    for i, pattern in enumerate(d.patterns):
        _pattern(pattern, f"{key}.patterns[{i}]", source)
    try:
        kd.compile_patterns(d.patterns)
    except re2.error as exc:
        raise RuleError(source, None, f"{key}.patterns", f"not a valid RE2 pattern: {_said(exc)}") from None
    return d


def _pattern(pattern: str, key: str, source: str) -> None:
    """Each pattern alone, before they are joined (`a)|(?:b` is two broken ones, not one)."""
    try:
        program = kd.compile_patterns((pattern,))
    except re2.error as exc:
        raise RuleError(source, None, key, f"not a valid RE2 pattern: {_said(exc)}") from None
    if any(m.start() == m.end() for sample in _SAMPLES for m in program.finditer(sample)):
        raise RuleError(source, None, key, "matches the empty text, so it would match everywhere")
    if _ONE_BYTE.search(pattern):
        raise RuleError(source, None, key, r"\C (one byte) may match inside a character")


def _texts(value: Any, key: str, source: str, most: int, longest: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(source, None, key, "must be a list of text")
    if len(value) > most:
        raise RuleError(source, None, key, f"{len(value)} entries; at most {most}")
    for i, v in enumerate(value):
        if len(v) > longest:
            raise RuleError(source, None, f"{key}[{i}]", f"longer than {longest} characters")
    return tuple(value)


def _near(value: Any, key: str, source: str) -> str:
    if value not in kd.NEAR:
        raise RuleError(source, None, key, f"must be one of {', '.join(kd.NEAR)}; got {value!r}")
    return str(value)


def _whole(value: Any, key: str, source: str, least: int, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        raise RuleError(source, None, key, f"must be a whole number from {least} to {most}; got {value!r}")
    return value


def _said(exc: Exception) -> str:
    text = exc.args[0] if exc.args else exc
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
