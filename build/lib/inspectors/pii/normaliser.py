"""Normalising what a candidate matched, not the whole text.

The scan matches full-width digits, dash variants and U+3000 directly, so a chunk is never
rewritten as a whole (NFKC over 10 MB costs more than the whole scan). What a candidate
matched is a few characters; it is turned into ASCII here with `str.translate`, and header
cells (short) with NFKC. Kanji numerals are read only inside addresses, where 三丁目五番地
and 3-5 must compare equal.
"""

from __future__ import annotations

import re
import unicodedata

from .. import patterns as P

# Full-width digits and letters, the dash family, full-width punctuation people put in numbers.
_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)}
_WIDTH.update({0xFF21 + i: ord("A") + i for i in range(26)})
_WIDTH.update({0xFF41 + i: ord("a") + i for i in range(26)})
_WIDTH.update({ord(c): ord("-") for c in "－‐−―ー‑–—ｰ"})
_WIDTH.update(
    {
        ord("\u3000"): ord(" "),
        ord("＠"): ord("@"),
        ord("．"): ord("."),
        ord("／"): ord("/"),
        ord("（"): ord("("),
        ord("）"): ord(")"),
        ord("："): ord(":"),
        ord("＋"): ord("+"),
        ord("＿"): ord("_"),
        ord("，"): ord(","),
    }
)
WIDTH_TABLE = _WIDTH

_KANJI_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NOT_DIGITS = re.compile(r"[^0-9]+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_KANJI_BLOCK = re.compile(rf"([{P.KANJI_DIGITS}]+)(丁目|番地|番|号|の|-|$)")


_WIDE = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(WIDTH_TABLE)) + "]")


def ascii_form(text: str) -> str:
    """Full-width digits, letters and dashes as ASCII; same length as the input. Most
    candidates have none of them: one regex search is cheaper than `translate`, which
    looks every character of a Japanese text up in the table."""
    if text.isascii() or _WIDE.search(text) is None:
        return text
    return text.translate(WIDTH_TABLE)


def as_written(ascii_chars: str) -> str:
    """Each of `ascii_chars` and every character `ascii_form` turns into one of them: a
    pattern over ascii_form(text) matches the text itself with its classes widened so."""
    return "".join(
        sorted({c for c in ascii_chars} | {chr(k) for k, v in WIDTH_TABLE.items() if chr(v) in ascii_chars})
    )


def digits_of(text: str) -> str:
    """Only the digits of a matched number, in ASCII."""
    return _NOT_DIGITS.sub("", text if text.isascii() else ascii_form(text))


def groups_of(text: str) -> tuple[int, ...]:
    """Lengths of the digit groups as written: "090-1234-5678" -> (3, 4, 4)."""
    return tuple(len(g) for g in _DIGIT_RUN.findall(text if text.isascii() else ascii_form(text)))


def header_form(text: str) -> str:
    """A header cell compared with the catalogue: NFKC, lower case, no spaces or brackets."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in folded if not c.isspace() and c not in "()[]【】〔〕*:：・_")


def kanji_number(text: str) -> int | None:
    """二十三 -> 23, 百五 -> 105, 三 -> 3; None for what is not a kanji numeral."""
    if not text or any(c not in P.KANJI_DIGITS for c in text):
        return None
    if all(c in _KANJI_VALUE for c in text):  # 一〇五 written digit by digit
        return int("".join(str(_KANJI_VALUE[c]) for c in text))
    total, current = 0, 0
    for c in text:
        if c in _KANJI_VALUE:
            current = _KANJI_VALUE[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (current or 1) * unit
            current = 0
    return total + current


def address_form(text: str) -> str:
    """An address as compared for distinct values: ASCII digits, no spaces, 丁目/番/号 as '-'.

    A kanji numeral is read as a number only before 丁目/番/号/の/a dash or at the end, so
    三丁目 becomes 3 and 千代田 stays a name.
    """
    flat = _KANJI_BLOCK.sub(lambda m: _kanji_run(m.group(1)) + m.group(2), ascii_form(text).replace(" ", ""))
    for marker in ("丁目", "番地", "番", "号", "の"):
        flat = flat.replace(marker, "-")
    return flat.strip("-")


def _kanji_run(run: str) -> str:
    value = kanji_number(run)
    return str(value) if value is not None else run
