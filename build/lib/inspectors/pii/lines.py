"""The lines around a value, indexed at once: which are blank, which are separators.

`layout` decides whether a value stands in a signature by the lines within reach of it
(WINDOW_BYTES each way): where its paragraph ends, whether separator lines stand above and
below. Decoding the window and testing each of its lines in Python cost more than the whole
scan of a long text with many values. Here `re` finds, in the window's bytes, the lines that
may be blank or separators (a newline then a space, a quote mark or a rule character:
found by a plain byte search for the newline), the exact tests confirm those few, and the
questions are bisections in short sorted lists. Memory is the window's, whatever the text.

A line is seen as `layout` reads it: decoded (errors replaced), carriage returns dropped and
leading quote marks removed. Line numbers count from the window's first line.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from itertools import chain

from .. import patterns as P

QUOTE_MARKS = " \t>＞|"
_SEPARATOR = re.compile(P.SIGNATURE_SEPARATOR)


def _one_of(chars: str) -> bytes:
    return b"(?:" + b"|".join(re.escape(c.encode()) for c in chars) + b")"


_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n")
_MARKS = " \t>＞|\r"
_RULE = "-‐－―─━=＝*＊_~〜◆◇■□●○★☆…#+・"  # what a separator line starts with
# A newline before a line that may read as blank or as a separator: it is empty, or starts
# with a space, a quote mark or a rule character (`\Z`: the window's end).
_MAY_BE_SPECIAL = re.compile(b"\n(?=" + _one_of("\n" + _MARKS + _SPACE + _RULE) + b"|\\Z)")


def is_blank(line: str) -> bool:
    return not line.lstrip(QUOTE_MARKS).strip()


def is_separator(line: str) -> bool:
    return _SEPARATOR.match(line.lstrip(QUOTE_MARKS)) is not None


class Window:
    """The lines of data[first:end]; `spacing` 2: a paragraph ends at two blank lines.
    Line numbers are kept in arrays: 8 bytes per blank line, whatever the window."""

    def __init__(self, data: bytes, first: int, end: int, spacing: int = 1) -> None:
        self.data, self.first, self.end, self.spacing = data, first, end, spacing
        self.last = data.count(b"\n", first, end)  # number of the last line
        self.separators, self.blank = array("q"), array("q")
        self._at = (first, 0)  # (offset, its line): counting resumes there
        line, at = 0, first
        for start in chain((first,), (m.end() for m in _MAY_BE_SPECIAL.finditer(data, first, end))):
            line += data.count(b"\n", at, start)
            at = start
            stop = data.find(b"\n", start, end)
            text = data[start : end if stop < 0 else stop].decode("utf-8", "replace").replace("\r", "")
            if is_blank(text):
                self.blank.append(line)
            elif is_separator(text):
                self.separators.append(line)
        run = spacing - 1  # a break: the first line of `spacing` blank lines
        blank = self.blank
        self._breaks = (
            blank
            if not run
            else array("q", (blank[i] for i in range(len(blank) - run) if blank[i + run] == blank[i] + run))
        )

    def number(self, pos: int) -> int:
        """The number of the line holding byte `pos`; cheap near the last one asked."""
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
        stop = self.data.find(b"\n", starts[-1], self.end)
        stop = self.end if stop < 0 else stop
        return self.data[starts[0] : stop].decode("utf-8", "replace").replace("\r", ""), starts

    def filled(self, lo: int, hi: int) -> int:
        """How many of lines lo..hi-1 are not blank."""
        return hi - lo - (bisect_left(self.blank, hi) - bisect_left(self.blank, lo))

    def separator_before(self, at: int, lowest: int) -> int | None:
        """The nearest separator line in [lowest, at)."""
        i = bisect_left(self.separators, at) - 1
        return self.separators[i] if i >= 0 and self.separators[i] >= lowest else None

    def separator_after(self, at: int, highest: int) -> int | None:
        """The nearest separator line in (at, highest]."""
        i = bisect_right(self.separators, at)
        return self.separators[i] if i < len(self.separators) and self.separators[i] <= highest else None

    def paragraph_start(self, at: int, lowest: int) -> int:
        """The first line of line `at`'s paragraph, or `lowest` when it reaches that far."""
        i = bisect_right(self._breaks, at - self.spacing) - 1
        return self._breaks[i] + self.spacing if i >= 0 and self._breaks[i] >= lowest else lowest

    def paragraph_end(self, at: int, highest: int) -> int:
        """Past the last line of line `at`'s paragraph, or highest + 1 when it reaches that far."""
        i = bisect_right(self._breaks, at)
        found = i < len(self._breaks) and self._breaks[i] + self.spacing - 1 <= highest
        return self._breaks[i] if found else highest + 1
