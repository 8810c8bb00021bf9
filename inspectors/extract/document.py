"""Word documents (docx) via python-docx: body paragraphs and tables in reading order,
headers and footers, comments, and the properties that say whose document it is; tracked
changes and hidden text (extract/revisions.py); footnotes, endnotes, charts, SmartArt and
embedded files from the package (extract/package.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from ..limits import Limits
from .archive import check_package, open_zip
from .package import embedded, text_parts
from .pieces import UNSCANNABLE, Piece, Problem, Table, TextChunk
from .properties import ooxml_properties
from .revisions import revisions

MAX_SPAN = 63  # Word's widest table has 63 columns
_HEADERS_FOOTERS = (
    "header",
    "first_page_header",
    "even_page_header",
    "footer",
    "first_page_footer",
    "even_page_footer",
)


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    from docx import Document  # imported on first use: it costs ~15 MB of memory

    package = check_package(open_zip(data), limits)
    document = Document(io.BytesIO(data))
    counter = _Tables(limits)
    seen: set[str] = set()
    for piece in _blocks(document.iter_inner_content(), "", counter):
        _remember(piece, seen)
        yield piece
    missed = _missed_paragraphs(document.element.body, seen)
    if missed:
        yield TextChunk(where="more-text", text="\n".join(missed))
    for number, section in enumerate(document.sections, 1):
        for attribute in _HEADERS_FOOTERS:
            part = getattr(section, attribute)
            if not part.is_linked_to_previous:
                kind = "header" if "header" in attribute else "footer"
                yield from _blocks(part.iter_inner_content(), f"{kind}{number}", counter)
    for comment in document.comments:
        yield TextChunk(where="comments", text=comment.text)
    yield from revisions(package, limits)
    yield from text_parts(package, "docx", limits)
    yield from ooxml_properties(package)
    yield from embedded(package, limits)


class _Tables:
    """Numbers tables across the whole document ("table3"), within the cell limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.count = 0
        self.cells = 0

    def table(self, table) -> Piece:
        self.count += 1
        rows: list[tuple[str, ...]] = []
        for row in table.rows:
            cells = _cells(row, table, rows[-1] if rows else ())
            self.cells += len(cells)
            if self.cells > self.limits.max_sheet_cells:
                return Problem(
                    code=UNSCANNABLE, where=f"table{self.count}", reason=self.limits.reason("max_sheet_cells")
                )
            rows.append(cells)
        return Table(where=f"table{self.count}", rows=tuple(rows))


def _key(text: str) -> str:
    return "".join(text.split())


def _remember(piece: Piece, seen: set[str]) -> None:
    if isinstance(piece, TextChunk):
        seen.update(_key(line) for line in piece.text.splitlines())
    elif isinstance(piece, Table):
        seen.update(_key(line) for row in piece.rows for cell in row for line in cell.splitlines())


def _missed_paragraphs(body, seen: set[str]) -> list[str]:
    """Paragraphs python-docx does not show: inside content controls (w:sdt, as forms use),
    text boxes, tracked insertions and moves, smart tags, fields, custom XML, alternate
    content, bidi runs, and tables inside table cells. Read from the XML itself, every w:t
    under its own paragraph; what was read already is not repeated."""
    from docx.oxml.ns import qn

    paragraph, text_tag = qn("w:p"), qn("w:t")
    texts: dict = {}
    for node in body.iter(text_tag):
        owner = next(node.iterancestors(paragraph), None)
        if owner is not None and node.text:
            texts.setdefault(owner, []).append(node.text)
    missed = []
    for parts in texts.values():
        text = "".join(parts)
        if _key(text) and _key(text) not in seen:
            missed.append(text)
    return missed


def _cells(row, table, above: tuple[str, ...]) -> tuple[str, ...]:
    """A row's cell texts, one per grid column, as python-docx's `row.cells` gives them, but
    never more than MAX_SPAN columns for one cell: `row.cells` repeats a cell for every column
    its gridSpan claims, and one gridSpan="100000000" in a 50 KB file made a gigabyte of it.
    A vertically merged cell repeats the text above it (O(1), where `row.cells` walks up)."""
    from docx.table import _Cell

    texts: list[str] = []
    for tc in row._tr.tc_lst:
        if tc.vMerge == "continue":
            text = above[len(texts)] if len(texts) < len(above) else ""
        else:
            text = _Cell(tc, table).text
        texts.extend([text] * max(1, min(tc.grid_span, MAX_SPAN)))
    return tuple(texts)


def _blocks(blocks, where: str, tables: _Tables) -> Iterator[Piece]:
    """Paragraphs become one text chunk at `where`; each table is its own piece."""
    lines = []
    for block in blocks:
        if hasattr(block, "rows"):
            yield tables.table(block)
        else:
            lines.append(block.text)
    if any(line.strip() for line in lines):
        yield TextChunk(where=where, text="\n".join(lines))
