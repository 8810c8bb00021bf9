"""PowerPoint presentations (pptx) via python-pptx: each slide's text, tables and notes;
comments, charts, SmartArt and embedded files from the package (extract/package.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from ..limits import Limits
from .archive import check_package, open_zip
from .package import embedded, text_parts
from .pieces import Piece, Table, TextChunk
from .properties import ooxml_properties


def extract(data: bytes, limits: Limits) -> Iterator[Piece]:
    from pptx import Presentation  # imported on first use: it costs ~25 MB of memory

    package = check_package(open_zip(data), limits)
    presentation = Presentation(io.BytesIO(data))
    for number, slide in enumerate(presentation.slides, 1):
        where = f"slide{number}"
        lines: list[str] = []
        tables = 0
        for shape in _shapes(slide.shapes):
            if shape.has_text_frame:
                lines.append(shape.text_frame.text)
            if getattr(shape, "has_table", False):
                tables += 1
                rows = tuple(tuple(cell.text for cell in row.cells) for row in shape.table.rows)
                yield Table(where=f"{where}!table{tables}", rows=rows)
        notes = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
        if notes is not None:
            lines.append(notes.text)
        if any(line.strip() for line in lines):
            yield TextChunk(where=where, text="\n".join(lines))
    yield from text_parts(package, "pptx", limits)
    yield from ooxml_properties(package)
    yield from embedded(package, limits)


def _shapes(shapes) -> Iterator:
    """Shapes, with the shapes inside groups."""
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shapes(shape.shapes)
        else:
            yield shape
