"""What each entry of a text list is about: a person, or premises (pii.places; issue 14).

`records.text_people` finds entries of two or more attributes in line-oriented text; an
office list typed into a mail body (a heading line 札幌営業所, then 〒, address, main line)
reads exactly like a customer list. An entry is premises when the lines from just above it
(its heading) to its last value name premises (`signs.PREMISES`, outside the address
itself: a customer's address may well say ビル) in a line that names it — lines of one
label (来店店舗: …) mostly distinct, as a table's naming column must be — or its landline
shares one organisation's number block (`signs.block_rows`), and nothing in it speaks of a
person (`signs.personal`): the table rule, `premises`. So is an entry that names premises
(not by a company form alone) and then a staff role before its contact person's name (所長,
担当; not 契約者: a tenant), when that name is all it says of a person (本社 所長 田中 和也 TEL … 住所 …): a branch list with its managers.
"""

from __future__ import annotations

import re
from bisect import bisect
from collections import defaultdict

from ..freemail import FreemailDomains
from .premises import BLOCK_WORD
from .records import MIN_RUN, Person
from .scanner import Hit
from .signs import COMPANY, PREMISES, STAFF_ROLE, block_rows, has_mobile, number_block, personal

HEADING_LINES = 2  # lines above an entry's first value that may name it
_BLANK = re.compile(rb"\n[ \t\r]*\n")
_LONE = frozenset({"address", "postal_code"})
_ADDRESS_KINDS = frozenset({"address", "postal_code", "email_address"})
_NAMES = frozenset({"person_name", "name_kana"})
_LABEL = re.compile(r"^\s*([^:：\s][^:：]{0,15}?)\s*[:：]")


def places(
    data: bytes, located: list[tuple[int, Hit]], people: list[Person], freemail: FreemailDomains | None
) -> dict[int, str]:
    """The entries of `people` that are premises, by their first line, each with the word
    that says so. `located`: (line, hit) in line order, as `people` were found from."""
    if not people:
        return {}
    hits = _hits_of(located, people)
    words: dict[int, tuple[str, str, str]] = {}  # row -> (word, its line's label, the line)
    blocks: list[str] = []  # every entry's, a person's too: the list's landlines
    impersonal: set[int] = set()
    floor = 0  # where the previous entry's last line ends
    for i, (person, own) in enumerate(zip(people, hits)):
        blocks.append(next((b for h in own if h.kind == "phone" and (b := number_block(h.value))), ""))
        persons = [h for h in own if personal(h.kind, h.value, freemail)]
        if own and not persons:
            impersonal.add(i)
            found = _premises_word(data, floor, own)
            if found:
                words[person.row] = found[:3]
        elif own and _staffed(own, persons):
            found = _premises_word(data, floor, own)
            if (
                found
                and found[0] not in COMPANY
                and found[3] <= persons[0].start
                and STAFF_ROLE.search(data[found[3] : persons[0].start].decode("utf-8", "replace"))
            ):
                words[person.row] = found[:3]
        if own:
            floor = _line_end(data, own[-1].end)
    said = _naming(words)
    for i in block_rows(blocks):
        if i in impersonal:
            said.setdefault(people[i].row, BLOCK_WORD)
    return said


def addressed(data: bytes, located: list[tuple[int, Hit]], people: list[Person]) -> list[Person]:
    """The paragraphs outside `people` that hold an address, one unit each, for `places` to
    judge. An office list typed entry by entry (【1】 拠点：本社 / 〒 / 所在地 / 代表電話) has one
    attribute an entry — the main line is an organisation's and not counted —, so it is no
    list of people, yet its addresses count; fewer than MIN_RUN such paragraphs are no list."""
    taken = {n for p in people for n in range(p.row, p.last_row + 1)}
    breaks = [m.start() for m in _BLANK.finditer(data)]
    units: dict[int, list[tuple[int, Hit]]] = {}
    for line, hit in located:
        if line not in taken:
            units.setdefault(bisect(breaks, hit.start), []).append((line, hit))
    out = []
    for hits in units.values():
        values = {h.kind: h.value for _, h in hits if h.kind in _LONE and h.strong}
        if values:
            out.append(
                Person(
                    key=tuple(sorted(values.items())),
                    attributes=frozenset({"address"}),
                    row=hits[0][0],
                    last_row=hits[-1][0],
                )
            )
    return out if len(out) >= MIN_RUN else []


def _staffed(hits: list[Hit], persons: list[Hit]) -> bool:
    """Whether an entry's personal values are only a contact person's name (所長 田中 和也),
    with no mobile, and it has no mail address (whose organisation only the caller could
    tell): with a premises word standing before the name, the premises' contact (`premises`)."""
    return all(h.kind in _NAMES and not has_mobile(h.value) for h in persons) and not any(
        h.kind == "email_address" for h in hits
    )


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


def _naming(words: dict[int, tuple[str, str, str]]) -> dict[int, str]:
    """The words of lines that name their entry: a label's lines mostly distinct, as a table
    column's values must be (`premises`); 来店店舗: 渋谷店 in every entry is a category."""
    lines: dict[str, list[str]] = defaultdict(list)
    for _, label, line in words.values():
        lines[label].append(line)
    naming = {label for label, texts in lines.items() if 2 * len(set(texts)) >= len(texts)}
    return {row: word for row, (word, label, _) in words.items() if label in naming}


def _premises_word(data: bytes, floor: int, hits: list[Hit]) -> tuple[str, str, str, int] | None:
    """The first premises word from HEADING_LINES lines above the entry's first value (not
    above `floor`) to the end of the line of its last value, its addresses blanked; with the
    label of its line ("" for none), the line itself and where the word ends in `data`."""
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
            text[hit.start - begin : hit.end - begin] = b" " * (min(hit.end, end) - hit.start)
    decoded = text.decode("utf-8", "replace")
    found = PREMISES.search(decoded)
    if not found:
        return None
    line = decoded[decoded.rfind("\n", 0, found.start()) + 1 :].partition("\n")[0].strip()
    label = _LABEL.match(line)
    return (
        found.group().strip(),
        label.group(1) if label else "",
        line,
        begin + len(decoded[: found.end()].encode("utf-8", "replace")),
    )
