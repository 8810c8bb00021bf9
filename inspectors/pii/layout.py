"""Which parts of a mail text are not the sender's new content: quoted thread and signatures.

Why: every business mail carries the sender's signature (name, TEL, FAX, mail, address) and a
reply quotes two or three more. Counted as personal data they would make every long thread
look like a list of people. The decision, per value found:

- quoted: the line starts with '>' (or ＞, |), or it comes after the first reply or forward
  header (-----Original Message-----, 元のメッセージ, "On ... wrote:", "…のメッセージ:", an
  Outlook "From:/差出人:" block followed by "Sent:/送信日時:").
- signature: the value sits in a contact block: the lines between two separator lines
  (--, ───, ━━━, ＝＝＝, ****, …; blank lines allowed) or, without separators, its paragraph,
  AND that block names an organisation (株式会社, 部/課, URL, FAX, …), holds contact data and at most one
  person's contacts (≤ 4 phone numbers, ≤ 3 addresses of mail), at most 15 lines, and no
  record labels (氏名, 生年月日, 性別, …: a customer's record, not a signature).

Values in signatures are never counted; values in quoted text are not counted as phone, mail,
address, postal code, birth date or name (what the sender quotes was already sent to them),
but identifiers (My Number, cards, accounts, …) are, and a quoted or forwarded list of people
still counts for pii.records. Work is done lazily, per line that holds a value, so the cost
follows the number of values, not the length of the text.
"""
from __future__ import annotations

import re

import re2

from .. import patterns as P
from .normaliser import ascii_form


# A quote header is found in two steps: RE2 looks for the literal words every header holds
# (fast over any length), and only the lines around such a word are tried against the
# full patterns; one big RE2 pattern with `.{0,200}` runs several times slower per byte.
_QUOTE_HINT = re2.compile("|".join(re2.escape(w) for w in P.QUOTE_HINTS).encode())
_QUOTE_HEADER = re.compile("|".join([*(re.escape(h) for h in P.QUOTE_HEADERS), *P.QUOTE_PATTERNS]), re.M)
_SEPARATOR = re.compile(P.SIGNATURE_SEPARATOR)
_QUOTE_MARKS = " \t>＞|"
_PHONE_LIKE = re.compile(r"(?<!\d)(?:\+81|0)\d{1,4}[-(). ]{0,2}\d{1,4}[-(). ]{0,2}\d{3,4}(?!\d)")
MAX_LINES = 15           # non-blank lines of a signature at most
WINDOW_BYTES = 1500      # text read around a line to find its block (about 20 lines)


class Layout:
    """Built per text; `where(pos)` answers for a byte offset into the UTF-8 text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.quote_from = _quote_start(data)
        self.spacing = _spacing(data)
        self._signature: dict[int, bool] = {}

    def quoted(self, pos: int) -> bool:
        if pos >= self.quote_from:
            return True
        start = self.data.rfind(b"\n", 0, pos) + 1
        return self.data[start:start + 3].lstrip(b" \t")[:1] in (b">", b"|") or \
            self.data[start:start + 6].lstrip(b" \t").startswith("＞".encode())

    def signature(self, pos: int) -> bool:
        start = self.data.rfind(b"\n", 0, pos) + 1
        known = self._signature.get(start)
        if known is None:
            starts, lines, at, at_end = self._window(start)
            lo, hi = self._block(lines, at, at_end)
            known = _is_signature([line for line in lines[lo:hi] if line.strip()])
            for line_start in starts[lo:hi]:          # one verdict per block, not per line
                self._signature[line_start] = known
        return known

    def _window(self, line_start: int) -> tuple[list[int], list[str], int, bool]:
        """Byte offsets and text (quote marks removed) of the lines around `line_start`, the
        index of that line among them, and whether they reach the end of the text: one
        decode per block, not one per line."""
        reach = WINDOW_BYTES * self.spacing
        lo = self.data.rfind(b"\n", 0, max(0, line_start - reach)) + 1 if line_start > reach else 0
        hi = self.data.find(b"\n", line_start + reach)
        at_end = hi < 0
        hi = len(self.data) if at_end else hi
        raw = self.data[lo:hi]
        starts, offset = [], lo
        for line in raw.split(b"\n"):
            starts.append(offset)
            offset += len(line) + 1
        lines = [line.lstrip(_QUOTE_MARKS) if line[:1] in _QUOTE_MARKS else line
                 for line in raw.decode("utf-8", "replace").replace("\r", "").split("\n")]
        return starts, lines, starts.index(line_start), at_end

    def _block(self, lines: list[str], at: int, at_end: bool) -> tuple[int, int]:
        """The contact block around lines[at]: between separators (or a separator and the end
        of the text), else its paragraph."""
        limit = MAX_LINES * self.spacing + 1
        up = next((i for i in range(at - 1, max(-1, at - limit), -1) if _SEPARATOR.match(lines[i])), None)
        down = next((i for i in range(at + 1, min(len(lines), at + limit)) if _SEPARATOR.match(lines[i])), None)
        ends = at_end and len(lines) - at <= limit
        if up is not None and (down is not None or ends):
            return up + 1, down if down is not None else len(lines)
        return self._paragraph(lines, at, -1), self._paragraph(lines, at, 1)

    def _paragraph(self, lines: list[str], at: int, step: int) -> int:
        """Index past the paragraph's end in direction `step` (exclusive bound)."""
        run, i = 0, at + step
        while 0 <= i < len(lines):
            run = run + 1 if not lines[i].strip() else 0
            if run >= self.spacing:
                return i + self.spacing if step < 0 else i - self.spacing + 1
            i += step
        return 0 if step < 0 else len(lines)


def _quote_start(data: bytes) -> int:
    """Byte offset of the first reply or forward header; past the end when there is none.
    Every hint on one line has the same window, so once it failed the search goes on from
    the next line: a line of 200 KB of '-' (40,000 hints) is tried once, not 40,000 times."""
    pos = 0
    while (hint := _QUOTE_HINT.search(data, pos)) is not None:
        lo = data.rfind(b"\n", 0, data.rfind(b"\n", 0, hint.start())) + 1     # the line before, too
        line_end = data.find(b"\n", hint.end())
        hi = len(data) if line_end < 0 else data.find(b"\n", line_end + 1) % (len(data) + 1)
        window = data[lo:hi if hi > 0 else len(data)]
        if (found := _QUOTE_HEADER.search(window.decode("utf-8", "replace"))) is not None:
            return lo + len(window.decode("utf-8", "replace")[:found.start()].encode())
        if line_end < 0:
            break
        pos = line_end
    return len(data) + 1


def _spacing(data: bytes) -> int:
    """2 for text with a blank line after nearly every line (what HTML mail becomes): there a
    paragraph ends at two blank lines, not one."""
    lines = data.count(b"\n") + 1
    blank = data.count(b"\n\n") + data.count(b"\n\r\n")
    return 2 if lines >= 6 and blank * 10 >= lines * 4 else 1


def _is_signature(lines: list[str]) -> bool:
    if not lines or len(lines) > MAX_LINES:
        return False
    text = "\n".join(lines)
    if not any(m in text for m in P.ORG_MARKERS):
        return False
    if any(label in text for label in P.RECORD_LABELS):
        return False
    phones, mails = len(_PHONE_LIKE.findall(ascii_form(text))), text.count("@") + text.count("＠")
    return 0 < phones + mails + text.count("〒") and phones <= 4 and mails <= 3
