"""Bare numbers in technical files (issue 17): what a phone or card number needs there.

In a CAD or CNC file, a mesh or a table of measurements (extract.technical) every long run of
digits is a coordinate or a reading, and a few in every hundred of them pass a numbering plan
or Luhn: a STEP file of a bracket made thousands of "phone numbers". There, by pattern:

- phone and card numbers, which are validated by their digits alone, count only with the
  evidence a list of people gives: their label just before them on the line (TEL, 携帯,
  カード番号 …, a table column's heading included), or a person on the same line (a name,
  an address, a mail address). A customer list dressed up as a log keeps its phones.
- a number written as people write one counts as in any text, in every format: a phone
  number with its hyphens or brackets (090-1234-5678, (03)1234-5678, +81 …), a card number
  in groups (4111 1111 …). A STEP file full of hyphenated mobiles is a list; coordinates
  are not written so.
- a key is a label as a program writes it: creditCardNumber, cc_number, tel-no, PHONE.NO
  are read as their words, so a card number in a payment log is counted under its key.
  A bare run of digits under another key (requestId=4539…) needs the evidence above.
- everything else counts as anywhere: identifiers that need their label (個人番号, 口座, 旅券 …)
  already have it, a postal code needs 〒 or a prefecture after it, a date needs a birth word,
  and mail addresses are people's (a log of customers' addresses counts them, under the same
  rules as a list of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import patterns as P
from .scanner import Hit, Scanner


def _word(word: str) -> bytes:
    """A label as a pattern: an ASCII one as a word ("tel", not "hotel")."""
    escaped = re.escape(word.lower().encode())
    return b"(?<![a-z])" + escaped + b"(?![a-z])" if word.isascii() else escaped


_GUARDED = {"phone": "phone", "credit_card": "card"}  # kind -> the class of its labels
_PEOPLE = frozenset({"person_name", "address", "email_address"})  # a person on the line
# The catalogue's labels and column headings are the vocabulary; a key a program writes is
# read as words (creditCardNumber, cc_number, tel-no: credit card number, cc number, tel no),
# and these are the abbreviations programs add for a card.
_KEYS = {"phone": (), "card": ("card", "pan", "cc")}
# A key's word breaks: lower to upper case (cardNo), an acronym's end (PANNumber), _ - . between.
_KEY_BREAK = re.compile(
    rb"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z0-9])[_.\-](?=[A-Za-z])"
)
_HEADINGS = {"phone": "phone", "card": "credit_card"}
_LABELS = {
    cls: re.compile(
        b"|".join(
            _word(w)
            for w in (
                *P.CONTEXT_WORDS[cls],
                *_KEYS[cls],
                *(w for column in P.HEADERS if column.kind == _HEADINGS[cls] for w in column.words),
            )
        )
    )
    for cls in set(_GUARDED.values())
}
_WRITTEN = re.compile("[-－‐−―‑–—()（）]|^[+＋]")  # a phone number as people write one
_WRITTEN_CARD = re.compile("[0-9０-９][ 　\\-－‐−―‑–—][0-9０-９]")


@dataclass(frozen=True)
class TechnicalScanner(Scanner):
    """A Scanner for the content of one technical format (extract.technical.FORMATS)."""

    format: str = ""

    def scan(self, data: bytes, dates: bool | None = None) -> list[Hit]:
        hits = super().scan(data, dates)
        if not any(hit.kind in _GUARDED for hit in hits):
            return hits
        return evidenced(data, hits)


def evidenced(data: bytes, hits: list[Hit]) -> list[Hit]:
    """The hits that stand, in order (see the module's rules); `hits` are in text order."""
    starts = _line_starts(data, hits)
    peopled = {line for line, hit in zip(starts, hits, strict=True) if hit.kind in _PEOPLE}
    kept = []
    for line, hit in zip(starts, hits, strict=True):
        cls = _GUARDED.get(hit.kind)
        if (
            cls is None
            or line in peopled
            or _written(data[hit.start : hit.end], hit.kind)
            or _labelled(data, max(line, hit.start - P.CONTEXT_BYTES), hit.start, cls)
        ):
            kept.append(hit)
    return kept


def _line_starts(data: bytes, hits: list[Hit]) -> list[int]:
    """The offset of the line of each hit, found in one pass however long the lines."""
    starts, line, at = [], 0, 0
    for hit in hits:
        newline = data.rfind(b"\n", at, hit.start)
        if newline >= 0:
            line = newline + 1
        at = max(at, hit.start)
        starts.append(line)
    return starts


def _written(raw: bytes, kind: str) -> bool:
    """Grouped as people write the number (a card's groups may be apart by blanks)."""
    written = _WRITTEN_CARD if kind == "credit_card" else _WRITTEN
    return written.search(raw.decode("utf-8", "replace")) is not None


def _labelled(data: bytes, start: int, end: int, cls: str) -> bool:
    """A label of `cls` in data[start:end] (ASCII labels in any case, keys read as words)."""
    return _LABELS[cls].search(_KEY_BREAK.sub(b" ", data[start:end]).lower()) is not None
