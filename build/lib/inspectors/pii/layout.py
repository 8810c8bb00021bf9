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
  A block with two more of the same shape (lines, phones, 〒, mails) next to it is an entry
  of a typed list (name / 勤務先 株式会社… / 〒 address / TEL), not a signature: a thread has
  one signature per message, with a quote header and quoted text between them.

Values in signatures are never counted; values in quoted text are not counted as phone, mail,
address, postal code, birth date or name (what the sender quotes was already sent to them),
but identifiers (My Number, cards, accounts, …) are, and a quoted or forwarded list of people
still counts for pii.records. A block is judged once, when a value first falls in it, from
an index of the lines around it (`lines.Window`), and its lines keep the verdict: the cost
follows the number of blocks with values, not the number of values or the text's length.
"""

from __future__ import annotations

import re
from typing import Literal

import re2

from .. import patterns as P
from .lines import Window
from .normaliser import as_written

# A quote header is found in two steps: RE2 looks for the literal words every header holds
# (fast over any length), and only the lines around such a word are tried against the
# full patterns; one big RE2 pattern with `.{0,200}` runs several times slower per byte.
_QUOTE_HINT = re2.compile("|".join(re2.escape(w) for w in P.QUOTE_HINTS).encode())
_QUOTE_HEADER = re.compile("|".join([*(re.escape(h) for h in P.QUOTE_HEADERS), *P.QUOTE_PATTERNS]), re.M)
# A phone number as `normaliser.ascii_form` would show it, matched in the text as written
# (each ASCII character also as the characters ascii_form turns into it): translating a
# whole block first cost more than the rest of the signature test. It starts with one
# character class, the lookbehind after it, so that `re` skips ahead to candidate
# characters instead of trying every position (ten times faster on prose).
_GAP = f"[{''.join(re.escape(c) for c in as_written('-(). '))}]{{0,2}}"
_START, _PLUS, _ZERO = (re.escape(as_written(c)) for c in ("+0", "+", "0"))
_PHONE_LIKE = re.compile(
    rf"[{_START}](?<!\d.)(?:(?<=[{_PLUS}])[{as_written('8')}][{as_written('1')}]|(?<=[{_ZERO}]))"
    rf"\d{{1,4}}{_GAP}\d{{1,4}}{_GAP}\d{{3,4}}(?!\d)"
)
# One search each instead of a substring test per word (a tenth of the time on prose).
_ORG_MARKER = re.compile("|".join(re.escape(m) for m in P.ORG_MARKERS))
_RECORD_LABEL = re.compile("|".join(re.escape(m) for m in P.RECORD_LABELS))
_FULL_WIDTH_GT = "＞".encode()
MAX_LINES = 15  # non-blank lines of a signature at most
RUN = 3  # consecutive blocks of one shape that make a list
WINDOW_BYTES = 1500  # text read around a line to find its block (about 20 lines)


class Layout:
    """Built per text; `quoted(pos)` and `signature(pos)` answer for a byte offset into the UTF-8 text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.quote_from = _quote_start(data)
        self.spacing = _spacing(data)
        self._signature: dict[int, bool] = {}  # line start -> verdict of its block
        self._whole: Window | Literal[False] | None = None  # the whole text's index; False: too many lines

    def quoted(self, pos: int) -> bool:
        if pos >= self.quote_from:
            return True
        start = self.data.rfind(b"\n", 0, pos) + 1
        return self.data[start : start + 3].lstrip(b" \t")[:1] in (b">", b"|") or self.data[
            start : start + 6
        ].lstrip(b" \t").startswith(_FULL_WIDTH_GT)

    def signature(self, pos: int) -> bool:
        start = self.data.rfind(b"\n", 0, pos) + 1
        known = self._signature.get(start)
        if known is None:
            window, lowest, at, highest, ends = self._window(start)
            lo, hi = self._block(window, at, lowest, highest, ends)
            text, starts = window.text(start, at, lo, hi)
            known = _is_signature(text, window.filled(lo, hi)) and not self._in_a_run(
                window, starts, lo, hi, lowest, highest, _shape(text)
            )
            for line_start in starts:  # one verdict per block, not per line
                self._signature[line_start] = known
        return known

    def _in_a_run(
        self, window: Window, starts: list[int], lo: int, hi: int, lowest: int, highest: int, shape: tuple
    ) -> bool:
        """Whether the block [lo, hi) is one of RUN consecutive paragraphs of the same shape:
        a typed list of entries (name / 勤務先 株式会社… / 〒 address / TEL), not signatures. A
        real thread has one signature per message, with the quote header and the quoted text
        between them. Only asked of blocks that look like a signature, up to two each way."""
        before = after = 0
        first, at, last_start = lo, starts[0], starts[-1]
        while before < RUN - 1 and (found := self._paragraph_before(window, at, first, lowest)):
            first, at, text = found
            if _shape(text) != shape:
                break
            before += 1
        last = hi
        while before + after < RUN - 1 and (
            found := self._paragraph_after(window, last_start, last, highest)
        ):
            last, last_start, text = found
            if _shape(text) != shape:
                break
            after += 1
        return before + after >= RUN - 1

    def _paragraph_before(self, window: Window, at: int, first: int, lowest: int):
        """The paragraph ending above line `first` (which starts at byte `at`) past blank lines:
        (its first line, that line's byte offset, its text), or None."""
        line, pos = first, at
        while line > lowest and pos > 0:
            pos, line = self.data.rfind(b"\n", 0, pos - 1) + 1, line - 1
            if window.filled(line, line + 1):
                lo = max(window.paragraph_start(line, lowest), line - MAX_LINES)
                text, starts = window.text(pos, line, lo, line + 1)
                return lo, starts[0], text
        return None

    def _paragraph_after(self, window: Window, last_start: int, hi: int, highest: int):
        """The paragraph after line hi - 1 (starting at byte `last_start`) past blank lines:
        (past its last line, its last line's byte offset, its text), or None."""
        line, pos = hi - 1, last_start
        while line < highest:
            nxt = self.data.find(b"\n", pos)
            if nxt < 0:
                return None
            pos, line = nxt + 1, line + 1
            if window.filled(line, line + 1):
                end = min(window.paragraph_end(line, highest), line + MAX_LINES)
                text, starts = window.text(pos, line, line, end)
                return end, starts[-1], text
        return None

    def _window(self, start: int) -> tuple[Window, int, int, int, bool]:
        """The lines within WINDOW_BYTES of the line starting at `start`, as a reader would
        look around it (the window ends at the end of a line): an index of the whole text,
        made at the first question, and the window's first and last line in it; or, for a
        text of lines shorter than 32 bytes on average, an index of the window alone, so
        that the index stays small beside the text (25 MB of blank lines, say)."""
        reach = WINDOW_BYTES * self.spacing
        first = self.data.rfind(b"\n", 0, start - reach) + 1 if start > reach else 0
        end = self.data.find(b"\n", start + reach)
        end = len(self.data) if end < 0 else end
        if self._whole is None:
            dense = self.data.count(b"\n") > len(self.data) // 32
            self._whole = False if dense else Window(self.data, 0, len(self.data), self.spacing)
        window, lowest = (
            (self._whole, self._whole.number(first))
            if self._whole
            else (Window(self.data, first, end, self.spacing), 0)
        )
        at = lowest + self.data.count(b"\n", first, start)
        return window, lowest, at, at + self.data.count(b"\n", start, end), end == len(self.data)

    def _block(self, window: Window, at: int, lowest: int, highest: int, ends: bool) -> tuple[int, int]:
        """Line numbers [lo, hi) of the contact block around line `at`, looked for in lines
        lowest..highest: between separators (or a separator and the end of the text), else
        its paragraph."""
        limit = MAX_LINES * self.spacing + 1
        up = window.separator_before(at, max(lowest, at - limit + 1))
        down = window.separator_after(at, min(highest, at + limit - 1))
        if up is not None and (down is not None or (ends and highest - at + 1 <= limit)):
            return up + 1, down if down is not None else highest + 1
        return window.paragraph_start(at, lowest), window.paragraph_end(at, highest)


