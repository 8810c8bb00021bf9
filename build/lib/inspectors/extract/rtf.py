"""RTF: Word's and WordPad's .rtf files, and the body Outlook keeps in winmail.dat.

striprtf turns the markup into text (hex escapes in the document's code page, \\uN escapes,
hidden destinations such as the font table dropped); compressed-rtf, which tnefparse uses
when it is installed, inflates the compressed RTF of a TNEF body (MS-OXRTFCP).

Two of striprtf's regular expressions backtrack over a whole line from every place they may
start: its hyperlink rewrite (from every "{\\field{"), and its font-table scan (from every
"\\fN" in the table). A 160 KB file of either kind took more than 40 s of CPU in one call,
which the per-attachment CPU limit cannot interrupt. Both are taken away from it here, in
linear time, before it sees the document: nothing it would have read is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..limits import Limits
from .pieces import UNSCANNABLE, Piece, Problem, Property, TextChunk, Unscannable

# "{\field{" is where striprtf's hyperlink rewrite starts; a space after the control word is
# its delimiter in RTF (consumed with it), so "{\field {" reads the same and is never tried.
_FIELD = re.compile(r"(\\field)\{", re.IGNORECASE)
# The link targets that rewrite would have shown as "text(target)": read here instead.
_LINK = re.compile(r'HYPERLINK\s{1,16}"([^"\r\n]{1,2048})"', re.IGNORECASE)
_FONT, _CHARSET = re.compile(r"\\f(\d+)"), re.compile(r"\\fcharset(\d+)")
# striprtf drops what follows "\pict" up to a "}" when the document holds "\bin" too, and
# reads the digits after "\bin" as a length, even where the backslash is an escaped one
# (RTF "\\"): the text "C:\pictures\2026, C:\bin2" hid the rest of the document, and
# "C:\pictures, C:\bin" made it unreadable. Such a backslash is handed to it in hex, "\'5c".
_LITERAL = re.compile(r"(\\\\)(?=pict|bin)|\\.", re.DOTALL)
# Text Word shows that striprtf drops as hidden: footnotes, page headers and footers,
# comments and their authors, shapes' text boxes. The control word that opens each is
# handed to it as a paragraph mark, so it reads them where they are anchored.
_SHOWN = re.compile(
    r"(?:\\\*)?\\(?:footnote|header[lrf]?|footer[lrf]?|annotation|atnauthor|atnid"
    r"|shp|shpgrp|shpinst|shptxt|dptxbxtext)(?![a-zA-Z])"
)
# The document's properties (its \info group), named as the Office readers name them: who
# wrote it and for whom, which striprtf drops with the rest of that group. (4096 characters
# at most: an unclosed 5 MB one took 2 s to fail.)
_INFO = re.compile(
    r"\{\\(author|operator|company|manager|title|subject|keywords|doccomm)[ ]?"
    r"((?:[^{}\\]|\\'[0-9a-fA-F]{2}|\\u-?\d{1,6} ?\??|\\[\\{}]){0,4096})\}"
)
_NAMES = {"operator": "last_modified_by", "doccomm": "comments"}
_CODE_PAGE = re.compile(r"\\ansicpg\d+")
_ESCAPED = "\ue000"  # stands for an escaped backslash meanwhile; no Latin-1 text holds it
_BRACE = re.compile(r"\\[\\{}]|[{}]")  # an escaped brace or backslash is text
# striprtf keeps about 90 bytes a group open: 5 MB of "{" held 450 MB, and the 18 MB a
# message can carry would exhaust a worker. Real documents nest a few dozen groups deep.
MAX_NESTING = 200_000
NESTING = f"limit: RTF nesting > {MAX_NESTING}"


def rtf_text(data: bytes) -> str:
    """The text of an RTF document (a winmail.dat body); Unscannable if it nests too deep."""
    text, cut = read(data)
    if cut:
        raise Unscannable(NESTING)
    return text


def read(data: bytes) -> tuple[str, bool]:
    """The text of an RTF document, and whether it was cut at MAX_NESTING. Its bytes are
    7-bit by the specification (RTF 1.9.1, "RTF files are usually 7-bit"); 8-bit bytes pass
    through as Latin-1 rather than fail."""
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip()[:5] == b"{\\rtf":
        raise Unscannable("not an RTF document")
    document = data.decode("latin-1")
    cut = _nesting_cut(document)
    document = _compact_font_table(document[:cut])
    if "\\\\pict" in document or "\\\\bin" in document:
        document = _LITERAL.sub(lambda m: "\\'5c" if m.group(1) else m.group(), document)
    document = _shown(document)
    links = _LINK.findall(document)
    text = rtf_to_text(_FIELD.sub(r"\1 {", document), errors="replace")
    return ("\n".join([text, *links]) if links else text), cut is not None


def _shown(document: str) -> str:
    """The document with the groups in _SHOWN read as text."""
    protected = document.replace("\\\\", _ESCAPED)  # "\\footnote" is text
    return _SHOWN.sub(r"\\par ", protected).replace(_ESCAPED, "\\\\")


def _nesting_cut(document: str) -> int | None:
    """Where the groups open grow past MAX_NESTING, if they do."""
    if document.count("{") <= MAX_NESTING:
        return None
    depth = 0
    for brace in _BRACE.finditer(document):
        token = brace.group()
        depth += 1 if token == "{" else -1 if token == "}" else 0
        if depth > MAX_NESTING:
            return brace.start()
    return None


def _compact_font_table(document: str) -> str:
    """The document with its font table replaced by the font numbers and character sets
    striprtf reads from it (the table is a hidden destination: no text is lost). Any table:
    a 16 KB one of "\\f1\\fcharset0 " without a ";" already took it more than 60 s."""
    from striprtf.striprtf import FONTTABLE_START, font_table_group

    start = FONTTABLE_START.search(document)
    if not start:
        return document
    table = font_table_group(document)  # up to its closing brace, or the end of the document
    fonts = []
    for entry in table.split(";"):  # an entry ends with its name's ";"
        font = _FONT.search(entry)
        charset = _CHARSET.search(entry, font.end()) if font else None
        if font and charset:
            fonts.append(f"{{\\f{font.group(1)}\\fcharset{charset.group(1)} f;}}")
    end = start.start() + len(table)
    return f"{document[: start.start()]}{{\\fonttbl{''.join(fonts)}}}{document[end:]}"


def properties(data: bytes) -> Iterator[Property]:
    """The \\info group's properties, decoded in the document's code page."""
    from striprtf.striprtf import rtf_to_text

    document = data.decode("latin-1")
    code_page = _CODE_PAGE.search(document[:4096])
    for name, value in _INFO.findall(document):
        value = rtf_to_text(
            f"{{\\rtf1{code_page.group() if code_page else ''} {value}}}", errors="replace"
        ).strip()
        if value:
            yield Property(name=_NAMES.get(name, name), value=value)


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    text, cut = read(data)
    if text.strip():
        yield TextChunk(where="", text=text)
    if cut:
        yield Problem(code=UNSCANNABLE, where="", reason=NESTING)
    yield from properties(data)
