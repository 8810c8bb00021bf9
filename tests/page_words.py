"""The English words a person reads on a rendered page (issue 18): every visible word on a
Japanese page is Japanese, outside addresses, file names, evidence and a short list of terms
Japanese offices write in Latin letters (Bcc, CSV, ID...).

`english_words(html)` returns the words that break the rule; a test asserts it is empty.
Visible means: text nodes outside <script>/<style>/<code>, and the attributes a person reads
(placeholder, title, aria-label, alt, a button's value). Technical details an admin opens on
purpose (<code>, <details class="tech">) are allowed to stay as they are written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words Japanese business pages write in Latin letters.
ALLOWED = frozenset(
    {
        "Misdelivery",
        "Guard",
        "English",  # the language switch names the language it switches to
        "To",
        "Cc",
        "Bcc",
        "From",
        "ID",
        "CSV",
        "YAML",
        "PDF",
        "URL",
        "IP",
        "OK",
        "JST",
        "UTC",
        "GMT",
        "SMTP",
        "Excel",
        "Word",
        "ZIP",
        "MIME",
        "eml",
        "KB",
        "MB",
        "GB",
        "bytes",
    }
)
_SKIP = {"script", "style", "code", "pre", "textarea", "title"}
_READ_ATTRS = ("placeholder", "title", "aria-label", "alt")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)*|<>")
_URL = re.compile(r"https?://\S*|(?<!\w)/\S*")
_FILE = re.compile(r"[^\s『』「」\"'()（）]+\.[A-Za-z0-9]{1,5}\b")
_DOMAIN = re.compile(r"\b[\w-]+(\.[\w-]+)+\b")
# A run of Latin letters and digits: a word when it holds no digit (an id such as "Q1" or
# "3f9a0c" is not a word).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'_-]*")
_TIMEZONE = re.compile(r"\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b")  # Asia/Tokyo


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        technical = tag == "details" and "tech" in (values.get("class") or "").split()
        if tag in _SKIP or technical:
            self._skipping.append(tag)
        if self._skipping:
            return
        self.texts.extend(v for k, v in attrs if k in _READ_ATTRS and v)
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.texts)


def english_words(html: str, allow: tuple[str, ...] | frozenset[str] = ()) -> list[str]:
    """The words in Latin letters a person reads on the page, but for addresses, URLs,
    file names, domains, time zones and ALLOWED (plus `allow`: the test data's own words)."""
    text = visible_text(html)
    for pattern in (_TIMEZONE, _ADDRESS, _URL, _FILE, _DOMAIN):
        text = pattern.sub(" ", text)
    ok = ALLOWED | frozenset(allow)
    words = (t.strip("'-_") for t in _TOKEN.findall(text) if not any(c.isdigit() for c in t))
    return sorted({w for w in words if w and w not in ok})
