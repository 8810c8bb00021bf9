"""What a Word document holds besides the text it shows: tracked changes and hidden text.

python-docx reads a paragraph's runs as they are now: a tracked deletion (w:del, w:delText,
w:moveFrom) is not read at all, an insertion only where document.py looks for missed text,
and hidden text (w:vanish, w:specVanish, w:webHidden) as if it were shown. A contract whose
tracked deletion removed another client's name went out unread (issue 17): that leftover is
exactly what leaks. So the body, headers, footers, footnotes and endnotes are read once more,
streamed, and what is not plainly shown becomes a chunk of its own, whose place says what it
is:

- "tracked-changes": every changed paragraph as it was (unchanged and deleted text) when
  something was deleted, and as it is (unchanged and inserted text) when something was
  inserted, so that a name deleted a character at a time reads whole;
- "hidden-text": the hidden runs of each paragraph, hidden by their own properties or by a
  character or paragraph style that hides (its own properties; not what it is based on).

The visible text is read as before (extract/document.py); comments are read there too.
"""

from __future__ import annotations

import fnmatch
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from xml.etree import ElementTree

from ..limits import Limits
from .archive import MEMBER_ERRORS
from .package import xml_events
from .pieces import UNSCANNABLE, LimitReached, Piece, Problem, TextChunk

TRACKED, HIDDEN = "tracked-changes", "hidden-text"
# The parts that hold the document's stories, in reading order.
STORIES = (
    "word/document.xml",
    "word/header*.xml",
    "word/footer*.xml",
    "word/footnotes.xml",
    "word/endnotes.xml",
)
_WORD_NS = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict OOXML
)
_DELETED = frozenset({"del", "moveFrom"})
_INSERTED = frozenset({"ins", "moveTo"})
_HIDING = frozenset({"vanish", "specVanish", "webHidden"})
_OFF = frozenset({"0", "false", "off"})
# The elements read here, whatever their prefix.
_MARKUP = re.compile(rb"<(?:[\w.-]+:)?(?:del|ins|moveFrom|moveTo|vanish|specVanish|webHidden)[\s/>]")


def revisions(archive: zipfile.ZipFile, limits: Limits) -> Iterator[Piece]:
    """The tracked changes and the hidden text of a docx's stories, a chunk of each kind."""
    names = archive.namelist()
    found = _Found()
    hiding: set[str] = set()
    if "word/styles.xml" in names:
        yield from _part(
            archive, "word/styles.xml", limits, partial(_hiding_styles, limits=limits, hiding=hiding)
        )
    for pattern in STORIES:
        for name in sorted(fnmatch.filter(names, pattern)):
            read = partial(_read, limits=limits, found=found, hiding=hiding)
            yield from _part(archive, name, limits, read, always=bool(hiding))
    for where, lines in ((TRACKED, found.tracked), (HIDDEN, found.hidden)):
        if any(line.strip() for line in lines):
            yield TextChunk(where=where, text="\n".join(lines))


def _part(
    archive: zipfile.ZipFile,
    name: str,
    limits: Limits,
    read: Callable[[io.BytesIO], None],
    always: bool = False,
) -> Iterator[Piece]:
    try:
        data = archive.read(name)  # at most its declared size, which check_package bounded
        # Most documents have none of it: no second parse for them. (A part in UTF-16, which
        # the search cannot see into, is read; so is every part once a style hides text.)
        if always or _MARKUP.search(data) or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            read(io.BytesIO(data))
    except LimitReached as exc:  # what was read before the limit is kept
        yield Problem(code=UNSCANNABLE, where=name, reason=limits.reason(exc.limit))
    except (ElementTree.ParseError, *MEMBER_ERRORS) as exc:
        yield Problem(code=UNSCANNABLE, where=name, reason=f"corrupt: {type(exc).__name__}")


def _hiding_styles(stream, limits: Limits, hiding: set[str]) -> None:
    """The ids of the styles whose run properties hide text ("Hidden" character or paragraph
    styles): a run or a paragraph of such a style is hidden text too."""
    style, old_format = "", 0
    for event, element in xml_events(stream, limits):
        local = element.tag.rpartition("}")[2]
        if event == "start":
            if local == "style":
                style = next((v for k, v in element.attrib.items() if k.endswith("}styleId")), "")
            old_format += local == "rPrChange"
            continue
        old_format -= local == "rPrChange"
        if local in _HIDING and style and not old_format and _on(element):
            hiding.add(style)
        elif local == "style":
            style = ""
            element.clear()


