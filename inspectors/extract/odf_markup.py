"""What an OpenDocument text holds besides the text it shows: tracked changes, comments and
hidden text (issue 17), each read into a place of its own, as extract/revisions.py does for
Word.

- Tracked changes (text:tracked-changes, before the body): a deletion's paragraphs are kept
  there, not in the body, and are read as "tracked-changes"; an insertion is marked in the
  body by text:change-start and text:change-end, and a paragraph holding inserted text is
  read there too, as it is now.
- Comments (office:annotation, inside a paragraph): their paragraphs are "comments", and
  their author and date no longer run into the paragraph's text.
- Hidden text: text:hidden-text and text:hidden-paragraph fields, sections shown nowhere
  (text:display="none"), and spans or paragraphs of an automatic style that hides
  (style:text-properties text:display="none"). It stays in the visible text, where it was
  always read, and is read as "hidden-text" too, so the sender sees where it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .pieces import Piece, TextChunk
from .revisions import HIDDEN, TRACKED

COMMENTS = "comments"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_XML = "http://www.w3.org/XML/1998/namespace"


def _t(name: str) -> str:
    return f"{{{_TEXT}}}{name}"


LINES = {_t("p"), _t("h")}
_TAB, _BREAK, _SPACE = _t("tab"), _t("line-break"), _t("s")
_TRACKED, _REGION, _INSERTION = _t("tracked-changes"), _t("changed-region"), _t("insertion")
_CHANGE_START, _CHANGE_END = _t("change-start"), _t("change-end")
_HIDDEN_TEXT, _HIDDEN_PARAGRAPH, _SECTION = _t("hidden-text"), _t("hidden-paragraph"), _t("section")
_ANNOTATION = f"{{{_OFFICE}}}annotation"
_STYLE_ELEMENT, _TEXT_PROPERTIES = f"{{{_STYLE}}}style", f"{{{_STYLE}}}text-properties"
_STYLE_NAME, _DISPLAY, _CHANGE_ID = _t("style-name"), _t("display"), _t("change-id")
MAX_SPACES = 100  # a run of spaces (text:s text:c) is read this long at most


@dataclass
class Markup:
    """Reads one part's markup as its elements open and close (start/end), and each paragraph
    when it closes (paragraph), which says whether it belongs to the visible text."""

    hidden_styles: set[str] = field(default_factory=set)
    insertions: set[str] = field(default_factory=set)  # change ids of insertions
    inserting: bool = False  # between an insertion's change-start and change-end
    tracked: int = 0  # text:tracked-changes open
    annotations: int = 0
    hidden_sections: int = 0
    found: dict[str, list[str]] = field(default_factory=lambda: {TRACKED: [], COMMENTS: [], HIDDEN: []})

    def start(self, element) -> None:
        tag = element.tag
        self.tracked += tag == _TRACKED
        self.annotations += tag == _ANNOTATION
        self.hidden_sections += tag == _SECTION and element.get(_DISPLAY) == "none"

    def end(self, element, parent) -> None:
        tag = element.tag
        self.tracked -= tag == _TRACKED
        self.annotations -= tag == _ANNOTATION
        self.hidden_sections -= tag == _SECTION and element.get(_DISPLAY) == "none"
        if tag == _INSERTION and parent is not None and parent.tag == _REGION:
            ids = (parent.get(_t("id")), parent.get(f"{{{_XML}}}id"))
            self.insertions.update(i for i in ids if i)
        elif tag == _TEXT_PROPERTIES and element.get(_DISPLAY) == "none" and _is_style(parent):
            self.hidden_styles.add(parent.get(f"{{{_STYLE}}}name"))

    def paragraph(self, element) -> tuple[str, bool]:
        """The paragraph's text as shown (hidden text included, as ever), and whether it is
        part of the visible text; what it holds besides is noted for pieces()."""
        walk = _Walk(self)
        text = walk.read(element)
        if self.tracked:
            self._note(TRACKED, text)
        elif self.annotations:
            self._note(COMMENTS, text)
        else:
            if walk.inserted:
                self._note(TRACKED, text)
            if self.hidden_sections or walk.hides_all or element.get(_STYLE_NAME) in self.hidden_styles:
                self._note(HIDDEN, text)
            elif any(walk.hidden):
                self._note(HIDDEN, " ".join(h for h in walk.hidden if h))
        return text, not (self.tracked or self.annotations)

    def _note(self, kind: str, text: str) -> None:
        if text.strip():
            self.found[kind].append(text)

    def pieces(self, where: str) -> Iterator[Piece]:
        for kind, lines in self.found.items():
            if lines:
                yield TextChunk(where=f"{where}!{kind}" if where else kind, text="\n".join(lines))


def _is_style(element) -> bool:
    return element is not None and element.tag == _STYLE_ELEMENT and bool(element.get(f"{{{_STYLE}}}name"))


class _Walk:
    """A paragraph's text in document order, its tabs, breaks and runs of spaces (text:s)
    included; walked with a stack, so hostile nesting costs no recursion. A comment inside it
    is read on its own (Markup); hidden runs and inserted text are noted on the way."""

    _END_HIDDEN = object()

    def __init__(self, markup: Markup) -> None:
        self.markup = markup
        self.hidden: list[str] = []
        self.hides_all = False  # a text:hidden-paragraph field
        self.inserted = False
        self._hiding = 0

    def read(self, element) -> str:
        out: list[str] = []
        stack: list = list(reversed(element))  # the paragraph's own tail is not its text
        if element.text:
            stack.append(element.text)
        while stack:
            item = stack.pop()
            if item is self._END_HIDDEN:
                self._hiding -= 1
            elif isinstance(item, str):
                self._text(item, out)
            else:
                self._element(item, stack, out)
        return "".join(out)

    def _element(self, item, stack: list, out: list[str]) -> None:
        tag = item.tag
        if tag == _ANNOTATION:  # read as a comment; only what follows it is the paragraph's
            if item.tail:
                stack.append(item.tail)
            return
        if tag in (_CHANGE_START, _CHANGE_END) and item.get(_CHANGE_ID) in self.markup.insertions:
            self.markup.inserting = tag == _CHANGE_START
        self.hides_all = self.hides_all or tag == _HIDDEN_PARAGRAPH
        if item.tail:
            stack.append(item.tail)
        if tag == _HIDDEN_TEXT or item.get(_STYLE_NAME) in self.markup.hidden_styles:
            if not self._hiding:
                self.hidden.append("")  # a hidden stretch of its own
            self._hiding += 1
            stack.append(self._END_HIDDEN)
            if tag == _HIDDEN_TEXT and not (item.text or len(item)):
                self.hidden[-1] += item.get(_t("string-value"), "")
        if tag == _TAB:
            self._text("\t", out)
        elif tag == _BREAK:
            self._text("\n", out)
        elif tag == _SPACE:
            self._text(" " * min(int(item.get(_t("c"), "1") or 1), MAX_SPACES), out)
        for child in reversed(item):
            stack.append(child)
        if item.text and tag not in (_TAB, _BREAK, _SPACE):
            stack.append(item.text)

    def _text(self, text: str, out: list[str]) -> None:
        out.append(text)
        if self._hiding:
            self.hidden[-1] += text
        if self.markup.inserting and text.strip():
            self.inserted = True
