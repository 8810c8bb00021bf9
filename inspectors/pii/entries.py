"""What each entry of a text list is about: a person, or premises (pii.places; issue 14).

`records.text_people` finds entries of two or more attributes in line-oriented text; an
office list typed into a mail body (a heading line 札幌営業所, then 〒, address, main line)
reads exactly like a customer list. An entry is premises when the lines from just above it
(its heading) to its last value name premises (`premises.PREMISES`, outside the address
itself: a customer's address may well say ビル) or its phone shares one organisation's
number block with two other entries, and nothing in it speaks of a person: no name, no
birth date, no mobile number, no free-mail address (the table rule, `premises`).
"""
from __future__ import annotations

import re
from collections import Counter

from ..freemail import FreemailDomains
from .premises import BLOCK_ROWS, PREMISES
from .records import Person
from .scanner import Hit

HEADING_LINES = 2            # lines above an entry's first value that may name it
_MOBILE = ("070", "080", "090")
_ADDRESS_KINDS = frozenset({"address", "postal_code", "email_address"})
_NOT_DIGITS = re.compile(r"\D")


def places(data: bytes, located: list[tuple[int, Hit]], people: list[Person],
           freemail: FreemailDomains | None) -> dict[int, str]:
    """The entries of `people` that are premises, by their first line, each with the word
    that says so. `located`: (line, hit) in line order, as `people` were found from."""
    if not people:
        return {}
    hits = _hits_of(located, people)
    said: dict[int, str] = {}
    blocks: dict[int, str] = {}
    floor = 0                   # where the previous entry's last line ends
    for person, own in zip(people, hits):
        if own and not _personal(own, freemail):
            word = _premises_word(data, floor, own)
            if word:
                said[person.row] = word
            elif prefix := _block(own):
                blocks[person.row] = prefix
        if own:
            floor = _line_end(data, own[-1].end)
    shared = {p for p, n in Counter(blocks.values()).items() if n >= BLOCK_ROWS}
    said.update((row, "代表番号帯") for row, p in blocks.items() if p in shared)
    return said


def _line_end(data: bytes, pos: int) -> int:
    end = data.find(b"\n", pos)
    return len(data) if end < 0 else end


def _hits_of(located: list[tuple[int, Hit]], people: list[Person]) -> list[list[Hit]]:
    """Each person's hits (located and people are both in line order)."""
    out: list[list[Hit]] = [[] for _ in people]
    i = 0
    for line, hit in located:
        while i < len(people) and people[i].last_row < line:
            i += 1
        if i == len(people):
            break
        if people[i].row <= line:
            out[i].append(hit)
    return out


def _personal(hits: list[Hit], freemail: FreemailDomains | None) -> bool:
    for hit in hits:
        if hit.kind in ("person_name", "birth_date"):
            return True
        if hit.kind == "phone" and _NOT_DIGITS.sub("", hit.value).startswith(_MOBILE):
            return True
        if hit.kind == "email_address" and (freemail is None or hit.value.rpartition("@")[2] in freemail):
            return True
    return False


def _premises_word(data: bytes, floor: int, hits: list[Hit]) -> str:
    """The first premises word from HEADING_LINES lines above the entry's first value (not
    above `floor`) to the end of the line of its last value, its addresses blanked."""
    begin = hits[0].start
    for _ in range(HEADING_LINES + 1):
        begin = data.rfind(b"\n", floor, begin) if begin > floor else floor
        if begin <= floor:
            begin = floor
            break
    end = _line_end(data, hits[-1].end)
    text = bytearray(data[begin:end])
    for hit in hits:
        if hit.kind in _ADDRESS_KINDS and begin <= hit.start < end:
            text[hit.start - begin:hit.end - begin] = b" " * (min(hit.end, end) - hit.start)
    found = PREMISES.search(text.decode("utf-8", "replace"))
    return found.group().strip() if found else ""


def _block(hits: list[Hit]) -> str:
    """The number block of the entry's landline: all but its last two digits."""
    for hit in hits:
        if hit.kind == "phone":
            digits = _NOT_DIGITS.sub("", hit.value)
            if 10 <= len(digits) <= 11:
                return digits[:-2]
    return ""