@dataclass
class _Found:
    tracked: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    before: list[str] = field(default_factory=list)  # as it was: unchanged and deleted text
    after: list[str] = field(default_factory=list)  # as it is: unchanged and inserted text
    hidden: list[str] = field(default_factory=list)  # hidden runs, a space between two apart
    deleted: bool = False
    inserted: bool = False
    last_hidden: bool = False
    styled_hidden: bool = False  # its paragraph style hides it


@dataclass
class _State:
    # Open ones, innermost last; the first holds text outside any paragraph (a crafted part).
    paragraphs: list[_Paragraph] = field(default_factory=lambda: [_Paragraph()])
    deleting: int = 0  # w:del and w:moveFrom open
    inserting: int = 0  # w:ins and w:moveTo open
    in_run: int = 0
    in_old_format: int = 0  # w:rPrChange: the formatting a run had before, not what it has
    hidden_run: bool = False
    hiding: set[str] = field(default_factory=set)  # styles that hide


def _read(stream, limits: Limits, found: _Found, hiding: set[str]) -> None:
    """One part, streamed: each element is dropped once read, with the siblings before it,
    so a paragraph of 100,000 tracked runs is never held as a tree."""
    state = _State(hiding=hiding)
    open_: list = []
    try:
        for event, element in xml_events(stream, limits):
            namespace, _, local = element.tag[1:].partition("}")
            word = namespace in _WORD_NS
            if event == "start":
                open_.append(element)
                if word:
                    _start(local, state)
                continue
            open_.pop()
            if word:
                _end(local, element, state, found)
            if open_:
                del open_[-1][:]
    finally:  # a limit or a flaw cut it short: what was read of the paragraphs open is kept
        while state.paragraphs:
            _close(state.paragraphs.pop(), found)


def _start(local: str, state: _State) -> None:
    if local == "p":
        state.paragraphs.append(_Paragraph())
    elif local in _DELETED:
        state.deleting += 1
    elif local in _INSERTED:
        state.inserting += 1
    elif local == "r":
        state.in_run += 1
        state.hidden_run = False
    elif local == "rPrChange":
        state.in_old_format += 1


def _end(local: str, element, state: _State, found: _Found) -> None:
    if local in ("t", "delText"):
        _text(element.text or "", local == "delText", state)
    elif local in _HIDING and state.in_run and not state.in_old_format:
        state.hidden_run = _on(element)
    elif local == "rStyle" and state.in_run and not state.in_old_format:
        state.hidden_run = _value(element, "") in state.hiding
    elif local == "pStyle" and not state.in_run:
        state.paragraphs[-1].styled_hidden = _value(element, "") in state.hiding
    elif local == "p" and len(state.paragraphs) > 1:
        _close(state.paragraphs.pop(), found)
    elif local in _DELETED:
        state.deleting = max(0, state.deleting - 1)
    elif local in _INSERTED:
        state.inserting = max(0, state.inserting - 1)
    elif local == "r":
        state.in_run = max(0, state.in_run - 1)
        state.hidden_run = False
    elif local == "rPrChange":
        state.in_old_format = max(0, state.in_old_format - 1)


def _text(text: str, deleted_text: bool, state: _State) -> None:
    paragraph = state.paragraphs[-1]
    if deleted_text or state.deleting:
        paragraph.before.append(text)
        paragraph.deleted = True
    elif state.inserting:
        paragraph.after.append(text)
        paragraph.inserted = True
    else:
        paragraph.before.append(text)
        paragraph.after.append(text)
    hidden = (state.hidden_run and state.in_run > 0) or paragraph.styled_hidden
    if hidden:
        if paragraph.hidden and not paragraph.last_hidden:
            paragraph.hidden.append(" ")
        paragraph.hidden.append(text)
    paragraph.last_hidden = hidden


def _close(paragraph: _Paragraph, found: _Found) -> None:
    if paragraph.deleted:
        found.tracked.append("".join(paragraph.before))
    if paragraph.inserted:
        found.tracked.append("".join(paragraph.after))
    if paragraph.hidden:
        found.hidden.append("".join(paragraph.hidden))


def _value(element, default: str) -> str:
    """The element's w:val, in whichever namespace (prefix) the part uses."""
    return element.get(f"{element.tag.partition('}')[0]}}}val", default)


def _on(element) -> bool:
    """A toggle property (w:vanish) is on unless its w:val says off."""
    return _value(element, "1").lower() not in _OFF
