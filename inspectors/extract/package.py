"""What an Office package carries besides the text its main reader shows.

python-docx and python-pptx read the body, tables, headers, notes; they do not read
footnotes, endnotes, comments on slides, charts, SmartArt, or the files embedded in the
document (an Excel sheet pasted into a Word report is an xlsx inside the docx). Those are
read here from the package itself: text parts as text, embedded files as members, which the
extraction then identifies and reads like any attachment (an OLE object, say, is reported
as a format without a reader).
"""

from __future__ import annotations

import fnmatch
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree

from ..limits import Limits
from .archive import MEMBER_ERRORS, read_member
from .pieces import UNSCANNABLE, LimitReached, Member, Piece, Problem, TextChunk

# Text-bearing XML parts the main readers pass over, by package kind: (pattern, where).
TEXT_PARTS = {
    "docx": (
        ("word/footnotes.xml", "footnotes"),
        ("word/endnotes.xml", "endnotes"),
        ("word/charts/chart*.xml", "chart"),
        ("word/diagrams/data*.xml", "diagram"),
    ),
    "pptx": (
        ("ppt/comments/*.xml", "comments"),
        ("ppt/charts/chart*.xml", "chart"),
        ("ppt/diagrams/data*.xml", "diagram"),
    ),
    # A workbook's notes and text boxes are read in workbook.py; its chart sheets' numbers
    # are those of the cells they plot, but a chart's titles and labels are its own.
    "xlsx": (("xl/charts/chart*.xml", "chart"), ("xl/diagrams/data*.xml", "diagram")),
}
# Local names of the elements that hold text: w:t (Word), a:t (DrawingML, SmartArt, chart
# titles), c:v (a chart's cached labels and values), p:text (a slide comment).
_TEXT_TAGS = frozenset({"t", "v", "text"})
_BLOCK_TAGS = frozenset({"p", "pt", "ser", "cm", "footnote", "endnote"})  # a line ends after each
_NUMBER = re.compile(r"(\d+)(?=\.xml$)")


def xml_events(stream, limits: Limits) -> Iterator[tuple[str, ElementTree.Element]]:
    """iterparse's start and end events of one part, up to `max_xml_elements` elements (a
    58 KB docx whose chart held 5 million empty ones took 4.9 s in one call, and 515 MB while
    read elements stayed in the tree: the readers drop what they have read)."""
    for seen, item in enumerate(ElementTree.iterparse(stream, events=("start", "end"))):
        if seen >= 2 * limits.max_xml_elements:
            raise LimitReached("max_xml_elements")
        yield item


def closed_elements(stream, limits: Limits) -> Iterator[tuple[str, ElementTree.Element]]:
    """Each element of one part as it closes, with its local name; once the caller has read it,
    it is dropped with the siblings before it, so a large part is never held as a tree."""
    open_: list = []  # the elements open, innermost last
    for event, element in xml_events(stream, limits):
        if event == "start":
            open_.append(element)
            continue
        open_.pop()
        yield element.tag.rpartition("}")[2], element
        if open_:
            del open_[-1][:]


def text_parts(archive: zipfile.ZipFile, kind: str, limits: Limits) -> Iterator[Piece]:
    names = sorted(archive.namelist(), key=_natural)
    for pattern, label in TEXT_PARTS[kind]:
        for name in fnmatch.filter(names, pattern):
            number = _NUMBER.search(name)
            where = f"{label}{number.group(1)}" if "*" in pattern and number else label
            lines: list[str] = []
            try:
                _read_text(archive, name, limits, lines)
            except LimitReached as exc:  # what was read before the limit is kept
                yield Problem(code=UNSCANNABLE, where=name, reason=limits.reason(exc.limit))
            except (ElementTree.ParseError, *MEMBER_ERRORS) as exc:
                yield Problem(code=UNSCANNABLE, where=name, reason=f"corrupt: {type(exc).__name__}")
                continue
            text = "\n".join(lines)
            if text.strip():
                yield TextChunk(where=where, text=text)


def embedded(archive: zipfile.ZipFile, limits: Limits) -> Iterator[Piece]:
    """Files embedded in the document (word/embeddings/, ppt/embeddings/, xl/embeddings/),
    unpacked as a zip's members are: one that inflates past the compression ratio is a
    problem (a 257 KB docx unpacked a 90 MB text file, 390 MB in all, where a zip stops)."""
    for info in archive.infolist():
        parts = info.filename.split("/")
        if len(parts) == 3 and parts[1] == "embeddings" and parts[2] and not info.is_dir():
            data = yield from read_member(archive, info, limits.max_uncompressed_bytes, limits)
            if data is not None:
                yield Member(name=info.filename, data=data)


def _read_text(archive: zipfile.ZipFile, name: str, limits: Limits, lines: list[str]) -> None:
    """Every text element's content in document order into `lines`, a line per paragraph
    (or chart point, comment, note); streamed, so a large part is never held as a tree: what
    is read leaves it."""
    current: list[str] = []
    try:
        with archive.open(name) as stream:
            for local, element in closed_elements(stream, limits):
                if local in _TEXT_TAGS and element.text:
                    current.append(element.text)
                elif local in _BLOCK_TAGS and current:
                    lines.append("".join(current))
                    current = []
    finally:
        if current:
            lines.append("".join(current))


def _natural(name: str) -> tuple:
    """chart2.xml before chart10.xml."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))
