"""The parts of a letter that are about its writer and reader, not about anyone in it
(issue 17): the greeting block, the signature block, and where a word stands as a mark.

A name in 「小川様」 at the top or in the signature is the addressee or the sender, so it
does not make a sentence "about a person"; a word like 社外秘 is a mark only standing as one
(a line of its own, in mark brackets opening or closing a line or a title), not in a
sentence, not in quotation brackets (an NDA defining marks), not in a signature's
disclaimer. Every scan is bounded: the greeting is looked for in the first lines, each
signature in the lines after its separator.
"""

from __future__ import annotations

import re
from itertools import islice

GREETING_LINES = 6  # lines at the top of a text looked at for the addressee
LINE_CHARS = 200  # characters either side of a word read for its line
SIGNATURE_LINES = 12  # lines after a separator or a closing that are the signature
# Separators looked at in one text: a text of a million `--` lines must not cost a million
# signature scans. Past them, names count as people again (fail closed: more findings).
MAX_SIGNATURES = 50

_ADDRESSEE = r"[^\n。！？!?]{0,60}?(?:様|殿|御中|各位|さん|先生|ご担当者|担当者様)"
_ORGANISATION = r"[^\n。！？!?]{0,30}?(?:株式会社|有限会社|合同会社|法人|会社|部|課|室|センター|事務所|病院|クリニック|支社|支店|営業所)"
_GREETING_LINE = re.compile(
    rf"[ \t　]*(?:{_ADDRESSEE}|(?:株式会社|有限会社)?{_ORGANISATION}|dear [^\n]{{0,60}}|)[ \t　,、:：\r]*(?:\n|$)",
    re.I,
)
# 「小川様、」 or 「佐伯様 本件は…」 opening the first line; not 「山田太郎様 既往歴：糖尿病」, whose
# line is a record (a label and its value), so the name is the person it is about.
_GREETING_LEAD = re.compile(
    r"[ \t　]*[^\s。、,]{1,20}(?:様|殿|さん|先生)(?:[、,]|[　 ](?=[^\n：:]*(?:\n|$)))"
)
_SEPARATOR = re.compile(
    r"^[ \t　]*(?:--|-{3,}|─{2,}|━{2,}|＿{2,}|_{4,}|={4,}|＝{2,}|以上|"
    r"(?:best|kind|warm)? ?regards,?|sincerely,?|best,|thanks,|thank you,)[ \t　\r]*$",
    re.I | re.M,
)
_QUOTED = re.compile(r"^[ \t]*(?:>|-----original|from:|差出人:|差出人：)", re.I)

_DECOR = " \t\u3000*#・■□◆◇●○★☆※:：-ー_/|｜\r"
_OPEN, _CLOSE = "【［[〔(（<＜《", "】］]〕)）>＞》"
_QUOTES = {"「": "」", "『": "』", '"': '"', "“": "”", "'": "'"}


def greeting_end(text: str) -> int:
    """Where the greeting block ends: the first lines that are only an addressee (an
    organisation, a department, a name with 様/殿/御中) or blank, and a leading 「小川様、」."""
    pos = 0
    for _ in range(GREETING_LINES):
        m = _GREETING_LINE.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    lead = _GREETING_LEAD.match(text, pos)
    return lead.end() if lead else pos


def signature_spans(text: str) -> list[tuple[int, int]]:
    """Each separator or closing line with the lines after it, up to SIGNATURE_LINES or a
    quoted message (a reply's quote is someone else's mail, read as such)."""
    spans: list[tuple[int, int]] = []
    for m in islice(_SEPARATOR.finditer(text), MAX_SIGNATURES):
        end = m.end()
        for _ in range(SIGNATURE_LINES):
            nl = text.find("\n", end + 1)
            line = text[end + 1 : nl if nl >= 0 else len(text)]
            if end >= len(text) or _QUOTED.match(line):
                break
            end = nl if nl >= 0 else len(text)
        if spans and m.start() <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((m.start(), end))
    return spans


def outside(offset: int, greeting: int, spans: list[tuple[int, int]]) -> bool:
    return offset >= greeting and not any(s <= offset < e for s, e in spans)


def is_mark(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands as a mark: alone on its line but for decoration, or in
    mark brackets that open or close the line or a line that is not a sentence."""
    # A line is read at most LINE_CHARS either side: a mark's line is short, and a text of
    # one long line must not cost a scan per match.
    low = text.rfind("\n", max(0, start - LINE_CHARS), start) + 1 or max(0, start - LINE_CHARS)
    high = text.find("\n", end, end + LINE_CHARS)
    high = min(len(text), end + LINE_CHARS) if high < 0 else high
    before, after = text[low:start], text[end:high]
    b, a = before.rstrip(" \u3000"), after.lstrip(" \u3000")
    if b and a and b[-1] in _QUOTES and a[0] == _QUOTES[b[-1]]:
        return False  # 「社外秘」: a word quoted, as a contract defines a mark
    if not before.strip(_DECOR + _OPEN) and not after.strip(_DECOR + _CLOSE):
        return True
    if b and a and b[-1] in _OPEN and a[0] == _CLOSE[_OPEN.index(b[-1])]:
        opens_line = not b[:-1].strip(_DECOR + _OPEN)
        closes_line = not a[1:].strip(_DECOR + _CLOSE)
        line = text[low:high].rstrip()
        sentence = "。" in line or line.endswith((".", "．"))
        return opens_line or closes_line or not sentence
    return False
