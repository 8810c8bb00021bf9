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
still counts for pii.records. The first question about a signature indexes the text's
blank and separator lines once (`lines.Lines`, a few ms for 8 MB); each block is then judged
once, when a value first falls in it, and its lines keep the verdict: the cost follows the
number of blocks with values, not the number of values times the lines around each.
"""
from __future__ import annotations

import re

import re2

from .. import patterns as P
from .lines import Lines
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
_PHONE_LIKE = re.compile(rf"[{_START}](?<!\d.)(?:(?<=[{_PLUS}])[{as_written('8')}][{as_written('1')}]|(?<=[{_ZERO}]))"
                         rf"\d{{1,4}}{_GAP}\d{{1,4}}{_GAP}\d{{3,4}}(?!\d)")
# One search each instead of a substring test per word (a tenth of the time on prose).
_ORG_MARKER = re.compile("|".join(re.escape(m) for m in P.ORG_MARKERS))
_RECORD_LABEL = re.compile("|".join(re.escape(m) for m in P.RECORD_LABELS))
_FULL_WIDTH_GT = "＞".encode()
MAX_LINES = 15           # non-blank lines of a signature at most
WINDOW_BYTES = 1500      # text read around a line to find its block (about 20 lines)


class Layout:
    """Built per text; `quoted(pos)` and `signature(pos)` answer for a byte offset into the UTF-8 text."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.quote_from = _quote_start(data)
        self.spacing = _spacing(data)
        self._lines: Lines | None = None          # built at the first signature question
        self._signature: dict[int, bool] = {}    # line start -> verdict of its block

    def quoted(self, pos: int) -> bool:
        if pos >= self.quote_from:
            return True
        start = self.data.rfind(b"\n", 0, pos) + 1
        return self.data[start:start + 3].lstrip(b" \t")[:1] in (b">", b"|") or \
            self.data[start:start + 6].lstrip(b" \t").startswith(_FULL_WIDTH_GT)

    def signature(self, pos: int) -> bool:
        start = self.data.rfind(b"\n", 0, pos) + 1
        known = self._signature.get(start)
        if known is None:
            lines = self._lines or self._index()
            at = lines.number(start)
            lo, hi = self._block(lines, start, at)
            text, starts = lines.text(start, at, lo, hi)
            known = _is_signature(text, lines.filled(lo, hi))
            for line_start in starts:               # one verdict per block, not per line
                self._signature[line_start] = known
        return known

    def _index(self) -> Lines:
        self._lines = Lines(self.data, self.spacing)
        return self._lines

    def _block(self, lines: Lines, start: int, at: int) -> tuple[int, int]:
        """Line indices [lo, hi) of the contact block around line `at` (starting at byte
        `start`): between separators (or a separator and the end of the text), else its
        paragraph; looked for within WINDOW_BYTES of the line, as a reader would."""
        reach = WINDOW_BYTES * self.spacing
        first = self.data.rfind(b"\n", 0, start - reach) + 1 if start > reach else 0
        end = self.data.find(b"\n", start + reach)         # -1: the window reaches the end
        limit = MAX_LINES * self.spacing + 1
        up = lines.separator_before(at, at - limit + 1, first)
        down = lines.separator_after(at, at + limit - 1, end)
        if up is not None and (down is not None or (end < 0 and lines.last - at + 1 <= limit)):
            return up + 1, down if down is not None else lines.last + 1
        lo = lines.paragraph_start(at, first)
        hi = lines.paragraph_end(at, end)
        return (lines.number(first) if lo is None else lo,
                (lines.last if end < 0 else lines.number(end)) + 1 if hi is None else hi)


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


def _is_signature(text: str, filled: int) -> bool:
    """`text`: the block's lines, `filled` of them not blank."""
    if not filled or filled > MAX_LINES:
        return False
    mails = text.count("@") + text.count("＠")
    if mails > 3 or not _ORG_MARKER.search(text) or _RECORD_LABEL.search(text):
        return False
    phones = len(_PHONE_LIKE.findall(text))
    return 0 < phones + mails + text.count("〒") and phones <= 4