def _quote_start(data: bytes) -> int:
    """Byte offset of the first reply or forward header; past the end when there is none.
    Every hint on one line has the same window, so once it failed the search goes on from
    the next line: a line of 200 KB of '-' (40,000 hints) is tried once, not 40,000 times."""
    pos = 0
    while (hint := _QUOTE_HINT.search(data, pos)) is not None:
        lo = data.rfind(b"\n", 0, data.rfind(b"\n", 0, hint.start())) + 1  # the line before, too
        line_end = data.find(b"\n", hint.end())
        hi = len(data) if line_end < 0 else data.find(b"\n", line_end + 1) % (len(data) + 1)
        window = data[lo : hi if hi > 0 else len(data)]
        if (found := _QUOTE_HEADER.search(window.decode("utf-8", "replace"))) is not None:
            return lo + len(window.decode("utf-8", "replace")[: found.start()].encode())
        if line_end < 0:
            break
        pos = line_end
    return len(data) + 1


def _spacing(data: bytes) -> int:
    """2 for text with a blank line after nearly every line (what HTML mail becomes): there a
    paragraph ends at two blank lines, not one."""
    lines = data.count(b"\n") + 1
    blank = data.count(b"\n\n") + (data.count(b"\n\r\n") if b"\r" in data else 0)  # memchr first
    return 2 if lines >= 6 and blank * 10 >= lines * 4 else 1


def _is_signature(text: str, filled: int) -> bool:
    """`text`: the block's lines, `filled` of them not blank."""
    if not filled or filled > MAX_LINES:
        return False
    mails = text.count("@") + text.count("＠")
    if mails > 3 or not _ORG_MARKER.search(text) or _RECORD_LABEL.search(text):
        return False
    phones = len(_PHONE_LIKE.findall(text))
    return phones + mails + text.count("〒") > 0 and phones <= 4


def _shape(text: str) -> tuple[int, int, int, int, bool]:
    """What a block is made of: lines, phone numbers, postal marks, mail addresses, an
    organisation; entries of a typed list share it, a thread's signatures seldom do."""
    lines = sum(1 for line in text.split("\n") if line.strip(" \t>＞|\u3000"))
    return (
        lines,
        len(_PHONE_LIKE.findall(text)),
        text.count("〒"),
        text.count("@") + text.count("＠"),
        _ORG_MARKER.search(text) is not None,
    )
