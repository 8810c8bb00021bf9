"""The lines of one text, indexed once: line numbers of byte offsets, blank lines, separators.

`layout` decides per value whether it stands in a signature, which means looking at the
lines around it: where the paragraph ends, whether a separator line stands above. Decoding
and testing those lines again for every value cost more than the whole scan of a long text
with many values, so the text is indexed once: RE2 finds every line that may be blank or a
separator (a loose pattern over the bytes, fast over any length), each is confirmed by the
exact test, and the questions are then bisections in sorted lists of line numbers.

A line is seen as `layout` reads it: decoded (errors replaced), carriage returns dropped and
leading quote marks removed.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .. import patterns as P

QUOTE_MARKS = " \t>＞|"
_SEPARATOR = re.compile(P.SIGNATURE_SEPARATOR)


def _one_of(chars: str) -> bytes:
    return b"(?:" + b"|".join(re.escape(c.encode()) for c in chars) + b")"


_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n")
_MARKS = " \t>＞|\r"
_RULE = "-‐－―─━=＝*＊_~〜◆◇■□●○★☆…#+・"      # what a separator line starts with
# A newline before a line that may read as blank or as a separator: it is empty, or starts
# with a space, a quote mark or a rule character; the exact tests decide. The pattern starts
# with a literal newline, which `re` finds by a plain byte search: a few nanoseconds per line.
_MAY_BE_SPECIAL = re.compile(b"\n(?=" + _one_of("\n" + _MARKS + _SPACE + _RULE) + b"|\\Z)")


def is_blank(line: str) -> bool:
    return not line.lstrip(QUOTE_MARKS).strip()


def is_separator(line: str) -> bool:
    return _SEPARATOR.match(line.lstrip(QUOTE_MARKS)) is not None


class Lines:
    """`spacing` 2: a paragraph ends at two blank lines (see layout._spacing). A window, the
    part of the text a question may look at, is given in bytes: [first, end), end -1 for
    the end of the text, so that its bounds need no line numbers unless they are the answer."""

    def __init__(self, data: bytes, spacing: int = 1) -> None:
        self.data, self.spacing = data, spacing
        self.last = data.count(b"\n")          # index of the last line
        self._at = (0, 0)                       # (offset, its line): counting resumes there
        self.separators, self._separator_at, blank, blank_at = self._special()
        self._blank = blank
        run = spacing - 1                        # a break: the first line of `spacing` blank lines
        known = set(blank)
        kept = [i for i, n in enumerate(blank) if all(n + k in known for k in range(1, spacing))]
        self._breaks = [blank[i] for i in kept]
        self._break_at = [blank_at[i] for i in kept]
        self._break_end_at = [blank_at[i + run] for i in kept]   # where its last blank line starts

    def number(self, pos: int) -> int:
        """Index of the line holding byte `pos`; cheap for offsets near the last one asked."""
        at, line = self._at
        line += self.data.count(b"\n", at, pos) if pos >= at else -self.data.count(b"\n", pos, at)
        self._at = (pos, line)
        return line

    def text(self, start: int, at: int, lo: int, hi: int) -> tuple[str, list[int]]:
        """Lines lo..hi-1 as one text, and where each starts, given that line `at` starts at
        byte `start`. Quote marks are left in: nothing the signature test looks for starts
        with one."""
        starts = [start]
        for _ in range(at - lo):
            starts.append(self.data.rfind(b"\n", 0, starts[-1] - 1) + 1)
        starts.reverse()
        for _ in range(hi - at - 1):
            starts.append(self.data.find(b"\n", starts[-1]) + 1)
        end = self.data.find(b"\n", starts[-1])
        end = len(self.data) if end < 0 else end
        return self.data[starts[0]:end].decode("utf-8", "replace").replace("\r", ""), starts

    def filled(self, lo: int, hi: int) -> int:
        """How many of lines lo..hi-1 are not blank."""
        return hi - lo - (bisect_left(self._blank, hi) - bisect_left(self._blank, lo))

    def separator_before(self, at: int, lowest: int, first: int) -> int | None:
        """The nearest separator line in [lowest, at) starting in the window."""
        i = bisect_left(self.separators, at) - 1
        if i >= 0 and self.separators[i] >= lowest and self._separator_at[i] >= first:
            return self.separators[i]
        return None

    def separator_after(self, at: int, highest: int, end: int) -> int | None:
        """The nearest separator line in (at, highest] within the window."""
        i = bisect_right(self.separators, at)
        if i < len(self.separators) and self.separators[i] <= highest and (end < 0 or self._separator_at[i] <= end):
            return self.separators[i]
        return None

    def paragraph_start(self, at: int, first: int) -> int | None:
        """The first line of line `at`'s paragraph; None when no break stands in the window before it."""
        i = bisect_right(self._breaks, at - self.spacing) - 1
        if i >= 0 and self._break_at[i] >= first:
            return self._breaks[i] + self.spacing
        return None

    def paragraph_end(self, at: int, end: int) -> int | None:
        """Past the last line of line `at`'s paragraph; None when no break follows it in the window."""
        i = bisect_right(self._breaks, at)
        if i < len(self._breaks) and (end < 0 or self._break_end_at[i] <= end):
            return self._breaks[i]
        return None

    def _special(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """Indices and start offsets of the separator lines, then of the blank lines."""
        separators, separator_at, blank, blank_at, data = [], [], [], [], self.data
        for start in [0] + [m.start() + 1 for m in _MAY_BE_SPECIAL.finditer(data)]:
            end = data.find(b"\n", start)
            line = data[start:len(data) if end < 0 else end].decode("utf-8", "replace").replace("\r", "")
            if is_blank(line):
                blank.append(self.number(start))
                blank_at.append(start)
            elif is_separator(line):
                separators.append(self.number(start))
                separator_at.append(start)
        return separators, separator_at, blank, blank_at
