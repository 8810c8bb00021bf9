"""Plain text and HTML files: decoded with the Japanese-aware detector, markup reduced to text."""

from __future__ import annotations

import html.parser
import re
from collections.abc import Iterator

from ..charsets import decode_bytes
from ..limits import Limits
from .delimited import looks_tabular, table_of
from .pieces import Piece, TextChunk
from .technical import recognise

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    text = decode_bytes(data).rstrip("\x1a")  # DOS end-of-file marks
    if looks_tabular(text):
        yield from table_of(text, limits, "\t")
    elif text.strip():
        yield TextChunk(where="", text=text, format=recognise(text))


def extract_html(data: bytes, limits: Limits) -> Iterator[Piece]:
    text = html_to_text(decode_bytes(data, html_charset(data)))
    if text.strip():
        yield TextChunk(where="", text=text)


def html_charset(data: bytes) -> str | None:
    """The charset a page declares in its own <meta>, when the container declared none."""
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


class _HTMLText(html.parser.HTMLParser):
    _SKIP = frozenset({"script", "style"})  # code, not content; not "head": mailers leave it unclosed
    # Text a reader sees without it being element text: an image's alternative (shown when
    # images are blocked, as most mail programs do by default), a tooltip, a form's value.
    _SHOWN = ("alt", "title", "value", "placeholder")
    _BREAK = frozenset(
        {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dt", "dd"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BREAK:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")
        shown = [value for name, value in attrs if name in self._SHOWN and value and value.strip()]
        if shown and not self._skip:
            self.out.append(" " + " ".join(shown) + " ")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


_EMPTY_COMMENT = re.compile(r"<!---?>")


def html_to_text(markup: str) -> str:
    """What a reader sees of an HTML body: text, line breaks, no scripts or styles."""
    parser = _HTMLText()
    try:
        # "<!-->" and "<!--->" are empty comments to a browser (HTML5 §13.2.5.43), while
        # html.parser would hide everything up to the next "-->".
        parser.feed(_defused(_EMPTY_COMMENT.sub("", markup)))
        parser.close()
    except Exception:  # HTMLParser is lenient; whatever was read so far is kept
        pass
    return "".join(parser.out)


# html.parser rescans from a construct it cannot finish to the end of the markup, again for
# every one of them (CPython issue 135462): 200 KB of "<a" took 22 s of CPU in one call,
# 400 KB of "<!--" more than 30 s. It finishes none after the last ">" (and reads each as
# text up to the next "<"): that tail is escaped before it sees it, which reads the same.
def _defused(markup: str) -> str:
    """The markup with its "<" after the last ">" escaped: text, as html.parser reads them."""
    tail = markup.rfind(">") + 1
    return markup[:tail] + markup[tail:].replace("<", "&lt;")
