"""Personal data in the text a message carries (DESIGN.md: pii.*).

First detector: マイナンバー (My Number). A 12-digit number passes the check digit one time in
eleven, so a checksum-valid number counts only when My Number context is near it and no
order-number label is nearer.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from .base import Finding
from .message import MessageView

_CANDIDATE = re.compile(r"(?<!\d)(\d{4})[ \-]?(\d{4})[ \-]?(\d{4})(?!\d)")
_CONTEXT = re.compile(r"マイナンバー|個人番号|my\s*number", re.IGNORECASE)
_NOT_CONTEXT = re.compile(r"注文番号|伝票番号|受付番号|お問い合わせ番号|問合せ番号|order", re.IGNORECASE)
WINDOW = 40  # characters before the number in which a label counts


def my_number_is_valid(digits: str) -> bool:
    """Check digit of the 個人番号 (総務省令 第五条): weights 6,5,4,3,2,7,6,5,4,3,2, mod 11."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(c) for c in digits[:11]]
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(d * w for d, w in zip(body, weights)) % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


def mask_my_number(digits: str) -> str:
    return "****-****-" + digits[-4:]


class PersonalData:
    name = "personal_data"

    def inspect(self, message: MessageView) -> Iterable[Finding]:
        found: dict[str, set[str]] = {}
        for chunk in message.texts:
            text = unicodedata.normalize("NFKC", chunk.text)
            for digits in self._my_numbers(text):
                found.setdefault(chunk.where, set()).add(digits)
        values = set().union(*found.values()) if found else set()
        if not values:
            return []
        return [Finding(code="pii.my_number", count=len(values), where=tuple(sorted(found)),
                        evidence=tuple(sorted(mask_my_number(v) for v in values))[:5])]

    def _my_numbers(self, text: str) -> Iterable[str]:
        for m in _CANDIDATE.finditer(text):
            digits = "".join(m.groups())
            if not my_number_is_valid(digits):
                continue
            before = text[max(0, m.start() - WINDOW):m.start()]
            label = _last(_CONTEXT, before)
            if label is None:
                continue
            other = _last(_NOT_CONTEXT, before)
            if other is not None and other > label:
                continue
            yield digits


def _last(pattern: re.Pattern, text: str) -> int | None:
    last = None
    for m in pattern.finditer(text):
        last = m.start()
    return last
